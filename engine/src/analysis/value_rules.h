// The rules for one value of one field (internal; used by the FormChecker
// and by validate_value()). Precompiled so that a check does no parsing.
#pragma once

#include <optional>
#include <regex>
#include <string>

#include "yilian/chain.h"
#include "yilian/check.h"
#include "yilian/value.h"

namespace yilian::detail {

struct ValueRule {
  Field field;                     ///< the definition (type, bounds, values, pattern)
  std::optional<std::regex> pattern;
};

/// Compiles a field's rule (the pattern, if any, as an ECMAScript regex).
[[nodiscard]] ValueRule compile_rule(const Field& field);

/// True for "no value": std::monostate, or text of white space only.
[[nodiscard]] bool is_blank(const Value& v);

/// Checks a non-blank value. Returns true when it is valid; otherwise fills
/// `out` (key, code, reason, reason_zh, hint; not `where`).
[[nodiscard]] bool check_value(const ValueRule& rule, const Value& v, InvalidItem& out);

/// The phone numbers a `phone` field accepts, as an ECMAScript regular
/// expression (also written into the JSON Schema, so that both agree):
/// mobile 1[3-9] + 9 digits (optionally +86/0086, spaces or hyphens between
/// digits), landline 0 + 2–3 digit area code + 7–8 digits (optional
/// "-extension"), and 400/800 service numbers.
inline constexpr const char* kPhonePattern =
    R"(^(?:(?:\+86|0086)[- ]?)?1[3-9][0-9](?:[- ]?[0-9]){8}$|^0[1-9][0-9]{1,2}[- ]?[0-9]{7,8}(?:-[0-9]{1,6})?$|^[48]00-?[0-9]{3}-?[0-9]{4}$)";
/// True when `s` matches kPhonePattern; a hand-written matcher of the same
/// language (std::regex is slow), tested against the pattern.
[[nodiscard]] bool phone_matches(std::string_view s);

/// The shape of a resident ID and of a unified social credit code (the check
/// characters are verified by the checker, not expressible as a pattern).
inline constexpr const char* kResidentIdPattern = "^[1-8][0-9]{16}[0-9X]$";
inline constexpr const char* kUsccPattern = "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$";
inline constexpr const char* kDatePattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

/// Number of Unicode code points in UTF-8 text.
[[nodiscard]] std::size_t utf8_length(std::string_view s);

}  // namespace yilian::detail
