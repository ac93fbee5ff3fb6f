// form_to_json_schema(): a JSON Schema (draft 2020-12) of an application to
// one chain, conditions translated to if/then (docs/form.md, "JSON Schema").
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include "analysis/value_rules.h"
#include "model/pattern.h"
#include "yilian/form_export.h"

namespace yilian {
namespace {

using json = nlohmann::json;

json json_literal(const Value& v) {
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* s = std::get_if<ValueSet>(&v)) return *s;
  return nullptr;
}

/// The choices of an enum or set field as `oneOf` of `const` + `title`:
/// the code is what the application holds, the title (the label) is what a
/// form renderer shows (react-jsonschema-form and JSON Forms both render
/// such a `oneOf` as a select, and as checkboxes under a `uniqueItems` array).
json choices(const Field& f) {
  json one_of = json::array();
  for (const auto& v : f.values) one_of.push_back({{"const", v}, {"title", f.label_of(v)}});
  return one_of;
}

std::string pointer_to(std::string_view key) {
  std::string out = "#/properties/fields/properties/";
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

json property(const FormField& ff) {
  const Field& f = ff.field;
  json p = {{"title", f.label}};
  if (!f.description.empty()) p["description"] = f.description;
  auto bounds = [&](const char* lo, const char* hi, bool whole) {
    auto put = [&](const char* k, double d) {
      if (whole) p[k] = static_cast<std::int64_t>(d);
      else p[k] = d;
    };
    if (f.min) put(lo, *f.min);
    if (f.max) put(hi, *f.max);
  };
  switch (f.type) {
    case FieldType::string:
    case FieldType::text:
      p["type"] = "string";
      bounds("minLength", "maxLength", true);
      // The checker matches a pattern only on values it can match safely.
      if (!f.pattern.empty() && (!f.max || *f.max > static_cast<double>(detail::kMaxPatternValue)))
        p["maxLength"] = detail::kMaxPatternValue;
      if (!f.pattern.empty() && f.type == FieldType::string)
        p["allOf"] = json::array({{{"pattern", f.pattern}}, {{"pattern", "^[^\\n]*$"}}});
      else if (!f.pattern.empty()) p["pattern"] = f.pattern;
      else if (f.type == FieldType::string) p["pattern"] = "^[^\\n]*$";
      break;
    case FieldType::integer:
      p["type"] = "integer";
      bounds("minimum", "maximum", false);
      break;
    case FieldType::number:
    case FieldType::area:
      p["type"] = "number";
      bounds("minimum", "maximum", false);
      if (f.type == FieldType::area && (!f.min || *f.min < 0)) p["minimum"] = 0;
      break;
    case FieldType::boolean: p["type"] = "boolean"; break;
    case FieldType::date:
      p["type"] = "string";
      p["format"] = "date";
      p["pattern"] = detail::kDatePattern;
      break;
    case FieldType::enumeration:
      p["type"] = "string";
      p["oneOf"] = choices(f);
      break;
    case FieldType::set:
      p["type"] = "array";
      p["items"] = {{"type", "string"}, {"oneOf", choices(f)}};
      p["uniqueItems"] = true;
      // A set given holds one value at least (an empty list is no value:
      // omit the field, as an empty input is omitted).
      p["minItems"] = std::max<std::int64_t>(1, f.min ? static_cast<std::int64_t>(std::ceil(*f.min)) : 1);
      if (f.max) p["maxItems"] = static_cast<std::int64_t>(std::floor(*f.max));
      break;
    case FieldType::id_card:
      p["type"] = "string";
      p["pattern"] = detail::kResidentIdPattern;
      p["x-yilian-check"] = "GB 11643-1999 check character";
      break;
    case FieldType::uscc:
      p["type"] = "string";
      p["pattern"] = detail::kUsccPattern;
      p["x-yilian-check"] = "GB 32100-2015 check character";
      break;
    case FieldType::phone:
      p["type"] = "string";
      p["pattern"] = detail::kPhonePattern;
      break;
  }
  if (!f.unit.empty()) p["x-yilian-unit"] = f.unit;
  p["x-yilian-type"] = std::string(to_string(f.type));
  p["x-yilian-requirement"] = std::string(to_string(ff.requirement));
  if (!ff.asked) {
    p["readOnly"] = true;
    p["x-yilian-source"] = ff.source();
  }
  return p;
}

// ---- conditions: T (definitely true) and F (definitely false) -------------

struct TF {
  json t = false;
  json f = false;
};

bool is_false(const json& j) { return j.is_boolean() && !j.get<bool>(); }

json all_of(std::vector<json> parts) {
  for (const auto& p : parts)
    if (is_false(p)) return false;
  if (parts.size() == 1) return parts.front();
  return {{"allOf", parts}};
}

json any_of(std::vector<json> parts) {
  std::vector<json> kept;
  for (auto& p : parts)
    if (!is_false(p)) kept.push_back(std::move(p));
  if (kept.empty()) return false;
  if (kept.size() == 1) return kept.front();
  return {{"anyOf", kept}};
}

/// "the field has a valid value satisfying `test`".
json holds(const std::string& key, json test) {
  return {{"type", "object"},
          {"required", {key}},
          {"properties", {{key, {{"allOf", json::array({{{"$ref", pointer_to(key)}}, test})}}}}}};
}

json op_schema(CompareOp op, const json& lit) {
  switch (op) {
    case CompareOp::eq: return {{"const", lit}};
    case CompareOp::ne: return {{"not", {{"const", lit}}}};
    case CompareOp::lt: return {{"type", "number"}, {"exclusiveMaximum", lit}};
    case CompareOp::le: return {{"type", "number"}, {"maximum", lit}};
    case CompareOp::gt: return {{"type", "number"}, {"exclusiveMinimum", lit}};
    case CompareOp::ge: return {{"type", "number"}, {"minimum", lit}};
  }
  return false;
}

CompareOp negate(CompareOp op) {
  switch (op) {
    case CompareOp::eq: return CompareOp::ne;
    case CompareOp::ne: return CompareOp::eq;
    case CompareOp::lt: return CompareOp::ge;
    case CompareOp::le: return CompareOp::gt;
    case CompareOp::gt: return CompareOp::le;
    case CompareOp::ge: return CompareOp::lt;
  }
  return op;
}

TF translate(const Form& form, const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::literal:
      if (const auto* b = std::get_if<bool>(&e.literal)) return {json(*b), json(!*b)};
      return {};  // not a truth value: unknown
    case Expr::Kind::field: {
      const FormField* f = form.find_field(e.field);
      if (!f || f->field.type != FieldType::boolean) return {};
      return {holds(e.field, {{"const", true}}), holds(e.field, {{"const", false}})};
    }
    case Expr::Kind::compare: {
      const Expr* l = &e.operands[0];
      const Expr* r = &e.operands[1];
      CompareOp op = e.op;
      if (l->kind == Expr::Kind::literal && r->kind == Expr::Kind::field) {
        std::swap(l, r);
        op = mirror(op);
      }
      if (l->kind != Expr::Kind::field || r->kind != Expr::Kind::literal) return {};  // two fields: unknown
      const FormField* f = form.find_field(l->field);
      if (!f) return {};
      const bool ordering = op != CompareOp::eq && op != CompareOp::ne;
      if (ordering && !(is_numeric(f->field.type) && is_number(r->literal))) return {};  // e.g. dates: unknown
      const json lit = json_literal(r->literal);
      return {holds(l->field, op_schema(op, lit)), holds(l->field, op_schema(negate(op), lit))};
    }
    case Expr::Kind::in: {
      const Expr& l = e.operands[0];
      if (l.kind != Expr::Kind::field || !form.find_field(l.field)) return {};
      json values = json::array();
      for (const auto& v : e.list) values.push_back(json_literal(v));
      json in = {{"enum", values}}, out = {{"not", {{"enum", values}}}};
      if (e.negated) std::swap(in, out);
      return {holds(l.field, in), holds(l.field, out)};
    }
    case Expr::Kind::member: {
      const Expr& item = e.operands[0];
      const Expr& set = e.operands[1];
      if (item.kind != Expr::Kind::literal || set.kind != Expr::Kind::field || !form.find_field(set.field)) return {};
      // ajv's strict mode wants the type beside `contains`, inside `not` too.
      json in = {{"type", "array"}, {"contains", {{"const", json_literal(item.literal)}}}};
      json out = {{"type", "array"}, {"not", in}};
      if (e.negated) std::swap(in, out);
      return {holds(set.field, in), holds(set.field, out)};
    }
    case Expr::Kind::all_of:
    case Expr::Kind::any_of: {
      std::vector<json> ts, fs;
      for (const auto& o : e.operands) {
        TF x = translate(form, o);
        ts.push_back(std::move(x.t));
        fs.push_back(std::move(x.f));
      }
      if (e.kind == Expr::Kind::all_of) return {all_of(std::move(ts)), any_of(std::move(fs))};
      return {any_of(std::move(ts)), all_of(std::move(fs))};
    }
    case Expr::Kind::negate: {
      TF x = translate(form, e.operands[0]);
      return {std::move(x.f), std::move(x.t)};
    }
  }
  return {};
}

/// A schema over the fields object, lifted to the application.
json at_fields(json s) {
  if (s.is_boolean()) return s;
  return {{"type", "object"}, {"properties", {{"fields", std::move(s)}}}};
}

/// "the condition may hold": true or undecided (as the check counts it).
json may_hold(const Form& form, const Condition& c) {
  json f = at_fields(translate(form, c.root()).f);
  if (is_false(f)) return true;
  return {{"not", std::move(f)}};
}

/// 代办帮办: who hands the application in for the applicant.
json agent_schema() {
  return {{"type", "object"},
          {"title", "代办人"},
          {"required", {"name", "id_number"}},
          {"additionalProperties", false},
          {"properties",
           {{"name", {{"type", "string"}, {"title", "代办人姓名"}, {"minLength", 1}}},
            {"id_number", {{"type", "string"}, {"title", "代办人身份证号码"}, {"pattern", "^[0-9]{17}[0-9X]$"}}},
            {"phone", {{"type", "string"}, {"title", "代办人联系电话"}}}}}};
}

json contains(const std::string& id) { return {{"type", "array"}, {"contains", {{"const", id}}}}; }

/// "then" of a rule: the fields and materials it requires.
json then_required(const std::vector<std::string>& fields, const json& materials) {
  json props = json::object();
  if (!fields.empty()) {
    json named = json::object();  // strict validators want required keys declared alongside
    for (const auto& k : fields) named[k] = true;
    props["fields"] = {{"type", "object"}, {"properties", named}, {"required", fields}};
  }
  if (!materials.is_null()) props["materials"] = materials;
  return {{"type", "object"}, {"properties", props}};
}

}  // namespace

