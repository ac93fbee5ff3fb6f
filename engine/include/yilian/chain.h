// The chain model: plain, immutable-after-load value types describing one
// 一链办理 chain (departments, field catalogue, materials, matters). No I/O.
//
// A Chain is built by the loader (load.h), validated, then shared as
// std::shared_ptr<const Chain>; it is safe to read from many threads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "yilian/condition.h"
#include "yilian/date.h"
#include "yilian/limit.h"
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

/// Where a material comes from (来源渠道 of a 办事指南).
enum class MaterialSource {
  unspecified,  ///< not said: `issued` when a matter of the chain issues it, else `applicant`
  applicant,    ///< 申请人自备: the applicant prepares and hands it in
  issued,       ///< 部门核发: a government department issued it; the applicant hands it in
                ///< (or, when a matter of the chain issues it, no one does: once-only)
  shared,       ///< 共享获取: the office fetches it by data sharing; never asked of the applicant
};
/// "applicant", "issued", "shared" ("unspecified" for the default).
[[nodiscard]] std::string_view to_string(MaterialSource s);
/// Parses applicant, issued or shared.
[[nodiscard]] std::optional<MaterialSource> parse_material_source(std::string_view s);

/// 电子证照 (国办发〔2022〕3号; GB/T 36901 ff.): a material that is an
/// electronic licence. When a matter of a chain issues it (`results`), the
/// holder registry keeps it; a material of the same `kind` in any chain is
/// then that licence, handed in by reference (once-only).
struct LicenceSpec {
  std::string kind;                ///< the catalogue kind (the same in every chain), e.g. business-licence
  Ref number;                      ///< the field that holds its number (empty: none recorded)
  std::optional<Limit> valid_for;  ///< valid this long from its issue; none: no expiry
  SourceLocation where;
};

struct Material {
  std::string id;
  std::string name;
  std::string description;
  bool original = false;    ///< the original must be shown (not only a copy)
  int copies = 1;
  MaterialSource source = MaterialSource::unspecified;
  /// Asked only when this holds (and a matter that lists the material
  /// applies); empty: whenever such a matter applies.
  Condition when;
  SourceLocation when_where;
  std::string blank_form;   ///< 空表: a file path relative to the chain file, may be empty
  SourceLocation blank_form_where;
  std::string sample;       ///< 示范样本: a file path relative to the chain file, may be empty
  SourceLocation sample_where;
  bool deferrable = false;  ///< may be handed in after acceptance (容缺); stored and shown only
  /// Why a catch-all name (其他材料, …等) is kept; empty for a named document.
  std::string catch_all_reason;
  std::optional<LicenceSpec> licence;  ///< `licence:` an electronic licence (电子证照)
  SourceLocation name_where;
  SourceLocation where;

  [[nodiscard]] bool conditional() const { return !when.empty(); }
};

/// When a matter or a chain is in force (`valid_from`, `valid_until`). Both
/// bounds are inclusive: a matter with `valid_until: 2023-11-30` applies to a
/// case accepted on 2023-11-30 and not to one accepted on 2023-12-01. An
/// unset bound is open.
struct Validity {
  std::optional<Date> from;   ///< first day in force
  std::optional<Date> until;  ///< last day in force
  SourceLocation from_where, until_where;

