// merge_form(): the one form and the one set of materials of a chain.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <unordered_map>

#include "analysis/field_defs.h"
#include "analysis/form_stats.h"
#include "analysis/label_similarity.h"
#include "yilian/form.h"

namespace yilian {
namespace {

void add_sorted_unique(std::vector<std::string>& v, const std::string& s) {
  auto it = std::lower_bound(v.begin(), v.end(), s);
  if (it == v.end() || *it != s) v.insert(it, s);
}

/// Which departments see each item: a flat bitmap over (item, department),
/// departments in id order, so that the lists come out sorted.
class DepartmentSets {
 public:
  DepartmentSets(const Chain& c, std::size_t items) : items_(items) {
    for (const auto& d : c.departments) ids_.push_back(d.id);
    std::sort(ids_.begin(), ids_.end());
    ids_.erase(std::unique(ids_.begin(), ids_.end()), ids_.end());
    for (std::size_t i = 0; i < ids_.size(); ++i) at_.emplace(ids_[i], i);
    bits_.assign(items_ * ids_.size(), 0);
    extra_.resize(items_);
  }
  /// The department's index, or SIZE_MAX when it is not declared.
  [[nodiscard]] std::size_t index(std::string_view id) const {
    auto it = at_.find(id);
    return it == at_.end() ? SIZE_MAX : it->second;
  }
  void add(std::size_t item, std::size_t dept, std::string_view id) {
    if (dept == SIZE_MAX) add_sorted_unique(extra_[item], std::string(id));  // undeclared: validate() reports it
    else bits_[item * ids_.size() + dept] = 1;
  }
  [[nodiscard]] std::vector<std::string> take(std::size_t item) {
    std::vector<std::string> out = std::move(extra_[item]);
    const bool extra = !out.empty();
    for (std::size_t d = 0; d < ids_.size(); ++d)
      if (bits_[item * ids_.size() + d]) out.push_back(ids_[d]);
    if (extra) std::sort(out.begin(), out.end());  // ids_ are sorted already
    return out;
  }

