// What the simulator does with each part of a scenario: seeds, working
// hours, supplements and their clock stops, refusals, branches of the form,
// incomplete applications, Art. 45 activities, traces, the baseline.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "sim/work_clock.h"
#include "flow_fixture.h"
#include "sim_fixture.h"

using namespace yilian;
using namespace yilian::test;

namespace sim_behaviour_test {

namespace {

/// Every number of a result, in hexadecimal floating point: equal strings
/// mean bit-identical results.
std::string fingerprint(const SimulationResult& r) {
  std::string s;
  auto sum = [&](const Summary& x) {
    s += fmt::format("{} {:a} {:a} {:a} {:a} {:a} {:a} {:a};", x.count, x.mean, x.sd, x.min, x.max, x.p50, x.p90, x.p99);
  };
  auto regime = [&](const RegimeResult& g) {
    s += fmt::format("{} {} {} {:a} {:a} {:a} {:a} {:a} {:a} {:a} {}|", g.arrived, g.cases, g.rejected, g.on_time_promised,
                     g.on_time_statutory, g.visits_per_case, g.materials_per_case, g.in_system, g.arrival_rate,
                     g.time_in_system, g.events);
    sum(g.lead_time_days);
    for (const auto& m : g.matters) {
      sum(m.wait_days);
      sum(m.service_days);
      s += fmt::format("{:a} {} {} {};", m.utilisation, m.applied, m.supplements, m.rejections);
    }
    for (const auto& d : g.departments) {
      s += fmt::format("{:a} {:a} {};", d.utilisation, d.mean_queue, d.max_queue);
      for (double q : d.queue_length) s += fmt::format("{:a},", q);
    }
  };
  regime(r.result);
  if (r.baseline) regime(*r.baseline);
  return s;
}

Scenario small_kindergarten(std::uint64_t cases = 3000) {
  Scenario s = kindergarten_scenario();
  s.cases = cases;
  return s;
}

/// A temporary file removed at the end of the scope.
struct TempFile {
  std::string path;
  explicit TempFile(const std::string& name, const std::string& text)
      : path((std::filesystem::temp_directory_path() / fmt::format("yilian-{}-{}", ::getpid(), name)).string()) {
    std::ofstream(path) << text;
  }
  ~TempFile() { std::remove(path.c_str()); }
};

}  // namespace

TEST_CASE("sim.seed.same_seed_same_result_other_seed_other_result") {
  Scenario s = small_kindergarten();
  const std::string a = fingerprint(run_ok(kindergarten_chain(), cn_mainland(), s));
  const std::string b = fingerprint(run_ok(kindergarten_chain(), cn_mainland(), s));
  CHECK(a == b);
  s.seed += 1;
  const std::string c = fingerprint(run_ok(kindergarten_chain(), cn_mainland(), s));
  CHECK(a != c);
}

TEST_CASE("sim.clock.office_hours_and_rest_days") {
  const Calendar& cal = cn_mainland();
  const detail::WorkClock clock(cal, 9 * 60, 17 * 60);
  auto t = [](const char* iso) { return static_cast<double>(Instant::parse(iso)->seconds); };
  // Friday 2025-09-26 16:00 plus half a working day (4 office hours): the
  // service pauses at 17:00 and the weekend; Sunday 09-28 is an adjusted
  // working day, so it ends on Sunday at 12:00.
  CHECK(clock.to_real(clock.to_work(t("2025-09-26T16:00")) + 0.5) == t("2025-09-28T12:00"));
  // Tuesday 09-30 16:00 plus one working day: 10-01..10-08 are holidays.
  CHECK(clock.to_real(clock.to_work(t("2025-09-30T16:00")) + 1) == t("2025-10-09T16:00"));
  // Before opening, after closing and on a rest day the working time stands still.
  CHECK(clock.to_work(t("2025-10-03T11:00")) == clock.to_work(t("2025-09-30T17:00")));
  CHECK(clock.to_work(t("2025-10-09T08:00")) == clock.to_work(t("2025-10-09T09:00")));
  // A whole working day ends at closing time of that day, not the next morning.
  CHECK(clock.to_real(clock.to_work(t("2025-10-09T09:00")) + 1) == t("2025-10-09T17:00"));
  // 24-hour days: working time is calendar time.
  const Calendar cont = Calendar::continuous();
  const detail::WorkClock c24(cont, 0, 24 * 60);
  CHECK(c24.to_work(t("2025-10-04T12:00")) - c24.to_work(t("2025-10-01T00:00")) == doctest::Approx(3.5));
  CHECK(c24.to_real(c24.to_work(t("2025-10-01T06:00")) + 2.25) == doctest::Approx(t("2025-10-03T12:00")));
}

TEST_CASE("sim.supplements.stop_the_clock_and_send_notices") {
  // Service takes one day; half the attempts ask for supplements, which the
  // applicant brings ten days later. Supplemented cases last well past the
  // 5-day promise, yet they are on time: the clock stands still while the
  // applicant gathers the documents (Art. 32), as the engine counts it.
  Scenario s;
  s.arrival_rate = 2;
  s.days = 4000;
  s.departments["x"].officers = 60;  // no queue
  s.matters["a"].service = Distribution::fixed(1);
  s.matters["a"].supplement = 0.5;
  s.response = Distribution::fixed(10);
  const SimulationResult r = run_ok(single_matter_chain(), Calendar::continuous(), s);
  const RegimeResult& g = r.result;
  const MatterResult& m = g.matters.front();
  REQUIRE(g.cases > 7000);
  CHECK(m.attempts == m.applied + m.supplements);
  CHECK(static_cast<double>(m.attempts) / static_cast<double>(m.applied) == doctest::Approx(2.0).epsilon(0.05));
  CHECK(g.notices_per_case == doctest::Approx(1.0).epsilon(0.05));
  CHECK(g.lead_time_days.p90 > 20);
  CHECK(g.on_time_promised > 0.9);
  CHECK(m.wait_days.max < 1e-9);
  // The same without supplements: one attempt each, no notices, quick.
  s.matters["a"].supplement = 0;
  const RegimeResult q = run_ok(single_matter_chain(), Calendar::continuous(), s).result;
  CHECK(q.matters.front().attempts == q.matters.front().applied);
  CHECK(q.notices_per_case == 0);
  CHECK(q.lead_time_days.max == doctest::Approx(1.0));
  CHECK(q.on_time_promised == 1.0);
}

TEST_CASE("sim.rejections.end_cases_and_stop_later_matters") {
  Scenario s = small_kindergarten(6000);
  s.baseline_separate = false;
  s.matters["school-permit"].reject = 0.4;
  s.matters["school-permit"].supplement = 0;
  const RegimeResult g = run_ok(kindergarten_chain(), cn_mainland(), s).result;
  auto matter = [&](const char* id) {
    return *std::find_if(g.matters.begin(), g.matters.end(), [&](const MatterResult& m) { return m.id == id; });
  };
  const MatterResult permit = matter("school-permit");
  CHECK(g.rejected > 0);
  CHECK(g.cases + g.rejected <= g.arrived + 200);  // a few warm-up arrivals end inside the window
  CHECK(static_cast<double>(permit.rejections) / static_cast<double>(permit.attempts) == doctest::Approx(0.4).epsilon(0.08));
  // Only approved permits lead on; every delivered case had each unconditional matter.
  CHECK(matter("seal-engraving").applied == g.cases);
  CHECK(permit.applied == g.cases);
  CHECK(g.on_time_promised <= 1.0);
  // Without refusals every counted case is delivered.
  s.matters.clear();
  const RegimeResult none = run_ok(kindergarten_chain(), cn_mainland(), s).result;
  CHECK(none.rejected == 0);
  CHECK(none.cases == none.arrived);
}

TEST_CASE("sim.branches.decide_which_matters_apply") {
  Scenario s = small_kindergarten(8000);
  s.baseline_separate = false;
  const RegimeResult g = run_ok(kindergarten_chain(), cn_mainland(), s).result;
  auto share = [&](const char* id) {
    for (const auto& m : g.matters)
      if (m.id == id) return static_cast<double>(m.applied) / static_cast<double>(g.cases);
    return -1.0;
  };
  CHECK(share("food-permit") == doctest::Approx(0.7).epsilon(0.05));
  CHECK(share("fire-acceptance") == doctest::Approx(0.25).epsilon(0.1));
  CHECK(share("fire-acceptance") + share("fire-filing") == doctest::Approx(1.0));
  CHECK(share("school-permit") == 1.0);
  // Everyone serves meals: every delivered case has the food permit.
  s.branches["school.serves_meals"] = {{Value{true}, 1.0}};
  const RegimeResult all = run_ok(kindergarten_chain(), cn_mainland(), s).result;
  CHECK(all.matters.back().id == "food-permit");
  CHECK(all.matters.back().applied == all.cases);
  CHECK(all.materials_per_case > g.materials_per_case);  // canteen plans and rules
}

TEST_CASE("sim.incomplete.one_notice_then_accepted") {
  Scenario s;
  s.arrival_rate = 1;
  s.days = 3000;
  s.departments["x"].officers = 20;
  s.matters["a"].service = Distribution::fixed(1);
  s.incomplete = 0.5;
  s.supplement_in_person = 1;
  s.response = Distribution::fixed(3);
  const RegimeResult g = run_ok(single_matter_chain(), Calendar::continuous(), s).result;
  CHECK(g.notices_per_case == doctest::Approx(0.5).epsilon(0.06));
  // The material left out is handed in later: the same materials in the end.
  CHECK(g.materials_per_case == doctest::Approx(1.0));
  // Window, the in-person answer for half of them, and collecting the result.
  CHECK(g.visits_per_case == doctest::Approx(2.5).epsilon(0.03));
  // Until complete the clock does not run: all on time although half waited 3 days.
  CHECK(g.on_time_promised == 1.0);
  CHECK(g.lead_time_days.p90 == doctest::Approx(4.0).epsilon(0.02));
}

TEST_CASE("sim.article45.expert_review_is_not_counted") {
  const char* yaml = R"(id: review
version: 1
name: 专家评审
lead: x
promised_days: 5
departments:
  x: { name: 甲局 }
fields:
  applicant.name: { label: 申请人, type: string }
matters:
  - id: a
    name: 事项甲
    department: x
    statutory_days: 10
    promised_days: 5
    fields: [applicant.name]
    phases:
      - { id: review, kind: review, days: 2 }
      - { id: experts, kind: expert-review, days: 10, counted: false }
)";
  Scenario s;
  s.arrival_rate = 1;
  s.days = 2000;
  s.departments["x"].officers = 20;
  s.matters["a"].service = Distribution::fixed(2);
  const RegimeResult g = run_ok(chain_from_text(yaml, "review.yaml"), Calendar::continuous(), s).result;
  // Two days of work and ten of expert review: twelve days, all on time.
  CHECK(g.lead_time_days.mean == doctest::Approx(12.0).epsilon(0.01));
  CHECK(g.on_time_promised == 1.0);
  CHECK(g.on_time_statutory == 1.0);
  // Told the applicant 10 days, but the experts take 20: the limit still
  // holds (the clock stops), and the officer is free during the review.
  s.matters["a"].suspension = Distribution::fixed(20);
  const RegimeResult h = run_ok(chain_from_text(yaml, "review.yaml"), Calendar::continuous(), s).result;
  CHECK(h.lead_time_days.mean == doctest::Approx(22.0).epsilon(0.01));
  CHECK(h.on_time_promised == 1.0);
  CHECK(h.departments.front().utilisation < 0.15);
}

