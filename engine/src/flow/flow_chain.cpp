// FlowChain: a chain compiled for the state machine, and the small value
// helpers of flow.h.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <set>
#include <unordered_map>

#include "analysis/graph.h"
#include "analysis/value_rules.h"
#include "load/doc_reader.h"
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

struct FlowChain::Rules {
  std::vector<detail::ValueRule> all;                 ///< every field of the chain (catalogue, matters', produced)
  std::unordered_map<const Field*, std::size_t> of;   ///< a field of the chain -> its rule in `all`
  std::vector<std::vector<std::size_t>> produced;     ///< by matter: the rules of its `produces`

  /// The compiled rule of a field of the chain.
  [[nodiscard]] const detail::ValueRule& rule(const Field& f) const { return all[of.at(&f)]; }
};

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
  // The application is checked by the one checker of the form (check.h),
  // the same rules `yilian check` applies.
  fc->checker_ = std::make_shared<const FormChecker>(c);
  fc->dated_ = std::any_of(c.matters.begin(), c.matters.end(), [](const Matter& m) { return m.valid.bounded(); });
  fc->deferrable_ = std::any_of(c.materials.begin(), c.materials.end(), [](const Material& m) { return m.deferrable; });
  fc->periods_ = c.validity_periods();
  auto rules = std::make_shared<Rules>();
  auto add = [&](const Field& f) {
    rules->of.emplace(&f, rules->all.size());
    rules->all.push_back(detail::compile_rule(f));
    return rules->all.size() - 1;
  };
  for (const Field& f : c.fields) add(f);
  for (const Matter& m : c.matters) {
    for (const Field& f : m.field_defs) add(f);
    auto& produced = rules->produced.emplace_back();
    for (const Field& f : m.produces) produced.push_back(add(f));
  }
  fc->rules_ = std::move(rules);
  fc->chain_ = std::move(chain);
  return fc;
}

std::string FlowChain::produced_problems(int matter, const FieldValues& produced) const {
  std::string problems;
  auto add = [&](const Field& f, std::string_view what) {
    if (!problems.empty()) problems += '\n';
    problems += fmt::format("`{}` ({}) {}", f.key, f.label, what);
  };
  for (const std::size_t r : rules_->produced.at(static_cast<std::size_t>(matter))) {
    const detail::ValueRule& rule = rules_->all[r];
    const Value* v = find_value(produced, rule.field.key);
    if (!v || detail::is_blank(*v)) {
      if (rule.field.required) add(rule.field, "is missing: the matter declares it under `produces`");
      continue;
    }
    InvalidItem bad;
    if (!detail::check_value(rule, *v, bad)) add(rule.field, fmt::format("is not valid: {}", bad.reason));
  }
  // A key the matter does not declare would be written into the log as if
  // the department had issued it: refused, with the likely one.
  const Matter& m = chain_->matters.at(static_cast<std::size_t>(matter));
  std::vector<std::string> declared;
  for (const Field& f : m.produces) declared.push_back(f.key);
  for (const auto& [key, value] : produced) {
    if (std::find(declared.begin(), declared.end(), key) != declared.end()) continue;
    if (!problems.empty()) problems += '\n';
    const std::string hint = detail::did_you_mean(key, declared);
    problems += declared.empty()
                    ? fmt::format("`{}` is not one {} produces: it declares no `produces`", key, m.id)
                    : fmt::format("`{}` is not one {} declares under `produces` ({}){}", key, m.id,
                                  fmt::join(declared, ", "), hint.empty() ? "" : fmt::format("; {}", hint));
  }
  return problems;
}

int FlowChain::matter_index(std::string_view id) const {
  auto i = chain_->matter_index(id);
  return i ? static_cast<int>(*i) : -1;
}

const std::string& FlowChain::matter_id(int matter) const {
  return chain_->matters[static_cast<std::size_t>(matter)].id;
}

