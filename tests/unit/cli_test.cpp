// The command-line contract: exit codes and JSON keys of DESIGN.md.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "cli_support.h"

using yilian::test::run_cli;

namespace cli_test {

TEST_CASE("cli.commands_exist_with_help") {
  for (const char* cmd : {"validate", "plan", "graph", "calendar", "deadline"}) {
    CAPTURE(cmd);
    auto r = run_cli(std::string(cmd) + " --help");
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("Examples") != std::string::npos);
  }
  CHECK(run_cli("").exit_code == 2);
  CHECK(run_cli("no-such-command").exit_code == 2);
}

TEST_CASE("cli.validate.exit_codes") {
  CHECK(run_cli("validate tests/chains/invalid/015-cycle-three.yaml").exit_code == 1);
  CHECK(run_cli("validate /nonexistent.yaml").exit_code == 2);
  CHECK(run_cli("validate --bogus chains").exit_code == 2);
  auto r = run_cli("validate --json tests/chains/invalid/015-cycle-three.yaml");
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["valid"] == false);
  const auto& d = j["files"][0]["diagnostics"][0];
  CHECK(d["code"] == "cycle");
  CHECK(d["line"] == 23);
  CHECK(d["column"] == 13);
  CHECK(d["message"].get<std::string>().find("m1 → m2 → m3 → m1") != std::string::npos);
}

TEST_CASE("cli.plan.json_contract") {
  auto r = run_cli("plan --json kindergarten-setup");
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  for (const char* k : {"chain", "version", "stages", "critical_path", "serial_promised_days", "compression"})
    CHECK_MESSAGE(j.contains(k), k);
  for (const char* k : {"matters", "promised_days", "statutory_days"}) CHECK(j["critical_path"].contains(k));
  const double c = j["compression"];
  const double crit = j["critical_path"]["promised_days"], serial = j["serial_promised_days"];
  CHECK(c == doctest::Approx(1.0 - crit / serial));
  CHECK(run_cli("plan no-such-chain").exit_code == 2);
  CHECK(run_cli("plan kindergarten-setup --set nosuch.key=1").exit_code == 2);
  CHECK(run_cli("plan tests/chains/invalid/015-cycle-three.yaml").exit_code == 1);
}

TEST_CASE("cli.graph.formats") {
  auto m = run_cli("graph kindergarten-setup --format mermaid");
  REQUIRE(m.exit_code == 0);
  CHECK(m.out.find("flowchart LR") != std::string::npos);
  auto d = run_cli("graph kindergarten-setup --format dot");
  REQUIRE(d.exit_code == 0);
  CHECK(d.out.rfind("digraph", 0) == 0);
  CHECK(run_cli("graph kindergarten-setup --format png").exit_code == 2);
}

TEST_CASE("cli.deadline.json_contract") {
  auto r = run_cli("deadline --from 2025-09-26 --days 5 --json");
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["deadline"] == "2025-10-10");
  CHECK(j["provisional"] == false);
  CHECK(j["suspended_days"] == 0);
  CHECK(j["from"] == "2025-09-26");
  CHECK(j["days"] == 5);
  CHECK(run_cli("deadline --from 2025-13-01 --days 5").exit_code == 2);
  auto cal = nlohmann::json::parse(run_cli("calendar --year 2025 --json").out);
  CHECK(cal["year"] == 2025);
  CHECK(cal["work"].size() == 5);
}

}  // namespace cli_test