TEST_CASE("sim.trace_and_empirical_inputs") {
  TempFile trace("trace.csv", "arrived_at\n2025-03-03T09:30\n2025-03-03T10:00\n2025-03-04T14:00\n2025-03-10\n");
  TempFile durations("service.csv", "days,note\n1\n2\n3\n");
  Scenario s;
  auto t = read_arrival_trace(trace.path);
  REQUIRE(t.is_ok());
  s.trace = *t;
  auto d = parse_distribution("empirical:" + std::filesystem::path(durations.path).filename().string(),
                              std::filesystem::path(durations.path).parent_path().string());
  REQUIRE_MESSAGE(d.is_ok(), d.status().to_string());
  CHECK(d->mean() == doctest::Approx(2.0));
  s.matters["a"].service = *d;
  const SimulationResult r = run_ok(single_matter_chain(), cn_mainland(), s);
  CHECK(r.result.arrived == 4);
  CHECK(r.result.cases == 4);
  for (const auto& m : r.result.matters) {
    CHECK(m.service_days.min >= 1.0);
    CHECK(m.service_days.max <= 3.0);
  }
  // A trace in working days after the start, and bad traces.
  TempFile offsets("offsets.csv", "0.5\n1.25\n7\n");
  auto o = read_arrival_trace(offsets.path);
  REQUIRE(o.is_ok());
  CHECK(o->size() == 3);
  TempFile bad("bad.csv", "2025-03-03\nyesterday\n");
  auto b = read_arrival_trace(bad.path);
  REQUIRE_FALSE(b.is_ok());
  CHECK(b.status().message().find(":2:") != std::string::npos);
  CHECK_FALSE(read_arrival_trace("/nonexistent/trace.csv").is_ok());
}

