// YAML → Chain: the shape of every key of docs/chain-reference.md. References
// between elements are checked later by validate() (analysis layer).
#include <fmt/format.h>

#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <regex>
#include <set>

#include "load/chain_reader.h"
#include "load/doc_reader.h"
#include "load/yaml_tree.h"
#include "model/pattern.h"
#include "yilian/load.h"

namespace yilian::detail {

namespace {

/// The keys of a matter, in the order read_matter() finds their values.
constexpr std::array<std::string_view, 24> kMatterKeys{
    "id",        "name",      "description", "department", "kind",       "code",     "basis",
    "statutory_days", "promised_days", "statutory", "promised", "visits", "fields", "materials",
    "produces",  "results",   "phases",      "after",      "when",       "valid_from", "valid_until",
    "replaces",  "commitment", "verify_within"};

/// The position of a matter key in kMatterKeys (at compile time: a key
/// not there does not compile).
consteval std::size_t mk(std::string_view key) {
  for (std::size_t i = 0; i < kMatterKeys.size(); ++i)
    if (kMatterKeys[i] == key) return i;
  throw "not a key of a matter";
}

}  // namespace

Fit promise_fits(const Limit& prom, const Limit& stat) {
  if (prom.unit == stat.unit) return prom.count > stat.count ? Fit::no : Fit::yes;
  const long long most = stat.unit == LimitUnit::months ? 31LL * stat.count : static_cast<long long>(stat.count);
  if (prom.in_working_days() && prom.count > most) return Fit::no;
  return nominal_working_days(prom) > nominal_working_days(stat) ? Fit::probably_not : Fit::yes;
}

void ChainReader::read_base(const YamlNode& root, Chain& c) {
  c.source = r_.file();
  c.where = r_.at(root);
  if (root.is_null()) {
    r_.error(root, "", "empty", "the file is empty; a chain needs id, version, name, lead, promised_days, "
                                "departments and matters");
    return;
  }
  if (!r_.check_map(root, "",
                    {"id", "version", "name", "description", "lead", "promised_days", "statutory_days",
                     "promised", "statutory", "calendar", "office_close", "alerts", "valid_from", "valid_until",
                     "defer_within", "ratings", "holder", "departments", "fields", "materials", "matters", "extends",
                     "drop"},
                    {"id", "version", "name", "lead", "departments", "matters"}, "a chain"))
    return;
  if (const YamlNode* d = root.get("drop"))
    r_.error(*d, "drop", "drop-without-extends",
             "`drop` removes matters of a base chain; this chain extends none",
             "add `extends: BASE-ID`, or delete the matters instead");
  if (auto v = r_.identifier(root.get("id"), "id", false)) c.id = *v;
  if (auto v = r_.integer(root.get("version"), "version", 1, 1'000'000)) c.version = static_cast<int>(*v);
  if (auto v = r_.text(root.get("name"), "name")) c.name = *v;
  if (auto v = r_.text(root.get("description"), "description", true)) c.description = *v;
  if (const YamlNode* n = root.get("lead")) {
    c.lead_where = r_.at(*n);
    if (auto v = r_.identifier(n, "lead", false)) c.lead = *v;
  }
  if (auto v = read_limit(root, "", "promised", true, "a chain")) {
    c.promised_days = v->count;
    c.promised_unit = v->unit;
  }
  if (auto v = read_limit(root, "", "statutory", false, "a chain")) {
    c.statutory_days = v->count;
    c.statutory_unit = v->unit;
  }
  if (auto v = r_.identifier(root.get("calendar"), "calendar", false)) c.calendar = *v;
  if (const YamlNode* n = root.get("office_close")) {
    if (auto v = r_.text(n, "office_close")) {
      static const std::regex hhmm("([01][0-9]|2[0-3]):[0-5][0-9]");
      if (std::regex_match(*v, hhmm)) c.office_close = *v;
      else r_.error(*n, "office_close", "time", fmt::format("`{}` is not a time of day: expected HH:MM, e.g. 17:00", *v));
    }
  }
  if (const YamlNode* n = root.get("alerts")) read_alerts(*n, c.alerts);
  (void)read_reform_limits(root, c);
  if (const YamlNode* n = root.get("holder"))
    if (auto key = r_.text(n, "holder")) c.holder = Ref{*key, r_.at(*n)};
  read_validity(root, "", c.valid);
  if (const YamlNode* n = root.get("departments")) read_departments(*n, c);
  if (const YamlNode* n = root.get("fields")) read_fields(*n, "fields", c.fields, "");
  if (const YamlNode* n = root.get("materials")) read_materials(*n, c);
  if (const YamlNode* n = root.get("matters")) read_matters(*n, c);
}

/// A limit written `KEY_days: N` (working days) or `KEY: "N months"`
/// (any unit), not both; nothing when neither is there (an error when
/// `required`).
std::optional<Limit> ChainReader::read_limit(const YamlNode& n, const KeyPath& path, std::string_view key,
                                             bool required, std::string_view what) {
  std::string days_key(key);
  days_key += "_days";
  return read_limit(n, n.get(days_key), n.get(key), path, key, required, what);
}

/// read_limit() with the values of `KEY_days` and `KEY` found.
std::optional<Limit> ChainReader::read_limit(const YamlNode& n, const YamlNode* days, const YamlNode* unit,
                                             const KeyPath& path, std::string_view key, bool required,
                                             std::string_view what) {
  std::string days_key(key);
  days_key += "_days";
  if (days && unit) {
    r_.error(*unit, KeyPath(path, key), "limit-twice",
             fmt::format("{} gives both `{}` and `{}`: give one", what, days_key, key),
             fmt::format("`{}: N` is N working days; `{}: \"3 months\"` names its unit", days_key, key));
    return std::nullopt;
  }
  if (days) {
    if (auto v = r_.integer(days, KeyPath(path, days_key), 0, kMaxDays)) return Limit{static_cast<int>(*v)};
    return std::nullopt;
  }
  if (!unit) {
    if (required)
      r_.error(n, path, "missing-key", fmt::format("{} needs the key `{}` (or `{}` with its unit)", what, days_key, key),
               fmt::format("e.g. `{}: 20`, or `{}: \"3 months\"`", days_key, key));
    return std::nullopt;
  }
  return limit_text(*unit, KeyPath(path, key));
}

/// A limit written with its unit: "20 working days", "60 days", "3 months".
std::optional<Limit> ChainReader::limit_text(const YamlNode& n, const KeyPath& path) {
  auto v = r_.text(&n, path);
  if (!v) return std::nullopt;
  auto l = parse_limit(*v);
  if (!l || (l->in_working_days() && l->count > kMaxDays)) {
    r_.error(n, path, "limit",
             fmt::format("`{}` is not a time limit: expected \"N working days\", \"N days\" or \"N months\"", *v),
             "e.g. \"20 working days\", \"60 days\" (calendar days), \"3 months\"; or 20个工作日, 60日, 3个月");
    return std::nullopt;
  }
  return l;
}

/// The reform's chain-level limits: `defer_within` (容缺受理) and
/// `ratings` (好差评). Keys not given keep what `c` holds (the defaults,
/// or a base's in an overlay). True when any was given.
bool ChainReader::read_reform_limits(const YamlNode& root, Chain& c) {
  bool given = false;
  if (const YamlNode* n = root.get("defer_within")) {
    if (auto l = limit_text(*n, "defer_within")) c.defer_within = *l;
    given = true;
  }
  if (const YamlNode* n = root.get("ratings")) {
    given = true;
    if (r_.check_map(*n, "ratings", {"within", "call_back", "rectify"}, {}, "rating limits")) {
      for (auto [key, limit] : {std::pair<const char*, Limit*>{"within", &c.ratings.within},
                                {"call_back", &c.ratings.call_back},
                                {"rectify", &c.ratings.rectify}})
        if (const YamlNode* v = n->get(key))
          if (auto l = limit_text(*v, KeyPath(ratings_path, key))) *limit = *l;
    }
  }
  return given;
}

/// `valid_from` / `valid_until` of a chain (path "") or a matter.
void ChainReader::read_validity(const YamlNode& n, const KeyPath& path, Validity& v) {
  read_validity(n.get("valid_from"), n.get("valid_until"), path, v);
}

/// read_validity() with the values of valid_from and valid_until found.
void ChainReader::read_validity(const YamlNode* from, const YamlNode* until, const KeyPath& path, Validity& v) {
  auto read = [&](const YamlNode* d, std::string_view key, std::optional<Date>& out, SourceLocation& where) {
    if (!d) return;
    const KeyPath p(path, key);
    if (!d->is_string()) {
      r_.error(*d, p, "date", fmt::format("expected a date YYYY-MM-DD, e.g. 2023-12-01, got {}", d->describe()));
      return;
    }
    auto t = r_.text(d, p);
    if (!t) return;
    auto date = Date::parse(*t);
    if (!date) {
      r_.error(*d, p, "date", fmt::format("`{}` is not a date: expected YYYY-MM-DD, e.g. 2023-12-01", *t));
      return;
    }
    out = *date;
    where = r_.at(*d);
  };
  read(from, "valid_from", v.from, v.from_where);
  read(until, "valid_until", v.until, v.until_where);
  if (v.from && v.until && *v.until < *v.from)
    r_.error(*until, KeyPath(path, "valid_until"), "validity-reversed",
             fmt::format("valid_until {} is before valid_from {}: the validity is empty", v.until->to_string(),
                         v.from->to_string()),
             "both bounds are inclusive; a one-day validity has valid_from equal to valid_until");
}

void ChainReader::read_alerts(const YamlNode& n, AlertPolicy& a) {
  if (!r_.check_map(n, "alerts", {"yellow_days", "second_level_after"}, {}, "alert settings")) return;
  if (auto v = r_.integer(n.get("yellow_days"), "alerts.yellow_days", 0, kMaxDays)) a.yellow_days = static_cast<int>(*v);
  if (auto v = r_.integer(n.get("second_level_after"), "alerts.second_level_after", 0, kMaxDays))
    a.second_level_after = static_cast<int>(*v);
}

void ChainReader::read_departments(const YamlNode& n, Chain& c) {
  if (!r_.check_id_map(n, "departments", "the departments")) return;
  if (n.entries().empty()) r_.error(n, "departments", "empty", "a chain needs at least one department");
  for (const auto& [k, v] : n.entries()) {
    const KeyPath path(departments_path, k->text());
    auto id = r_.identifier(k, path, false);
    Department d;
    d.id = id ? *id : std::string(k->text());
    d.where = r_.at(*k);
    if (r_.check_map(*v, path, {"name", "description", "sees"}, {"name"}, "a department")) {
      if (auto s = r_.text(v->get("name"), KeyPath(path, "name"))) d.name = *s;
      (void)r_.text(v->get("description"), KeyPath(path, "description"), true);
      d.sees = r_.refs(v->get("sees"), KeyPath(path, "sees"), true);
    }
    if (id) c.departments.push_back(std::move(d));
  }
}

/// Reads one field definition (`key: {label, type, ...}`).
std::optional<Field> ChainReader::read_field(const YamlNode& key, const YamlNode& v, const KeyPath& path,
                                             const std::string& produced_by) {
  auto k = r_.identifier(&key, path, true);
  Field f;
  f.key = k.value_or("");
  f.where = r_.at(key);
  f.produced_by = produced_by;
  if (!r_.check_map(v, path,
                    {"label", "type", "required", "description", "min", "max", "values", "pattern", "unit", "prefer"},
                    {"label", "type"}, "a field"))
    return std::nullopt;
  if (auto s = r_.text(v.get("label"), KeyPath(path, "label"))) f.label = *s;
  if (auto s = r_.text(v.get("description"), KeyPath(path, "description"), true)) f.description = *s;
  bool type_ok = false;
  if (const YamlNode* t = v.get("type")) {
    if (auto s = r_.text(t, KeyPath(path, "type"))) {
      if (auto ft = parse_field_type(*s)) {
        f.type = *ft;
        type_ok = true;
      } else {
        std::vector<std::string> names{"string", "text",    "integer", "number", "boolean", "date",
                                       "enum",   "set",     "id-card", "uscc",   "phone",   "area"};
        std::string hint = detail::did_you_mean(*s, names);
        r_.error(*t, KeyPath(path, "type"), "field-type",
                 fmt::format("unknown field type `{}`: expected one of string, text, integer, number, boolean, "
                             "date, enum, set, id-card, uscc, phone, area",
                             *s),
                 hint);
      }
    }
  }
  if (auto b = r_.boolean(v.get("required"), KeyPath(path, "required"))) f.required = *b;
  if (auto d = r_.number(v.get("min"), KeyPath(path, "min"))) f.min = *d;
  if (auto d = r_.number(v.get("max"), KeyPath(path, "max"))) f.max = *d;
  if (f.min && f.max && *f.min > *f.max)
    r_.error(*v.get("max"), KeyPath(path, "max"), "range", fmt::format("max {} is below min {}", *f.max, *f.min));
  if (const YamlNode* vals = v.get("values")) {
    const KeyPath vp(path, "values");
    if (type_ok && !has_values(f.type))
      r_.error(*vals, vp, "enum-values",
               fmt::format("`values` applies to enum and set fields only; this field is {}", to_string(f.type)),
               "set `type: enum` (one value) or `type: set` (several), or remove `values`");
    read_values(*vals, vp, f);
  } else if (type_ok && has_values(f.type)) {
    r_.error(v, path, "enum-values",
             fmt::format("{} field needs `values`: the allowed values as a list of codes, or a map from code to label",
                         f.type == FieldType::set ? "a set" : "an enum"));
  }
  if (const YamlNode* p = v.get("pattern")) {
    if (auto s = r_.text(p, KeyPath(path, "pattern"))) {
      std::string why;
      if (detail::compile_pattern(*s, &why)) f.pattern = *s;
      else r_.error(*p, KeyPath(path, "pattern"), "pattern", fmt::format("not a valid regular expression: {}", why));
    }
  }
  if (auto s = r_.text(v.get("unit"), KeyPath(path, "unit"))) f.unit = *s;
  if (const YamlNode* p = v.get("prefer")) {
    if (auto s = r_.text(p, KeyPath(path, "prefer"))) {
      if (!produced_by.empty())
        r_.error(*p, KeyPath(path, "prefer"), "prefer-on-produced",
                 "`prefer` belongs on the applicant's definition of the key (the catalogue or an inline field), "
                 "not on what a matter produces");
      else if (*s == "produced") f.prefer = Prefer::produced;
      else if (*s == "applicant") f.prefer = Prefer::applicant;
      else r_.error(*p, KeyPath(path, "prefer"), "prefer", fmt::format("`{}`: expected produced or applicant", *s));
    }
  }
  if (!k) return std::nullopt;
  return f;
}

/// `values`: a list of codes (`[private, public]`) or a map from code to
/// label (`{private: 民办, public: 公办}`). Codes are unique, non-empty text;
/// labels are non-empty text.
void ChainReader::read_values(const YamlNode& vals, const KeyPath& vp, Field& f) {
  std::set<std::string> seen;
  auto add = [&](const YamlNode& at, const KeyPath& p, const std::string& code) {
    if (!seen.insert(code).second) {
      r_.error(at, p, "duplicate-value", fmt::format("'{}' is listed twice", code));
      return false;
    }
    f.values.push_back(code);
    return true;
  };
  if (vals.is_map()) {
    if (!r_.check_id_map(vals, vp, "the allowed values")) return;
    std::vector<std::string> labels;
    for (const auto& [k, label] : vals.entries()) {
      if (k->kind != YamlNode::Kind::scalar) continue;  // reported by check_id_map
      const KeyPath p(vp, k->text());
      auto code = r_.text(k, p);
      if (!code) continue;
      std::optional<std::string> text;
      if (label->kind == YamlNode::Kind::scalar && label->is_string()) {
        text = r_.text(label, p);
      } else {
        r_.error(*label, p, "value-label",
                 fmt::format("the label of '{}' must be text, got {}", *code, label->describe()),
                 label->kind == YamlNode::Kind::scalar && !label->is_null()
                     ? fmt::format("write it in quotes: \"{}\"", label->text())
                     : "write the label people read, e.g. `private: 民办`");
      }
      if (add(*k, p, *code)) labels.push_back(text.value_or(""));
    }
    f.value_labels = std::move(labels);
    if (vals.entries().empty())
      r_.error(vals, vp, "empty", fmt::format("{} needs at least one value", f.type == FieldType::set ? "a set" : "an enum"));
    return;
  }
  if (!vals.is_sequence()) {
    r_.error(vals, vp, "type",
             fmt::format("expected the allowed values, a list of codes or a map from code to label, got {}",
                         vals.describe()),
             "e.g. `values: [private, public]` or `values: {private: 民办, public: 公办}`");
    return;
  }
  for (std::size_t i = 0; i < vals.items().size(); ++i)
    if (auto s = r_.text(vals.items()[i], KeyPath(vp, i))) add(*vals.items()[i], KeyPath(vp, i), *s);
  if (vals.items().empty())
    r_.error(vals, vp, "empty", fmt::format("{} needs at least one value", f.type == FieldType::set ? "a set" : "an enum"));
}

void ChainReader::read_fields(const YamlNode& n, const KeyPath& path, std::vector<Field>& out,
                              const std::string& produced_by) {
  if (!r_.check_id_map(n, path, "field definitions")) return;
  for (const auto& [k, v] : n.entries())
    if (auto f = read_field(*k, *v, KeyPath(path, k->text()), produced_by)) out.push_back(std::move(*f));
}

void ChainReader::read_materials(const YamlNode& n, Chain& c) {
  if (!r_.check_id_map(n, "materials", "the materials")) return;
  for (const auto& [k, v] : n.entries()) {
    const KeyPath path(materials_path, k->text());
    auto id = r_.identifier(k, path, false);
    Material m;
    m.id = id.value_or("");
    m.where = r_.at(*k);
    if (r_.check_map(*v, path,
                     {"name", "description", "original", "copies", "source", "when", "blank_form", "sample",
                      "deferrable", "catch_all_reason", "licence"},
                     {"name"}, "a material"))
      read_material(*v, path, m);
    if (id) c.materials.push_back(std::move(m));
  }
}

void ChainReader::read_material(const YamlNode& v, const KeyPath& path, Material& m) {
  auto p = [&](std::string_view k) { return KeyPath(path, k); };
  if (const YamlNode* n = v.get("name")) {
    m.name_where = r_.at(*n);
    if (auto s = r_.text(n, p("name"))) m.name = *s;
  }
  if (auto s = r_.text(v.get("description"), p("description"), true)) m.description = *s;
  if (auto b = r_.boolean(v.get("original"), p("original"))) m.original = *b;
  if (auto i = r_.integer(v.get("copies"), p("copies"), 1, 100)) m.copies = static_cast<int>(*i);
  if (const YamlNode* n = v.get("source")) {
    if (auto s = r_.text(n, p("source"))) {
      if (auto src = parse_material_source(*s)) m.source = *src;
      else
        r_.error(*n, p("source"), "material-source",
                 fmt::format("unknown source `{}`: expected applicant (申请人自备), issued (部门核发) or shared "
                             "(共享获取)",
                             *s),
                 detail::did_you_mean(*s, {"applicant", "issued", "shared"}));
    }
  }
  if (const YamlNode* w = v.get("when")) read_when(*w, p("when"), m.when, m.when_where);
  read_file_path(v.get("blank_form"), p("blank_form"), m.blank_form, m.blank_form_where);
  read_file_path(v.get("sample"), p("sample"), m.sample, m.sample_where);
  if (auto b = r_.boolean(v.get("deferrable"), p("deferrable"))) m.deferrable = *b;
  if (auto s = r_.text(v.get("catch_all_reason"), p("catch_all_reason"))) m.catch_all_reason = *s;
  const KeyPath lp = p("licence");
  if (const YamlNode* n = v.get("licence"); n && r_.check_map(*n, lp, {"kind", "number", "valid_for"}, {"kind"}, "a licence")) {
    LicenceSpec l;
    l.where = r_.at(*n);
    if (auto k = r_.identifier(n->get("kind"), KeyPath(lp, "kind"), false)) l.kind = *k;
    if (const YamlNode* num = n->get("number"))
      if (auto key = r_.text(num, KeyPath(lp, "number"))) l.number = Ref{*key, r_.at(*num)};
    if (const YamlNode* d = n->get("valid_for")) l.valid_for = limit_text(*d, KeyPath(lp, "valid_for"));
    m.licence = std::move(l);
  }
  if (!m.name.empty()) {
    const std::string marker = catch_all_marker(m.name);
    if (!marker.empty() && m.catch_all_reason.empty())
      r_.error(*v.get("name"), p("name"), "catch-all-material",
               fmt::format("material `{}` is named `{}`, a catch-all (兜底) item (`{}`): a guide names every "
                           "document it asks for",
                           m.id, m.name, marker),
               "list each document as its own material; if a rule really leaves the list open, keep the name "
               "and say which rule in `catch_all_reason:`");
    else if (marker.empty() && !m.catch_all_reason.empty())
      r_.warning(*v.get("catch_all_reason"), p("catch_all_reason"), "catch-all-reason-unused",
                 fmt::format("material `{}` ({}) is not a catch-all name, so `catch_all_reason` has no effect",
                             m.id, m.name),
                 "remove `catch_all_reason`");
  }
  if (m.source == MaterialSource::shared) {
    // Nothing is handed in: what describes the paper has no effect.
    for (std::string_view key : {"original", "copies", "blank_form", "sample", "deferrable"})
      if (const YamlNode* n = v.get(key))
        r_.warning(*n, p(key), "shared-material",
                   fmt::format("material `{}` is fetched by data sharing (source: shared) and never handed in, "
                               "so `{}` has no effect",
                               m.id, key),
                   fmt::format("remove `{}`, or set another `source`", key));
  }
}

/// A file beside the chain: a path relative to the chain file (no URL, no
/// absolute path). Whether the file exists is checked by load_chain().
void ChainReader::read_file_path(const YamlNode* n, const KeyPath& path, std::string& out, SourceLocation& where) {
  if (!n) return;
  auto s = r_.text(n, path);
  if (!s) return;
  where = r_.at(*n);
  const bool drive = s->size() > 1 && std::isalpha(static_cast<unsigned char>((*s)[0])) && (*s)[1] == ':';
  if (s->find("://") != std::string::npos || s->front() == '/' || s->front() == '\\' || drive) {
    r_.error(*n, path, "file-path",
             fmt::format("`{}` is not a path relative to the chain file", *s),
             "give the file's path from the chain file's folder, e.g. forms/application.pdf");
    return;
  }
  out = *s;
}

void ChainReader::read_matters(const YamlNode& n, Chain& c) {
  if (!r_.check_list(n, "matters", "the matters")) return;
  if (n.items().empty()) r_.error(n, "matters", "empty", "a chain needs at least one matter");
  c.matters.reserve(c.matters.size() + n.items().size());
  for (std::size_t i = 0; i < n.items().size(); ++i) read_matter(*n.items()[i], KeyPath(matters_path, i), c);
}

void ChainReader::read_matter(const YamlNode& n, const KeyPath& path, Chain& c) {
  std::array<const YamlNode*, kMatterKeys.size()> at{};  // the value of each key, by mk()
  if (!r_.check_map(n, path, kMatterKeys, {"id", "name", "department"}, "a matter", at)) return;
  Matter& m = c.matters.emplace_back();
  m.where = r_.at(n);
  m.path = path.str();
  m.department_path = m.path + ".department";
  auto p = [&](std::string_view k) { return KeyPath(path, k); };
  if (auto v = r_.identifier(at[mk("id")], p("id"), false)) m.id = std::move(*v);
  if (auto v = r_.text(at[mk("name")], p("name"))) m.name = std::move(*v);
  if (auto v = r_.text(at[mk("description")], p("description"), true)) m.description = std::move(*v);
  if (const YamlNode* d = at[mk("department")]) {
    m.department_where = r_.at(*d);
    if (auto v = r_.identifier(d, p("department"), false)) m.department = std::move(*v);
  }
  if (const YamlNode* k = at[mk("kind")]) {
    if (auto v = r_.text(k, p("kind"))) {
      if (auto mk = parse_matter_kind(*v)) m.kind = *mk;
      else
        r_.error(*k, p("kind"), "matter-kind",
                 fmt::format("unknown kind `{}`: expected licensing, confirmation, filing, public-service, "
                             "registration or other",
                             *v),
                 detail::did_you_mean(*v, {"licensing", "confirmation", "filing", "public-service", "registration", "other"}));
    }
  }
  if (const YamlNode* k = at[mk("code")]) {
    m.code_where = r_.at(*k);
    if (auto v = r_.text(k, p("code"))) m.code = std::move(*v);
  }
  if (auto v = r_.text(at[mk("basis")], p("basis"))) m.basis = std::move(*v);
  auto stat = read_limit(n, at[mk("statutory_days")], at[mk("statutory")], path, "statutory", true, "a matter");
  auto prom = read_limit(n, at[mk("promised_days")], at[mk("promised")], path, "promised", true, "a matter");
  if (stat) {
    m.statutory_days = stat->count;
    m.statutory_unit = stat->unit;
  }
  if (prom) {
    m.promised_days = prom->count;
    m.promised_unit = prom->unit;
  }
  if (stat && prom) check_promise(at[mk("promised_days")], at[mk("promised")], p, *prom, *stat);
  if (auto v = r_.integer(at[mk("visits")], p("visits"), 0, 20)) m.visits = static_cast<int>(*v);
  read_commitment(at[mk("commitment")], at[mk("verify_within")], p, m);
  if (const YamlNode* f = at[mk("fields")]) read_matter_fields(*f, p("fields"), m);
  m.materials = r_.refs(at[mk("materials")], p("materials"), false);
  if (const YamlNode* pr = at[mk("produces")]) read_fields(*pr, p("produces"), m.produces, m.id);
  m.results = r_.refs(at[mk("results")], p("results"), false);
  if (const YamlNode* ph = at[mk("phases")]) read_phases(*ph, p("phases"), m);
  m.after = r_.refs(at[mk("after")], p("after"), false);
  if (const YamlNode* w = at[mk("when")]) read_when(*w, p("when"), m.when, m.when_where);
  read_validity(at[mk("valid_from")], at[mk("valid_until")], path, m.valid);
  if (const YamlNode* rp = at[mk("replaces")])
    if (auto v = r_.identifier(rp, p("replaces"), false)) m.replaces = Ref{std::move(*v), r_.at(*rp)};
}

/// 告知承诺: `commitment: optional | required` with `verify_within`, the
/// verification's limit; a limit without a commitment verifies nothing.
void ChainReader::read_commitment(const YamlNode* k, const YamlNode* v, const PathOf& p, Matter& m) {
  if (k) {
    if (auto t = r_.text(k, p("commitment"))) {
      if (*t == "optional") m.commitment = Matter::Commitment::optional;
      else if (*t == "required") m.commitment = Matter::Commitment::required;
      else
        r_.error(*k, p("commitment"), "commitment",
                 fmt::format("`{}` is not a commitment mode: expected optional (the applicant may commit) or required",
                             *t),
                 detail::did_you_mean(*t, {"optional", "required"}));
    }
    if (!v)
      r_.error(*k, p("commitment"), "missing-key",
               "a matter approved on the applicant's commitment (告知承诺) needs `verify_within`, the limit of "
               "its verification (核查)",
               "e.g. verify_within: \"20 working days\"");
  }
  if (v) {
    if (auto l = limit_text(*v, p("verify_within"))) m.verify_within = *l;
    if (!k)
      r_.error(*v, p("verify_within"), "verify-without-commitment",
               "`verify_within` is the limit of a commitment's verification; this matter has no `commitment`",
               "add `commitment: optional` (or required), or delete verify_within");
  }
}

// A promise may only shorten the statutory limit (promise_fits()).
// `days` and `unit`: the values of promised_days and promised (one of them).
void ChainReader::check_promise(const YamlNode* days, const YamlNode* unit, const PathOf& p, const Limit& prom,
                                const Limit& stat) {
  const YamlNode& at = days ? *days : *unit;
  const KeyPath key = days ? p("promised_days") : p("promised");
  const Fit fit = promise_fits(prom, stat);
  if (fit == Fit::no)
    r_.error(at, key, "promise-exceeds-statute",
             fmt::format("the promised limit ({}) is longer than the statutory limit ({})", to_string(prom),
                         to_string(stat)),
             "a promise may only shorten the statutory limit");
  else if (fit == Fit::probably_not)
    r_.warning(at, key, "promise-exceeds-statute",
               fmt::format("the promised limit ({}) is probably longer than the statutory limit ({})",
                           to_string(prom), to_string(stat)),
               "compare them in one unit: a promise may only shorten the statutory limit");
}

void ChainReader::read_matter_fields(const YamlNode& n, const KeyPath& path, Matter& m) {
  if (!r_.check_list(n, path, "the fields the matter asks for")) return;
  // An id listed twice is found among those kept before it (a long list
  // keeps a set of them).
  const bool long_list = n.items().size() > 32;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < n.items().size(); ++i) {
    const YamlNode& item = *n.items()[i];
    const KeyPath ip(path, i);
    std::string key;
    SourceLocation where = r_.at(item);
    if (item.is_map()) {
      // An inline definition: `- key: {label, type, ...}`.
      if (item.entries().size() != 1) {
        r_.error(item, ip, "inline-field",
                 fmt::format("an inline field is a map with exactly one key (the field key), got {} keys",
                             item.entries().size()));
        continue;
      }
      const auto& [k, v] = item.entries().front();
      auto f = read_field(*k, *v, ip, "");
      if (!f) continue;
      key = f->key;
      where = f->where;
      m.field_defs.push_back(std::move(*f));
    } else if (auto s = r_.identifier(&item, ip, true)) {
      key = *s;
    } else {
      continue;
    }
    bool twice = false;
    if (long_list) {
      twice = !seen.insert(key).second;
    } else {
      for (const auto& r : m.fields) twice = twice || r.id == key;
    }
    if (twice) {
      r_.error(item, ip, "duplicate-ref", fmt::format("`{}` is listed twice", key));
      continue;
    }
    m.fields.push_back(Ref{std::move(key), where});
  }
}

