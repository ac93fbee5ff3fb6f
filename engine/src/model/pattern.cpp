// A field's `pattern` as a regular expression (model/pattern.h).
#include "model/pattern.h"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

namespace yilian::detail {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// Reads the digits from `j` on; true when their number is over the limit
/// (read digit by digit, so it never overflows).
bool digits_over_limit(std::string_view p, std::size_t& j) {
  long n = 0;
  for (; j < p.size() && is_digit(p[j]); ++j)
    if (n <= kMaxPatternRepeat) n = n * 10 + (p[j] - '0');
  return n > kMaxPatternRepeat;
}

/// The first number over the limit that std::regex would read as one, as
/// written: a repetition count ("{1111111}") or a back-reference
/// ("\11111"); "" when there is none. A brace inside a bracket class
/// (`[{]`) is taken as a quantifier all the same: no sensible class holds a
/// brace followed by a number over the limit, and reading classes as the
/// regex engine does would be a second parser to keep in step with it.
std::string_view number_over_limit(std::string_view p) {
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\') {
      std::size_t j = i + 1;
      if (digits_over_limit(p, j)) return p.substr(i, j - i);
      i = std::max(i + 1, j - 1);  // past the escaped character or the digits
    } else if (p[i] == '{') {
      // {m}, {m,} or {m,n}
      std::size_t j = i + 1;
      bool over = digits_over_limit(p, j);
      if (j < p.size() && p[j] == ',') over = digits_over_limit(p, ++j) || over;
      if (over) return p.substr(i, j < p.size() && p[j] == '}' ? j + 1 - i : j - i);
    }
  }
  return {};
}

}  // namespace

std::optional<std::regex> compile_pattern(const std::string& pattern, std::string* error) {
  if (pattern.size() > kMaxPatternLength) {
    if (error)
      *error = fmt::format("it is {} bytes long; a pattern is at most {} (it is compiled by recursion)", pattern.size(),
                           kMaxPatternLength);
    return std::nullopt;
  }
  if (const std::string_view big = number_over_limit(pattern); !big.empty()) {
    if (error)
      *error = fmt::format("`{}` is over {} (repetition counts and back-references are at most {})",
                           big.size() > 40 ? std::string(big.substr(0, 40)) + "…" : std::string(big), kMaxPatternRepeat,
                           kMaxPatternRepeat);
    return std::nullopt;
  }
  try {
    return std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    if (error) *error = e.what();
    return std::nullopt;
  }
}

}  // namespace yilian::detail