TEST_CASE("sim.baseline.separate_applications_cost_more") {
  Scenario s = small_kindergarten(4000);
  REQUIRE(s.baseline_separate);
  const SimulationResult r = run_ok(kindergarten_chain(), cn_mainland(), s);
  REQUIRE(r.baseline);
  const RegimeResult& chain = r.result;
  const RegimeResult& sep = *r.baseline;
  // The same applicants arrive in both runs.
  CHECK(sep.arrived == chain.arrived);
  CHECK(sep.visits_per_case > 3 * chain.visits_per_case);
  CHECK(sep.materials_per_case > chain.materials_per_case);
  CHECK(sep.fields_per_case > chain.fields_per_case);
  CHECK(sep.lead_time_days.mean > chain.lead_time_days.mean);
  // One after another in the chain's order.
  auto base = separate_applications_chain(kindergarten_chain());
  CHECK(base->id == "kindergarten-setup-separate");
  int without_after = 0;
  for (const auto& m : base->matters) without_after += m.after.empty() ? 1 : 0;
  CHECK(without_after == 1);
  // One matter on its own: the two regimes count visits alike.
  Scenario one;
  one.arrival_rate = 1;
  one.days = 500;
  one.baseline_separate = true;
  const SimulationResult single = run_ok(single_matter_chain(), Calendar::continuous(), one);
  CHECK(single.baseline->visits_per_case == single.result.visits_per_case);
  CHECK(single.baseline->materials_per_case == single.result.materials_per_case);
}

