// A field's `pattern`: the one place it becomes a std::regex (the chain
// loader checks it, the form checker uses it).
#pragma once

#include <cstddef>
#include <optional>
#include <regex>
#include <string>

namespace yilian::detail {

/// The largest repetition count ({m}, {m,}, {m,n}) or back-reference
/// number (\N) a pattern may give.
inline constexpr long kMaxPatternRepeat = 1000;

/// The longest pattern, in bytes. libstdc++ compiles a pattern by
/// recursion, a level per alternative term and per parenthesis: a pattern
/// of 20,000 characters overflowed the stack (found by fuzzing the chain
/// loader). Real patterns (codes, numbers, formats) are tens of bytes.
inline constexpr std::size_t kMaxPatternLength = 1000;

/// The longest value (in characters) checked against a pattern. libstdc++
/// matches by recursion, a few frames per character of the value: a
/// pattern such as `^[a-z]*$` overflowed an 8 MB stack on a value of
/// 40,000 characters (the server's 1 MiB body holds far longer). No code,
/// number or name a pattern describes comes near this length.
inline constexpr std::size_t kMaxPatternValue = 1000;

/// The pattern compiled as an ECMAScript regular expression; nullopt, with
/// the reason in `error` when given, when it is not one, when it is longer
/// than kMaxPatternLength, or when a repetition count or back-reference is
/// over kMaxPatternRepeat. They are
/// checked before std::regex sees them: libstdc++ reads such a number into
/// a signed integer with no overflow check (undefined behaviour past 19
/// digits, found by fuzzing the chain loader), and counts in the thousands
/// build automata of as many states per repetition.
[[nodiscard]] std::optional<std::regex> compile_pattern(const std::string& pattern, std::string* error = nullptr);

}  // namespace yilian::detail