void ChainReader::read_phases(const YamlNode& n, const KeyPath& path, Matter& m) {
  if (!r_.check_list(n, path, "the phases")) return;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < n.items().size(); ++i) {
    const YamlNode& item = *n.items()[i];
    const KeyPath ip(path, i);
    if (!r_.check_map(item, ip, {"id", "name", "kind", "days", "counted"}, {"id", "kind", "days"}, "a phase")) continue;
    Phase ph;
    ph.where = r_.at(item);
    if (auto v = r_.identifier(item.get("id"), KeyPath(ip, "id"), false)) {
      ph.id = *v;
      if (!seen.insert(*v).second)
        r_.error(*item.get("id"), KeyPath(ip, "id"), "duplicate-id", fmt::format("phase `{}` is defined twice in this matter", *v));
    }
    if (auto v = r_.text(item.get("name"), KeyPath(ip, "name"))) ph.name = *v;
    if (const YamlNode* k = item.get("kind")) {
      if (auto v = r_.text(k, KeyPath(ip, "kind"))) {
        if (auto pk = parse_phase_kind(*v)) ph.kind = *pk;
        else
          r_.error(*k, KeyPath(ip, "kind"), "phase-kind",
                   fmt::format("unknown phase kind `{}`: expected review, site-inspection, decision, certificate, "
                               "publicity, hearing, tendering, auction, inspection, testing, quarantine, appraisal, "
                               "expert-review or other",
                               *v),
                   detail::did_you_mean(*v, {"review", "site-inspection", "decision", "certificate", "publicity",
                                             "hearing", "tendering", "auction", "inspection", "testing",
                                             "quarantine", "appraisal", "expert-review", "other"}));
      }
    }
    if (auto v = r_.integer(item.get("days"), KeyPath(ip, "days"), 0, kMaxDays)) ph.days = static_cast<int>(*v);
    ph.counted = !is_article45(ph.kind);
    if (auto b = r_.boolean(item.get("counted"), KeyPath(ip, "counted"))) ph.counted = *b;
    m.phases.push_back(std::move(ph));
  }
}

