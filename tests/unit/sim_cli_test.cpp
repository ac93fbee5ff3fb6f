// `yilian simulate`: the JSON contract, reproducibility, exit codes and
// located messages.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "cli_support.h"

using namespace yilian::test;

namespace sim_cli_test {

namespace {

const std::string kQuick =
    "simulate kindergarten-setup chains/scenarios/kindergarten-setup.yaml --cases 1500 --days 480 --warmup 60";

nlohmann::json json_of(const CliRun& r) {
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  return nlohmann::json::parse(r.out);
}

}  // namespace

TEST_CASE("cli.simulate.json_contract") {
  const nlohmann::json j = json_of(run_cli(kQuick + " --json"));
  // The keys DESIGN.md promises.
  CHECK(j.at("cases").get<int>() > 0);
  for (const char* k : {"mean", "p50", "p90", "p99"}) CHECK(j.at("lead_time_days").at(k).is_number());
  CHECK(j.at("lead_time_days").at("p50").get<double>() <= j.at("lead_time_days").at("p90").get<double>());
  CHECK(j.at("on_time_promised").get<double>() >= 0);
  CHECK(j.at("on_time_promised").get<double>() <= 1);
  CHECK(j.at("visits_per_case").get<double>() >= 1);
  REQUIRE(j.at("matters").contains("school-permit"));
  const auto& m = j.at("matters").at("school-permit");
  for (const char* k : {"mean", "p50", "p90", "p99"}) {
    CHECK(m.at("wait_days").at(k).is_number());
    CHECK(m.at("service_days").at(k).is_number());
  }
  CHECK(m.at("utilisation").get<double>() > 0);
  CHECK(m.at("utilisation").get<double>() < 1);
  CHECK(j.at("matters").size() == 10);  // with inclusive-recognition and fund-registration
  CHECK(j.at("departments").at("health").at("utilisation").get<double>() > 0);
  // And ours.
  CHECK(j.at("on_time_statutory").get<double>() >= j.at("on_time_promised").get<double>());
  CHECK(j.at("materials_per_case").get<double>() > 10);
  CHECK(j.at("bottleneck").at("department").is_string());
  CHECK(j.at("departments").at("health").at("queue_length").at("values").size() == 200);
  REQUIRE(j.at("baseline").is_object());
  CHECK(j.at("baseline").at("visits_per_case").get<double>() > j.at("visits_per_case").get<double>());
  CHECK(j.at("baseline").at("saved").at("materials_per_case").get<double>() > 0);
  CHECK(j.at("seed").get<int>() == 2025);
}

TEST_CASE("cli.simulate.same_seed_same_bytes") {
  const CliRun a = run_cli(kQuick + " --json --seed 7");
  const CliRun b = run_cli(kQuick + " --json --seed 7");
  const CliRun c = run_cli(kQuick + " --json --seed 8");
  REQUIRE(a.exit_code == 0);
  CHECK(a.out == b.out);
  CHECK(a.out != c.out);
}

TEST_CASE("cli.simulate.options_override_the_file") {
  const nlohmann::json j = json_of(run_cli(
      kQuick + " --json --capacity health=3 --service school-permit=fixed:2 --reject school-permit=0 --supplement "
               "school-permit=0 --branch school.serves_meals=true:1 --arrival poisson:0.2"));
  const auto& permit = j.at("matters").at("school-permit");
  CHECK(permit.at("service_days").at("min").get<double>() == 2.0);
  CHECK(permit.at("service_days").at("max").get<double>() == 2.0);
  CHECK(permit.at("rejections").get<int>() == 0);
  CHECK(j.at("departments").at("health").at("officers").get<int>() == 3);
  CHECK(j.at("matters").at("food-permit").at("applied").get<int>() == j.at("cases").get<int>());
  CHECK(j.at("littles_law").at("arrival_rate").get<double>() > 0.17);
  // Continuous calendar, no scenario file.
  const nlohmann::json k = json_of(run_cli(
      "simulate kindergarten-setup --calendar continuous --days 2000 --arrival poisson:0.1 --capacity education=3 --json"));
  CHECK(k.at("calendar") == "continuous");
  CHECK(k.at("baseline").is_null());
}

TEST_CASE("cli.simulate.errors_and_exit_codes") {
  CliRun r = run_cli("simulate kindergarten-setup --days 10 --service school-permt=exp:3", true);
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("did you mean `school-permit`?") != std::string::npos);
  r = run_cli("simulate kindergarten-setup --days 10 --service school-permit=gamma:3", true);
  CHECK(r.exit_code == 2);
  r = run_cli("simulate kindergarten-setup --days 10 --branch school.serves_meals=yes:0.5", true);
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("true or false") != std::string::npos);
  r = run_cli("simulate kindergarten-setup --days 10 --arrival uniform:3", true);
  CHECK(r.exit_code == 2);
  r = run_cli("simulate kindergarten-setup --days 10 --baseline joint", true);
  CHECK(r.exit_code == 2);
  r = run_cli("simulate kindergarten-setup no-such-scenario.yaml", true);
  CHECK(r.exit_code == 2);
  r = run_cli("simulate no-such-chain --days 10", true);
  CHECK(r.exit_code == 2);
  r = run_cli("simulate kindergarten-setup --days 10 --calendar no-such-calendar", true);
  CHECK(r.exit_code == 2);
  // A scenario with mistakes: exit 1, each located.
  const auto path = std::filesystem::temp_directory_path() / ("yilian-bad-scenario-" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(path) << "horizon:\n  days: 10\nmatters:\n  school-permit: { supplment: 0.2 }\n";
  r = run_cli("simulate kindergarten-setup " + path.string(), true);
  std::filesystem::remove(path);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find(":4:20: error: matters.school-permit.supplment") != std::string::npos);
  CHECK(r.out.find("did you mean `supplement`?") != std::string::npos);
}

TEST_CASE("cli.simulate.tables_and_no_progress_bar_when_piped") {
  const CliRun r = run_cli(kQuick, true);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("Lead time") != std::string::npos);
  CHECK(r.out.find("托幼机构卫生评价") != std::string::npos);
  CHECK(r.out.find("Bottleneck:") != std::string::npos);
  CHECK(r.out.find("separately") != std::string::npos);
  CHECK(r.out.find('\r') == std::string::npos);  // stderr is not a terminal: no progress bar
}

}  // namespace sim_cli_test
