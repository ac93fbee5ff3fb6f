// The form in words: Chinese conditions, Markdown and CSV.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "export/form_text.h"
#include "yilian/form_export.h"

namespace yilian {
namespace detail {

std::string zh_type(FieldType t) {
  switch (t) {
    case FieldType::string: return "文字";
    case FieldType::text: return "多行文字";
    case FieldType::integer: return "整数";
    case FieldType::number: return "数字";
    case FieldType::boolean: return "是/否";
    case FieldType::date: return "日期（YYYY-MM-DD）";
    case FieldType::enumeration: return "选项";
    case FieldType::set: return "多选";
    case FieldType::id_card: return "身份证号码（18 位）";
    case FieldType::uscc: return "统一社会信用代码（18 位）";
    case FieldType::phone: return "电话号码";
    case FieldType::area: return "面积";
  }
  return "";
}

std::string zh_constraints(const Field& f) {
  std::vector<std::string> parts;
  auto n = [](double d) { return fmt::format("{}", d); };
  const bool text = f.type == FieldType::string || f.type == FieldType::text;
  const std::string unit = text ? " 字" : (f.unit.empty() ? "" : " " + f.unit);
  if (f.type == FieldType::set) {
    parts.push_back(zh_choices(f));
    if (f.min && f.max) parts.push_back(fmt::format("选择 {}–{} 项", n(*f.min), n(*f.max)));
    else if (f.min) parts.push_back(fmt::format("至少选择 {} 项", n(*f.min)));
    else if (f.max) parts.push_back(fmt::format("至多选择 {} 项", n(*f.max)));
    return fmt::format("{}", fmt::join(parts, "；"));
  }
  if (f.min && f.max) parts.push_back(fmt::format("{}–{}{}", n(*f.min), n(*f.max), unit));
  else if (f.min) parts.push_back(fmt::format("≥ {}{}", n(*f.min), unit));
  else if (f.max) parts.push_back(fmt::format("≤ {}{}", n(*f.max), unit));
  else if (!f.unit.empty()) parts.push_back(fmt::format("单位：{}", f.unit));
  if (!f.values.empty()) parts.push_back(zh_choices(f));
  if (!f.pattern.empty()) parts.push_back(fmt::format("格式 `{}`", f.pattern));
  return fmt::format("{}", fmt::join(parts, "；"));
}

std::string zh_choices(const Field& f) {
  std::vector<std::string> labels;
  for (const auto& v : f.values) labels.push_back(f.label_of(v));
  return fmt::format("{}{}", fmt::join(labels, f.type == FieldType::set ? "、" : " / "),
                     f.type == FieldType::set ? "（可多选）" : "");
}

std::string md_cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}

std::string zh_numeral(int n) {
  static const char* const k[] = {"〇", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"};
  if (n >= 0 && n <= 10) return k[n];
  if (n < 20) return std::string("十") + k[n - 10];
  return std::to_string(n);
}

std::string matter_names(const Form& form, const std::vector<std::string>& ids) {
  std::vector<std::string> names;
  for (const auto& id : ids) {
    const auto it = form.matter_names.find(id);
    names.push_back(it != form.matter_names.end() && !it->second.empty() ? it->second : id);
  }
  return fmt::format("{}", fmt::join(names, "、"));
}

std::string zh_material_requirement(const Material& m) {
  std::string s = m.original ? "原件" : "复印件";
  if (m.copies > 1) s += fmt::format(" {} 份", m.copies);
  return s;
}

std::string_view zh_source(MaterialSource s) {
  switch (s) {
    case MaterialSource::issued: return "部门核发";
    case MaterialSource::shared: return "共享获取";
    case MaterialSource::applicant:
    case MaterialSource::unspecified: break;
  }
  return "申请人自备";
}

std::string material_names(const Form& form, const std::vector<std::string>& ids) {
  std::vector<std::string> names;
  for (const auto& id : ids) {
    const FormMaterial* m = form.find_material(id);
    names.push_back(m && !m->material.name.empty() ? m->material.name : id);
  }
  return fmt::format("{}", fmt::join(names, "、"));
}

std::string zh_material_files(const Material& m) {
  std::vector<std::string> parts;
  if (!m.blank_form.empty()) parts.push_back("空表：" + m.blank_form);
  if (!m.sample.empty()) parts.push_back("示范样本：" + m.sample);
  return fmt::format("{}", fmt::join(parts, "；"));
}

namespace {

std::string literal_words(const Field* f, const Value& v) {
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "“是”" : "“否”";
  if (const auto* s = std::get_if<std::string>(&v)) return fmt::format("“{}”", f ? f->label_of(*s) : *s);
  std::string out = " " + to_display(v);
  if (f && !f->unit.empty()) out += " " + f->unit;
  return out;
}

std::string_view op_words(CompareOp op) {
  switch (op) {
    case CompareOp::eq: return "为";
    case CompareOp::ne: return "不为";
    case CompareOp::lt: return "小于";
    case CompareOp::le: return "不大于";
    case CompareOp::gt: return "大于";
    case CompareOp::ge: return "不小于";
  }
  return "?";
}

void words(const Form& form, const Expr& e, std::string& out, bool nested) {
  auto field_of = [&](const Expr& x) -> const Field* {
    const FormField* ff = x.kind == Expr::Kind::field ? form.find_field(x.field) : nullptr;
    return ff ? &ff->field : nullptr;
  };
  auto name = [&](const Expr& x) {
    const Field* f = field_of(x);
    return f && !f->label.empty() ? f->label : x.field;
  };
  switch (e.kind) {
    case Expr::Kind::literal: out += literal_words(nullptr, e.literal); return;
    case Expr::Kind::field: out += fmt::format("{}为“是”", name(e)); return;
    case Expr::Kind::compare: {
      const Expr* l = &e.operands[0];
      const Expr* r = &e.operands[1];
      CompareOp op = e.op;
      if (l->kind == Expr::Kind::literal && r->kind == Expr::Kind::field) {
        std::swap(l, r);
        op = mirror(op);
      }
      const Field* f = field_of(*l);
      out += l->kind == Expr::Kind::field ? name(*l) : literal_words(nullptr, l->literal);
      out += op_words(op);
      out += r->kind == Expr::Kind::field ? name(*r) : literal_words(f, r->literal);
      return;
    }
    case Expr::Kind::in: {
      const Field* f = field_of(e.operands[0]);
      std::vector<std::string> items;
      for (const auto& v : e.list) items.push_back(literal_words(f, v));
      out += fmt::format("{}{}{}", name(e.operands[0]), e.negated ? "不为" : "为",
                         fmt::format("{}{}", fmt::join(items, "、"), e.list.size() > 1 ? (e.negated ? "中的任何一项" : "之一") : ""));
      return;
    }
    case Expr::Kind::member: {
      const Expr& set = e.operands[1];
      out += fmt::format("{}{}{}", set.kind == Expr::Kind::field ? name(set) : literal_words(nullptr, set.literal),
                         e.negated ? "不包括" : "包括", literal_words(field_of(set), e.operands[0].literal));
      return;
    }
    case Expr::Kind::negate:
      out += "并非（";
      words(form, e.operands[0], out, false);
      out += "）";
      return;
    case Expr::Kind::all_of:
    case Expr::Kind::any_of: {
      if (nested) out += "（";
      for (std::size_t i = 0; i < e.operands.size(); ++i) {
        if (i) out += e.kind == Expr::Kind::all_of ? "，且" : "，或";
        words(form, e.operands[i], out, true);
      }
      if (nested) out += "）";
      return;
    }
  }
}

/// The numbers a condition compares field `key` with.
void thresholds(const Expr& e, const std::string& key, std::vector<double>& out) {
  if (e.kind == Expr::Kind::compare)
    for (std::size_t i = 0; i < 2; ++i)
      if (e.operands[i].kind == Expr::Kind::field && e.operands[i].field == key &&
          e.operands[1 - i].kind == Expr::Kind::literal && is_number(e.operands[1 - i].literal))
        out.push_back(as_double(e.operands[1 - i].literal));
  if (e.kind == Expr::Kind::in && e.operands[0].kind == Expr::Kind::field && e.operands[0].field == key)
    for (const auto& v : e.list)
      if (is_number(v)) out.push_back(as_double(v));
  for (const auto& o : e.operands) thresholds(o, key, out);
}

/// For people, "when A, or when B, or when C" drops A when A implies "B or
/// C" (the others cover it). Checked over every combination of values of
/// the fields they read: booleans and enums by their values, numbers by one
/// value per region the compared constants cut the line into (each
/// constant, a point between two, one below and one above) — exact for
/// these conditions; at most 4,096 combinations, or nothing is dropped. Display only: the
/// form's `required_when` keeps every condition, since an undecided A may
/// still ask for the field while the others are already false.
struct Covering {
  std::vector<Condition> shown;  ///< the conditions a person needs to read
  bool always = false;           ///< one of them holds whatever the values: needed in every case
};

Covering covering(const Form& form, const std::vector<Condition>& conditions) {
  if (conditions.size() < 2) return {conditions, false};
  std::vector<std::string> keys;
  for (const auto& c : conditions)
    for (const auto& k : c.fields())
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  std::vector<std::vector<Value>> domains;
  std::size_t combinations = 1;
  for (const auto& k : keys) {
    const FormField* f = form.find_field(k);
    if (!f) return {conditions, false};
    std::vector<Value> d;
    if (f->field.type == FieldType::boolean) {
      d = {Value{true}, Value{false}};
    } else if (f->field.type == FieldType::enumeration) {
      for (const auto& v : f->field.values) d.emplace_back(v);
    } else if (f->field.type == FieldType::set) {
      // Every non-empty subset (a set given holds at least one value).
      const std::size_t n = f->field.values.size();
      if (n > 12) return {conditions, false};
      for (std::size_t bits = 1; bits < (std::size_t{1} << n); ++bits) {
        ValueSet subset;
        for (std::size_t i = 0; i < n; ++i)
          if (bits & (std::size_t{1} << i)) subset.push_back(f->field.values[i]);
        d.emplace_back(std::move(subset));
      }
    } else if (is_numeric(f->field.type)) {
      std::vector<double> t;
      for (const auto& c : conditions)
        if (!c.empty()) thresholds(c.root(), k, t);
      std::sort(t.begin(), t.end());
      t.erase(std::unique(t.begin(), t.end()), t.end());
      if (t.empty()) return {conditions, false};
      d.emplace_back(t.front() - 1);
      for (std::size_t i = 0; i < t.size(); ++i) {
        d.emplace_back(t[i]);
        d.emplace_back(i + 1 < t.size() ? (t[i] + t[i + 1]) / 2 : t[i] + 1);
      }
    }
    combinations *= d.size();
    if (d.empty() || combinations > 4096) return {conditions, false};
    domains.push_back(std::move(d));
  }
  // holds[n][i]: condition i under the n-th combination of values.
  std::vector<std::vector<char>> holds(combinations, std::vector<char>(conditions.size()));
  FieldValues values;
  for (std::size_t n = 0; n < combinations; ++n) {
    std::size_t rest = n;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      values[keys[i]] = domains[i][rest % domains[i].size()];
      rest /= domains[i].size();
    }
    for (std::size_t i = 0; i < conditions.size(); ++i) holds[n][i] = conditions[i].evaluate(values) == Truth::yes;
  }
  std::vector<char> kept(conditions.size(), 1);
  for (std::size_t i = 0; i < conditions.size(); ++i) {
    bool covered = true;
    for (std::size_t n = 0; n < combinations && covered; ++n) {
      if (!holds[n][i]) continue;
      bool other = false;
      for (std::size_t j = 0; j < conditions.size() && !other; ++j) other = j != i && kept[j] && holds[n][j];
      covered = other;
    }
    if (covered) kept[i] = 0;
  }
  Covering out;
  for (std::size_t i = 0; i < conditions.size(); ++i)
    if (kept[i]) out.shown.push_back(conditions[i]);
  out.always = std::all_of(holds.begin(), holds.end(),
                           [](const auto& row) { return std::find(row.begin(), row.end(), 1) != row.end(); });
  return out;
}

/// "当A；或B时", and a note when one of them always holds.
std::string when_heading(const Form& form, const Covering& c) {
  std::vector<std::string> parts;
  for (const auto& x : c.shown) parts.push_back(describe_condition(form, x));
  return fmt::format("当{}时{}", fmt::join(parts, "；或"), c.always ? "（必居其一，均需填写）" : "");
}

/// What a field that no matter lists decides: "决定 X 是否办理；决定是否需要提交 Y".
std::string deciding_words(const Form& form, const FormField& f) {
  std::vector<std::string> parts;
  if (!f.deciding.empty()) parts.push_back("决定 " + matter_names(form, f.deciding) + " 是否办理");
  if (!f.deciding_materials.empty())
    parts.push_back("决定是否需要提交" + material_names(form, f.deciding_materials));
  return fmt::format("{}", fmt::join(parts, "；"));
}

void field_table(const Form& form, const std::vector<const FormField*>& fields, std::string& out) {
  out += "| 序号 | 填报项 | 字段 | 类型 | 要求 | 使用事项 |\n|---:|---|---|---|---|---|\n";
  int n = 0;
  for (const FormField* f : fields)
    out += fmt::format("| {} | {} | `{}` | {} | {} | {} |\n", ++n, md_cell(f->field.label), f->field.key,
                       zh_type(f->field.type), md_cell(zh_constraints(f->field)),
                       md_cell(!f->matters.empty() ? matter_names(form, f->matters) : deciding_words(form, *f)));
  out += "\n";
}

void material_table(const Form& form, const std::vector<const FormMaterial*>& mats, std::string& out) {
  out += "| 序号 | 材料 | 编号 | 来源 | 要求 | 空表和样本 | 用于事项 |\n|---:|---|---|---|---|---|---|\n";
  int n = 0;
  for (const FormMaterial* m : mats) {
    std::string req = zh_material_requirement(m->material);
    if (m->material.deferrable) req += "；可容缺";
    out += fmt::format("| {} | {} | `{}` | {} | {} | {} | {} |\n", ++n, md_cell(m->material.name), m->material.id,
                       zh_source(m->channel()), md_cell(req), md_cell(zh_material_files(m->material)),
                       md_cell(matter_names(form, m->matters)));
  }
  out += "\n";
}

}  // namespace
}  // namespace detail

