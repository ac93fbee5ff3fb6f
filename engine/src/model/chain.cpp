#include "yilian/chain.h"

#include <algorithm>
#include <array>
#include <utility>

namespace yilian {
namespace {

template <class E, std::size_t N>
std::optional<E> lookup(const std::array<std::pair<std::string_view, E>, N>& table, std::string_view s) {
  for (const auto& [name, value] : table)
    if (name == s) return value;
  return std::nullopt;
}

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<std::string_view, E>, N>& table, E e) {
  for (const auto& [name, value] : table)
    if (value == e) return name;
  return "?";
}

constexpr std::array<std::pair<std::string_view, FieldType>, 12> kFieldTypes{{
    {"string", FieldType::string},
    {"text", FieldType::text},
    {"integer", FieldType::integer},
    {"number", FieldType::number},
    {"boolean", FieldType::boolean},
    {"date", FieldType::date},
    {"enum", FieldType::enumeration},
    {"id-card", FieldType::id_card},
    {"uscc", FieldType::uscc},
    {"phone", FieldType::phone},
    {"area", FieldType::area},
    {"set", FieldType::set},
}};

constexpr std::array<std::pair<std::string_view, MatterKind>, 6> kMatterKinds{{
    {"licensing", MatterKind::licensing},
    {"confirmation", MatterKind::confirmation},
    {"filing", MatterKind::filing},
    {"public-service", MatterKind::public_service},
    {"registration", MatterKind::registration},
    {"other", MatterKind::other},
}};

constexpr std::array<std::pair<std::string_view, PhaseKind>, 14> kPhaseKinds{{
    {"review", PhaseKind::review},
    {"site-inspection", PhaseKind::site_inspection},
    {"decision", PhaseKind::decision},
    {"certificate", PhaseKind::certificate},
    {"publicity", PhaseKind::publicity},
    {"hearing", PhaseKind::hearing},
    {"tendering", PhaseKind::tendering},
    {"auction", PhaseKind::auction},
    {"inspection", PhaseKind::inspection},
    {"testing", PhaseKind::testing},
    {"quarantine", PhaseKind::quarantine},
    {"appraisal", PhaseKind::appraisal},
    {"expert-review", PhaseKind::expert_review},
    {"other", PhaseKind::other},
}};

}  // namespace

std::string_view to_string(FieldType t) { return name_of(kFieldTypes, t); }
std::optional<FieldType> parse_field_type(std::string_view s) { return lookup(kFieldTypes, s); }
bool is_numeric(FieldType t) { return t == FieldType::integer || t == FieldType::number || t == FieldType::area; }
bool is_textual(FieldType t) { return !is_numeric(t) && t != FieldType::boolean && t != FieldType::set; }

std::string Field::label_of(std::string_view value) const {
  const auto it = std::find(values.begin(), values.end(), value);
  if (it != values.end()) {
    const auto i = static_cast<std::size_t>(it - values.begin());
    if (i < value_labels.size() && !value_labels[i].empty()) return value_labels[i];
  }
  return std::string(value);
}

bool Field::allows(std::string_view value) const {
  return std::find(values.begin(), values.end(), value) != values.end();
}

std::string_view to_string(MatterKind k) { return name_of(kMatterKinds, k); }
std::optional<MatterKind> parse_matter_kind(std::string_view s) { return lookup(kMatterKinds, s); }

std::string_view to_string(PhaseKind k) { return name_of(kPhaseKinds, k); }
std::optional<PhaseKind> parse_phase_kind(std::string_view s) { return lookup(kPhaseKinds, s); }

bool is_article45(PhaseKind k) {
  switch (k) {
    case PhaseKind::hearing:
    case PhaseKind::tendering:
    case PhaseKind::auction:
    case PhaseKind::inspection:
    case PhaseKind::testing:
    case PhaseKind::quarantine:
    case PhaseKind::appraisal:
    case PhaseKind::expert_review: return true;
    default: return false;
  }
}

int Matter::uncounted_days() const {
  int sum = 0;
  for (const auto& p : phases)
    if (!p.counted) sum += p.days;
  return sum;
}

