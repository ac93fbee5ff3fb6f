#include "sim/setup.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "analysis/value_rules.h"
#include "yilian/analysis.h"
#include "yilian/check.h"
#include "yilian/simulate.h"

namespace yilian::detail {
namespace {

SuspensionReason reason_of(PhaseKind k) {
  switch (k) {
    case PhaseKind::hearing: return SuspensionReason::hearing;
    case PhaseKind::tendering: return SuspensionReason::tendering;
    case PhaseKind::auction: return SuspensionReason::auction;
    case PhaseKind::inspection: return SuspensionReason::inspection;
    case PhaseKind::testing: return SuspensionReason::testing;
    case PhaseKind::quarantine: return SuspensionReason::quarantine;
    case PhaseKind::appraisal: return SuspensionReason::appraisal;
    case PhaseKind::expert_review: return SuspensionReason::expert_review;
    default: return SuspensionReason::other;
  }
}

int minutes_of(const std::string& hhmm, int fallback) {
  auto t = TimeOfDay::parse(hhmm);
  return t ? t->minutes : fallback;
}

/// Says why simulated applicants cannot be accepted, and what to do.
std::string refusal(const Chain& c, const CheckResult& r) {
  std::string what;
  for (const auto& bad : r.invalid) {
    const Field* f = c.find_field(bad.key);
    what += fmt::format("{}{}`{}`{}: {}", what.empty() ? "" : "; ",
                        f && f->where.known() ? f->where.to_string() + ": " : "", bad.key,
                        f ? fmt::format(" ({})", f->label) : "", bad.reason);
  }
  for (const auto& m : r.missing) what += fmt::format("{}`{}` is missing", what.empty() ? "" : "; ", m.key);
  return fmt::format(
      "the simulated applicants' application is refused by the chain's form, so no case could ever be accepted: {}. "
      "The simulator fills a field the scenario leaves open with a plain placeholder value; give such a field a valid "
      "value under the scenario's `branches` (e.g. `{}: {{\"VALUE\": 1.0}}`)",
      what, r.invalid.empty() ? std::string("field.key") : r.invalid.front().key);
}

/// A set field's branch: each listed value is chosen on its own with its
/// share, and a draw with none chosen is drawn again. Spelled out as one
/// categorical draw over the combinations that can occur (2^n at most, n
/// listed values), each with its probability over that of a non-empty
/// draw; a set holds its values in the field's order. One draw per
/// applicant like any other branch, so a seed gives the same applicants.
void set_branch(const Field& f, const std::vector<BranchShare>& shares, BranchKey& b) {
  std::vector<std::pair<std::string, double>> listed;  // field order
  for (const auto& v : f.values)
    for (const auto& sh : shares)
      if (const auto* s = std::get_if<std::string>(&sh.value); s && *s == v) listed.emplace_back(v, std::clamp(sh.share, 0.0, 1.0));
  const std::size_t n = std::min(listed.size(), kMaxSetBranchValues);
  std::vector<double> p;
  double total = 0;
  for (std::size_t bits = 1; bits < (std::size_t{1} << n); ++bits) {
    double q = 1;
    ValueSet chosen;
    for (std::size_t i = 0; i < n; ++i) {
      const bool in = (bits >> i) & 1;
      q *= in ? listed[i].second : 1 - listed[i].second;
      if (in) chosen.push_back(listed[i].first);
    }
    if (q <= 0) continue;  // cannot occur (a share of 1 always chosen)
    b.values.emplace_back(std::move(chosen));
    p.push_back(q);
    total += q;
  }
  double sum = 0;
  for (double q : p) {
    sum += q / total;
    b.cumulative.push_back(sum);
  }
  if (!b.cumulative.empty()) b.cumulative.back() = 1.0;
}

}  // namespace

Value placeholder_value(const Field* f) {
  if (!f) return std::string("x");
  // A value the form's checker accepts (check.h): simulated applicants give
  // valid data, so a notice is about what is missing, never a typo.
  auto within = [&](double v) {
    if (f->min) v = std::max(v, *f->min);
    if (f->max) v = std::min(v, *f->max);
    return v;
  };
  switch (f->type) {
    case FieldType::boolean: return false;
    case FieldType::integer: return static_cast<std::int64_t>(std::ceil(within(1)));
    case FieldType::number:
    case FieldType::area: return within(1.0);
    case FieldType::enumeration: return f->values.empty() ? std::string("x") : f->values.front();
    case FieldType::set: {
      // The first values, as many as `min` asks (at least one).
      const auto n = static_cast<std::size_t>(std::max(1.0, f->min.value_or(1.0)));
      ValueSet v(f->values.begin(), f->values.begin() + static_cast<std::ptrdiff_t>(std::min(n, f->values.size())));
      if (v.empty()) v.emplace_back("x");
      return v;
    }
    case FieldType::date: return std::string("2025-01-01");
    case FieldType::phone: return std::string("13800138000");
    case FieldType::id_card: {
      const std::string first17 = "11010519491231002";
      return first17 + resident_id_check_char(first17);
    }
    case FieldType::uscc: {
      const std::string first17 = "91110000600037341";
      return first17 + uscc_check_char(first17);
    }
    default: {
      const auto length = static_cast<std::size_t>(f->min ? std::max(1.0, *f->min) : 1.0);
      if (f->pattern.empty()) return std::string(length, 'x');
      // A text with a pattern: the shortest run of one plain character
      // that it accepts (a VIN, a file number of 12 digits…).
      // The pattern is compiled once here, not once per try (up to 384).
      const std::size_t longest = std::max(length, std::min<std::size_t>(64, f->max ? static_cast<std::size_t>(*f->max) : 64));
      const ValueRule rule = compile_rule(*f);
      InvalidItem why;
      for (std::size_t n = length; n <= longest; ++n)
        for (char ch : {'x', '0', 'A', '1', 'a', 'X'}) {
          Value v = std::string(n, ch);
          if (check_value(rule, v, why)) return v;
        }
      return std::string(length, 'x');
    }
  }
}

std::unique_ptr<Setup> make_setup(std::shared_ptr<const FlowChain> fc, const Calendar& calendar,
                                  const Scenario& scenario, bool separate) {
  auto s = std::make_unique<Setup>();
  const Chain& c = fc->chain();
  s->fc = fc;
  s->separate = separate;
  s->scenario = &scenario;
  const bool continuous = calendar.is_continuous();
  const int opens = continuous ? 0 : scenario.opens.minutes;
  const int closes = continuous ? 24 * 60 : scenario.closes ? scenario.closes->minutes : minutes_of(c.office_close, 17 * 60);
  s->chain_clock = WorkClock(calendar, opens, closes);

  // Departments that have matters, in the chain's order.
  for (const auto& d : c.departments) {
    if (std::none_of(c.matters.begin(), c.matters.end(), [&](const Matter& m) { return m.department == d.id; })) continue;
    s->dept_ids.push_back(d.id);
    const auto it = scenario.departments.find(d.id);
    const DepartmentScenario ds = it != scenario.departments.end() ? it->second : DepartmentScenario{};
    s->officers.push_back(ds.officers);
    const int o = continuous ? 0 : ds.opens ? ds.opens->minutes : opens;
    const int e = continuous ? 24 * 60 : ds.closes ? ds.closes->minutes : closes;
    s->dept_clock.emplace_back(calendar, o, e);
  }

  const std::size_t n = c.matters.size();
  s->service.reserve(n);
  s->suspension.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Matter& m = c.matters[i];
    const auto dit = std::find(s->dept_ids.begin(), s->dept_ids.end(), m.department);
    s->dept_of.push_back(static_cast<int>(dit - s->dept_ids.begin()));
    const auto it = scenario.matters.find(m.id);
    const MatterScenario ms = it != scenario.matters.end() ? it->second : MatterScenario{};
    s->service.push_back(ms.service ? *ms.service : default_service(m));
    s->p_reject.push_back(ms.reject);
    s->p_supplement.push_back(ms.supplement);
    SuspensionReason reason = SuspensionReason::other;
    for (const auto& ph : m.phases)
      if (!ph.counted) {
        reason = reason_of(ph.kind);
        break;
      }
    s->suspension_reason.push_back(reason);
    if (ms.suspension) s->suspension.push_back(*ms.suspension);
    else if (m.uncounted_days() > 0) s->suspension.push_back(Distribution::fixed(m.uncounted_days()));
    else s->suspension.emplace_back();
    // A supplement request asks again for something the applicant handed
    // in: the matter's first own material, else its first field.
    std::vector<std::string> items;
    for (const auto& r : m.materials)
      if (!c.issuer_of(r.id)) {
        items.push_back(r.id);
        break;
      }
    if (items.empty() && !m.fields.empty()) items.push_back(m.fields.front().id);
    if (items.empty()) items.emplace_back("补正说明");
    s->supplement_items.push_back(std::move(items));
    s->own_materials.push_back(static_cast<int>(m.materials.size()));
    int fields = 0;
    for (const auto& r : m.fields)
      if (const Field* f = c.find_field(r.id); f && f->required) ++fields;
    s->own_fields.push_back(fields);
  }
  // Samplers point into the vectors above: fill them once these are final.
  for (std::size_t i = 0; i < n; ++i) {
    s->service_sampler.emplace_back(s->service[i]);
    s->suspension_sampler.push_back(s->suspension[i] ? Sampler(*s->suspension[i]) : Sampler());
  }
  s->statutory = c.statutory().value_or(Limit{kJointHandlingCeilingDays});
  s->response = Sampler(scenario.response);
  s->pickup = Sampler(scenario.pickup);
  s->gap = Sampler(scenario.baseline_gap);

