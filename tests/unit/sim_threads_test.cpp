// Replications on several threads: the same seed gives the same bytes
// whatever the thread count, a total of cases that ends inside a
// replication is met exactly, a failure inside one replication comes back
// (the same one on every thread count), and `--threads 0` is refused.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <bit>
#include <string>

#include "cli_support.h"
#include "sim_fixture.h"

using namespace yilian;
using namespace yilian::test;

namespace sim_threads_test {

namespace {

/// `yilian simulate ARGS --json --threads N`: the JSON text, after checking
/// the run succeeded.
std::string json_with_threads(const std::string& args, int threads) {
  const CliRun r = run_cli(args + " --json --threads " + std::to_string(threads));
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  return r.out;
}

void same_bytes_on_1_2_and_5_threads(const std::string& args) {
  const std::string one = json_with_threads(args, 1);
  const nlohmann::json j = nlohmann::json::parse(one);
  // Several replications, or the threads would have nothing to share.
  REQUIRE(j.at("replications").get<int>() >= 5);
  CHECK(j.at("cases").get<int>() > 0);
  CHECK(one == json_with_threads(args, 2));
  CHECK(one == json_with_threads(args, 5));
}

/// A pattern on the applicant's name: a branch value that fails it makes the
/// applicants who draw it impossible to accept, and the run stops there.
ValidChain pattern_chain() {
  std::string yaml = kSingleMatterChain;
  const std::string plain = "applicant.name: { label: 申请人, type: string }";
  yaml.replace(yaml.find(plain), plain.size(), R"(applicant.name: { label: 申请人, type: string, pattern: "^[A-Z]{3}$" })");
  return chain_from_text(yaml.c_str(), "pattern.yaml");
}

}  // namespace

TEST_CASE("sim.threads.kindergarten_with_baseline_same_bytes") {
  // 3000 cases at 0.12 a day over 480 days: about 50 replications of the
  // chain and as many of the separate-applications baseline beside them.
  same_bytes_on_1_2_and_5_threads(
      "simulate kindergarten-setup chains/scenarios/kindergarten-setup.yaml --cases 3000 --seed 11");
  const nlohmann::json j = nlohmann::json::parse(json_with_threads(
      "simulate kindergarten-setup chains/scenarios/kindergarten-setup.yaml --cases 3000 --seed 11", 2));
  CHECK(j.at("baseline").is_object());
}

TEST_CASE("sim.threads.restaurant_opening_same_bytes") {
  // 6000 cases at 2.4 a day over 250 days: ten replications, the last one
  // cut short.
  same_bytes_on_1_2_and_5_threads(
      "simulate restaurant-opening chains/scenarios/restaurant-opening.yaml --cases 6000 --seed 3");
}

TEST_CASE("sim.threads.library_results_bit_for_bit") {
  // The library's options, every number compared in hexadecimal.
  Scenario s = kindergarten_scenario();
  s.cases = 1500;
  auto run = [&](unsigned threads) {
    SimulateOptions o;
    o.threads = threads;
    auto r = simulate(kindergarten_chain(), cn_mainland(), s, o);
    REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
    return std::move(*r);
  };
  const SimulationResult a = run(1), b = run(3);
  REQUIRE(a.replications > 10);
  REQUIRE(a.baseline);
  auto same = [](const Summary& x, const Summary& y) {
    return x.count == y.count && std::bit_cast<std::uint64_t>(x.mean) == std::bit_cast<std::uint64_t>(y.mean) &&
           std::bit_cast<std::uint64_t>(x.sd) == std::bit_cast<std::uint64_t>(y.sd) && x.p90 == y.p90 && x.max == y.max;
  };
  CHECK(a.replications == b.replications);
  CHECK(same(a.result.lead_time_days, b.result.lead_time_days));
  CHECK(same(a.baseline->lead_time_days, b.baseline->lead_time_days));
  CHECK(std::bit_cast<std::uint64_t>(a.result.in_system) == std::bit_cast<std::uint64_t>(b.result.in_system));
  CHECK(std::bit_cast<std::uint64_t>(a.measured_days) == std::bit_cast<std::uint64_t>(b.measured_days));
  for (std::size_t m = 0; m < a.result.matters.size(); ++m) {
    CHECK(same(a.result.matters[m].wait_days, b.result.matters[m].wait_days));
    CHECK(std::bit_cast<std::uint64_t>(a.result.matters[m].utilisation) ==
          std::bit_cast<std::uint64_t>(b.result.matters[m].utilisation));
  }
}

TEST_CASE("sim.threads.case_total_ends_inside_a_replication") {
  // About 30 arrivals per replication; 1003 is no multiple of anything:
  // the replication that reaches the total stops at it, on every thread
  // count.
  Scenario s;
  s.arrival_rate = 3;
  s.days = 10;
  s.cases = 1003;
  s.warmup_days = 0;
  s.departments["x"].officers = 2;
  s.matters["a"].service = Distribution::exponential(0.5);
  std::uint64_t replications = 0;
  for (unsigned threads : {1U, 2U, 3U}) {
    SimulateOptions o;
    o.threads = threads;
    auto r = simulate(single_matter_chain(), Calendar::continuous(), s, o);
    REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
    CHECK(r->result.arrived == 1003);
    CHECK(r->result.cases + r->result.rejected == 1003);
    CHECK(r->replications > 20);
    if (threads == 1) replications = static_cast<std::uint64_t>(r->replications);
    CHECK(static_cast<std::uint64_t>(r->replications) == replications);
  }
}

TEST_CASE("sim.threads.a_failing_replication_is_reported") {
  // One applicant in 200 gives a name the form refuses: the first to do so
  // arrives a few replications in. Every thread count reports that
  // replication, with the form's reason.
  Scenario s;
  s.arrival_rate = 2;
  s.days = 10;
  s.cases = 4000;
  s.branches["applicant.name"] = {{Value{std::string("ABC")}, 0.995}, {Value{std::string("abc")}, 0.005}};
  std::string first;
  for (unsigned threads : {1U, 2U, 5U}) {
    SimulateOptions o;
    o.threads = threads;
    auto r = simulate(pattern_chain(), Calendar::continuous(), s, o);
    REQUIRE_FALSE(r.is_ok());
    const std::string message = r.status().message();
    CHECK_MESSAGE(message.find("`applicant.name` (申请人)") != std::string::npos, message);
    REQUIRE_MESSAGE(message.starts_with("replication "), message);
    CHECK_MESSAGE(message.rfind("replication 1:", 0) == std::string::npos, message);  // not the first
    if (first.empty()) first = message;
    CHECK(message == first);
  }
  // With the baseline beside it, the chain's failure is still the one reported.
  s.baseline_separate = true;
  SimulateOptions o;
  o.threads = 2;
  auto r = simulate(pattern_chain(), Calendar::continuous(), s, o);
  REQUIRE_FALSE(r.is_ok());
  CHECK_MESSAGE(r.status().message() == first, r.status().message());
}

TEST_CASE("sim.threads.zero_threads_refused") {
  CliRun r = run_cli("simulate kindergarten-setup --days 10 --threads 0", true);
  CHECK(r.exit_code == 2);
  CHECK_MESSAGE(r.out.find("--threads 0: expected 1 to 1024 threads") != std::string::npos, r.out);
  r = run_cli("simulate kindergarten-setup --days 10 --threads -3", true);
  CHECK(r.exit_code == 2);
  r = run_cli("simulate kindergarten-setup --days 10 --threads many", true);
  CHECK(r.exit_code == 2);
}

}  // namespace sim_threads_test