/// The last verdicts, each with the lists it was given (held, so their
/// copies stay alive and cannot be mistaken for other lists at the same
/// address); replaced in turn.
struct CheckMemo::Impl {
  struct Entry {
    const FlowChain* chain = nullptr;  ///< whose verdict (a memo may serve several chains)
    Shared<FieldValues> values;
    Shared<std::vector<std::string>> materials;
    std::size_t period = 0;  ///< of the acceptance date: which matters were in force
    FlowChain::Verdict verdict;
  };
  /// Lists before a supplement, the supplement, and the lists after.
  struct Merge {
    Shared<FieldValues> values;
    Shared<std::vector<std::string>> materials;
    FieldValues fields;
    std::vector<std::string> added;
    Shared<FieldValues> merged_values;
    Shared<std::vector<std::string>> merged_materials;
  };
  static constexpr std::size_t kSize = 32;
  std::vector<Entry> entries;
  std::size_t next = 0;
  std::vector<Merge> merges;
  std::size_t next_merge = 0;

  /// Keeps `item` in a ring of at most kSize, replacing the oldest.
  template <class T>
  static void keep(std::vector<T>& ring, std::size_t& next, T item) {
    if (ring.size() < kSize) ring.push_back(std::move(item));
    else ring[next] = std::move(item);
    next = (next + 1) % kSize;
  }
};

CheckMemo::CheckMemo() : impl_(std::make_unique<Impl>()) {}
CheckMemo::~CheckMemo() = default;

std::string FlowChain::not_in_force(Date day) const {
  const Validity& v = chain_->valid;
  if (v.contains(day)) return "";
  return fmt::format("chain {} v{} is in force {}; a case accepted on {} cannot use it", chain_->id, chain_->version,
                     v.to_string(), day.to_string());
}

FlowChain::Verdict FlowChain::verdict(const Shared<FieldValues>& values,
                                      const Shared<std::vector<std::string>>& materials, Date on,
                                      CheckMemo* memo) const {
  const std::optional<Date> day = check_date(on);
  const auto period = static_cast<std::size_t>(std::upper_bound(periods_.begin(), periods_.end(), on) - periods_.begin());
  CheckMemo::Impl* remembered = memo ? memo->impl_.get() : nullptr;
  if (remembered)
    for (const auto& e : remembered->entries)
      if (e.chain == this && e.values.same(values) && e.materials.same(materials) && e.period == period) return e.verdict;
  Verdict v;
  v.complete = checker_->complete(*values, *materials, day);
  if (!v.complete || deferrable_) {
    auto r = std::make_shared<const CheckResult>(checker_->check(*values, *materials, day));
    if (!v.complete || !r->deferred.empty()) v.result = std::move(r);
  }
  if (remembered)
    CheckMemo::Impl::keep(remembered->entries, remembered->next, CheckMemo::Impl::Entry{this, values, materials, period, v});
  return v;
}

void FlowChain::supplement(Shared<FieldValues>& values, Shared<std::vector<std::string>>& materials,
                           const FieldValues& fields, const std::vector<std::string>& added, CheckMemo* memo) const {
  CheckMemo::Impl* remembered = memo ? memo->impl_.get() : nullptr;
  if (remembered)
    for (const auto& m : remembered->merges)
      if (m.values.same(values) && m.materials.same(materials) && m.fields == fields && m.added == added) {
        values = m.merged_values;
        materials = m.merged_materials;
        return;
      }
  // Held by the memory below, the lists before stay as they are: the
  // first change copies them.
  CheckMemo::Impl::Merge before;
  if (remembered) before = {values, materials, {}, {}, {}, {}};
  bool changed = false;
  for (const auto& [k, v] : fields) {
    const auto it = values->find(k);
    if (it != values->end() && it->second == v) continue;
    values.edit().insert_or_assign(k, v);
    changed = true;
  }
  for (const auto& m : added) {
    if (std::binary_search(materials->begin(), materials->end(), m)) continue;
    std::vector<std::string>& held = materials.edit();
    held.insert(std::lower_bound(held.begin(), held.end(), m), m);
    changed = true;
  }
  if (!remembered || !changed) return;
  before.fields = fields;
  before.added = added;
  before.merged_values = values;
  before.merged_materials = materials;
  CheckMemo::Impl::keep(remembered->merges, remembered->next_merge, std::move(before));
}

