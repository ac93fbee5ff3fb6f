// form_to_json() and check_to_json(): the JSON contracts of DESIGN.md.
#include <nlohmann/json.hpp>

#include <cmath>

#include "yilian/form_export.h"
#include "yilian/limit.h"

namespace yilian {
namespace {

using json = nlohmann::json;

json texts(const std::vector<Condition>& conditions) {
  json a = json::array();
  for (const auto& c : conditions) a.push_back(c.text());
  return a;
}

json number(double d) {
  if (d == std::floor(d) && std::fabs(d) < 9e15) return static_cast<std::int64_t>(d);
  return d;
}

double percent(double share) { return std::round(share * 1000.0) / 10.0; }

json field_json(const FormField& f) {
  const Field& d = f.field;
  json j = {{"key", d.key},
            {"label", d.label},
            {"type", std::string(to_string(d.type))},
            {"required", f.requirement == Requirement::always},
            {"requirement", std::string(to_string(f.requirement))},
            {"required_when", texts(f.required_when)},
            {"matters", f.matters},
            {"deciding", f.deciding},
            {"deciding_materials", f.deciding_materials},
            {"departments", f.departments},
            {"source", f.source()},
            {"asked", f.asked},
            {"producers", f.producers}};
  if (!f.unless_produced.empty()) j["unless_produced"] = texts(f.unless_produced);
  if (!d.description.empty()) j["description"] = d.description;
  if (d.min) j["min"] = number(*d.min);
  if (d.max) j["max"] = number(*d.max);
  if (!d.values.empty()) {
    j["values"] = d.values;
    json labels = json::object();  // every value's label (the code itself when the chain gives none)
    for (const auto& v : d.values) labels[v] = d.label_of(v);
    j["labels"] = std::move(labels);
  }
  if (!d.pattern.empty()) j["pattern"] = d.pattern;
  if (!d.unit.empty()) j["unit"] = d.unit;
  j["where"] = d.where.to_string();
  return j;
}

json material_json(const FormMaterial& m) {
  json j = {{"id", m.material.id},
            {"name", m.material.name},
            {"required", m.requirement == Requirement::always},
            {"requirement", std::string(to_string(m.requirement))},
            {"required_when", texts(m.required_when)},
            {"matters", m.matters},
            {"departments", m.departments},
            {"source", m.source()},
            {"issuers", m.issuers},
            {"asked", m.asked},
            {"channel", std::string(to_string(m.channel()))},
            {"when", m.material.when.empty() ? json(nullptr) : json(m.material.when.text())},
            {"original", m.material.original},
            {"copies", m.material.copies},
            {"deferrable", m.material.deferrable}};
  if (!m.material.description.empty()) j["description"] = m.material.description;
  if (!m.material.blank_form.empty()) j["blank_form"] = m.material.blank_form;
  if (!m.material.sample.empty()) j["sample"] = m.material.sample;
  if (!m.material.catch_all_reason.empty()) j["catch_all_reason"] = m.material.catch_all_reason;
  return j;
}

}  // namespace

std::string form_to_json(const Form& form) {
  json fields = json::array(), materials = json::array(), matters = json::array(), targets = json::array();
  for (const auto& f : form.fields) fields.push_back(field_json(f));
  for (const auto& m : form.materials) materials.push_back(material_json(m));
  for (const auto& m : form.matters) {
    json fk = json::array(), mk = json::array();
    for (std::size_t i : m.fields) fk.push_back(form.fields[i].field.key);
    for (std::size_t i : m.materials) mk.push_back(form.materials[i].material.id);
    const bool committable = m.commitment != Matter::Commitment::none;
    matters.push_back({{"id", m.id}, {"name", m.name}, {"department", m.department},
                       {"kind", to_string(m.kind)},
                       {"when", m.when.empty() ? json(nullptr) : json(m.when.text())}, {"fields", fk},
                       {"materials", mk},
                       {"commitment", !committable ? json(nullptr)
                                      : m.commitment == Matter::Commitment::required ? json("required")
                                                                                     : json("optional")},
                       {"verify_within", committable ? json(to_string(m.verify_within)) : json(nullptr)}});
  }
  const FormStats& s = form.stats;
  for (const auto& t : s.targets)
    targets.push_back({{"year", t.year}, {"reduction", t.reduction}, {"met", t.met}});
  json j = {{"chain", form.chain},
            {"version", form.version},
            {"name", form.name},
            {"lead", form.lead},
            {"fields", fields},
            {"materials", materials},
            {"matters", matters},
            {"stats",
             {{"fields_before", s.fields_before},
              {"fields_after", s.fields_after},
              {"materials_before", s.materials_before},
              {"materials_after", s.materials_after},
              {"materials_shared", s.materials_shared},
              {"fields_reduction", s.fields_reduction},
              {"materials_reduction", s.materials_reduction},
              {"fields_reduction_percent", percent(s.fields_reduction)},
              {"materials_reduction_percent", percent(s.materials_reduction)},
              {"targets", targets}}}};
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string check_to_json(const CheckResult& r) {
  json missing = json::array(), deferred = json::array(), invalid = json::array(), ignored = json::array();
  for (const auto& m : r.missing)
    missing.push_back({{"kind", m.kind == MissingItem::Kind::field ? "field" : "material"},
                       {"key", m.key},
                       {"label", m.label},
                       {"needed_by", m.needed_by},
                       {"if_applicable", m.if_applicable}});
  for (const auto& i : r.invalid) {
    json j = {{"key", i.key}, {"code", i.code}, {"reason", i.reason}, {"reason_zh", i.reason_zh}, {"hint", i.hint}};
    if (i.where.known()) {
      j["file"] = i.where.file;
      j["line"] = i.where.line;
      j["column"] = i.where.column;
    }
    invalid.push_back(std::move(j));
  }
  for (const auto& m : r.deferred)
    deferred.push_back({{"key", m.key}, {"label", m.label}, {"needed_by", m.needed_by}});
  for (const auto& g : r.ignored) ignored.push_back({{"key", g.key}, {"reason", g.reason}, {"detail", g.detail}});
  json j = {{"complete", r.complete},
            {"missing", missing},
            {"deferred", deferred},
            {"committed_matters", r.committed_matters},
            {"invalid", invalid},
            {"ignored", ignored},
            {"applicable_matters", r.applicable_matters},
            {"skipped_matters", r.skipped_matters},
            {"undetermined_matters", r.undetermined_matters}};
  // Only for a check on a day that leaves matters out (valid_from / valid_until).
  if (!r.not_in_force_matters.empty()) j["not_in_force_matters"] = r.not_in_force_matters;
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace yilian