TEST_CASE("sim.invalid_scenarios_are_refused") {
  auto chain = kindergarten_chain();
  Scenario s;
  s.days = 100;
  s.matters["school-permt"].reject = 0.1;
  auto r = simulate(chain, cn_mainland(), s);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().message().find("did you mean `school-permit`?") != std::string::npos);
  s.matters.clear();
  s.matters["school-permit"].supplement = 1.0;
  CHECK_FALSE(simulate(chain, cn_mainland(), s).is_ok());
  s.matters.clear();
  s.branches["school.serves_meals"] = {{Value{std::string("yes")}, 1.0}};
  CHECK_FALSE(simulate(chain, cn_mainland(), s).is_ok());
  s.branches.clear();
  s.days.reset();
  CHECK(simulate(chain, cn_mainland(), s).status().message().find("horizon") != std::string::npos);
  s.days = 2'000'000;  // past the year 9998 on working days
  CHECK_FALSE(simulate(chain, cn_mainland(), s).is_ok());
  s.days = 100;
  s.departments["health"].officers = 0;
  CHECK_FALSE(simulate(chain, cn_mainland(), s).is_ok());
}

TEST_CASE("sim.overload_is_refused_not_hoarded") {
  // Arrivals far beyond what one officer can serve: the run stops with a
  // message naming the department instead of holding every case in memory.
  Scenario s;
  s.arrival_rate = 50;
  s.days = 5000;
  s.matters["a"].service = Distribution::fixed(1);
  auto r = simulate(single_matter_chain(), Calendar::continuous(), s);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().message().find("cannot keep up") != std::string::npos);
  CHECK(r.status().message().find(" at x") != std::string::npos);
}

