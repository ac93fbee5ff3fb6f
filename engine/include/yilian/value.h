// Form values: what an applicant (or a matter that produces data) supplies.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace yilian {

/// The value of a `set` field (multiple choice): the chosen codes, in the
/// order given. The check refuses duplicates and codes the field does not
/// list; an empty set counts as no value.
using ValueSet = std::vector<std::string>;

/// One form value. Dates are ISO strings ("2025-09-26"), so comparing two
/// dates compares the strings. std::monostate means "no value".
using Value = std::variant<std::monostate, bool, std::int64_t, double, std::string, ValueSet>;

/// Field values by field key ("applicant.name"). Ordered, so output that
/// walks it is deterministic.
using FieldValues = std::map<std::string, Value, std::less<>>;

/// The value of `key`, or nullptr when `values` has none.
[[nodiscard]] inline const Value* find_value(const FieldValues& values, std::string_view key) {
  const auto it = values.find(key);
  return it == values.end() ? nullptr : &it->second;
}

/// The value as a person would write it: true, 42, 3.5, text, "a, b" for a
/// set; "" for none.
[[nodiscard]] std::string to_display(const Value& v);

/// True when the value holds a number (integer or floating point).
[[nodiscard]] inline bool is_number(const Value& v) {
  return std::holds_alternative<std::int64_t>(v) || std::holds_alternative<double>(v);
}
/// The number as a double; 0 when the value is not a number.
[[nodiscard]] double as_double(const Value& v);

}  // namespace yilian
