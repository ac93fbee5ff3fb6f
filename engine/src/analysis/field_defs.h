// Comparing two definitions of one field key (internal; used by validate()
// and the form merge).
#pragma once

#include <string>

#include "yilian/chain.h"

namespace yilian::detail {

/// Why two definitions of the same key cannot be merged: different types,
/// enum values or bounds or patterns. Empty when they agree (labels and
/// descriptions may differ; the first definition's are used).
[[nodiscard]] std::string definition_conflict(const Field& a, const Field& b);

/// Every definition of `key` in the chain, in file order: catalogue, inline
/// definitions in matters, then `produces`.
[[nodiscard]] std::vector<const Field*> definitions_of(const Chain& chain, std::string_view key);

}  // namespace yilian::detail
