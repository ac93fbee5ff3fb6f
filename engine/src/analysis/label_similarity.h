// Likely duplicate fields: different keys whose labels name the same datum
// (internal; used by merge_form). The rule is documented in docs/form.md.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "yilian/chain.h"

namespace yilian::detail {

/// UTF-8 -> code points; invalid bytes become U+FFFD.
[[nodiscard]] std::u32string decode_utf8(std::string_view s);
/// Code points -> UTF-8.
[[nodiscard]] std::string encode_utf8(std::u32string_view s);

/// The label as compared: full-width ASCII folded to ASCII and lower case,
/// bracketed asides removed (（拟任）, (…), 【…】, […], 〔…〕), whitespace and
/// punctuation removed, and every term of the synonym table replaced by its
/// group's canonical term (法人代表 -> 法定代表人), longest match first.
[[nodiscard]] std::u32string normalise_label(std::string_view label);

/// True when `longer` is `shorter` with one or two characters inserted
/// after its first character, and `shorter` has at least three characters
/// (on normalised labels).
[[nodiscard]] bool near_same_label(std::u32string_view shorter, std::u32string_view longer);

struct LikelyDuplicate {
  enum class Kind { same_label, near_label, same_format };
  std::size_t first = 0;   ///< index into the input, first < second
  std::size_t second = 0;
  Kind kind = Kind::same_label;
};

/// Pairs of fields that look like one datum under different keys: equal
/// normalised labels (any types); near-same labels (same type family); or
/// the same type family and the same non-empty pattern. Each pair once, in
/// order of (second, first). Near-same candidates come from a deletion
/// neighbourhood index, so the cost is linear in the number of fields times
/// the square of the label length, not quadratic in the fields.
[[nodiscard]] std::vector<LikelyDuplicate> likely_duplicates(const std::vector<const Field*>& fields);

}  // namespace yilian::detail
