// Material files (一套材料 as files): the scan or document a case's material
// is handed in as. PDF, JPEG and PNG only, recognised by their content,
// never by their name. The store keeps the bytes; the case's log records
// each upload with the file's SHA-256 (event::FileAttached), so that
// `audit verify` proves which file was handed in.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "yilian/case_types.h"

namespace yilian {

/// The default largest file the engine takes (EngineOptions::max_file_bytes).
inline constexpr std::uint64_t kDefaultMaxFileBytes = 20u * 1024u * 1024u;

/// "application/pdf", "image/jpeg" or "image/png" when `content` is laid
/// out as such a file is (its signature and, for PNG, its header chunk);
/// "" for anything else (an empty file, a Word document, a text).
[[nodiscard]] std::string_view media_type_of(std::string_view content);

/// The lower-case hex SHA-256 of `content`.
[[nodiscard]] std::string sha256_hex(std::string_view content);

/// What the store keeps of an uploaded file besides its bytes.
struct MaterialFile {
  CaseId case_id = 0;
  std::uint64_t seq = 0;      ///< the entry of the case's log that recorded the upload
  std::string material;       ///< material id
  std::string name;           ///< the file name given (for display and download only)
  std::string media_type;     ///< as recognised from the content
  std::uint64_t bytes = 0;
  std::string sha256;         ///< hex
  Instant at;                 ///< when it was recorded
};

}  // namespace yilian
