// Scenario YAML → Scenario (schemas/scenario.schema.json). Every problem is
// reported in one pass, located file:line:column with its key path, and ids
// of the chain (matters, departments, fields) are checked with did-you-mean.
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "load/doc_reader.h"
#include "load/yaml_tree.h"
#include "yilian/scenario.h"

namespace yilian {
namespace {

using detail::child_path;
using detail::DocReader;
using detail::YamlNode;

class ScenarioReader {
 public:
  ScenarioReader(const std::string& file, Diagnostics& diags, const Chain& chain)
      : r_(file, diags), chain_(chain) {
    const auto dir = std::filesystem::path(file).parent_path();
    base_dir_ = dir.empty() ? "." : dir.string();
  }

  void read(const YamlNode& root, Scenario& s) {
    if (root.is_null()) {
      r_.error(root, "", "empty", "the scenario file is empty; it needs at least a horizon and arrivals");
      return;
    }
    if (!r_.check_map(root, "",
                      {"chain", "description", "seed", "start", "calendar", "horizon", "arrivals", "office_hours",
                       "departments", "matters", "applicant", "delivery", "branches", "baseline", "ratings"},
                      {}, "a scenario"))
      return;
    if (const YamlNode* n = root.get("chain")) {
      if (auto id = r_.identifier(n, "chain", false); id && *id != chain_.id)
        r_.error(*n, "chain", "chain-mismatch",
                 fmt::format("the scenario is written for chain `{}`, but chain `{}` is simulated", *id, chain_.id));
    }
    (void)r_.text(root.get("description"), "description", true);
    if (auto v = r_.integer(root.get("seed"), "seed", 0, std::numeric_limits<std::int64_t>::max()))
      s.seed = static_cast<std::uint64_t>(*v);
    if (const YamlNode* n = root.get("start")) {
      if (auto t = r_.text(n, "start")) {
        if (auto d = Date::parse(*t)) s.start = *d;
        else r_.error(*n, "start", "date", fmt::format("`{}` is not a date: expected YYYY-MM-DD", *t));
      }
    }
    if (const YamlNode* n = root.get("calendar")) {
      if (auto id = r_.identifier(n, "calendar", false)) s.calendar = *id;
    }
    if (const YamlNode* n = root.get("horizon")) read_horizon(*n, s);
    if (const YamlNode* n = root.get("arrivals")) read_arrivals(*n, s);
    if (const YamlNode* n = root.get("office_hours")) read_hours(*n, "office_hours", &s.opens, s.closes);
    if (const YamlNode* n = root.get("departments")) read_departments(*n, s);
    if (const YamlNode* n = root.get("matters")) read_matters(*n, s);
    if (const YamlNode* n = root.get("applicant")) read_applicant(*n, s);
    if (const YamlNode* n = root.get("delivery")) read_delivery(*n, s);
    if (const YamlNode* n = root.get("branches")) read_branches(*n, s);
    if (const YamlNode* n = root.get("baseline")) read_baseline(*n, s);
    if (const YamlNode* n = root.get("ratings")) read_ratings(*n, s);
  }

 private:
  std::optional<double> probability(const YamlNode* n, const std::string& path) {
    auto v = r_.number(n, path);
    if (v && !(*v >= 0 && *v <= 1)) {
      r_.error(*n, path, "probability", fmt::format("{} is not a probability: expected 0 to 1", *v));
      return std::nullopt;
    }
    return v;
  }

  std::optional<Distribution> distribution(const YamlNode* n, const std::string& path) {
    auto t = r_.text(n, path);
    if (!t) return std::nullopt;
    auto d = parse_distribution(*t, base_dir_);
    if (!d) {
      r_.error(*n, path, d.status().code() == Status::Code::io_error ? "io" : "distribution", d.status().message());
      return std::nullopt;
    }
    return std::move(*d);
  }

  std::optional<TimeOfDay> time_of_day(const YamlNode* n, const std::string& path) {
    auto t = r_.text(n, path);
    if (!t) return std::nullopt;
    auto v = TimeOfDay::parse(*t);
    if (!v) r_.error(*n, path, "time", fmt::format("`{}` is not a time of day: expected HH:MM, e.g. 09:00", *t));
    return v;
  }