  for (const auto& [key, shares] : scenario.branches) {
    BranchKey b;
    b.key = key;
    const Matter* producer = c.producer_of(key);
    b.producer = producer ? static_cast<int>(producer - c.matters.data()) : -1;
    if (const Field* f = c.find_field(key); f && f->type == FieldType::set) {
      set_branch(*f, shares, b);
      s->branches.push_back(std::move(b));
      continue;
    }
    double sum = 0;
    for (const auto& sh : shares) {
      b.values.push_back(sh.value);
      sum += sh.share;
      b.cumulative.push_back(sum);
    }
    const Field* f = c.find_field(key);
    if (f && f->type == FieldType::boolean && shares.size() == 1 && sum < 1) {
      b.values.emplace_back(!std::get<bool>(shares.front().value));
      b.cumulative.push_back(1.0);
    }
    if (!b.cumulative.empty()) b.cumulative.back() = 1.0;  // rounding of shares that sum to 1
    s->branches.push_back(std::move(b));
  }
  return s;
}

Profile& Setup::profile(const std::vector<int>& choice) {
  auto it = profiles_.find(choice);
  if (it != profiles_.end()) return *it->second;
  const Chain& c = fc->chain();
  auto p = std::make_unique<Profile>();
  FieldValues values;
  for (std::size_t i = 0; i < branches.size(); ++i)
    if (branches[i].producer < 0) values[branches[i].key] = branches[i].values[static_cast<std::size_t>(choice[i])];
  // Ask the flow core what the application needs (一次告知), fill it in,
  // and ask again: the values given may switch matters on or off.
  std::vector<std::string> materials;
  for (int round = 0; round < 16; ++round) {
    bool added = false;
    materials.clear();
    const CheckResult checked = fc->check(values, {});
    for (const auto& m : checked.deferred) materials.push_back(m.key);  // the complete application has them
    for (const auto& m : checked.missing) {
      if (m.kind == MissingItem::Kind::material) {
        materials.push_back(m.key);
      } else if (!values.count(m.key)) {
        values[m.key] = placeholder_value(c.find_field(m.key));
        added = true;
      }
    }
    if (!added) break;
  }
  std::sort(materials.begin(), materials.end());
  const CheckResult final_check = fc->check(values, materials);
  if (!final_check.complete) p->problem = refusal(c, final_check);
  p->fields = static_cast<int>(values.size());
  p->materials = static_cast<int>(materials.size());
  // The kinds of application (Profile::submits); each list is made once
  // and shared by every applicant of the kind.
  std::vector<std::string> without_deferrable;
  for (const auto& id : materials)
    if (const Material* mat = c.find_material(id); !mat || !mat->deferrable) without_deferrable.push_back(id);
  std::vector<int> committable;
  for (std::size_t m = 0; m < c.matters.size(); ++m)
    if (c.matters[m].commitment == Matter::Commitment::optional) committable.push_back(static_cast<int>(m));
  // 一次收齐: what the registry holds for a returning applicant, and what
  // they then leave out.
  HolderRecord known;
  FieldValues returning_values = values;
  std::vector<std::string> registry_materials;
  if (!c.holder.id.empty()) {
    const std::string section = c.holder.id.substr(0, c.holder.id.rfind('.') + 1);
    if (const Value* h = find_value(values, c.holder.id); h && std::holds_alternative<std::string>(*h))
      known.holder = std::get<std::string>(*h);
    for (auto at = returning_values.begin(); at != returning_values.end();)
      if (at->first != c.holder.id && at->first.starts_with(section)) {
        known.values.push_back({at->first, at->second, 0});
        at = returning_values.erase(at);
      } else {
        ++at;
      }
    for (const std::string& id : materials)
      if (const Material* mat = c.find_material(id); mat && mat->licence) {
        registry_materials.push_back(id);
        known.licences.push_back({mat->licence->kind, "", "", Date::from_days(0), std::nullopt, 0});
      }
  }
  for (unsigned kind = 0; kind < p->submits.size(); ++kind) {
    std::vector<std::string> handed = (kind & 2) ? without_deferrable : materials;
    if (kind & 16)
      std::erase_if(handed, [&](const std::string& id) {
        return std::find(registry_materials.begin(), registry_materials.end(), id) != registry_materials.end();
      });
    if ((kind & 1) && !handed.empty()) handed.erase(handed.begin());
    // 代办帮办: the agent hands in the applicant's authorisation too.
    if (kind & 8) {
      const std::string authorisation(kAgentAuthorisation);
      handed.insert(std::upper_bound(handed.begin(), handed.end(), authorisation), authorisation);
    }
    event::Submitted e{(kind & 16) ? returning_values : values, std::move(handed), Channel::window};
    if (kind & 16) e.reuse = known;
    if (kind & 4) e.commitments = committable;
    if (kind & 8) e.agent = Agent{"代办员", "11010519491231002X", ""};
    p->submits[kind] = Event{Instant{}, std::move(e)};
  }
  for (std::size_t m = 0; m < c.matters.size(); ++m) {
    FieldValues produced;
    for (const Field& f : c.matters[m].produces) {
      Value v = placeholder_value(&f);
      for (std::size_t i = 0; i < branches.size(); ++i)
        if (branches[i].producer == static_cast<int>(m) && branches[i].key == f.key)
          v = branches[i].values[static_cast<std::size_t>(choice[i])];
      produced[f.key] = std::move(v);
    }
    if (p->problem.empty())
      if (const std::string why = fc->produced_problems(static_cast<int>(m), produced); !why.empty())
        p->problem = fmt::format(
            "the simulated department's approval of `{}` would be refused, so no case could ever finish: {}. The "
            "simulator makes up a produced value the scenario leaves open with a plain placeholder; give such a field "
            "a valid value under the scenario's `branches`",
            c.matters[m].id, why);
    p->approve.push_back(Event{Instant{}, event::TaskApproved{static_cast<int>(m), 0, std::move(produced)}});
  }
  Profile& ref = *p;
  profiles_.emplace(choice, std::move(p));
  return ref;
}

}  // namespace yilian::detail
