// The one form and the one set of materials of a chain (一表申请 · 一套材料),
// and the data a department may see (data minimisation).
//
// merge_form() is a pure function of a chain: every datum once, with its
// definition, when it is required, the matters that need it, the
// departments that may see it, and where it comes from (the applicant, or a
// matter that produces it: once-only). docs/form.md states the rules.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "yilian/chain.h"
#include "yilian/condition.h"
#include "yilian/status.h"
#include "yilian/value.h"

namespace yilian {

/// When the applicant must give a field or material.
enum class Requirement {
  always,       ///< an unconditional matter needs it, or it is the one field a condition reads
  conditional,  ///< only conditional matters need it (see `required_when`), or it decides a
                ///< condition with other fields (needed while that condition is undecided)
  optional,     ///< asked, but `required: false`
  produced,     ///< a matter of the chain produces or issues it; never asked
  shared,       ///< a material fetched by data sharing (共享获取, `source: shared`); never asked
};
[[nodiscard]] std::string_view to_string(Requirement r);

/// One datum of the merged form.
struct FormField {
  Field field;                            ///< the first definition (label, type, constraints)
  Requirement requirement = Requirement::always;
  /// Conditional: required when any of these holds or is undecided (the
  /// `when` of the matters that need it, each once). Empty otherwise.
  std::vector<Condition> required_when;
  /// `prefer: produced` with only conditional producers: asked only when none
  /// of these (the producers' conditions) holds. Empty otherwise.
  std::vector<Condition> unless_produced;
  std::vector<std::string> matters;       ///< matters that list the key, chain order
  std::vector<std::string> deciding;      ///< matters whose `when` reads the key
  /// Materials whose own `when` reads the key (needed while a matter that
  /// needs such a material applies and its condition is undecided).
  std::vector<std::string> deciding_materials;
  std::vector<std::string> departments;   ///< departments that may see it, sorted
  std::vector<std::string> producers;     ///< matters that produce it, chain order
  bool asked = true;                      ///< the applicant may be asked for it

  /// "matter:<id>" of the first producer when a matter supplies it (also
  /// `prefer: produced` with conditional producers, see `unless_produced`);
  /// "applicant" otherwise (also `prefer: applicant`).
  [[nodiscard]] std::string source() const;
};

/// One material of the merged set.
struct FormMaterial {
  Material material;
  Requirement requirement = Requirement::always;  ///< never `optional`
  /// Conditional: asked when any of these holds or is undecided: for each
  /// matter that needs it, the matter's `when` and the material's own `when`
  /// together (conjunction()), each once. Empty otherwise.
  std::vector<Condition> required_when;
  std::vector<std::string> matters;       ///< matters that need it, chain order
  std::vector<std::string> departments;   ///< departments that receive or issue it, sorted
  /// Matters that issue it (`results`), chain order. An issued document is
  /// never asked from the applicant: when its issuer does not apply it does
  /// not exist and no one needs it (alternatives list each issuer's result).
  std::vector<std::string> issuers;
  bool asked = true;                      ///< no matter issues it and it is not shared

  /// "applicant", "matter:<id>" of the first issuer, or "shared".
  [[nodiscard]] std::string source() const;
  /// Where the document comes from (来源渠道): `shared` when fetched by data
  /// sharing, `issued` when a department issues it (the material says so or
  /// a matter of the chain issues it), else `applicant`. Never `unspecified`.
  [[nodiscard]] MaterialSource channel() const;
};

/// One matter as the form sees it (what it needs, when it applies).
struct FormMatter {
  std::string id;
  std::string name;
  std::string department;
  Condition when;                          ///< empty: always applies
  std::vector<std::size_t> fields;         ///< indices into Form::fields it asks for
  std::vector<std::size_t> materials;      ///< indices into Form::materials it needs
  Validity valid;                          ///< valid_from / valid_until (the form lists every version)
  Matter::Commitment commitment = Matter::Commitment::none;  ///< 告知承诺
  MatterKind kind = MatterKind::licensing;
  Limit verify_within;                     ///< with a commitment: the verification's limit
};

/// A target of the city plan: materials the applicant provides down by
/// `reduction` (a share) by the end of `year`.
struct ReductionTarget {
  int year = 0;
  double reduction = 0;
  bool met = false;
};

/// What merging saves the applicant, every matter applying. "Before" counts
/// each matter applied for on its own, produced and issued items included;
/// "after" counts what the one form asks when every matter applies (so an
/// item that a conditional matter would produce counts as produced).
struct FormStats {
  int fields_before = 0;      ///< sum over matters of the fields each lists
  int fields_after = 0;       ///< distinct fields the applicant may be asked for
  int materials_before = 0;   ///< sum over matters of the materials each lists
  int materials_after = 0;    ///< distinct materials the applicant provides
  int materials_shared = 0;   ///< distinct materials fetched by data sharing (saved, not in "after")
  double fields_reduction = 0;     ///< 1 - after/before (0 when before is 0)
  double materials_reduction = 0;  ///< 1 - after/before (0 when before is 0)
  std::vector<ReductionTarget> targets;  ///< the plan's: 30% end 2018, 60% end 2019 (materials)
};

/// The merged form of one chain: a self-contained value (copies what it
/// needs from the chain). Immutable after merge_form; safe to share.
struct Form {
  std::string chain;
  int version = 0;
  std::string name;
  std::string lead;
  Validity valid;                       ///< the chain's valid_from / valid_until
  Limit defer_within{10};               ///< the chain's: deferred materials (容缺受理) are due this long after acceptance
  std::vector<Department> departments;
  std::vector<FormField> fields;        ///< catalogue order, then inline, then produced
  std::vector<FormMaterial> materials;  ///< declaration order; only those a matter uses
  std::vector<FormMatter> matters;      ///< chain order
  /// Every matter's name by id, also in a department's view (whose
  /// `matters` are its own only): the tables name the other departments'
  /// matters that use a field too.
  std::map<std::string, std::string, std::less<>> matter_names;
  FormStats stats;
  /// Conflicts (errors, from the same check as validate()) and likely
  /// duplicates (warnings `likely-duplicate-label`, `likely-duplicate-format`).
  Diagnostics diagnostics;