std::string describe_condition(const Form& form, const Condition& condition) {
  if (condition.empty()) return "";
  std::string out;
  detail::words(form, condition.root(), out, false);
  return out;
}

std::string form_to_markdown(const Form& form) {
  using namespace detail;
  std::string out;
  const Department* lead = form.find_department(form.lead);
  out += fmt::format("# {} · 一表申请\n\n", form.name);
  out += fmt::format("链条 `{}` 第 {} 版 · 牵头部门：{}\n\n", form.chain, form.version, lead ? lead->name : form.lead);
  const FormStats& s = form.stats;
  out += fmt::format(
      "本表合并了 {} 个事项：申请人填写 {} 项信息、提交 {} 份材料；各事项分别申请时共需填写 {} 项、提交 {} 份"
      "（信息减少 {:.1f}%，材料减少 {:.1f}%）。\n\n",
      form.matters.size(), s.fields_after, s.materials_after, s.fields_before, s.materials_before,
      100 * s.fields_reduction, 100 * s.materials_reduction);

  std::vector<const FormField*> always, optional, produced;
  std::map<std::string, std::pair<Covering, std::vector<const FormField*>>> conditional;
  std::vector<std::string> conditional_order;
  for (const auto& f : form.fields) {
    switch (f.requirement) {
      case Requirement::always: always.push_back(&f); break;
      case Requirement::optional: optional.push_back(&f); break;
      case Requirement::produced:
      case Requirement::shared: produced.push_back(&f); break;
      case Requirement::conditional: {
        const Covering shown = covering(form, f.required_when);
        std::string key;
        for (const auto& c : shown.shown) key += c.text() + "\n";
        if (key.empty()) {  // decides a condition only
          std::vector<std::string> what;
          if (!f.deciding.empty()) what.push_back("是否办理" + matter_names(form, f.deciding));
          if (!f.deciding_materials.empty()) what.push_back("是否需要提交" + material_names(form, f.deciding_materials));
          key = fmt::format("\x01{}", fmt::join(what, "，"));
        }
        auto [it, inserted] = conditional.try_emplace(key);
        if (inserted) {
          it->second.first = shown;
          conditional_order.push_back(key);
        }
        it->second.second.push_back(&f);
        break;
      }
    }
  }
  int section = 0;
  if (!always.empty()) {
    out += fmt::format("## {}、必填信息\n\n", zh_numeral(++section));
    field_table(form, always, out);
  }
  if (!conditional.empty()) {
    out += fmt::format("## {}、视情况填写\n\n", zh_numeral(++section));
    for (const auto& key : conditional_order) {
      const auto& [conds, fields] = conditional.at(key);
      if (conds.shown.empty())
        out += fmt::format("### 用于判断{}（其他信息不足以判断时填写）\n\n", md_cell(key.substr(1)));
      else
        out += fmt::format("### {}\n\n", md_cell(when_heading(form, conds)));
      field_table(form, fields, out);
    }
  }
  if (!optional.empty()) {
    out += fmt::format("## {}、选填信息\n\n", zh_numeral(++section));
    field_table(form, optional, out);
  }
  if (!produced.empty()) {
    out += fmt::format("## {}、无需填写（由本链条的事项产生，信息复用）\n\n", zh_numeral(++section));
    out += "| 项目 | 字段 | 产生事项 | 使用事项 |\n|---|---|---|---|\n";
    for (const FormField* f : produced)
      out += fmt::format("| {} | `{}` | {} | {} |\n", md_cell(f->field.label), f->field.key,
                         md_cell(matter_names(form, f->producers)), md_cell(matter_names(form, f->matters)));
    out += "\n";
  }

  std::vector<const FormMaterial*> must, issued, shared;
  std::map<std::string, std::pair<Covering, std::vector<const FormMaterial*>>> cond_mats;
  std::vector<std::string> cond_mat_order;
  for (const auto& m : form.materials) {
    if (m.requirement == Requirement::produced) {
      issued.push_back(&m);
    } else if (m.requirement == Requirement::shared) {
      shared.push_back(&m);
    } else if (m.requirement == Requirement::conditional) {
      const Covering shown = covering(form, m.required_when);
      std::string key;
      for (const auto& c : shown.shown) key += c.text() + "\n";
      auto [it, inserted] = cond_mats.try_emplace(key);
      if (inserted) {
        it->second.first = shown;
        cond_mat_order.push_back(key);
      }
      it->second.second.push_back(&m);
    } else {
      must.push_back(&m);
    }
  }
  if (!must.empty() || !cond_mats.empty()) {
    out += fmt::format("## {}、申请材料（一套材料）\n\n", zh_numeral(++section));
    if (!must.empty()) {
      out += "### 必交材料\n\n";
      material_table(form, must, out);
    }
    for (const auto& key : cond_mat_order) {
      const auto& [conds, mats] = cond_mats.at(key);
      out += fmt::format("### {}\n\n", md_cell(when_heading(form, conds)));
      material_table(form, mats, out);
    }
  }
  if (!issued.empty()) {
    out += fmt::format("## {}、本链条出具的证照（无需提交，统一出件）\n\n", zh_numeral(++section));
    out += "| 证照 | 编号 | 出具事项 | 后续使用事项 |\n|---|---|---|---|\n";
    for (const FormMaterial* m : issued)
      out += fmt::format("| {} | `{}` | {} | {} |\n", md_cell(m->material.name), m->material.id,
                         md_cell(matter_names(form, m->issuers)), md_cell(matter_names(form, m->matters)));
    out += "\n";
  }
  if (!shared.empty()) {
    out += fmt::format("## {}、共享获取的材料（部门通过数据共享调取，无需提交）\n\n", zh_numeral(++section));
    out += "| 材料 | 编号 | 用于事项 |\n|---|---|---|\n";
    for (const FormMaterial* m : shared)
      out += fmt::format("| {} | `{}` | {} |\n", md_cell(m->material.name), m->material.id,
                         md_cell(matter_names(form, m->matters)));
    out += "\n";
  }
  out += "## 减少情况\n\n| | 分别申请 | 一表申请 | 减少 |\n|---|---:|---:|---:|\n";
  out += fmt::format("| 填报信息 | {} | {} | {:.1f}% |\n", s.fields_before, s.fields_after, 100 * s.fields_reduction);
  out += fmt::format("| 申请材料 | {} | {} | {:.1f}% |\n\n", s.materials_before, s.materials_after,
                     100 * s.materials_reduction);
  if (s.materials_shared > 0)
    out += fmt::format("其中 {} 份材料由部门通过数据共享获取，计为已减少。\n\n", s.materials_shared);
  for (const auto& t : s.targets)
    out += fmt::format("- {} 年底目标：材料减少 {:.0f}% —— {}\n", t.year, 100 * t.reduction, t.met ? "已达到" : "未达到");
  return out;
}