TEST_CASE("sim.applicants_the_form_refuses_stop_the_run_not_hang") {
  // The simulator fills a field the scenario leaves open with a placeholder:
  // for a pattern, the shortest run of one plain character it accepts
  // ("AAA" for three capitals). A pattern no such run matches would be
  // refused at every submission: the run stops before it starts.
  const std::string plain = "applicant.name: { label: 申请人, type: string }";
  auto with_pattern = [&](const char* pattern) {
    std::string yaml = kSingleMatterChain;
    yaml.replace(yaml.find(plain), plain.size(),
                 fmt::format(R"(applicant.name: {{ label: 申请人, type: string, pattern: "{}" }})", pattern));
    return chain_from_text(yaml.c_str(), "pattern.yaml");
  };
  Scenario s;
  s.cases = 50;
  CHECK(run_ok(with_pattern("^[A-Z]{3}$"), Calendar::continuous(), s).result.cases == 50);
  auto chain = with_pattern("^[A-Z][0-9]{2}$");
  auto r = simulate(chain, Calendar::continuous(), s);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().message().find("`applicant.name` (申请人)") != std::string::npos);
  CHECK(r.status().message().find("branches") != std::string::npos);
  // With a valid value given in the scenario the same chain runs.
  s.branches["applicant.name"] = {{Value{std::string("A12")}, 1.0}};
  CHECK(run_ok(chain, Calendar::continuous(), s).result.cases == 50);
}

TEST_CASE("sim.produced_values_the_flow_refuses_stop_the_run_not_hang") {
  // The same for a value a matter produces: a placeholder that fails the
  // field's pattern would make every approval of it refused.
  std::string yaml = kFlowChain;
  const std::string kind = "a.kind: { label: 类别, type: enum, values: [big, small] }";
  yaml.replace(yaml.find(kind), kind.size(), kind + R"(
      a.no: { label: 许可证号, type: string, pattern: "^XK[0-9]{4}$" })");
  auto chain = chain_from_text(yaml.c_str(), "produced-pattern.yaml");
  Scenario s;
  s.cases = 50;
  auto r = simulate(chain, Calendar::continuous(), s);
  REQUIRE_FALSE(r.is_ok());
  CHECK_MESSAGE(r.status().message().find("approval of `a` would be refused") != std::string::npos, r.status().message());
  CHECK(r.status().message().find("`a.no` (许可证号)") != std::string::npos);
  s.branches["a.no"] = {{Value{std::string("XK0001")}, 1.0}};
  CHECK(run_ok(chain, Calendar::continuous(), s).result.cases == 50);
}

