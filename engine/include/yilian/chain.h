// The chain model: plain, immutable-after-load value types describing one
// 一链办理 chain (departments, field catalogue, materials, matters). No I/O.
//
// A Chain is built by the loader (load.h), validated, then shared as
// std::shared_ptr<const Chain>; it is safe to read from many threads.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "yilian/condition.h"
#include "yilian/status.h"

namespace yilian {

/// A reference to another element by id or key, with where it was written.
struct Ref {
  std::string id;
  SourceLocation where;
};

enum class FieldType {
  string,       ///< one line of text
  text,         ///< several lines of text
  integer,
  number,
  boolean,
  date,         ///< ISO date, YYYY-MM-DD
  enumeration,  ///< one of `values` (written `enum` in YAML)
  id_card,      ///< 18-digit resident ID with its GB 11643 check digit
  uscc,         ///< unified social credit code, GB 32100 check character
  phone,        ///< mainland mobile (1[3-9]x, 11 digits) or landline
  area,         ///< floor area in square metres (a number)
  set,          ///< several distinct values of `values` (a ValueSet)
};
[[nodiscard]] std::string_view to_string(FieldType t);
[[nodiscard]] std::optional<FieldType> parse_field_type(std::string_view s);
/// integer, number and area hold numbers.
[[nodiscard]] bool is_numeric(FieldType t);
/// string, text, id-card, uscc, phone, date and enum hold text.
[[nodiscard]] bool is_textual(FieldType t);
/// enum and set take their values from a declared list (`values`).
[[nodiscard]] inline bool has_values(FieldType t) { return t == FieldType::enumeration || t == FieldType::set; }

/// When a key is both asked from the applicant and produced by a matter,
/// the chain must say which wins.
enum class Prefer {
  unset,     ///< not said: an error if the key is both asked and produced
  produced,  ///< take the produced value; ask the applicant only when no matter produces it
  applicant, ///< always ask the applicant; the produced value is ignored for the form
};

/// One datum of the form.
struct Field {
  std::string key;          ///< dotted key, e.g. "applicant.name"
  std::string label;        ///< Chinese label shown to people
  std::string description;
  FieldType type = FieldType::string;
  bool required = true;     ///< required by every matter that lists it
  std::optional<double> min;///< numbers: lower bound; text: minimum length
  std::optional<double> max;///< numbers: upper bound; text: maximum length
  std::vector<std::string> values;  ///< enum, set: the allowed values (codes), in the chain's order
  std::string pattern;      ///< optional ECMAScript regular expression for text
  std::string unit;         ///< display unit, e.g. "m²"
  Prefer prefer = Prefer::unset;
  std::string produced_by;  ///< matter id when this definition comes from `produces`
  SourceLocation where;
  /// enum, set: the label of each of `values` (same size) when the chain
  /// gives them (`values: {code: 标签}`); empty when it lists codes only.
  /// Last, so that positional initialisation of the members above still holds.
  std::vector<std::string> value_labels;

  /// The label people read for one of `values`: its label when the chain
  /// gives one, otherwise the value itself (also for a value not listed).
  [[nodiscard]] std::string label_of(std::string_view value) const;
  /// True when `value` is one of `values`.
  [[nodiscard]] bool allows(std::string_view value) const;
};

struct Department {
  std::string id;
  std::string name;
  std::vector<Ref> sees;    ///< fields shared with this department beyond its matters' own
  SourceLocation where;
};

struct Material {
  std::string id;
  std::string name;
  std::string description;
  bool original = false;    ///< the original must be shown (not only a copy)
  int copies = 1;
  SourceLocation where;
};

enum class MatterKind { licensing, confirmation, filing, public_service, registration, other };
[[nodiscard]] std::string_view to_string(MatterKind k);
[[nodiscard]] std::optional<MatterKind> parse_matter_kind(std::string_view s);

/// Kinds of steps inside a matter. The Art. 45 kinds (hearing, tendering,
/// auction, inspection, testing, quarantine, appraisal, expert review) are
/// not counted towards the time limit unless the chain says otherwise.
enum class PhaseKind {
  review, site_inspection, decision, certificate, publicity,
  hearing, tendering, auction, inspection, testing, quarantine, appraisal, expert_review,
  other
};
[[nodiscard]] std::string_view to_string(PhaseKind k);
[[nodiscard]] std::optional<PhaseKind> parse_phase_kind(std::string_view s);
/// True for the activities 行政许可法 Art. 45 excludes from the limit.
[[nodiscard]] bool is_article45(PhaseKind k);

struct Phase {
  std::string id;
  std::string name;
  PhaseKind kind = PhaseKind::other;
  int days = 0;             ///< working days the phase takes
  bool counted = true;      ///< counts towards the matter's limit
  SourceLocation where;
};

/// One government service matter (事项) in the chain.
struct Matter {
  std::string id;
  std::string name;
  std::string description;
  std::string department;   ///< department id
  SourceLocation department_where;
  MatterKind kind = MatterKind::licensing;
  std::string code;         ///< 实施编码, may be empty
  std::string basis;        ///< legal basis, may be empty
  int statutory_days = 0;   ///< 法定办结时限, working days
  int promised_days = 0;    ///< 承诺办结时限, working days; 0 = on the spot
  int visits = 1;           ///< in-person visits when applied for on its own
  std::vector<Ref> fields;  ///< field keys the matter asks for
  std::vector<Field> field_defs;  ///< fields defined inline by this matter
  std::vector<Ref> materials;     ///< material ids the matter asks for
  std::vector<Field> produces;    ///< data the matter produces for later matters
  std::vector<Ref> results;       ///< material ids the matter issues (licences)
  std::vector<Phase> phases;
  std::vector<Ref> after;         ///< matter ids that must be done first
  Condition when;                 ///< empty: always applies
  SourceLocation when_where;
  SourceLocation where;