/// A `when` condition (of a matter or a material) and where its text starts.
void ChainReader::read_when(const YamlNode& n, const KeyPath& path, Condition& when, SourceLocation& when_where) {
  auto text = r_.text(&n, path);
  if (!text) return;
  // Locate the first character of the expression: plain scalars start at
  // the node, quoted ones one column later. Block scalars point at the node.
  when_where = r_.at(n);
  const bool quoted_inline = !n.plain && text->find('\n') == std::string::npos;
  if (quoted_inline) when_where.column += 1;
  auto parsed = parse_condition(*text);
  if (!parsed) {
    SourceLocation at = when_where;
    if (n.plain || quoted_inline) at.column += parsed.status().where().column - 1;
    r_.diagnostics().add({Severity::error, "condition-syntax",
                          fmt::format("the condition does not parse: {}", parsed.status().message()), at, path.str(),
                          "conditions use field keys, == != < <= > >=, in [...], and, or, not, parentheses"});
    return;
  }
  when = std::move(parsed).value();
}

namespace {

Loaded<std::shared_ptr<Chain>> parse_tree(const YamlPtr& root, const std::string& file, Diagnostics diags,
                                          BaseResolver& resolver) {
  Loaded<std::shared_ptr<Chain>> out{std::make_shared<Chain>(), std::move(diags)};
  if (root) {
    ChainReader reader(file, out.diagnostics);
    reader.read(*root, *out.value(), resolver);
  } else {
    out.value()->source = file;
  }
  out.value()->build_index();
  return out;
}

}  // namespace

