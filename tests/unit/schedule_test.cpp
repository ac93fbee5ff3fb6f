#include <doctest/doctest.h>

#include "calendar_fixture.h"
#include "cli_support.h"
#include "yilian/load.h"
#include "yilian/schedule.h"

#include <nlohmann/json.hpp>

using namespace yilian;
using namespace yilian::test;

namespace schedule_test {

TEST_CASE("schedule.dates_over_holidays_with_uncounted_phases") {
  // m: 5 promised days plus 3 days of testing (Art. 45, not counted); n after m, 2 days.
  const char* text =
      "id: s\nversion: 1\nname: 排期\nlead: a\npromised_days: 7\ndepartments:\n  a: { name: 甲 }\nmatters:\n"
      "  - id: m\n    name: 甲\n    department: a\n    promised_days: 5\n    statutory_days: 10\n"
      "    phases: [{ id: lab, kind: testing, days: 3 }]\n"
      "  - { id: n, name: 乙, department: a, promised_days: 2, statutory_days: 5, after: [m] }\n";
  Loaded<ValidChain> r = load_chain_text(text, "s.yaml");
  REQUIRE(r.ok());
  const Schedule s = schedule(*r.value(), analyse(r.value()), cn_mainland(), D("2025-09-26"));
  REQUIRE(s.matters.size() == 2);
  // Hand count from Friday 2025-09-26: 09-28 (adjusted Sunday) 1, 09-29 2, 09-30 3,
  // 10-01..10-08 holidays, 10-09 4, 10-10 5, 10-11 (adjusted Saturday) 6, 10-13 7,
  // 10-14 8, 10-15 9, 10-16 10.
  CHECK(s.matters[0].start == D("2025-09-26"));
  CHECK(s.matters[0].finish == D("2025-10-14"));
  CHECK(s.matters[0].uncounted_days == 3);
  CHECK(s.matters[1].start == D("2025-10-14"));
  CHECK(s.matters[1].finish == D("2025-10-16"));
  CHECK(s.finish == D("2025-10-16"));
  // The promise of 7 counts days 1-5 and 9-10: the stopped days 6-8 do not count.
  CHECK(s.promised_deadline == D("2025-10-16"));
  CHECK_FALSE(s.provisional);

  const Schedule late = schedule(*r.value(), analyse(r.value()), cn_mainland(), D("2026-12-28"));
  CHECK(late.provisional);
  CHECK(late.provisional_years == std::vector<int>{2027});
}

TEST_CASE("cli.plan.start_dates") {
  auto r = run_cli("plan kindergarten-setup --start 2025-09-26 --json");
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j.contains("schedule"));
  CHECK(j["schedule"]["accepted"] == "2025-09-26");
  CHECK(j["schedule"]["matters"].size() == j["timings"].size());
  CHECK(run_cli("plan kindergarten-setup --start 2025-02-30").exit_code == 2);
  CHECK(run_cli("plan kindergarten-setup --start 2025-09-26 --calendar no-such-calendar").exit_code == 2);
  auto human = run_cli("plan kindergarten-setup --start 2025-09-26");
  CHECK(human.out.find("2025-09-26") != std::string::npos);
}

TEST_CASE("cli.plan.finds_the_chains_calendar_from_any_directory") {
  // The chain names cn-mainland; from a directory without chains/calendars
  // it is found beside the chain file.
  const std::string chain = std::string(YILIAN_SOURCE_DIR) + "/chains/kindergarten-setup.yaml";
  auto r = run_cli_in("/", "plan '" + chain + "' --start 2025-09-26 --json");
  REQUIRE(r.exit_code == 0);
  CHECK(nlohmann::json::parse(r.out)["schedule"]["accepted"] == "2025-09-26");
  auto sim = run_cli_in("/", "simulate '" + chain + "' --cases 20 --seed 3 --json");
  CHECK(sim.exit_code == 0);
}

}  // namespace schedule_test
