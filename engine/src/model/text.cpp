// valid_utf8() and printable(): the one sanitiser of text from outside.
#include "yilian/text.h"

#include <fmt/format.h>

#include <algorithm>

namespace yilian {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";     // …

/// The length of the well-formed UTF-8 character at s[i] (1..4), or 0 when
/// the bytes there are not one (Unicode Table 3-7).
std::size_t char_length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const std::size_t left = s.size() - i;
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  auto tail = [&](std::size_t n, unsigned char lo, unsigned char hi) -> std::size_t {
    if (left < n) return 0;
    if (b(1) < lo || b(1) > hi) return 0;
    for (std::size_t k = 2; k < n; ++k)
      if (b(k) < 0x80 || b(k) > 0xBF) return 0;
    return n;
  };
  if (c >= 0xC2 && c <= 0xDF) return tail(2, 0x80, 0xBF);
  if (c == 0xE0) return tail(3, 0xA0, 0xBF);
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return tail(3, 0x80, 0xBF);
  if (c == 0xED) return tail(3, 0x80, 0x9F);  // no surrogates
  if (c == 0xF0) return tail(4, 0x90, 0xBF);
  if (c >= 0xF1 && c <= 0xF3) return tail(4, 0x80, 0xBF);
  if (c == 0xF4) return tail(4, 0x80, 0x8F);  // nothing above U+10FFFF
  return 0;
}

char32_t code_point(std::string_view s, std::size_t i, std::size_t len) {
  const auto c = static_cast<unsigned char>(s[i]);
  char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return cp;
}

}  // namespace

std::string valid_utf8(std::string_view bytes, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(bytes.size(), max_bytes));
  std::size_t replaced = 0;
  bool cut = false;
  for (std::size_t i = 0; i < bytes.size();) {
    const std::size_t len = char_length(bytes, i);
    const std::string_view piece = len ? bytes.substr(i, len) : kReplacement;
    if (out.size() + piece.size() > max_bytes) {
      cut = true;
      break;
    }
    out += piece;
    if (!len) ++replaced;
    i += len ? len : 1;
  }
  if (cut) {
    // Room for the ellipsis within the limit, on a character boundary.
    while (!out.empty() && out.size() + kEllipsis.size() > max_bytes) {
      std::size_t start = out.size() - 1;
      while (start > 0 && (static_cast<unsigned char>(out[start]) & 0xC0) == 0x80) --start;
      out.resize(start);
    }
    if (out.size() + kEllipsis.size() <= max_bytes) out += kEllipsis;
  }
  if (replaced)
    out += fmt::format(" [{} byte{} that {} not UTF-8 shown as U+FFFD]", replaced, replaced == 1 ? "" : "s",
                       replaced == 1 ? "is" : "are");
  return out;
}

std::string printable(std::string_view text, bool keep_newlines) {
  const std::string valid = valid_utf8(text);
  std::string out;
  out.reserve(valid.size());
  for (std::size_t i = 0; i < valid.size();) {
    const std::size_t len = char_length(valid, i);
    const char32_t cp = code_point(valid, i, len);
    if (cp == '\n' || cp == '\r' || cp == '\t') {
      out += keep_newlines && cp == '\n' ? '\n' : ' ';  // a lone CR could hide what comes before it
    } else if (cp < 0x20 || cp == 0x7F) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned>(cp));
    } else if ((cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(cp));
    } else {
      out.append(valid, i, len);
    }
    i += len;
  }
  return out;
}

bool json_depth_within(std::string_view json, int limit) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\') ++i;  // the escaped character
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

}  // namespace yilian
