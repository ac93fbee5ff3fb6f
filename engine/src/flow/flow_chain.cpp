// FlowChain: a chain compiled for the state machine, and the small value
// helpers of flow.h.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <set>

#include "analysis/graph.h"
#include "yilian/flow.h"

namespace yilian {

std::string Instant::to_string() const {
  const TimeOfDay t = time();
  return fmt::format("{}T{:02}:{:02}:{:02}", date().to_string(), t.minutes / 60, t.minutes % 60,
                     ((seconds % 60) + 60) % 60);
}

std::optional<Instant> Instant::parse(std::string_view s) {
  auto d = Date::parse(s.substr(0, 10));
  if (!d) return std::nullopt;
  if (s.size() == 10) return Instant::at(*d);
  if (s.size() < 16 || (s[10] != 'T' && s[10] != ' ')) return std::nullopt;
  auto t = TimeOfDay::parse(s.substr(11, 5));
  if (!t) return std::nullopt;
  int sec = 0;
  if (s.size() == 19 && s[16] == ':' && std::isdigit(static_cast<unsigned char>(s[17])) &&
      std::isdigit(static_cast<unsigned char>(s[18])))
    sec = (s[17] - '0') * 10 + (s[18] - '0');
  else if (s.size() != 16)
    return std::nullopt;
  if (sec > 59) return std::nullopt;
  Instant i = Instant::at(*d, *t);
  i.seconds += sec;
  return i;
}

std::shared_ptr<const FlowChain> FlowChain::compile(std::shared_ptr<const Chain> chain, Calendar calendar,
                                                    FlowOptions options) {
  auto fc = std::shared_ptr<FlowChain>(new FlowChain());
  const Chain& c = *chain;
  fc->calendar_ = std::move(calendar);
  fc->options_ = options;
  if (auto close = TimeOfDay::parse(c.office_close)) fc->hours_.closes = *close;
  const detail::DependencyGraph g = detail::build_graph(c);
  // A topological order that reads like the file: by stage, then as written.
  std::vector<int> level(c.matters.size(), 0);
  for (int m : g.topo)
    for (int p : g.preds[static_cast<std::size_t>(m)])
      level[static_cast<std::size_t>(m)] = std::max(level[static_cast<std::size_t>(m)], level[static_cast<std::size_t>(p)] + 1);
  fc->order_ = g.topo;
  std::sort(fc->order_.begin(), fc->order_.end(), [&](int a, int b) {
    return level[static_cast<std::size_t>(a)] != level[static_cast<std::size_t>(b)]
               ? level[static_cast<std::size_t>(a)] < level[static_cast<std::size_t>(b)]
               : a < b;
  });
  fc->preds_ = g.preds;
  const std::size_t n = c.matters.size();
  fc->asked_fields_.resize(n);
  fc->asked_materials_.resize(n);
  // A field is asked from the applicant unless a matter of the chain
  // produces it and the chain prefers the produced value (once-only).
  auto asked = [&](const std::string& key) {
    if (!c.producer_of(key)) return true;
    const Field* f = c.find_field(key);
    return f && f->produced_by.empty() && f->prefer == Prefer::applicant;
  };
  std::set<std::string> condition_fields;
  for (std::size_t m = 0; m < n; ++m) {
    const Matter& mt = c.matters[m];
    for (const auto& r : mt.fields) {
      const Field* f = c.find_field(r.id);
      if (f && f->required && asked(r.id)) fc->asked_fields_[m].push_back(r.id);
    }
    for (const auto& r : mt.materials)
      if (!c.issuer_of(r.id)) fc->asked_materials_[m].push_back(r.id);
    for (const auto& k : mt.when.fields())
      if (asked(k)) condition_fields.insert(k);
  }
  fc->condition_fields_.assign(condition_fields.begin(), condition_fields.end());
  // Sorted lists of what missing() checks, and positions into them.
  std::set<std::string> keys(condition_fields.begin(), condition_fields.end()), mats;
  for (std::size_t m = 0; m < n; ++m) {
    keys.insert(fc->asked_fields_[m].begin(), fc->asked_fields_[m].end());
    mats.insert(fc->asked_materials_[m].begin(), fc->asked_materials_[m].end());
  }
  fc->keys_.assign(keys.begin(), keys.end());
  fc->material_ids_.assign(mats.begin(), mats.end());
  auto position = [](const std::vector<std::string>& sorted, const std::string& key) {
    return static_cast<int>(std::lower_bound(sorted.begin(), sorted.end(), key) - sorted.begin());
  };
  for (const auto& k : fc->condition_fields_) fc->condition_key_idx_.push_back(position(fc->keys_, k));
  fc->asked_key_idx_.resize(n);
  fc->asked_material_idx_.resize(n);
  for (std::size_t m = 0; m < n; ++m) {
    for (const auto& k : fc->asked_fields_[m]) fc->asked_key_idx_[m].push_back(position(fc->keys_, k));
    for (const auto& k : fc->asked_materials_[m]) fc->asked_material_idx_[m].push_back(position(fc->material_ids_, k));
  }
  fc->chain_ = std::move(chain);
  return fc;
}

int FlowChain::matter_index(std::string_view id) const {
  auto i = chain_->matter_index(id);
  return i ? static_cast<int>(*i) : -1;
}

const std::string& FlowChain::matter_id(int matter) const {
  return chain_->matters[static_cast<std::size_t>(matter)].id;
}

std::vector<FlowChain::Missing> FlowChain::missing(const FieldValues& values,
                                                   const std::vector<std::string>& materials) const {
  std::vector<Missing> out;
  auto add = [&](Missing::Kind kind, const std::string& key, int matter) {
    for (auto& m : out)
      if (m.kind == kind && m.key == key) {
        if (matter >= 0) m.needed_by.push_back(matter);
        return;
      }
    Missing m{kind, key, {}};
    if (matter >= 0) m.needed_by.push_back(matter);
    out.push_back(std::move(m));
  };
  // Which keys have a value and which materials were handed in: one merge
  // walk of each sorted list (values is ordered by key; materials sorted).
  // Flags on the stack for chains of usual size (no allocation per call).
  std::array<char, 512> small{};
  std::vector<char> big;
  char* has_key = small.data();
  if (keys_.size() + material_ids_.size() > small.size()) {
    big.assign(keys_.size() + material_ids_.size(), 0);
    has_key = big.data();
  }
  char* has_material = has_key + keys_.size();
  {
    auto it = values.begin();
    for (std::size_t k = 0; k < keys_.size() && it != values.end(); ++k) {
      int c = 0;
      while (it != values.end() && (c = it->first.compare(keys_[k])) < 0) ++it;
      if (it != values.end() && c == 0 && !std::holds_alternative<std::monostate>(it->second)) has_key[k] = 1;
    }
    auto mt = materials.begin();
    for (std::size_t k = 0; k < material_ids_.size() && mt != materials.end(); ++k) {
      int c = 0;
      while (mt != materials.end() && (c = mt->compare(material_ids_[k])) < 0) ++mt;
      if (mt != materials.end() && c == 0) has_material[k] = 1;
    }
  }
  // Fields that decide which matters apply are needed whatever the branch.
  for (std::size_t i = 0; i < condition_fields_.size(); ++i)
    if (!has_key[static_cast<std::size_t>(condition_key_idx_[i])]) add(Missing::Kind::field, condition_fields_[i], -1);
  for (std::size_t m = 0; m < preds_.size(); ++m) {
    // A matter applies unless its condition is known to be false.
    if (chain_->matters[m].when.evaluate(values) == Truth::no) continue;
    for (std::size_t i = 0; i < asked_fields_[m].size(); ++i)
      if (!has_key[static_cast<std::size_t>(asked_key_idx_[m][i])]) add(Missing::Kind::field, asked_fields_[m][i], static_cast<int>(m));
    for (std::size_t i = 0; i < asked_materials_[m].size(); ++i)
      if (!has_material[static_cast<std::size_t>(asked_material_idx_[m][i])])
        add(Missing::Kind::material, asked_materials_[m][i], static_cast<int>(m));
  }
  return out;
}

namespace {
template <class E, std::size_t N>
std::string_view name_in(const std::array<std::string_view, N>& names, E e) {
  const auto i = static_cast<std::size_t>(e);
  return i < N ? names[i] : "?";
}
constexpr std::array<std::string_view, 7> kStages{"created", "incomplete", "running", "ready",
                                                  "delivered", "rejected", "withdrawn"};
constexpr std::array<std::string_view, 9> kTaskStatuses{"waiting",  "skipped",  "dispatched", "supplement", "suspended",
                                                        "incident", "approved", "rejected",   "cancelled"};
}  // namespace

std::string_view to_string(CaseStage s) { return name_in(kStages, s); }
std::optional<CaseStage> parse_case_stage(std::string_view s) {
  for (std::size_t i = 0; i < kStages.size(); ++i)
    if (kStages[i] == s) return static_cast<CaseStage>(i);
  return std::nullopt;
}
std::string_view to_string(TaskStatus s) { return name_in(kTaskStatuses, s); }
std::string_view to_string(Channel c) { return c == Channel::window ? "window" : "online"; }
std::string_view to_string(DeliveryMethod m) {
  return m == DeliveryMethod::in_person ? "in-person" : m == DeliveryMethod::express ? "express" : "electronic";
}
std::string_view to_string(StepResult r) {
  return r == StepResult::applied ? "applied" : r == StepResult::ignored ? "ignored" : "invalid";
}

std::string_view event_name(const EventBody& body) {
  static constexpr std::array<std::string_view, 13> names{
      "submitted",    "supplemented", "task-approved", "task-rejected", "supplement-requested",
      "task-suspended", "task-resumed", "task-incident", "task-retried",  "timer-fired",
      "extended",     "withdrawn",    "delivered"};
  return names[body.index()];
}

}  // namespace yilian