std::string form_to_csv(const Form& form) {
  auto q = [](std::string_view s) {
    if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
    std::string out = "\"";
    for (char c : s) {
      if (c == '"') out += '"';
      out += c;
    }
    return out + "\"";
  };
  auto list = [&](const std::vector<std::string>& v) { return q(fmt::format("{}", fmt::join(v, "; "))); };
  auto conds = [&](const std::vector<Condition>& v) {
    std::vector<std::string> t;
    for (const auto& c : v) t.push_back(c.text());
    return list(t);
  };
  auto num = [](const std::optional<double>& d) { return d ? fmt::format("{}", *d) : std::string(); };
  // A UTF-8 byte order mark first: without it Excel reads the file in the
  // system's code page and garbles every Chinese label.
  std::string out =
      "\xEF\xBB\xBF"
      "kind,key,label,type,requirement,required_when,min,max,values,value_labels,unit,pattern,source,matters,"
      "departments,description\r\n";
  for (const auto& f : form.fields) {
    const Field& d = f.field;
    std::vector<std::string> labels;
    for (const auto& v : d.values) labels.push_back(d.label_of(v));
    out += fmt::format("field,{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\r\n", q(d.key), q(d.label), to_string(d.type),
                       to_string(f.requirement), conds(f.required_when), num(d.min), num(d.max), list(d.values),
                       list(labels), q(d.unit), q(d.pattern), q(f.source()), list(f.matters), list(f.departments),
                       q(d.description));
  }
  for (const auto& m : form.materials)
    out += fmt::format("material,{},{},,{},{},,,,,,,{},{},{},{}\r\n", q(m.material.id), q(m.material.name),
                       to_string(m.requirement), conds(m.required_when), q(m.source()), list(m.matters),
                       list(m.departments), q(m.material.description));
  return out;
}

}  // namespace yilian