void Chain::build_index() {
  index_ = Index{};
  for (std::size_t i = 0; i < matters.size(); ++i) index_.matters.emplace(matters[i].id, i);
  for (std::size_t i = 0; i < departments.size(); ++i) index_.departments.emplace(departments[i].id, i);
  for (std::size_t i = 0; i < materials.size(); ++i) index_.materials.emplace(materials[i].id, i);
  // First definition wins: catalogue, then inline definitions, then produces.
  for (std::size_t i = 0; i < fields.size(); ++i) index_.fields.emplace(fields[i].key, FieldPos{-1, false, i});
  for (std::size_t m = 0; m < matters.size(); ++m)
    for (std::size_t i = 0; i < matters[m].field_defs.size(); ++i)
      index_.fields.emplace(matters[m].field_defs[i].key, FieldPos{static_cast<int>(m), false, i});
  for (std::size_t m = 0; m < matters.size(); ++m) {
    for (std::size_t i = 0; i < matters[m].produces.size(); ++i) {
      index_.fields.emplace(matters[m].produces[i].key, FieldPos{static_cast<int>(m), true, i});
      index_.producers[matters[m].produces[i].key].push_back(m);
    }
    for (const auto& r : matters[m].results) index_.issuers[r.id].push_back(m);
  }
}

const Matter* Chain::find_matter(std::string_view key) const {
  const std::size_t* i = index_.matters.find(key);
  return i ? &matters[*i] : nullptr;
}

std::optional<std::size_t> Chain::matter_index(std::string_view key) const {
  const std::size_t* i = index_.matters.find(key);
  if (!i) return std::nullopt;
  return *i;
}

const Department* Chain::find_department(std::string_view key) const {
  const std::size_t* i = index_.departments.find(key);
  return i ? &departments[*i] : nullptr;
}

const Material* Chain::find_material(std::string_view key) const {
  const std::size_t* i = index_.materials.find(key);
  return i ? &materials[*i] : nullptr;
}

const Field* Chain::find_field(std::string_view key) const {
  const FieldPos* found = index_.fields.find(key);
  if (!found) return nullptr;
  const FieldPos& p = *found;
  if (p.matter < 0) return &fields[p.index];
  const Matter& m = matters[static_cast<std::size_t>(p.matter)];
  return p.produced ? &m.produces[p.index] : &m.field_defs[p.index];
}

namespace {
template <class Index>
std::vector<const Matter*> pick(const std::vector<Matter>& matters, const Index& index, std::string_view key) {
  std::vector<const Matter*> out;
  if (const auto* ms = index.find(key))
    for (std::size_t m : *ms) out.push_back(&matters[m]);
  return out;
}
}  // namespace

const Matter* Chain::producer_of(std::string_view key) const {
  const auto* ms = index_.producers.find(key);
  return ms ? &matters[ms->front()] : nullptr;
}

std::vector<const Matter*> Chain::producers_of(std::string_view key) const { return pick(matters, index_.producers, key); }

const Matter* Chain::issuer_of(std::string_view material) const {
  const auto* ms = index_.issuers.find(material);
  return ms ? &matters[ms->front()] : nullptr;
}

std::vector<const Matter*> Chain::issuers_of(std::string_view material) const {
  return pick(matters, index_.issuers, material);
}

std::vector<std::string> Chain::field_keys() const {
  std::vector<std::string> keys;
  keys.reserve(index_.fields.size());
  for (const auto& [k, v] : index_.fields.entries()) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::string limits_label(const Matter& m) {
  const Limit promised = m.promised();
  return (promised.count == 0 && promised.in_working_days() ? std::string("即办") : "承诺 " + label(promised)) +
         " · 法定 " + label(m.statutory());
}

bool Validity::overlaps(const Validity& o) const {
  const Date a = std::max(from.value_or(Date::min()), o.from.value_or(Date::min()));
  const Date b = std::min(until.value_or(Date::max()), o.until.value_or(Date::max()));
  return a <= b;
}

std::string Validity::to_string() const {
  if (from && until) return from->to_string() + " to " + until->to_string();
  if (from) return "from " + from->to_string();
  if (until) return "until " + until->to_string();
  return "always";
}

Truth applies(const Validity& valid, const Condition& when, std::optional<Date> on, ValueLookup lookup) {
  if (on && !valid.contains(*on)) return Truth::no;
  return when.evaluate(lookup);
}

Truth applies(const Matter& matter, std::optional<Date> on, ValueLookup lookup) {
  return applies(matter.valid, matter.when, on, lookup);
}

bool Chain::dated() const {
  if (valid.bounded()) return true;
  return std::any_of(matters.begin(), matters.end(), [](const Matter& m) { return m.valid.bounded(); });
}

std::vector<Date> Chain::validity_periods() const {
  std::vector<Date> out{Date::min()};
  for (const Matter& m : matters) {
    if (m.valid.from) out.push_back(*m.valid.from);
    if (m.valid.until && *m.valid.until < Date::max()) out.push_back(*m.valid.until + 1);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace yilian