  void read_horizon(const YamlNode& n, Scenario& s) {
    if (!r_.check_map(n, "horizon", {"days", "cases", "warmup_days"}, {}, "the horizon")) return;
    if (auto v = r_.integer(n.get("days"), "horizon.days", 1, 2'000'000)) s.days = static_cast<int>(*v);
    if (auto v = r_.integer(n.get("cases"), "horizon.cases", 1, 1'000'000'000)) s.cases = static_cast<std::uint64_t>(*v);
    if (auto v = r_.integer(n.get("warmup_days"), "horizon.warmup_days", 0, 2'000'000)) {
      s.warmup_days = static_cast<int>(*v);
      if (s.days && s.warmup_days >= *s.days)
        r_.error(*n.get("warmup_days"), "horizon.warmup_days", "range",
                 fmt::format("the warm-up ({} days) must be shorter than the horizon ({} days)", s.warmup_days, *s.days));
    }
  }

  void read_arrivals(const YamlNode& n, Scenario& s) {
    if (!r_.check_map(n, "arrivals", {"poisson", "trace"}, {}, "the arrivals")) return;
    if (n.get("poisson") && n.get("trace"))
      r_.error(n, "arrivals", "conflict", "give either `poisson` (a rate) or `trace` (a CSV file), not both");
    if (const YamlNode* p = n.get("poisson")) {
      if (auto v = r_.number(p, "arrivals.poisson")) {
        if (*v > 0 && *v <= 1e6) s.arrival_rate = *v;
        else r_.error(*p, "arrivals.poisson", "range", fmt::format("{} cases per working day: expected above 0, at most 1000000", *v));
      }
    }
    if (const YamlNode* t = n.get("trace")) {
      if (auto file = r_.text(t, "arrivals.trace")) {
        std::filesystem::path p(*file);
        if (p.is_relative()) p = std::filesystem::path(base_dir_) / p;
        auto trace = read_arrival_trace(p.string());
        if (!trace) r_.error(*t, "arrivals.trace", trace.status().code() == Status::Code::io_error ? "io" : "trace",
                             trace.status().message());
        else {
          s.trace = std::move(*trace);
          s.trace_source = p.string();
        }
      }
    }
  }

  void read_hours(const YamlNode& n, const std::string& path, TimeOfDay* opens, std::optional<TimeOfDay>& closes) {
    if (!r_.check_map(n, path, {"opens", "closes"}, {}, "office hours")) return;
    auto o = time_of_day(n.get("opens"), child_path(path, "opens"));
    auto c = time_of_day(n.get("closes"), child_path(path, "closes"));
    if (o) *opens = *o;
    if (c) closes = *c;
    if (o && c && !(*o < *c))
      r_.error(n, path, "hours", fmt::format("opens at {} and closes at {}: opening must come first", o->to_string(),
                                             c->to_string()));
  }

  void read_departments(const YamlNode& n, Scenario& s) {
    if (!r_.check_id_map(n, "departments", "departments by id")) return;
    std::vector<std::string> ids;
    for (const auto& d : chain_.departments) ids.push_back(d.id);
    for (const auto& [k, v] : n.entries()) {
      const std::string path = child_path("departments", k->text());
      if (!chain_.find_department(k->text())) {
        r_.error(*k, path, "unknown-department",
                 fmt::format("`{}` is not a department of chain {}", k->text(), chain_.id), detail::did_you_mean(k->text(), ids));
        continue;
      }
      DepartmentScenario ds;
      if (v->kind == YamlNode::Kind::scalar) {  // shorthand: `education: 3`
        if (auto o = r_.integer(v, path, 1, 100000)) ds.officers = static_cast<int>(*o);
      } else if (r_.check_map(*v, path, {"officers", "opens", "closes"}, {}, "a department's staff")) {
        if (auto o = r_.integer(v->get("officers"), child_path(path, "officers"), 1, 100000))
          ds.officers = static_cast<int>(*o);
        ds.opens = time_of_day(v->get("opens"), child_path(path, "opens"));
        ds.closes = time_of_day(v->get("closes"), child_path(path, "closes"));
        if (ds.opens && ds.closes && !(*ds.opens < *ds.closes))
          r_.error(*v, path, "hours", fmt::format("opens at {} and closes at {}: opening must come first",
                                                  ds.opens->to_string(), ds.closes->to_string()));
      }
      s.departments[std::string(k->text())] = ds;
    }
  }

  void read_matters(const YamlNode& n, Scenario& s) {
    if (!r_.check_id_map(n, "matters", "matters by id")) return;
    std::vector<std::string> ids;
    for (const auto& m : chain_.matters) ids.push_back(m.id);
    for (const auto& [k, v] : n.entries()) {
      const std::string path = child_path("matters", k->text());
      if (!chain_.find_matter(k->text())) {
        r_.error(*k, path, "unknown-matter", fmt::format("`{}` is not a matter of chain {}", k->text(), chain_.id),
                 detail::did_you_mean(k->text(), ids));
        continue;
      }
      if (!r_.check_map(*v, path, {"service", "supplement", "reject", "suspension"}, {}, "a matter's behaviour"))
        continue;
      MatterScenario ms;
      ms.service = distribution(v->get("service"), child_path(path, "service"));
      ms.suspension = distribution(v->get("suspension"), child_path(path, "suspension"));
      if (auto p = probability(v->get("supplement"), child_path(path, "supplement"))) {
        if (*p < 1) ms.supplement = *p;
        else r_.error(*v->get("supplement"), child_path(path, "supplement"), "probability",
                      "a supplement probability of 1 never ends: every attempt would ask again; expected below 1");
      }
      if (auto p = probability(v->get("reject"), child_path(path, "reject"))) ms.reject = *p;
      if (ms.supplement + ms.reject > 1)
        r_.error(*v, path, "probability",
                 fmt::format("supplement {} and reject {} add up to more than 1", ms.supplement, ms.reject));
      s.matters[std::string(k->text())] = std::move(ms);
    }
  }

  void read_ratings(const YamlNode& n, Scenario& s) {
    if (!r_.check_map(n, "ratings", {"share", "bad", "bad_late"}, {}, "the ratings")) return;
    if (auto p = probability(n.get("share"), "ratings.share")) s.ratings.share = *p;
    if (auto p = probability(n.get("bad"), "ratings.bad")) s.ratings.bad = *p;
    if (auto p = probability(n.get("bad_late"), "ratings.bad_late")) s.ratings.bad_late = *p;
  }

  void read_applicant(const YamlNode& n, Scenario& s) {
    if (!r_.check_map(n, "applicant", {"incomplete", "response", "supplement_in_person", "commitment", "deferring", "assisted",
                                        "returning"}, {},
                      "the applicant"))
      return;
    if (auto p = probability(n.get("incomplete"), "applicant.incomplete")) s.incomplete = *p;
    if (auto p = probability(n.get("commitment"), "applicant.commitment")) s.commitment = *p;
    if (auto p = probability(n.get("deferring"), "applicant.deferring")) s.deferring = *p;
    if (auto p = probability(n.get("assisted"), "applicant.assisted")) s.assisted = *p;
    if (auto p = probability(n.get("returning"), "applicant.returning")) s.returning = *p;
    if (auto p = probability(n.get("supplement_in_person"), "applicant.supplement_in_person")) s.supplement_in_person = *p;
    if (auto d = distribution(n.get("response"), "applicant.response")) s.response = std::move(*d);
  }

  void read_delivery(const YamlNode& n, Scenario& s) {
    if (!r_.check_map(n, "delivery", {"method", "after"}, {}, "delivery")) return;
    if (auto d = distribution(n.get("after"), "delivery.after")) s.pickup = std::move(*d);
    const YamlNode* m = n.get("method");
    if (!m) return;
    if (m->kind == YamlNode::Kind::scalar) {  // one method for everyone
      auto t = r_.text(m, "delivery.method");
      if (!t) return;
      if (*t == "in-person") s.delivery = {1, 0, 0};
      else if (*t == "express") s.delivery = {0, 1, 0};
      else if (*t == "electronic") s.delivery = {0, 0, 1};
      else r_.error(*m, "delivery.method", "delivery", fmt::format("`{}`: expected in-person, express or electronic", *t),
                    detail::did_you_mean(*t, {"in-person", "express", "electronic"}));
      return;
    }
    if (!r_.check_map(*m, "delivery.method", {"in-person", "express", "electronic"}, {}, "delivery shares")) return;
    DeliveryShares d{0, 0, 0};
    if (auto p = probability(m->get("in-person"), "delivery.method.in-person")) d.in_person = *p;
    if (auto p = probability(m->get("express"), "delivery.method.express")) d.express = *p;
    if (auto p = probability(m->get("electronic"), "delivery.method.electronic")) d.electronic = *p;
    if (std::abs(d.in_person + d.express + d.electronic - 1) > 1e-6)
      r_.error(*m, "delivery.method", "shares",
               fmt::format("the delivery shares add up to {}; they must add up to 1", d.in_person + d.express + d.electronic));
    s.delivery = d;
  }

  void read_branches(const YamlNode& n, Scenario& s) {
    if (!r_.check_id_map(n, "branches", "form fields with the shares of their values")) return;
    for (const auto& [k, v] : n.entries()) {
      const std::string path = child_path("branches", k->text());
      const Field* f = chain_.find_field(k->text());
      if (!f) {
        r_.error(*k, path, "unknown-field", fmt::format("`{}` is not a field of chain {}", k->text(), chain_.id),
                 detail::did_you_mean(k->text(), chain_.field_keys()));
        continue;
      }
      if (!r_.check_id_map(*v, path, "values with their shares")) continue;
      std::vector<BranchShare> shares;
      double sum = 0;
      for (const auto& [vk, vv] : v->entries()) {
        const std::string vpath = child_path(path, vk->text());
        auto value = parse_field_value(chain_, k->text(), vk->text());
        if (!value) {
          r_.error(*vk, vpath, "value", value.status().message());
          continue;
        }
        auto share = r_.number(vv, vpath);
        if (!share) continue;
        if (!(*share > 0 && *share <= 1)) {
          r_.error(*vv, vpath, "share", fmt::format("share {}: expected above 0 and at most 1", *share));
          continue;
        }
        sum += *share;
        shares.push_back({std::move(*value), *share});
      }
      const bool boolean_rest = f->type == FieldType::boolean && v->entries().size() == 1;
      const bool independent = f->type == FieldType::set;  // each value drawn on its own
      if (!independent && (sum > 1 + 1e-6 || (!boolean_rest && !shares.empty() && std::abs(sum - 1) > 1e-6)))
        r_.error(*v, path, "shares",
                 fmt::format("the shares of {} add up to {}; they must add up to 1{}", k->text(), sum,
                             f->type == FieldType::boolean ? " (or list one value of a yes/no field)" : ""));
      s.branches[std::string(k->text())] = std::move(shares);
    }
  }

  void read_baseline(const YamlNode& n, Scenario& s) {
    if (!r_.check_map(n, "baseline", {"separate", "gap"}, {}, "the baseline")) return;
    if (auto b = r_.boolean(n.get("separate"), "baseline.separate")) s.baseline_separate = *b;
    if (auto d = distribution(n.get("gap"), "baseline.gap")) s.baseline_gap = std::move(*d);
  }

  DocReader r_;
  const Chain& chain_;
  std::string base_dir_;
};

Loaded<Scenario> finish(detail::YamlPtr root, const std::string& file, const Chain& chain, Diagnostics diags) {
  if (!root) return diags;
  Scenario s;
  ScenarioReader(file, diags, chain).read(*root, s);
  diags.sort();
  if (diags.has_errors()) return diags;
  return {std::move(s), std::move(diags)};
}

}  // namespace

Loaded<Scenario> load_scenario_file(const std::string& path, const Chain& chain, const LoadOptions& limits) {
  Diagnostics diags;
  auto root = detail::parse_yaml_file(path, detail::limits_of(limits), diags);
  return finish(std::move(root), path, chain, std::move(diags));
}

Loaded<Scenario> load_scenario_text(std::string_view yaml, const std::string& file_name, const Chain& chain,
                                    const LoadOptions& limits) {
  Diagnostics diags;
  auto root = detail::parse_yaml(yaml, file_name, detail::limits_of(limits), diags);
  return finish(std::move(root), file_name, chain, std::move(diags));
}

}  // namespace yilian
