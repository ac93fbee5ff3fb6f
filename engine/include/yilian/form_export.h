// The merged form and the check as documents: JSON (the `form --json` and
// `check --json` contracts of DESIGN.md), Markdown, CSV, a JSON Schema of
// the application, and the one notice (一次性告知书) a window officer prints.
// Pure functions returning UTF-8 text; thread-safe.
#pragma once

#include <string>

#include "yilian/check.h"
#include "yilian/condition.h"
#include "yilian/form.h"

namespace yilian {

/// `form --json`: {chain, version, name, lead, fields: [{key, label, type,
/// required, requirement, required_when, matters, departments, source, …}],
/// materials: [{id, name, required, matters, source, …}], stats: {…}}.
[[nodiscard]] std::string form_to_json(const Form& form);

/// A readable Markdown form with Chinese labels: required, conditional
/// (grouped by condition, in words) and optional fields, data the chain
/// produces, materials, and the reduction statistics.
[[nodiscard]] std::string form_to_markdown(const Form& form);

/// RFC 4180 CSV, one row per field and then one per material (column
/// `kind`), UTF-8 starting with a byte order mark (EF BB BF, so that Excel
/// shows the Chinese labels); lists inside a cell are joined by "; ".
[[nodiscard]] std::string form_to_csv(const Form& form);

/// A JSON Schema (draft 2020-12) of an application to this chain:
/// {chain, version?, fields: {...}, materials: [...]}, with conditional
/// requirements as if/then. docs/form.md describes the translation. A
/// deferrable material (容缺受理) is never required. With `on` (the day the
/// case would be accepted), what matters not in force that day need is not
/// required, as `check --date` rules; every field and material stays
/// allowed.
[[nodiscard]] std::string form_to_json_schema(const Form& form, std::optional<Date> on = std::nullopt);

/// `check --json`: {complete, missing: [{kind, key, label, needed_by, …}],
/// invalid: [{key, reason, code, …}], ignored, applicable_matters, …}.
[[nodiscard]] std::string check_to_json(const CheckResult& result);

/// The one notice (一次性告知书) in Markdown and Chinese: what to fill in,
/// what to correct and which materials to bring, grouped, each with the
/// matters that need it; or an acceptance note when the check is complete.
[[nodiscard]] std::string notice_to_markdown(const Form& form, const CheckResult& result);

/// The commitment letters (告知承诺书, 国办发〔2020〕42号) of the matters the
/// check found decided on a commitment (`result.committed_matters`), one
/// after another, separated by a rule: for each, what the department
/// informs (basis, the information and materials it rests on, the
/// verification within the matter's `verify_within`, the consequences of an
/// untrue commitment) and what the applicant commits to, with lines to sign
/// (the agent's too when `app` names one). Empty when nothing is committed.
[[nodiscard]] std::string commitment_letters_to_markdown(const Chain& chain, const CheckResult& result,
                                                         const Application* app = nullptr);

/// A condition in Chinese words over the form's labels, e.g. "儿童用房建筑面积
/// 大于 1000 m²"; the form supplies labels and units.
[[nodiscard]] std::string describe_condition(const Form& form, const Condition& condition);

}  // namespace yilian