  [[nodiscard]] const FormField* find_field(std::string_view key) const;
  [[nodiscard]] const FormMaterial* find_material(std::string_view id) const;
  [[nodiscard]] const Department* find_department(std::string_view id) const;
};

/// Merges the chain's fields and materials into the one form. Pure and
/// thread-safe; linear in the chain's size (plus the duplicate search).
/// Meaningful for a chain without validation errors; conflicts found on the
/// way are reported in Form::diagnostics.
[[nodiscard]] Form merge_form(const Chain& chain);

/// The plan's targets for materials reduction (30% end 2018, 60% end 2019).
[[nodiscard]] std::vector<ReductionTarget> plan_targets(double materials_reduction);

/// The field keys department `department` may see: those its matters need
/// (asked or produced), those its matters produce, and its `sees` list.
/// Sorted; empty for an unknown department.
[[nodiscard]] std::vector<std::string> department_fields(const Form& form, std::string_view department);

/// Data minimisation: the values department `department` may see, i.e. the
/// fields its *applicable* matters need or produce (conditions evaluated on
/// `values`; an undecided condition counts as applying) plus what the chain
/// shares with it (`departments.<id>.sees`). Everything else is left out.
/// Empty for an unknown department. Pure; thread-safe.
[[nodiscard]] FieldValues department_view(const Form& form, std::string_view department,
                                          const FieldValues& values);
/// The same, reading values through a lookup (a case's applicant values
/// with what its matters produced over them: CaseState::value).
[[nodiscard]] FieldValues department_view(const Form& form, std::string_view department, ValueLookup values);

/// department_view() with the key lists worked out once per form: each
/// department's keys in order, each with the matters that need (ask or
/// produce) it and whether the department `sees` it. A view then costs its
/// matters' conditions and one walk through the values; select() copies
/// nothing (a task's FieldView). The engine keeps one per chain version.
/// Immutable; thread-safe.
class DepartmentViews {
 public:
  explicit DepartmentViews(const Form& form);
  /// The same values as department_view(form, department, values).
  [[nodiscard]] FieldValues view(std::string_view department, ValueLookup values) const;
  /// The same selection without copying: the pairs of `over` and `values`
  /// (`over` read first, as a case's produced values over the applicant's:
  /// CaseState::value) that the department may see, sorted by key, each
  /// key once. What a task's FieldView points at.
  [[nodiscard]] std::vector<const FieldValues::value_type*> select(std::string_view department, const FieldValues& over,
                                                                  const FieldValues& values) const;

  /// An applicant's values as this object reads them: for each key any
  /// department may see or whose matters' conditions read, in order, the
  /// pair in `values` or null. Made in one walk through `values`; a case
  /// whose values do not change (they are shared, never edited) needs one
  /// for all its views, which then read no map of the values.
  using Table = std::vector<const FieldValues::value_type*>;
  [[nodiscard]] Table table(const FieldValues& values) const;
  /// select() with the applicant's values read through their table(): the
  /// same pairs. `values` must be a table this object made.
  [[nodiscard]] std::vector<const FieldValues::value_type*> select(std::string_view department, const FieldValues& over,
                                                                  const Table& values) const;

 private:
  /// A key some of the department's matters need or produce, or that the
  /// chain shares with it.
  struct Key {
    std::string key;
    std::vector<std::uint32_t> matters;  ///< the department's matters (places in Department::when) that need it
    bool seen = false;                   ///< in the department's `sees`
    std::uint32_t place = 0;             ///< in keys_ (and a Table)
  };
  struct Department {
    std::string id;
    std::vector<Condition> when;  ///< each of its matters' condition
    std::vector<Key> keys;        ///< sorted, each once
  };
  /// Calls `key` with each key the department may see, in order, each once
  /// (with a value or not), its matters' conditions read through `values`.
  template <class F>
  void each_key(std::string_view department, ValueLookup values, F&& key) const;
  std::vector<Department> departments_;  ///< sorted by id
  /// Every department's keys and every key their matters' conditions
  /// read, sorted, each once: what a Table holds, in this order.
  std::vector<std::string> keys_;
};

/// The form restricted to what department `department` may see: the fields
/// of department_fields(), the materials its matters need or issue, and its
/// matters only (indices remapped). Stats are the department's: its
/// matters' fields and materials counted one by one ("before") and once
/// each, without those the chain produces or issues ("after"); diagnostics
/// stay those of the whole chain. The form unchanged when `department` is
/// empty; an empty form (no fields, materials or matters, zero stats) for an
/// unknown department.
[[nodiscard]] Form department_form(const Form& form, std::string_view department);

/// The values one matter needs or produces (what its adapter gets when a
/// department handles several matters separately). Empty for an unknown matter.
[[nodiscard]] FieldValues matter_view(const Form& form, std::string_view matter, const FieldValues& values);

}  // namespace yilian
