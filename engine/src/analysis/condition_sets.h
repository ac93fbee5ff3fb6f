// What a condition says about single fields, for reasoning about
// alternatives: two matters whose conditions can never hold together (both
// produce the credit code, one when nature == 'nonprofit', the other when
// nature == 'forprofit') are alternatives, not a conflict. Conservative: a
// condition whose shape is not understood constrains nothing.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "yilian/chain.h"

namespace yilian::detail {

/// Per field, the values a condition allows (only fields it pins to a
/// finite set of literals).
using FieldSets = std::map<std::string, std::set<std::string>>;

/// The field constraints implied by `c`; `chain` gives enum and boolean
/// domains for `!=` and `not in`.
[[nodiscard]] FieldSets field_sets(const Condition& c, const Chain& chain);

/// True when `a` and `b` cannot both hold (some field is pinned to disjoint
/// sets). False when unsure.
[[nodiscard]] bool disjoint(const Condition& a, const Condition& b, const Chain& chain);

/// True when matters `a` and `b` can never both apply to one case: they are
/// never in force on the same day (valid_from / valid_until), or their
/// conditions cannot both hold. False when unsure.
[[nodiscard]] bool exclusive(const Matter& a, const Matter& b, const Chain& chain);

/// True when at least one of the conditions holds whatever the form says:
/// they all pin one enum or boolean field and together allow its whole
/// domain, or one of them is empty. False when unsure.
[[nodiscard]] bool covers_domain(const std::vector<const Condition*>& conditions, const Chain& chain);

}  // namespace yilian::detail