  [[nodiscard]] bool bounded() const { return from.has_value() || until.has_value(); }
  [[nodiscard]] bool contains(Date d) const { return (!from || *from <= d) && (!until || d <= *until); }
  /// Some day is in both.
  [[nodiscard]] bool overlaps(const Validity& o) const;
  /// "always", "from 2023-12-01", "until 2023-11-30", "2023-12-01 to 2024-05-31".
  [[nodiscard]] std::string to_string() const;
};
/// Whether a material's name is a catch-all (兜底) item rather than a named
/// document: the marker found (e.g. "其他材料", "等"), or "" for a proper
/// name. The rule (docs/chain-reference.md, "Catch-all names"): after
/// trimming spaces and trailing punctuation, the name
///   - contains 其他 / 其它 / 其余 / 相关 / 有关 / 另行 directly followed by
///     材料, 资料, 文件, 证明, 证件, 文书 or 手续 (其他材料, 有关证明, …), or
///   - contains 认为需要 or 认为必要 (…认为需要提交的材料), or
///   - ends with 等 (optionally followed by one of those nouns: 等材料,
///     等证明), 等等, … or ..., or is 其他 / 其它 alone.
/// "其他股东的身份证明" and "等级证书" are proper names. Pure.
[[nodiscard]] std::string catch_all_marker(std::string_view name);

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
  std::string code;         ///< 基本编码 or 实施编码 (GB/T 39554.1), may be empty
  SourceLocation code_where;
  std::string basis;        ///< legal basis, may be empty
  int statutory_days = 0;   ///< 法定办结时限: its count, in statutory_unit (working days unless `statutory:` says)
  int promised_days = 0;    ///< 承诺办结时限: its count, in promised_unit; 0 working days = on the spot
  LimitUnit statutory_unit = LimitUnit::working_days;
  LimitUnit promised_unit = LimitUnit::working_days;
  int visits = 1;           ///< in-person visits when applied for on its own
  /// 告知承诺 (国办发〔2020〕42号): `optional`, the applicant may commit to the
  /// conditions (the application lists the matter under `commitments`) and
  /// the matter is approved at once; `required`, every case does. A
  /// verification (核查) by the department follows within verify_within.
  enum class Commitment : std::uint8_t { none, optional, required } commitment = Commitment::none;
  Limit verify_within;      ///< with a commitment: the verification's limit
  std::vector<Ref> fields;  ///< field keys the matter asks for
  std::vector<Field> field_defs;  ///< fields defined inline by this matter
  std::vector<Ref> materials;     ///< material ids the matter asks for
  std::vector<Field> produces;    ///< data the matter produces for later matters
  std::vector<Ref> results;       ///< material ids the matter issues (licences)
  std::vector<Phase> phases;
  std::vector<Ref> after;         ///< matter ids that must be done first
  Condition when;                 ///< empty: always applies
  SourceLocation when_where;
  Validity valid;                 ///< valid_from / valid_until: when the matter is in force
  /// `replaces`: the earlier version of this matter (another matter's id),
  /// which it follows in time. Empty when it replaces none.
  Ref replaces;
  SourceLocation where;
  /// Its key path in the file it was read from ("matters[3]"), and that of
  /// its `department` (an overlay that moves the matter points into the
  /// overlay). Empty for a matter built by hand.
  std::string path;
  std::string department_path;

  [[nodiscard]] bool conditional() const { return !when.empty(); }
  [[nodiscard]] Limit statutory() const { return {statutory_days, statutory_unit}; }
  [[nodiscard]] Limit promised() const { return {promised_days, promised_unit}; }
  /// Working days of phases whose time is not counted (Art. 45).
  [[nodiscard]] int uncounted_days() const;
};

/// A matter's limits as a person reads them: "承诺 5个工作日 · 法定 20个工作日",
/// "即办 · 法定 3个月".
[[nodiscard]] std::string limits_label(const Matter& m);
/// Whether a matter applies to a case accepted on `on`: Truth::no when it is
/// not in force that day (when a date is given), otherwise its condition
/// over `lookup` (unknown: a deciding value is missing). The one rule the
/// flow, the check and the analysis share.
[[nodiscard]] Truth applies(const Validity& valid, const Condition& when, std::optional<Date> on, ValueLookup lookup);
[[nodiscard]] Truth applies(const Matter& matter, std::optional<Date> on, ValueLookup lookup);

/// One thing a locality overlay (`extends:`) changes in its base, in the
/// order the overlay says it; what `yilian validate` lists.
struct OverlayChange {
  /// chain-name, chain-lead, chain-promised-days, chain-promised (a promise
  /// with its unit), chain-statutory-days, chain-statutory, chain-calendar,
  /// chain-office-close, chain-alerts, chain-validity, department-added,
  /// department-renamed, department-changed, field-added, material-added,
  /// matter-added, matter-dropped, matter-department, matter-promised-days,
  /// matter-promised (with its unit), matter-visits, matter-description,
  /// matter-phases, matter-validity. `before` and `after` of a limit name
  /// its unit ("20 working days", "2 months").
  std::string kind;
  std::string subject;  ///< the department, field, material or matter id; empty for the chain
  std::string before;   ///< the base's value (empty when added)
  std::string after;    ///< the overlay's value (empty when dropped)
  SourceLocation where; ///< the overlay's key
};

/// Alert thresholds for running limits (see calendar.h).
struct AlertPolicy {
  std::optional<int> yellow_days;  ///< unset: a fifth of the limit, rounded up, at least 1
  int second_level_after = 5;      ///< working days overdue before 二级督办
};