TEST_CASE("sim.reform.commitments_and_deferrals_shorten_lead_times_reproducibly") {
  // A licence that takes four days of review, then a registration: on the
  // commitment (告知承诺) the licence is approved at once and verified
  // afterwards, so the case finishes four days sooner. An applicant who
  // lacks a deferrable material is accepted at once (容缺受理) instead of
  // waiting for it as an incomplete application does.
  Loaded<ValidChain> chain = load_chain_text(R"(id: reform-sim
version: 1
name: 改革规则仿真
lead: x
promised_days: 10
defer_within: "5 working days"
departments:
  x: { name: 甲局 }
  y: { name: 乙局 }
fields:
  applicant.name: { label: 申请人, type: string }
materials:
  lease: { name: 租赁合同, source: applicant }
  photos: { name: 场地照片, source: applicant, deferrable: true }
matters:
  - { id: licence, name: 许可, department: y, statutory_days: 20, promised_days: 6, fields: [applicant.name], materials: [lease, photos], commitment: optional, verify_within: "20 working days" }
  - { id: registration, name: 登记, department: x, statutory_days: 5, promised_days: 2, after: [licence] }
)", "reform-sim.yaml");
  for (const auto& d : chain.diagnostics) MESSAGE(d.to_string());
  REQUIRE(chain.ok());
  Scenario s;
  s.arrival_rate = 2;
  s.days = 1500;
  s.departments["x"].officers = 40;  // no queues: the rules alone decide
  s.departments["y"].officers = 40;
  s.matters["licence"].service = Distribution::fixed(4);
  s.matters["registration"].service = Distribution::fixed(1);
  s.response = Distribution::fixed(3);
  auto lead = [&](double commitment, double deferring, double incomplete) {
    Scenario x = s;
    x.commitment = commitment;
    x.deferring = deferring;
    x.incomplete = incomplete;
    return run_ok(chain.value(), Calendar::continuous(), x);
  };
  const SimulationResult plain = lead(0, 0, 0), committed = lead(1, 0, 0);
  CHECK(plain.result.lead_time_days.mean == doctest::Approx(5.0).epsilon(0.01));
  CHECK(committed.result.lead_time_days.mean == doctest::Approx(1.0).epsilon(0.01));
  // Half commit: in between; the same seed gives the same numbers.
  const SimulationResult half = lead(0.5, 0, 0);
  CHECK(half.result.lead_time_days.mean > 2.5);
  CHECK(half.result.lead_time_days.mean < 3.5);
  CHECK(fingerprint(half) == fingerprint(lead(0.5, 0, 0)));
  // Missing the photos: an incomplete application waits three days for
  // them (the 一次告知 path); a deferral does not.
  const SimulationResult waiting = lead(0, 0, 1), deferred = lead(0, 1, 0);
  CHECK(deferred.result.lead_time_days.mean < waiting.result.lead_time_days.mean - 2);
  CHECK(deferred.result.notices_per_case == doctest::Approx(1.0));  // what to bring by when
  // 代办帮办: an agent hands the application in (with the authorisation, one
  // material more); the window visit is the agent's, not the applicant's.
  Scenario own = s, helped = s;
  helped.assisted = 1;
  const SimulationResult alone = run_ok(chain.value(), Calendar::continuous(), own);
  const SimulationResult agent = run_ok(chain.value(), Calendar::continuous(), helped);
  CHECK(agent.result.visits_per_case == doctest::Approx(alone.result.visits_per_case - 1));
  CHECK(agent.result.materials_per_case == doctest::Approx(alone.result.materials_per_case + 1));
  CHECK(agent.result.lead_time_days.mean == doctest::Approx(alone.result.lead_time_days.mean));
}

TEST_CASE("sim.reform.bad_ratings_follow_lateness") {
  // Every late case is rated badly, no case on time is: the bad-rating rate
  // is the late share, and a staffing plan that makes cases late shows it.
  Scenario s;
  s.arrival_rate = 2;
  s.days = 3000;
  s.departments["x"].officers = 60;
  s.matters["a"].service = Distribution::exponential(3);  // the promise is 5 days: some late
  s.ratings = RatingScenario{1.0, 0.0, 1.0};
  const RegimeResult g = run_ok(single_matter_chain(), Calendar::continuous(), s).result;
  REQUIRE(g.rated == g.cases);
  CHECK(g.on_time_promised < 0.95);
  CHECK(g.bad_rating_rate == doctest::Approx(1 - g.on_time_promised).epsilon(1e-9));
  // Half rated, a small chance on time: fewer rated, a lower rate.
  s.ratings = RatingScenario{0.5, 0.02, 1.0};
  const RegimeResult h = run_ok(single_matter_chain(), Calendar::continuous(), s).result;
  CHECK(static_cast<double>(h.rated) / static_cast<double>(h.cases) == doctest::Approx(0.5).epsilon(0.05));
  CHECK(h.bad_rating_rate > 0.02);
  CHECK(h.bad_rating_rate < 1 - h.on_time_promised + 0.05);
  // Without ratings nothing is drawn: the other numbers stay as they were.
  s.ratings = {};
  CHECK(run_ok(single_matter_chain(), Calendar::continuous(), s).result.rated == 0);
}

}  // namespace sim_behaviour_test
