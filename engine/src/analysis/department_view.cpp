// Data minimisation: what one department (or one matter) may see of an
// application's values.
#include <algorithm>
#include <cassert>
#include <map>
#include <set>

#include "analysis/form_stats.h"
#include "yilian/form.h"

namespace yilian {
namespace {

/// Adds the keys matter `m` asks for or produces, and those that decide
/// whether its materials are asked (their own `when`).
void add_matter_keys(const Form& form, const FormMatter& m, std::set<std::string_view>& keys) {
  for (std::size_t i : m.fields) keys.insert(form.fields[i].field.key);
  for (std::size_t i : m.materials)
    for (const auto& f : form.fields)
      if (std::find(f.deciding_materials.begin(), f.deciding_materials.end(), form.materials[i].material.id) !=
          f.deciding_materials.end())
        keys.insert(f.field.key);
  for (const auto& f : form.fields)
    if (std::find(f.producers.begin(), f.producers.end(), m.id) != f.producers.end()) keys.insert(f.field.key);
}

FieldValues pick(const std::set<std::string_view>& keys, ValueLookup values) {
  FieldValues out;
  for (auto k : keys)
    if (const Value* v = values(k)) out.emplace(std::string(k), *v);
  return out;
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
  return department_view(form, department, [&](std::string_view k) { return find_value(values, k); });
}

FieldValues department_view(const Form& form, std::string_view department, ValueLookup values) {
  return DepartmentViews(form).view(department, values);
}

DepartmentViews::DepartmentViews(const Form& form) {
  for (const auto& d : form.departments) {
    Department out;
    out.id = d.id;
    std::map<std::string_view, Key> keys;
    for (const auto& m : form.matters) {
      if (m.department != d.id) continue;
      std::set<std::string_view> mine;
      add_matter_keys(form, m, mine);
      for (auto k : mine) keys[k].matters.push_back(static_cast<std::uint32_t>(out.when.size()));
      out.when.push_back(m.when);
    }
    for (const auto& s : d.sees) keys[s.id].seen = true;
    for (auto& [k, key] : keys) {
      key.key = std::string(k);
      out.keys.push_back(std::move(key));
    }
    departments_.push_back(std::move(out));
  }
  std::sort(departments_.begin(), departments_.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  for (const Department& d : departments_) {
    for (const Key& k : d.keys) keys_.push_back(k.key);
    for (const Condition& c : d.when)
      for (std::string& k : c.fields()) keys_.push_back(std::move(k));
  }
  std::sort(keys_.begin(), keys_.end());
  keys_.erase(std::unique(keys_.begin(), keys_.end()), keys_.end());
  for (Department& d : departments_)
    for (Key& k : d.keys)
      k.place = static_cast<std::uint32_t>(std::lower_bound(keys_.begin(), keys_.end(), k.key) - keys_.begin());
}

template <class F>
void DepartmentViews::each_key(std::string_view department, ValueLookup values, F&& key) const {
  const auto d = std::lower_bound(departments_.begin(), departments_.end(), department,
                                  [](const Department& x, std::string_view id) { return std::string_view(x.id) < id; });
  if (d == departments_.end() || d->id != department) return;
  std::vector<char> applies(d->when.size());  // an undecided condition counts as applying
  for (std::size_t i = 0; i < d->when.size(); ++i) applies[i] = d->when[i].evaluate(values) != Truth::no;
  for (const Key& k : d->keys)
    if (k.seen || std::any_of(k.matters.begin(), k.matters.end(), [&](std::uint32_t m) { return applies[m] != 0; }))
      key(k);
}

FieldValues DepartmentViews::view(std::string_view department, ValueLookup values) const {
  FieldValues out;
  each_key(department, values, [&](const Key& k) {
    if (const Value* v = values(k.key)) out.emplace_hint(out.end(), k.key, *v);
  });
  return out;
}

DepartmentViews::Table DepartmentViews::table(const FieldValues& values) const {
  Table out(keys_.size(), nullptr);
  auto v = values.begin();
  for (std::size_t i = 0; i < keys_.size() && v != values.end(); ++i) {
    while (v != values.end() && v->first < keys_[i]) ++v;
    if (v != values.end() && v->first == keys_[i]) out[i] = &*v;
  }
  return out;
}

std::vector<const FieldValues::value_type*> DepartmentViews::select(std::string_view department,
                                                                    const FieldValues& over,
                                                                    const FieldValues& values) const {
  return select(department, over, table(values));
}

std::vector<const FieldValues::value_type*> DepartmentViews::select(std::string_view department,
                                                                    const FieldValues& over,
                                                                    const Table& values) const {
  assert(values.size() == keys_.size());
  auto value_of = [&](std::string_view k) -> const Value* {
    if (const Value* v = find_value(over, k)) return v;
    const auto at = std::lower_bound(keys_.begin(), keys_.end(), k,
                                     [](const std::string& a, std::string_view b) { return std::string_view(a) < b; });
    if (at == keys_.end() || *at != k) return nullptr;  // no condition of a department reads it
    const auto* pair = values[static_cast<std::size_t>(at - keys_.begin())];
    return pair ? &pair->second : nullptr;
  };
  // The keys come in order, as `over` holds its own: one walk through it;
  // the applicant's values by their place, no map read.
  std::vector<const FieldValues::value_type*> out;
  auto o = over.begin();
  each_key(department, value_of, [&](const Key& k) {
    while (o != over.end() && o->first < k.key) ++o;
    if (o != over.end() && o->first == k.key) return out.push_back(&*o);
    if (const auto* pair = values[k.place]) out.push_back(pair);
  });
  return out;
}

Form department_form(const Form& form, std::string_view department) {
  if (department.empty()) return form;
  Form out = form;
  out.fields.clear();
  out.materials.clear();
  out.matters.clear();
  out.stats = FormStats{};
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
    FormMatter fm{m.id, m.name, m.department, m.when, {}, {}, m.valid};
    for (std::size_t i : m.fields)
      if (new_field[i] != SIZE_MAX) fm.fields.push_back(new_field[i]);
    for (std::size_t i : m.materials)
      if (new_material[i] != SIZE_MAX) fm.materials.push_back(new_material[i]);
    out.matters.push_back(std::move(fm));
  }
  // The department's own merge: its matters' items one by one, and once
  // each as the applicant gives them (what the chain produces or issues is
  // not asked), as merge_form counts the whole chain.
  std::set<std::size_t> fields, materials;
  for (const auto& m : out.matters) {
    out.stats.fields_before += static_cast<int>(m.fields.size());
    out.stats.materials_before += static_cast<int>(m.materials.size());
    fields.insert(m.fields.begin(), m.fields.end());
    materials.insert(m.materials.begin(), m.materials.end());
  }
  for (std::size_t i : fields)
    if (detail::counted_after(out.fields[i])) ++out.stats.fields_after;
  for (std::size_t i : materials)
    if (detail::counted_after(out.materials[i])) ++out.stats.materials_after;
    else if (detail::counted_shared(out.materials[i])) ++out.stats.materials_shared;
  detail::complete_stats(out.stats);
  return out;
}

FieldValues matter_view(const Form& form, std::string_view matter, const FieldValues& values) {
  for (const auto& m : form.matters)
    if (m.id == matter) {
      std::set<std::string_view> keys;
      add_matter_keys(form, m, keys);
      return pick(keys, [&](std::string_view k) { return find_value(values, k); });
    }
  return {};
}

}  // namespace yilian
