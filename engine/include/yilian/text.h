// Text from outside the engine (a department's answer, a program's stderr,
// an HTTP body): made valid UTF-8 before it is stored, cut on character
// boundaries, and made harmless before it is printed on a terminal. The
// adapters, the engine and the command line all use these two functions.
// Pure; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace yilian {

/// `bytes` as valid UTF-8 (RFC 3629: no overlong forms, no surrogates,
/// nothing above U+10FFFF). Each byte that is not part of a well-formed
/// character becomes U+FFFD, and the text then ends with a mark: " [N bytes
/// that are not UTF-8 shown as U+FFFD]". Text that would be longer than
/// `max_bytes` is cut after the last whole character that fits and ends with
/// "…" (the marks come on top of `max_bytes`). Valid text within the limit
/// is returned unchanged.
[[nodiscard]] std::string valid_utf8(std::string_view bytes, std::size_t max_bytes = std::string_view::npos);

/// valid_utf8(text) made safe for a terminal: tabs, carriage returns and
/// line breaks become spaces (line breaks stay with `keep_newlines`), and every other control
/// character (C0, DEL, C1 — escape sequences start with these) and the
/// bidirectional overrides (U+202A..U+202E, U+2066..U+2069) are shown as
/// escapes (`\x1b`, `\u202e`), so nothing in it is interpreted by the
/// terminal. Printable text is returned unchanged.
[[nodiscard]] std::string printable(std::string_view text, bool keep_newlines = false);

/// The deepest nesting of arrays and objects in a JSON text is at most
/// `limit` (strings are skipped, escapes included; the text need not be
/// valid JSON). For refusing a deeply nested document from outside (an
/// HTTP body, a department's answer) before a reader that recurses per
/// level sees it: nlohmann::json writes and compares nested values by
/// recursion, and 200,000 levels overflowed the stack of `yilian serve`.
[[nodiscard]] bool json_depth_within(std::string_view json, int limit);

/// The nesting allowed in a JSON document from outside: far more than any
/// request or answer of the API has (4).
inline constexpr int kMaxJsonDepth = 32;

}  // namespace yilian
