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
[[nodiscard]] inline bool counted_after(const FormMaterial& m) { return m.issuers.empty(); }

/// Fills the reductions (1 - after/before, 0 when before is 0) and the
/// plan's targets from the counts.
void complete_stats(FormStats& stats);

}  // namespace yilian::detail