std::string form_to_json_schema(const Form& form, std::optional<Date> on) {
  // As on a day: a field or material that some matter not in force then
  // needs is required only when a matter in force that needs it applies.
  struct Need {
    Requirement requirement;
    std::vector<Condition> when;
  };
  auto need_on = [&](const std::vector<std::string>& matters, Requirement r, const std::vector<Condition>& when) -> Need {
    if (!on || (r != Requirement::always && r != Requirement::conditional)) return {r, when};
    std::vector<const FormMatter*> live;
    bool dropped = false;
    for (const auto& id : matters) {
      const auto it = std::find_if(form.matters.begin(), form.matters.end(), [&](const FormMatter& m) { return m.id == id; });
      if (it == form.matters.end() || it->valid.contains(*on)) live.push_back(it == form.matters.end() ? nullptr : &*it);
      else dropped = true;
    }
    if (!dropped) return {r, when};
    Need n{Requirement::optional, {}};
    for (const FormMatter* m : live) {
      if (!m || m->when.empty()) return {Requirement::always, {}};
      n.requirement = Requirement::conditional;
      if (std::none_of(n.when.begin(), n.when.end(), [&](const Condition& c) { return c.text() == m->when.text(); }))
        n.when.push_back(m->when);
    }
    return n;
  };
  json props = json::object(), required = json::array(), material_items = json::array(),
       must_materials = json::array(), rules = json::array();
  struct Group {
    Condition when;
    std::vector<std::string> fields, materials;
  };
  std::map<std::string, Group> groups;
  std::vector<std::string> order;
  auto group = [&](const Condition& c) -> Group& {
    auto [it, inserted] = groups.try_emplace(c.text());
    if (inserted) {
      it->second.when = c;
      order.push_back(c.text());
    }
    return it->second;
  };

  for (const auto& ff : form.fields) {
    props[ff.field.key] = property(ff);
    if (!ff.asked) continue;
    if (!ff.unless_produced.empty()) {
      // prefer: produced with conditional producers: asked only when every
      // producer definitely does not apply (and a matter needing it may).
      std::vector<json> cond;
      if (ff.requirement == Requirement::conditional) {
        std::vector<json> any;
        for (const auto& c : ff.required_when) any.push_back(may_hold(form, c));
        cond.push_back(any_of(std::move(any)));
      }
      for (const auto& p : ff.unless_produced) cond.push_back(at_fields(translate(form, p.root()).f));
      if (ff.requirement == Requirement::always || ff.requirement == Requirement::conditional)
        rules.push_back({{"$comment", fmt::format("`{}` unless a producer applies", ff.field.key)},
                         {"if", all_of(std::move(cond))},
                         {"then", then_required({ff.field.key}, nullptr)}});
      continue;
    }
    const bool decides = !ff.deciding.empty() || !ff.deciding_materials.empty();
    const Need need = decides ? Need{ff.requirement, ff.required_when} : need_on(ff.matters, ff.requirement, ff.required_when);
    if (need.requirement == Requirement::always) required.push_back(ff.field.key);
    else if (need.requirement == Requirement::conditional)
      for (const auto& c : need.when) group(c).fields.push_back(ff.field.key);
  }
  for (const auto& m : form.materials) {
    material_items.push_back({{"const", m.material.id}, {"title", m.material.name}});
    if (!m.asked || m.material.deferrable) continue;  // 容缺受理: not required to accept the case
    const Need need = need_on(m.matters, m.requirement, m.required_when);
    if (need.requirement == Requirement::always) must_materials.push_back(contains(m.material.id));
    else if (need.requirement == Requirement::conditional)
      for (const auto& c : need.when) group(c).materials.push_back(m.material.id);
  }
  material_items.push_back({{"const", std::string(kAgentAuthorisation)}, {"title", std::string(kAgentAuthorisationName)}});
  for (const auto& text : order) {
    const Group& g = groups.at(text);
    json materials_rule = nullptr;
    if (!g.materials.empty()) {
      json all = json::array();
      for (const auto& id : g.materials) all.push_back(contains(id));
      materials_rule = {{"type", "array"}, {"allOf", all}};
    }
    rules.push_back({{"$comment", "when: " + text}, {"if", may_hold(form, g.when)}, {"then", then_required(g.fields, materials_rule)}});
  }

  // A condition over several fields: while it is undecided, every field it
  // reads is needed (the check reports the missing ones).
  for (const auto& m : form.matters) {
    if (m.when.empty()) continue;
    json read = json::array();
    for (const auto& key : m.when.fields())
      if (const FormField* f = form.find_field(key); f && f->asked) read.push_back(key);
    if (read.size() < 2) continue;  // one field: it is always required
    TF x = translate(form, m.when.root());
    json decided = any_of({at_fields(x.t), at_fields(x.f)});
    rules.push_back({{"$comment", fmt::format("decide `{}`: {}", m.id, m.when.text())},
                     {"if", is_false(decided) ? json(true) : json{{"not", decided}}},
                     {"then", then_required(read, nullptr)}});
  }

  // A material's own condition: while some matter that lists the material
  // may apply and the condition is undecided, every field it reads is needed.
  for (const auto& fm : form.materials) {
    if (!fm.asked || !fm.material.conditional()) continue;
    json read = json::array();
    for (const auto& key : fm.material.when.fields())
      if (const FormField* f = form.find_field(key); f && f->asked) read.push_back(key);
    if (read.empty()) continue;
    bool always = false;
    std::vector<json> any;
    for (const auto& mid : fm.matters)
      for (const auto& m : form.matters)
        if (m.id == mid) {
          if (m.when.empty()) always = true;
          else any.push_back(may_hold(form, m.when));
        }
    TF x = translate(form, fm.material.when.root());
    json decided = any_of({at_fields(x.t), at_fields(x.f)});
    json undecided = is_false(decided) ? json(true) : json{{"not", decided}};
    rules.push_back({{"$comment", fmt::format("decide material `{}`: {}", fm.material.id, fm.material.when.text())},
                     {"if", always ? undecided : all_of({any_of(std::move(any)), undecided})},
                     {"then", then_required(read, nullptr)}});
  }

  // 告知承诺: the matters the applicant may commit to.
  json committable = json::array();
  for (const auto& m : form.matters)
    if (m.commitment != Matter::Commitment::none) committable.push_back(m.id);
  json commitments = {{"type", "array"},
                      {"title", "告知承诺事项"},
                      {"uniqueItems", true},
                      {"items", committable.empty() ? json(false) : json{{"enum", committable}}}};
  json materials = {{"type", "array"},
                    {"title", "申请材料"},
                    {"uniqueItems", true},
                    {"items", material_items.empty() ? json(false) : json{{"anyOf", material_items}}}};
  if (!must_materials.empty()) materials["allOf"] = must_materials;
  json schema = {
      {"$schema", "https://json-schema.org/draft/2020-12/schema"},
      {"$id", fmt::format("urn:yilian:application:{}:{}", form.chain, form.version)},
      {"title", form.name + " · 一表申请"},
      {"description",
       fmt::format("An application to chain `{}` version {} (yilian form --format schema). Omit fields left empty. "
                   "Check characters of IDs and credit codes, and conditions the schema cannot express, are "
                   "verified by `yilian check`.",
                   form.chain, form.version)},
      {"type", "object"},
      {"required", {"chain", "fields", "materials"}},
      {"additionalProperties", false},
      {"properties",
       {{"chain", {{"const", form.chain}}},
        {"version", {{"const", form.version}}},
        {"fields",
         {{"type", "object"}, {"title", "填报信息"}, {"properties", props}, {"required", required},
          {"additionalProperties", false}}},
        {"materials", materials},
        {"agent", agent_schema()},
        {"commitments", commitments},
        {"reuse_consent",
         {{"type", "boolean"},
          {"title", "同意复用已有信息和证照（一次收齐）"},
          {"description", "The applicant consents to the reuse of what the holder registry holds for them; recorded on the case."}}}}}};
  // 代办帮办: an agent acts with the applicant's authorisation.
  rules.push_back({{"$comment", "an agent hands in the applicant's authorisation"},
                   {"if", {{"properties", {{"agent", true}}}, {"required", {"agent"}}}},
                   {"then", {{"properties", {{"materials", contains(std::string(kAgentAuthorisation))}}}}}});
  if (!rules.empty()) schema["allOf"] = rules;
  return schema.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace yilian
