// Scenario files: every value read, every mistake located (file, line,
// column, key path) with a suggestion where one fits; distributions parsed.
#include <doctest/doctest.h>

#include <algorithm>

#include "sim_fixture.h"

using namespace yilian;
using namespace yilian::test;

namespace sim_scenario_test {

namespace {

Loaded<Scenario> load(const char* yaml) {
  return load_scenario_text(yaml, "scenario.yaml", *kindergarten_chain());
}

/// The diagnostic with this code at this path, or nullptr.
const Diagnostic* find(const Loaded<Scenario>& r, const std::string& code, const std::string& path) {
  for (const auto& d : r.diagnostics)
    if (d.code == code && d.path == path) return &d;
  return nullptr;
}

}  // namespace

TEST_CASE("sim.scenario.project_scenario_loads") {
  const Scenario s = kindergarten_scenario();
  CHECK(s.seed == 2025);
  CHECK(s.days == 480);
  CHECK(s.cases == 20000u);
  CHECK(s.warmup_days == 120);
  CHECK(s.arrival_rate == 0.12);
  CHECK(s.departments.at("education").officers == 2);
  CHECK(s.departments.at("police").opens == TimeOfDay::at(8, 30));
  CHECK(s.matters.at("school-permit").service->kind == Distribution::Kind::lognormal);
  CHECK(s.matters.at("school-permit").supplement == 0.35);
  CHECK(s.delivery.in_person == 0.6);
  CHECK(s.delivery.express == 0.4);
  REQUIRE(s.branches.at("site.children_area").size() == 2);
  CHECK(std::get<double>(s.branches.at("site.children_area")[0].value) == 1200.0);
  CHECK(std::get<bool>(s.branches.at("school.serves_meals")[0].value) == true);
  CHECK(s.baseline_separate);
  CHECK(check_scenario(*kindergarten_chain(), s).empty());
}

TEST_CASE("sim.scenario.every_error_located_in_one_pass") {
  const char* yaml = R"(chain: kindergarten-setup
horizon:
  days: 250
  cases: many
arivals:
  poisson: 0.2
departments:
  educaton: { officers: 2 }
  health: { officers: 0 }
  police: { officers: 1, opens: "17:00", closes: "09:00" }
matters:
  school-permt: { service: exp:3 }
  health-evaluation:
    service: gamma:2,3
    supplement: 1.5
    rejection: 0.1
  food-permit: { service: "triangular:5,2,1" }
applicant:
  response: exp:0
branches:
  school.serves_meal: { "true": 0.7 }
  site.children_area: { 1200: 0.5, big: 0.2 }
  school.serves_meals: { "yes": 1 }
delivery:
  method: { in-person: 0.5, express: 0.2 }
)";
  const Loaded<Scenario> r = load(yaml);
  REQUIRE_FALSE(r.ok());
  for (const auto& d : r.diagnostics) {
    CAPTURE(d.to_string());
    CHECK(d.where.file == "scenario.yaml");
    CHECK(d.where.line > 0);
    CHECK(d.where.column > 0);
  }
  const Diagnostic* d = find(r, "unknown-key", "arivals");
  REQUIRE(d);
  CHECK(d->hint == "did you mean `arrivals`?");
  CHECK(d->where.line == 5);
  CHECK(d->where.column == 1);
  d = find(r, "type", "horizon.cases");
  REQUIRE(d);
  CHECK(d->where.line == 4);
  CHECK(d->where.column == 10);
  d = find(r, "unknown-department", "departments.educaton");
  REQUIRE(d);
  CHECK(d->hint == "did you mean `education`?");
  CHECK(find(r, "range", "departments.health.officers"));
  CHECK(find(r, "hours", "departments.police"));
  d = find(r, "unknown-matter", "matters.school-permt");
  REQUIRE(d);
  CHECK(d->hint == "did you mean `school-permit`?");
  CHECK(d->where.line == 12);
  d = find(r, "distribution", "matters.health-evaluation.service");
  REQUIRE(d);
  CHECK(d->message.find("unknown distribution `gamma`") != std::string::npos);
  CHECK(find(r, "probability", "matters.health-evaluation.supplement"));
  d = find(r, "unknown-key", "matters.health-evaluation.rejection");
  REQUIRE(d);
  CHECK(d->hint == "did you mean `reject`?");
  CHECK(find(r, "distribution", "matters.food-permit.service"));
  CHECK(find(r, "distribution", "applicant.response"));
  d = find(r, "unknown-field", "branches[school.serves_meal]");
  REQUIRE(d);
  CHECK(d->hint == "did you mean `school.serves_meals`?");
  CHECK(find(r, "value", "branches[site.children_area].big"));
  CHECK(find(r, "value", "branches[school.serves_meals].yes"));
  CHECK(find(r, "shares", "delivery.method"));
  // Reported in reading order.
  CHECK(std::is_sorted(r.diagnostics.begin(), r.diagnostics.end(),
                       [](const Diagnostic& a, const Diagnostic& b) { return a.where.line < b.where.line; }));
}

