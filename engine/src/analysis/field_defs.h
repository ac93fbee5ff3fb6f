// Comparing the definitions of one field key (internal; used by validate()
// and by the form merge, so that a conflict is found by one rule only).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "yilian/chain.h"
#include "yilian/status.h"

namespace yilian::detail {

/// Why two definitions of the same key cannot be merged: different types,
/// enum values or bounds or patterns. Empty when they agree (labels and
/// descriptions may differ; the first definition's are used).
[[nodiscard]] std::string definition_conflict(const Field& a, const Field& b);

/// Every definition of `key` in the chain, in file order: catalogue, inline
/// definitions in matters, then `produces`. Linear in the chain's size.
[[nodiscard]] std::vector<const Field*> definitions_of(const Chain& chain, std::string_view key);

/// The definitions of every key, grouped by key in one pass; keys in order of
/// first definition, each group in file order as definitions_of().
struct KeyDefinitions {
  std::string key;
  std::vector<const Field*> defs;
};
[[nodiscard]] std::vector<KeyDefinitions> group_definitions(const Chain& chain);

/// The checks on several definitions of one datum, with both places named:
/// `field-conflict` (types, enum values, bounds or patterns differ, also
/// between a produced and an asked definition of one type),
/// `produced-twice`, `produced-type-collision`, `produced-and-asked` (asked
/// and produced without `prefer`), `self-supply`. Appends to `out`.
void check_field_definitions(const Chain& chain, Diagnostics& out);
/// The same with the groups of group_definitions(chain) already at hand.
void check_field_definitions(const Chain& chain, const std::vector<KeyDefinitions>& groups, Diagnostics& out);

}  // namespace yilian::detail