/// 好差评 (ratings): how long a rating is taken after a case ends and the
/// limits of a bad rating's follow-up. Defaults: 5 working days for a late
/// rating (鲁政办发〔2020〕10号), a call-back within 1 and a rectification
/// within 15 working days (docs/chain-format.md, "Ratings").
struct RatingPolicy {
  Limit within{5};      ///< a rating is accepted until this long after the case ends
  Limit call_back{1};   ///< a bad rating (grade 1–2) is called back (回访) within this
  Limit rectify{15};    ///< and rectified (整改) within this
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
  int promised_days = 0;    ///< whole-chain promise: its count, in promised_unit
  std::optional<int> statutory_days;  ///< whole-chain statutory limit if stated: its count, in statutory_unit
  LimitUnit promised_unit = LimitUnit::working_days;
  LimitUnit statutory_unit = LimitUnit::working_days;
  std::string calendar = "cn-mainland";
  std::string office_close = "17:00";  ///< acceptance after this counts from the next working day
  AlertPolicy alerts;
  /// 容缺受理: deferrable materials missing at acceptance are due this long
  /// after it (`defer_within`; default 10 working days).
  Limit defer_within{10};
  /// `holder:` the field that names the applicant in the holder registry
  /// (a resident ID or a unified social credit code: a field of type
  /// id-card or uscc). Empty: the chain neither records nor reuses.
  Ref holder;
  RatingPolicy ratings;     ///< `ratings:` (好差评)
  Validity valid;           ///< valid_from / valid_until of the chain itself
  std::vector<Department> departments;
  std::vector<Field> fields;        ///< the field catalogue (asked from the applicant)
  std::vector<Material> materials;
  std::vector<Matter> matters;
  std::string source;       ///< file the chain was loaded from
  SourceLocation where;
  /// A locality overlay: the base chain's id (`extends`), where that was
  /// written, the files of the bases in order (the base first, then its
  /// own base…), and what the overlay changes. Empty for a chain that
  /// extends none.
  std::string extends;
  SourceLocation extends_where;
  std::vector<std::string> base_files;
  std::vector<OverlayChange> overlay;

  [[nodiscard]] Limit promised() const { return {promised_days, promised_unit}; }
  /// The whole-chain statutory limit, if stated.
  [[nodiscard]] std::optional<Limit> statutory() const {
    return statutory_days ? std::optional<Limit>(Limit{*statutory_days, statutory_unit}) : std::nullopt;
  }

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
  /// True when the chain or one of its matters has `valid_from` or
  /// `valid_until`: what applies then depends on the acceptance date.
  [[nodiscard]] bool dated() const;
  /// The first day of each period in which the same matters are in force,
  /// in order: Date::min(), then every `valid_from` and every day after a
  /// `valid_until` of the chain's matters. {Date::min()} when none is dated.
  [[nodiscard]] std::vector<Date> validity_periods() const;

 private:
  // Positions, not pointers, so that a copied Chain stays valid.
  struct FieldPos {
    int matter = -1;        ///< -1: the catalogue
    bool produced = false;  ///< in the matter's `produces` (else its field_defs)
    std::size_t index = 0;
  };
  /// Ids to values, looked up by std::string_view: open addressing over
  /// the entries in insertion order (no node per key, no division; a chain
  /// of 10,000 matters looks ids up some 300,000 times while it is
  /// validated). The first value given for an id stays.
  template <class T>
  class ByKey {
   public:
    /// The value of `key`, or nullptr.
    [[nodiscard]] const T* find(std::string_view key) const {
      if (slots_.empty()) return nullptr;
      const std::size_t mask = slots_.size() - 1;
      for (std::size_t i = hash(key) & mask;; i = (i + 1) & mask) {
        const std::uint32_t s = slots_[i];
        if (s == 0) return nullptr;
        if (entries_[s - 1].first == key) return &entries_[s - 1].second;
      }
    }
    /// Adds `key` with `value` unless it is there; the value of `key`.
    T& emplace(std::string_view key, T value) {
      if (T* found = const_cast<T*>(find(key))) return *found;
      if ((entries_.size() + 1) * 2 > slots_.size()) grow();
      entries_.emplace_back(std::string(key), std::move(value));
      place(entries_.size() - 1);
      return entries_.back().second;
    }
    /// The value of `key`, added (default) if it is not there.
    T& operator[](std::string_view key) { return emplace(key, T{}); }
    [[nodiscard]] std::size_t size() const { return entries_.size(); }
    /// Keys and values in insertion order.
    [[nodiscard]] const std::vector<std::pair<std::string, T>>& entries() const { return entries_; }

   private:
    static std::size_t hash(std::string_view k) {
      std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a, then a final mix
      for (unsigned char c : k) h = (h ^ c) * 0x100000001b3ULL;
      h ^= h >> 29;
      h *= 0xbf58476d1ce4e5b9ULL;
      return static_cast<std::size_t>(h ^ (h >> 32));
    }
    void place(std::size_t entry) {
      const std::size_t mask = slots_.size() - 1;
      std::size_t i = hash(entries_[entry].first) & mask;
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = static_cast<std::uint32_t>(entry + 1);
    }
    void grow() {
      slots_.assign(std::max<std::size_t>(16, slots_.size() * 2), 0);
      for (std::size_t e = 0; e < entries_.size(); ++e) place(e);
    }
    std::vector<std::pair<std::string, T>> entries_;
    std::vector<std::uint32_t> slots_;  ///< 0 empty, else an entry's index + 1
  };
  struct Index {
    ByKey<std::size_t> matters, departments, materials;
    ByKey<FieldPos> fields;
    ByKey<std::vector<std::size_t>> producers, issuers;
  };
  Index index_;
};

}  // namespace yilian