std::string invalid_items_message(const std::vector<InvalidItem>& items) {
  std::string msg = fmt::format("the application has {} invalid item{}:", items.size(), items.size() == 1 ? "" : "s");
  for (const InvalidItem& i : items)
    msg += fmt::format("\n  {}: {}{}", i.key, i.reason, i.hint.empty() ? "" : fmt::format(" ({})", i.hint));
  return msg;
}

std::string FlowChain::supplied_problems(const FieldValues& fields, const std::vector<std::string>& materials) const {
  // Known keys with valid values and known materials cannot be invalid:
  // the full check (which builds every item) runs only otherwise.
  const bool plainly_valid =
      std::all_of(fields.begin(), fields.end(),
                  [&](const auto& kv) {
                    const Field* f = chain_->find_field(kv.first);
                    InvalidItem why;
                    return f && (detail::is_blank(kv.second) || detail::check_value(rules_->rule(*f), kv.second, why));
                  }) &&
      std::all_of(materials.begin(), materials.end(), [&](const std::string& m) { return chain_->find_material(m) != nullptr; });
  if (plainly_valid) return "";
  const CheckResult r = checker_->check(fields, materials);
  return r.invalid.empty() ? "" : invalid_items_message(r.invalid);
}

CheckResult FlowChain::check(const FieldValues& values, const std::vector<std::string>& materials,
                             std::optional<Date> on) const {
  return checker_->check(values, materials, on);
}

std::vector<FlowChain::Missing> FlowChain::missing(const FieldValues& values, const std::vector<std::string>& materials,
                                                   std::optional<Date> on) const {
  return to_missing(check(values, materials, on));
}

std::vector<FlowChain::Missing> FlowChain::to_missing(const std::vector<MissingItem>& items) const {
  std::vector<Missing> out;
  out.reserve(items.size());
  for (const auto& m : items) {
    Missing x{m.kind == MissingItem::Kind::field ? Missing::Kind::field : Missing::Kind::material, m.key, {}};
    for (const auto& id : m.needed_by)
      if (int i = matter_index(id); i >= 0) x.needed_by.push_back(i);
    out.push_back(std::move(x));
  }
  return out;
}

namespace {
template <class E, std::size_t N>
std::string_view name_in(const std::array<std::string_view, N>& names, E e) {
  const auto i = static_cast<std::size_t>(e);
  return i < N ? names[i] : "?";
}
constexpr std::array<std::string_view, 8> kStages{"created",   "incomplete", "running",   "ready",
                                                  "delivered", "rejected",   "withdrawn", "verifying"};
constexpr std::array<std::string_view, 11> kTaskStatuses{"waiting",  "skipped",  "dispatched", "supplement",
                                                         "suspended", "incident", "approved",   "rejected",
                                                         "cancelled", "verifying", "revoked"};
constexpr std::array<std::string_view, 5> kFollowUpSteps{"called-back", "rectified", "appealed", "appeal-upheld",
                                                         "appeal-rejected"};
constexpr std::array<std::string_view, 4> kAppeals{"none", "pending", "upheld", "rejected"};
constexpr std::array<std::string_view, 5> kGrades{"非常不满意", "不满意", "基本满意", "满意", "非常满意"};
}  // namespace

std::string_view to_string(FollowUpStep s) { return name_in(kFollowUpSteps, s); }
std::optional<FollowUpStep> parse_follow_up_step(std::string_view s) {
  for (std::size_t i = 0; i < kFollowUpSteps.size(); ++i)
    if (kFollowUpSteps[i] == s) return static_cast<FollowUpStep>(i);
  return std::nullopt;
}
std::string_view to_string(FollowUp::Appeal a) { return name_in(kAppeals, a); }
std::string_view grade_label(int grade) {
  return grade >= 1 && grade <= 5 ? kGrades[static_cast<std::size_t>(grade - 1)] : std::string_view();
}

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
  static constexpr std::array<std::string_view, 16> names{
      "submitted",    "supplemented", "task-approved", "task-rejected", "supplement-requested",
      "task-suspended", "task-resumed", "task-incident", "task-retried",  "timer-fired",
      "extended",     "withdrawn",    "delivered",     "rated",         "followed-up",
      "file-attached"};
  static_assert(names.size() == std::variant_size_v<EventBody>);
  return names[body.index()];
}

}  // namespace yilian
