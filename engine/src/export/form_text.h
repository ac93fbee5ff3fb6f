// Shared wording for the form's Markdown, CSV and notice (internal).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "yilian/form.h"

namespace yilian::detail {

/// The type in Chinese words, e.g. "身份证号码（18 位）".
[[nodiscard]] std::string zh_type(FieldType t);
/// The constraints in words: "2–100 字", "10–600", "≥ 3 万元", the enum values.
[[nodiscard]] std::string zh_constraints(const Field& f);
/// The choices of an enum or set field by their labels: "民办 / 公办",
/// "热食类、冷食类（可多选）".
[[nodiscard]] std::string zh_choices(const Field& f);
/// Text safe inside a Markdown table cell (pipes escaped, lines joined).
[[nodiscard]] std::string md_cell(std::string_view s);
/// The Chinese numeral for 1..20 used in section headings (一, 二, …).
[[nodiscard]] std::string zh_numeral(int n);
/// The names of matters by id, joined by "、" (ids when a name is unknown).
[[nodiscard]] std::string matter_names(const Form& form, const std::vector<std::string>& ids);
/// Material requirements in words: "原件", "复印件 2 份".
[[nodiscard]] std::string zh_material_requirement(const Material& m);
/// Where a material comes from: 申请人自备, 部门核发, 共享获取.
[[nodiscard]] std::string_view zh_source(MaterialSource s);
/// The names of materials by id, joined by "、".
[[nodiscard]] std::string material_names(const Form& form, const std::vector<std::string>& ids);
/// "空表：forms/a.docx；示范样本：samples/a.pdf" (what of the two the material has), or "".
[[nodiscard]] std::string zh_material_files(const Material& m);

}  // namespace yilian::detail