  [[nodiscard]] bool conditional() const { return !when.empty(); }
  /// Working days of phases whose time is not counted (Art. 45).
  [[nodiscard]] int uncounted_days() const;
};

/// Alert thresholds for running limits (see calendar.h).
struct AlertPolicy {
  std::optional<int> yellow_days;  ///< unset: a fifth of the limit, rounded up, at least 1
  int second_level_after = 5;      ///< working days overdue before 二级督办
};

/// One chain. Build with the loader; if you build one by hand, call
/// build_index() before handing it to any other function.
struct Chain {
  std::string id;
  int version = 1;
  std::string name;
  std::string description;
  std::string lead;         ///< lead department id (一窗受理, 统一出件)
  SourceLocation lead_where;
  int promised_days = 0;    ///< whole-chain promise, working days
  std::optional<int> statutory_days;  ///< whole-chain statutory limit if stated
  std::string calendar = "cn-mainland";
  std::string office_close = "17:00";  ///< acceptance after this counts from the next working day
  AlertPolicy alerts;
  std::vector<Department> departments;
  std::vector<Field> fields;        ///< the field catalogue (asked from the applicant)
  std::vector<Material> materials;
  std::vector<Matter> matters;
  std::string source;       ///< file the chain was loaded from
  SourceLocation where;

  void build_index();
  [[nodiscard]] const Matter* find_matter(std::string_view key) const;
  [[nodiscard]] std::optional<std::size_t> matter_index(std::string_view key) const;
  [[nodiscard]] const Department* find_department(std::string_view key) const;
  [[nodiscard]] const Material* find_material(std::string_view key) const;
  /// The first definition of a key: catalogue, then matters' inline
  /// definitions, then `produces`, in file order. nullptr if unknown.
  [[nodiscard]] const Field* find_field(std::string_view key) const;
  /// The (first) matter that produces the key, or nullptr.
  [[nodiscard]] const Matter* producer_of(std::string_view key) const;
  /// Every matter that produces the key: alternatives when their conditions
  /// cannot hold together (validate() checks that).
  [[nodiscard]] std::vector<const Matter*> producers_of(std::string_view key) const;
  /// The (first) matter that issues the material (lists it in `results`), or nullptr.
  [[nodiscard]] const Matter* issuer_of(std::string_view material) const;
  /// Every matter that issues the material.
  [[nodiscard]] std::vector<const Matter*> issuers_of(std::string_view material) const;
  /// Every known field key (catalogue, inline and produced), for suggestions.
  [[nodiscard]] std::vector<std::string> field_keys() const;

 private:
  // Positions, not pointers, so that a copied Chain stays valid.
  struct FieldPos {
    int matter = -1;        ///< -1: the catalogue
    bool produced = false;  ///< in the matter's `produces` (else its field_defs)
    std::size_t index = 0;
  };
  // Looked up by std::string_view without building a std::string.
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view k) const noexcept { return std::hash<std::string_view>{}(k); }
  };
  template <class T>
  using ByKey = std::unordered_map<std::string, T, KeyHash, std::equal_to<>>;
  struct Index {
    ByKey<std::size_t> matters, departments, materials;
    ByKey<FieldPos> fields;
    ByKey<std::vector<std::size_t>> producers, issuers;
  };
  Index index_;
};

}  // namespace yilian