TEST_CASE("sim.scenario.chain_mismatch_and_yaml_errors") {
  auto r = load("chain: hotel-restaurant\nhorizon: { days: 10 }\n");
  REQUIRE_FALSE(r.ok());
  CHECK(find(r, "chain-mismatch", "chain"));
  r = load("horizon: { days: 10\n");
  REQUIRE_FALSE(r.ok());
  CHECK(r.diagnostics.items().front().where.line >= 1);
  r = load("");
  REQUIRE_FALSE(r.ok());
  CHECK(find(r, "empty", ""));
  r = load("horizon: { days: 10, warmup_days: 10 }\n");
  CHECK(find(r, "range", "horizon.warmup_days"));
  r = load("arrivals: { poisson: 0.1, trace: x.csv }\n");
  CHECK(find(r, "conflict", "arrivals"));
  r = load("arrivals: { trace: /nonexistent/arrivals.csv }\n");
  const Diagnostic* d = find(r, "io", "arrivals.trace");
  REQUIRE(d);
  CHECK(d->message.find("/nonexistent/arrivals.csv") != std::string::npos);
  r = load("horizon: { days: 10 }\nmatters:\n  school-permit: { service: \"empirical:missing.csv\" }\n");
  CHECK(find(r, "io", "matters.school-permit.service"));
}

TEST_CASE("sim.scenario.shorthands") {
  auto r = load(R"(horizon: { days: 100 }
departments: { education: 3 }
delivery: { method: express, after: fixed:1 }
branches: { school.serves_meals: { "false": 1 } }
baseline: { separate: true, gap: exp:1.5 }
)");
  REQUIRE(r.ok());
  CHECK(r->departments.at("education").officers == 3);
  CHECK(r->delivery.express == 1.0);
  CHECK(r->pickup.a == 1.0);
  CHECK(r->baseline_gap.kind == Distribution::Kind::exponential);
  CHECK(std::get<bool>(r->branches.at("school.serves_meals")[0].value) == false);
}

TEST_CASE("sim.scenario.distributions") {
  auto ok = [](const char* text) {
    auto d = parse_distribution(text);
    REQUIRE_MESSAGE(d.is_ok(), d.status().to_string());
    return *d;
  };
  CHECK(ok("fixed:2").mean() == 2);
  CHECK(ok("exp:3").mean() == 3);
  CHECK(ok("exponential:3").kind == Distribution::Kind::exponential);
  CHECK(ok("lognormal:6,3").b == 3);
  CHECK(ok(" triangular:1,2,6 ").mean() == 3);
  CHECK(ok("triangular:1,2,6").to_string() == "triangular:1,2,6");
  for (const char* bad : {"", "exp", "exp:", "exp:0", "exp:-1", "exp:1,2", "fixed:x", "triangular:3,2,1", "lognormal:5",
                          "gamma:1,2", "fixed:1e9", "fixed:nan"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_distribution(bad).is_ok());
  }
  CHECK(parse_distribution("expo:2").status().message().find("did you mean `exp`?") != std::string::npos);
}

TEST_CASE("sim.scenario.field_values") {
  const Chain& c = *kindergarten_chain();
  CHECK(std::get<bool>(*parse_field_value(c, "school.serves_meals", "true")) == true);
  CHECK(std::get<double>(*parse_field_value(c, "site.children_area", "1200")) == 1200.0);
  CHECK(std::get<std::int64_t>(*parse_field_value(c, "school.capacity", "180")) == 180);
  CHECK(std::get<std::string>(*parse_field_value(c, "site.ownership", "leased")) == "leased");
  CHECK_FALSE(parse_field_value(c, "school.capacity", "many").is_ok());
  CHECK(parse_field_value(c, "site.ownership", "lease").status().message().find("did you mean `leased`?") !=
        std::string::npos);
  CHECK(parse_field_value(c, "school.serves_meal", "true").status().message().find("did you mean") != std::string::npos);
}

}  // namespace sim_scenario_test
