// Material files: recognising a file by its content, and its SHA-256.
#include "yilian/material_file.h"

#include <openssl/sha.h>

#include "runtime/store.h"

namespace yilian {

std::string_view media_type_of(std::string_view c) {
  // PDF: "%PDF-" within the first 1024 bytes (ISO 32000-1 §7.5.2 allows
  // leading bytes; readers look there), followed by a version digit.
  if (const auto at = c.substr(0, 1024).find("%PDF-"); at != std::string_view::npos && c.size() > at + 5 &&
                                                       c[at + 5] >= '1' && c[at + 5] <= '2')
    return "application/pdf";
  // JPEG: SOI then a marker (FF D8 FF).
  if (c.size() >= 4 && c.substr(0, 3) == std::string_view("\xFF\xD8\xFF", 3)) return "image/jpeg";
  // PNG: the 8-byte signature, then the IHDR chunk of 13 bytes.
  if (c.size() >= 33 && c.substr(0, 8) == std::string_view("\x89PNG\r\n\x1A\n", 8) &&
      c.substr(8, 8) == std::string_view("\0\0\0\x0DIHDR", 8))
    return "image/png";
  return {};
}

std::string sha256_hex(std::string_view content) {
  unsigned char h[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(content.data()), content.size(), h);
  return detail::to_hex(h, sizeof h);
}

}  // namespace yilian
