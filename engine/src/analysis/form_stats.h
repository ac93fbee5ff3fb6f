// Completing a form's statistics (internal; the whole chain's in
// merge_form, a department's in department_form: one rule for both).
#pragma once

#include "yilian/form.h"

namespace yilian::detail {

/// Whether the one form asks the applicant for the item when every matter
/// applies (what "after" counts): not when a matter produces or issues it.
[[nodiscard]] inline bool counted_after(const FormField& f) {
  return f.asked && (f.producers.empty() || f.field.prefer == Prefer::applicant);
}
/// A material counts when the applicant hands it in: not issued by a matter
/// of the chain, not fetched by data sharing.
[[nodiscard]] inline bool counted_after(const FormMaterial& m) {
  return m.issuers.empty() && m.material.source != MaterialSource::shared;
}
/// A material fetched by data sharing (counted in materials_shared).
[[nodiscard]] inline bool counted_shared(const FormMaterial& m) {
  return m.issuers.empty() && m.material.source == MaterialSource::shared;
}

/// Fills the reductions (1 - after/before, 0 when before is 0) and the
/// plan's targets from the counts.
void complete_stats(FormStats& stats);

}  // namespace yilian::detail
