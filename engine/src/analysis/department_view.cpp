// Data minimisation: what one department (or one matter) may see of an
// application's values.
#include <algorithm>
#include <set>

#include "yilian/form.h"

namespace yilian {
namespace {

/// Adds the keys matter `m` asks for or produces.
void add_matter_keys(const Form& form, const FormMatter& m, std::set<std::string_view>& keys) {
  for (std::size_t i : m.fields) keys.insert(form.fields[i].field.key);
  for (const auto& f : form.fields)
    if (std::find(f.producers.begin(), f.producers.end(), m.id) != f.producers.end()) keys.insert(f.field.key);
}

FieldValues pick(const std::set<std::string_view>& keys, ValueLookup values) {
  FieldValues out;
  for (auto k : keys)
    if (const Value* v = values(k)) out.emplace(std::string(k), *v);
  return out;
}

const Value* find_in(const FieldValues& values, std::string_view k) {
  auto it = values.find(k);
  return it == values.end() ? nullptr : &it->second;
}

}  // namespace

std::vector<std::string> department_fields(const Form& form, std::string_view department) {
  std::vector<std::string> out;
  if (!form.find_department(department)) return out;
  for (const auto& f : form.fields)
    if (std::binary_search(f.departments.begin(), f.departments.end(), department)) out.push_back(f.field.key);
  std::sort(out.begin(), out.end());
  return out;
}

FieldValues department_view(const Form& form, std::string_view department, const FieldValues& values) {
  return department_view(form, department, [&](std::string_view k) { return find_in(values, k); });
}

FieldValues department_view(const Form& form, std::string_view department, ValueLookup values) {
  const Department* d = form.find_department(department);
  if (!d) return {};
  std::set<std::string_view> keys;
  for (const auto& m : form.matters)
    if (m.department == department && m.when.evaluate(values) != Truth::no) add_matter_keys(form, m, keys);
  for (const auto& s : d->sees) keys.insert(s.id);
  return pick(keys, values);
}

Form department_form(const Form& form, std::string_view department) {
  if (department.empty()) return form;
  Form out = form;
  out.fields.clear();
  out.materials.clear();
  out.matters.clear();
  if (!form.find_department(department)) return out;
  std::vector<std::size_t> new_field(form.fields.size(), SIZE_MAX), new_material(form.materials.size(), SIZE_MAX);
  for (std::size_t i = 0; i < form.fields.size(); ++i) {
    const auto& deps = form.fields[i].departments;
    if (!std::binary_search(deps.begin(), deps.end(), department)) continue;
    new_field[i] = out.fields.size();
    out.fields.push_back(form.fields[i]);
  }
  for (std::size_t i = 0; i < form.materials.size(); ++i) {
    const auto& deps = form.materials[i].departments;
    if (!std::binary_search(deps.begin(), deps.end(), department)) continue;
    new_material[i] = out.materials.size();
    out.materials.push_back(form.materials[i]);
  }
  for (const auto& m : form.matters) {
    if (m.department != department) continue;
    FormMatter fm{m.id, m.name, m.department, m.when, {}, {}};
    for (std::size_t i : m.fields)
      if (new_field[i] != SIZE_MAX) fm.fields.push_back(new_field[i]);
    for (std::size_t i : m.materials)
      if (new_material[i] != SIZE_MAX) fm.materials.push_back(new_material[i]);
    out.matters.push_back(std::move(fm));
  }
  return out;
}

FieldValues matter_view(const Form& form, std::string_view matter, const FieldValues& values) {
  for (const auto& m : form.matters)
    if (m.id == matter) {
      std::set<std::string_view> keys;
      add_matter_keys(form, m, keys);
      return pick(keys, [&](std::string_view k) { return find_in(values, k); });
    }
  return {};
}

}  // namespace yilian