Loaded<std::shared_ptr<Chain>> parse_file_with(const std::string& path, BaseResolver& resolver) {
  Diagnostics diags;
  auto root = detail::parse_yaml_file(path, limits_of(resolver.options), diags);
  return parse_tree(root, path, std::move(diags), resolver);
}

Loaded<std::shared_ptr<Chain>> parse_text_with(std::string_view yaml, const std::string& file, BaseResolver& resolver) {
  Diagnostics diags;
  auto root = detail::parse_yaml(yaml, file, limits_of(resolver.options), diags);
  return parse_tree(root, file, std::move(diags), resolver);
}

}  // namespace yilian::detail

namespace yilian {

using detail::BaseResolver;

Loaded<std::shared_ptr<Chain>> parse_chain_text(std::string_view yaml, const std::string& file_name,
                                                const LoadOptions& options) {
  BaseResolver resolver{options, {}};
  return detail::parse_text_with(yaml, file_name, resolver);
}

Loaded<std::shared_ptr<Chain>> parse_chain_file(const std::string& path, const LoadOptions& options) {
  BaseResolver resolver{options, {}};
  return detail::parse_file_with(path, resolver);
}

Result<std::vector<std::string>> chain_files(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return Status::not_found(fmt::format("{}: no such file or folder", path));
  if (!fs::is_directory(st)) return std::vector<std::string>{path};
  std::vector<std::string> out;
  for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    // Calendars and simulation scenarios live beside the chains but are not chains.
    if (it->is_directory() && (it->path().filename() == "calendars" || it->path().filename() == "scenarios")) {
      it.disable_recursion_pending();
      continue;
    }
    const auto ext = it->path().extension();
    if (it->is_regular_file() && (ext == ".yaml" || ext == ".yml")) out.push_back(it->path().string());
  }
  if (ec) return Status::io(fmt::format("{}: {}", path, ec.message()));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace yilian