 private:
  std::size_t items_;
  std::vector<std::string> ids_;
  std::unordered_map<std::string_view, std::size_t> at_;
  std::vector<std::uint8_t> bits_;
  std::vector<std::vector<std::string>> extra_;
};

void add_condition(std::vector<Condition>& v, const Condition& c) {
  for (const auto& x : v)
    if (x.text() == c.text()) return;
  v.push_back(c);
}

double reduction(int before, int after) {
  return before > 0 ? 1.0 - static_cast<double>(after) / before : 0.0;
}

/// Per-item bookkeeping while merging.
struct Need {
  bool unconditional = false;  // needed whenever the chain runs (unconditional matter, no material condition)
  bool decides_alone = false;  // the only field of some condition: without it, the condition is undecided
  bool by_unconditional = false;  // materials: an unconditional matter lists it (its `when` is always asked)
};

void report_duplicates(const Form& form, Diagnostics& out) {
  std::vector<const Field*> defs;
  defs.reserve(form.fields.size());
  for (const auto& f : form.fields) defs.push_back(&f.field);
  for (const auto& d : detail::likely_duplicates(defs)) {
    const FormField& a = form.fields[d.first];
    const FormField& b = form.fields[d.second];
    if (!a.asked && !b.asked) continue;  // neither is on the applicant's form
    std::string why;
    std::string code = "likely-duplicate-label";
    switch (d.kind) {
      case detail::LikelyDuplicate::Kind::same_label: why = "the same label"; break;
      case detail::LikelyDuplicate::Kind::near_label: why = "nearly the same label"; break;
      case detail::LikelyDuplicate::Kind::same_format:
        why = fmt::format("the same type and pattern `{}`", b.field.pattern);
        code = "likely-duplicate-format";
        break;
    }
    std::string supplied;
    if (!a.asked || !b.asked) {
      const FormField& produced = a.asked ? b : a;
      supplied = fmt::format("; `{}` is produced by matter `{}`, so asking for the other breaks once-only", produced.field.key,
                             produced.producers.empty() ? "" : produced.producers.front());
    }
    out.add({Severity::warning, code,
             fmt::format("fields `{}` ({}) and `{}` ({}) have {} and may be one datum under two keys (first at {}){}",
                         a.field.key, a.field.label, b.field.key, b.field.label, why, a.field.where.to_string(),
                         supplied),
             b.field.where, b.field.key,
             fmt::format("if they are the same datum, use one key (`{}`) in every matter; otherwise give them "
                         "labels that tell them apart",
                         a.field.key)});
  }
}

}  // namespace

std::string_view to_string(Requirement r) {
  switch (r) {
    case Requirement::always: return "always";
    case Requirement::conditional: return "conditional";
    case Requirement::optional: return "optional";
    case Requirement::produced: return "produced";
    case Requirement::shared: return "shared";
  }
  return "?";
}

std::string FormField::source() const {
  if (producers.empty() || (asked && unless_produced.empty())) return "applicant";
  return "matter:" + producers.front();
}

std::string FormMaterial::source() const {
  if (!issuers.empty()) return "matter:" + issuers.front();
  return material.source == MaterialSource::shared ? "shared" : "applicant";
}

MaterialSource FormMaterial::channel() const {
  if (!issuers.empty()) return MaterialSource::issued;
  if (material.source == MaterialSource::unspecified) return MaterialSource::applicant;
  return material.source;
}

const FormField* Form::find_field(std::string_view key) const {
  for (const auto& f : fields)
    if (f.field.key == key) return &f;
  return nullptr;
}

const FormMaterial* Form::find_material(std::string_view id) const {
  for (const auto& m : materials)
    if (m.material.id == id) return &m;
  return nullptr;
}

const Department* Form::find_department(std::string_view id) const {
  for (const auto& d : departments)
    if (d.id == id) return &d;
  return nullptr;
}

void detail::complete_stats(FormStats& stats) {
  stats.fields_reduction = reduction(stats.fields_before, stats.fields_after);
  stats.materials_reduction = reduction(stats.materials_before, stats.materials_after);
  stats.targets = plan_targets(stats.materials_reduction);
}

std::vector<ReductionTarget> plan_targets(double materials_reduction) {
  std::vector<ReductionTarget> t{{2018, 0.30, false}, {2019, 0.60, false}};
  // A small tolerance so that 3 of 10 counts as 30%.
  for (auto& x : t) x.met = materials_reduction + 1e-9 >= x.reduction;
  return t;
}

Form merge_form(const Chain& c) {
  Form form;
  form.chain = c.id;
  form.version = c.version;
  form.name = c.name;
  form.lead = c.lead;
  form.defer_within = c.defer_within;
  form.valid = c.valid;
  form.departments = c.departments;

  // Fields: one entry per key, in order of first definition.
  const std::vector<detail::KeyDefinitions> groups = detail::group_definitions(c);
  std::unordered_map<std::string_view, std::size_t> field_at;
  std::vector<Need> field_need(groups.size());
  std::vector<char> used(groups.size(), 0);
  std::vector<const Field*> applicant_def(groups.size(), nullptr);
  form.fields.reserve(groups.size());
  for (std::size_t i = 0; i < groups.size(); ++i) {
    FormField ff;
    ff.field = *groups[i].defs.front();
    for (const Field* d : groups[i].defs)
      if (d->produced_by.empty() && !applicant_def[i]) applicant_def[i] = d;
    field_at.emplace(groups[i].key, i);
    form.fields.push_back(std::move(ff));
  }
  // Keys view into `groups`, which outlives the loop below.

  // Materials: declaration order.
  std::unordered_map<std::string_view, std::size_t> material_at;
  std::vector<Need> material_need(c.materials.size());
  std::vector<char> material_used(c.materials.size(), 0);
  std::vector<FormMaterial> all_materials;
  all_materials.reserve(c.materials.size());
  for (std::size_t i = 0; i < c.materials.size(); ++i) {
    material_at.emplace(c.materials[i].id, i);
    FormMaterial fm;
    fm.material = c.materials[i];
    all_materials.push_back(std::move(fm));
  }

  // Resolve every reference once; count, so that the lists are allocated once.
  std::vector<std::vector<std::size_t>> matter_fields(c.matters.size()), matter_materials(c.matters.size());
  std::vector<std::size_t> field_count(form.fields.size(), 0), material_count(all_materials.size(), 0);
  for (std::size_t mi = 0; mi < c.matters.size(); ++mi) {
    const Matter& m = c.matters[mi];
    matter_fields[mi].reserve(m.fields.size());
    for (const Ref& r : m.fields)
      if (auto it = field_at.find(r.id); it != field_at.end()) {  // unknown: validate() reports it
        matter_fields[mi].push_back(it->second);
        ++field_count[it->second];
      }
    for (const Ref& r : m.materials)
      if (auto it = material_at.find(r.id); it != material_at.end()) {
        matter_materials[mi].push_back(it->second);
        ++material_count[it->second];
      }
  }
  for (std::size_t i = 0; i < form.fields.size(); ++i) form.fields[i].matters.reserve(field_count[i]);
  for (std::size_t i = 0; i < all_materials.size(); ++i) all_materials[i].matters.reserve(material_count[i]);

  DepartmentSets field_deps(c, form.fields.size()), material_deps(c, all_materials.size());
  for (std::size_t mi = 0; mi < c.matters.size(); ++mi) {
    const Matter& m = c.matters[mi];
    const std::size_t dept = field_deps.index(m.department);
    form.stats.fields_before += static_cast<int>(m.fields.size());
    form.stats.materials_before += static_cast<int>(m.materials.size());
    for (std::size_t i : matter_fields[mi]) {
      FormField& ff = form.fields[i];
      used[i] = 1;
      ff.matters.push_back(m.id);
      field_deps.add(i, dept, m.department);
      if (m.conditional()) add_condition(ff.required_when, m.when);
      else field_need[i].unconditional = true;
    }
    for (const Field& pf : m.produces) {
      const std::size_t i = field_at.at(pf.key);
      used[i] = 1;
      form.fields[i].producers.push_back(m.id);
      field_deps.add(i, dept, m.department);
    }
    if (m.conditional()) {
      const std::vector<std::string> read = m.when.fields();
      for (const auto& key : read) {
        auto it = field_at.find(key);
        if (it == field_at.end()) continue;
        used[it->second] = 1;
        form.fields[it->second].deciding.push_back(m.id);
        if (read.size() == 1) field_need[it->second].decides_alone = true;
      }
    }
    for (std::size_t i : matter_materials[mi]) {
      FormMaterial& fm = all_materials[i];
      material_used[i] = 1;
      fm.matters.push_back(m.id);
      material_deps.add(i, dept, m.department);
      // Asked when the matter applies and the material's own condition holds.
      if (!m.conditional()) material_need[i].by_unconditional = true;
      const Condition need = conjunction(m.when, fm.material.when);
      if (need.empty()) material_need[i].unconditional = true;
      else add_condition(fm.required_when, need);
    }
    for (const Ref& r : m.results) {
      auto it = material_at.find(r.id);
      if (it == material_at.end()) continue;
      FormMaterial& fm = all_materials[it->second];
      material_used[it->second] = 1;
      fm.issuers.push_back(m.id);
      material_deps.add(it->second, dept, m.department);
    }
  }
  for (const auto& d : c.departments)
    for (const Ref& s : d.sees) {
      auto it = field_at.find(s.id);
      if (it == field_at.end()) continue;
      used[it->second] = 1;
      field_deps.add(it->second, field_deps.index(d.id), d.id);
    }
  // Fields that decide whether a material is asked (its own `when`). A
  // material that the chain issues or fetches is never asked: its condition
  // decides nothing.
  for (std::size_t i = 0; i < all_materials.size(); ++i) {
    FormMaterial& fm = all_materials[i];
    if (fm.matters.empty() || !fm.material.conditional() || !fm.issuers.empty() ||
        fm.material.source == MaterialSource::shared)
      continue;
    const std::vector<std::string> read = fm.material.when.fields();
    for (const auto& key : read) {
      auto it = field_at.find(key);
      if (it == field_at.end()) continue;
      used[it->second] = 1;
      form.fields[it->second].deciding_materials.push_back(fm.material.id);
      // The departments that receive the material see why it is asked.
      for (const auto& mid : fm.matters)
        if (const Matter* m = c.find_matter(mid)) field_deps.add(it->second, field_deps.index(m->department), m->department);
      // The only input of a condition that every case must decide.
      if (read.size() == 1 && material_need[i].by_unconditional) field_need[it->second].decides_alone = true;
    }
  }
  for (std::size_t i = 0; i < form.fields.size(); ++i) form.fields[i].departments = field_deps.take(i);
  for (std::size_t i = 0; i < all_materials.size(); ++i) all_materials[i].departments = material_deps.take(i);

  // Who supplies each field, and when it is required.
  for (std::size_t i = 0; i < form.fields.size(); ++i) {
    FormField& ff = form.fields[i];
    const Field* asked_def = applicant_def[i];
    if (!asked_def) {
      ff.asked = false;
    } else if (!ff.producers.empty()) {
      // Once-only: a produced value wins unless the chain says otherwise.
      if (asked_def->prefer == Prefer::applicant) {
        ff.asked = true;
      } else if (asked_def->prefer == Prefer::produced) {
        bool all_conditional = true;
        for (const auto& p : ff.producers) {
          const Matter* pm = c.find_matter(p);
          if (!pm || !pm->conditional()) all_conditional = false;
          else add_condition(ff.unless_produced, pm->when);
        }
        ff.asked = all_conditional;
        if (!all_conditional) ff.unless_produced.clear();
      } else {
        ff.asked = false;  // `prefer` missing: validate() reports it
      }
    }
    const bool required = asked_def && asked_def->required;
    if (!ff.asked) {
      ff.requirement = Requirement::produced;
    } else if ((field_need[i].unconditional && required) || field_need[i].decides_alone) {
      // Needed by every case, or the only input of a condition: without it
      // the condition stays undecided.
      ff.requirement = Requirement::always;
    } else if (!ff.deciding.empty() || !ff.deciding_materials.empty() || (required && !ff.matters.empty())) {
      // Needed by conditional matters only (when their condition holds or is
      // undecided), or deciding a condition together with other fields (when
      // that condition cannot be decided without it).
      ff.requirement = Requirement::conditional;
      if (!required) ff.required_when.clear();
    } else if (!required) {
      ff.requirement = Requirement::optional;
    } else {
      ff.requirement = Requirement::always;  // only shared through `sees`
    }
    if (ff.requirement != Requirement::conditional) ff.required_when.clear();
  }
  for (std::size_t i = 0; i < all_materials.size(); ++i) {
    FormMaterial& fm = all_materials[i];
    // Once-only: a document a matter of the chain issues is never asked,
    // nor one the office fetches by data sharing.
    fm.asked = fm.issuers.empty() && fm.material.source != MaterialSource::shared;
    if (!fm.issuers.empty()) {
      fm.requirement = Requirement::produced;
      fm.required_when.clear();
    } else if (!fm.asked) {
      fm.requirement = Requirement::shared;
      fm.required_when.clear();
    } else if (material_need[i].unconditional) {
      fm.required_when.clear();
    } else if (!fm.matters.empty()) {
      fm.requirement = Requirement::conditional;
    }
  }

  // Keep what is used; remap the matters' indices.
  std::vector<std::size_t> new_field(form.fields.size(), SIZE_MAX), new_material(all_materials.size(), SIZE_MAX);
  {
    std::vector<FormField> kept;
    kept.reserve(form.fields.size());
    for (std::size_t i = 0; i < form.fields.size(); ++i)
      if (used[i]) {
        new_field[i] = kept.size();
        kept.push_back(std::move(form.fields[i]));
      }
    form.fields = std::move(kept);
    for (std::size_t i = 0; i < all_materials.size(); ++i)
      if (material_used[i]) {
        new_material[i] = form.materials.size();
        form.materials.push_back(std::move(all_materials[i]));
      }
  }
  form.matters.reserve(c.matters.size());
  for (std::size_t mi = 0; mi < c.matters.size(); ++mi) {
    const Matter& m = c.matters[mi];
    FormMatter fm{m.id, m.name, m.department, m.when, {}, {}, m.valid, m.commitment, m.kind, m.verify_within};
    form.matter_names.emplace(m.id, m.name);
    for (std::size_t i : matter_fields[mi]) fm.fields.push_back(new_field[i]);
    for (std::size_t i : matter_materials[mi]) fm.materials.push_back(new_material[i]);
    form.matters.push_back(std::move(fm));
  }

  // Every matter applying: conditional producers and issuers supply too.
  for (const auto& f : form.fields)
    if (detail::counted_after(f)) ++form.stats.fields_after;
  for (const auto& m : form.materials) {
    if (detail::counted_after(m)) ++form.stats.materials_after;
    if (detail::counted_shared(m)) ++form.stats.materials_shared;
  }
  detail::complete_stats(form.stats);

  detail::check_field_definitions(c, groups, form.diagnostics);
  report_duplicates(form, form.diagnostics);
  form.diagnostics.sort();
  return form;
}

}  // namespace yilian
