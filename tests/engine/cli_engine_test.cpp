// The engine's commands end to end: case, task, overdue, audit and run,
// their JSON, their exit codes (0 ok, 1 invalid input, 2 usage or I/O).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>


#include "../unit/cli_support.h"
#include "../unit/engine_fixture.h"
#include "cli_env.h"
#include "process.h"

using namespace yilian;
using namespace yilian::test;
using nlohmann::json;

namespace cli_engine_test {

namespace {

const std::string kApp = "examples/applications/kindergarten-setup-complete.yaml";


}  // namespace

TEST_CASE("cli.engine.submit_work_and_finish_a_case") {
  ScratchDir dir("cli-case");
  const std::string db = dir.file("cases.db");
  Env db_env("YILIAN_DB", db);
  Env now("YILIAN_NOW", "2025-03-03T09:00");

  auto r = run_cli("case submit kindergarten-setup " + kApp + " --json");
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  json j = parse(r);
  CHECK(j["case"] == 1);
  CHECK(j["stage"] == "running");
  CHECK(j["missing"].empty());

  r = run_cli("case status 1 --json");
  REQUIRE(r.exit_code == 0);
  j = parse(r);
  CHECK(j["chain"] == "kindergarten-setup");
  CHECK(j["accepted_on"] == "2025-03-03");
  CHECK(j["events"].size() == 1);
  CHECK(j["events"][0]["kind"] == "submitted");
  CHECK(j["tasks"].size() == 10);

  r = run_cli("task list --department health --json");
  REQUIRE(r.exit_code == 0);
  j = parse(r);
  REQUIRE(j["tasks"].size() == 1);
  CHECK(j["tasks"][0]["matter"] == "health-evaluation");
  CHECK(j["tasks"][0]["key"] == "1:health-evaluation:1");
  CHECK(j["tasks"][0]["deadline"] == "2025-03-17");

  CHECK(run_cli("task claim 1 health-evaluation --officer 王五").exit_code == 0);
  r = run_cli("task approve 1 health-evaluation");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("health-evaluation approved") != std::string::npos);
  // The same approval again: recorded, ignored, not an error.
  r = run_cli("task approve 1 health-evaluation --attempt 1 --json");
  CHECK(r.exit_code == 0);
  CHECK(parse(r)["result"] == "ignored");
  CHECK(run_cli("task approve 1 fire-filing").exit_code == 0);
  CHECK(run_cli("task request-supplement 1 school-permit --item 消防验收意见书 --reason 缺件").exit_code == 0);
  r = run_cli("case status 1");
  CHECK(r.out.find("clock stopped") != std::string::npos);
  CHECK(r.out.find("王五") != std::string::npos);
  CHECK(run_cli("case supplement 1 --material fire-filing-receipt --in-person").exit_code == 0);
  CHECK(run_cli("task suspend 1 school-permit --for expert-review --told-days 10").exit_code == 0);
  CHECK(run_cli("task resume 1 school-permit").exit_code == 0);
  CHECK(run_cli("task approve 1 school-permit --produce school.permit_no=教民1403020001").exit_code == 0);
  CHECK(run_cli("case extend 1 --matter nonprofit-registration --days 10 --approver 局长 --reason 情况复杂").exit_code == 0);
  // An approval without the values its matter produces, or with a wrong
  // one, is refused with each problem named; the task stays open.
  r = run_cli("task approve 1 nonprofit-registration --produce applicant.uscc=52370302MJ0000000X", true);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("applicant.uscc") != std::string::npos);
  CHECK(r.out.find("check character") != std::string::npos);
  CHECK(run_cli("task approve 1 nonprofit-registration --produce applicant.uscc=52370302MJ0000000M").exit_code == 0);
  CHECK(run_cli("task approve 1 seal-engraving").exit_code == 0);
  CHECK(run_cli("task approve 1 tax-setup").exit_code == 0);
  CHECK(run_cli("task approve 1 fund-registration").exit_code == 0);
  r = run_cli("task approve 1 food-permit", true);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("food.licence_no") != std::string::npos);
  CHECK(r.out.find("missing") != std::string::npos);
  CHECK(run_cli("task approve 1 food-permit --produce food.licence_no=JY13703020000001").exit_code == 0);
  r = run_cli("case deliver 1 --method express --tracking SF1234567890 --json");
  REQUIRE(r.exit_code == 0);
  CHECK(parse(r)["stage"] == "delivered");

  r = run_cli("case status 1 --json");
  j = parse(r);
  CHECK(j["stage"] == "delivered");
  CHECK(j["visits"] == 2);
  CHECK(j["delivery"] == "express");
  CHECK(j["events"].back()["kind"] == "delivered");
  r = run_cli("case list --json");
  CHECK(parse(r)["cases"].size() == 1);
  r = run_cli("audit verify " + q(db) + " --json");
  CHECK(r.exit_code == 0);
  CHECK(parse(r)["ok"] == true);
}

TEST_CASE("cli.engine.refusals_and_their_exit_codes") {
  ScratchDir dir("cli-refusals");
  Env db_env("YILIAN_DB", dir.file("cases.db"));
  CHECK(run_cli("case status 1").exit_code == 2);  // no store yet
  REQUIRE(run_cli("case submit kindergarten-setup " + kApp).exit_code == 0);
  auto r = run_cli("case status 99", true);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("no case 99") != std::string::npos);
  r = run_cli("case deliver 1", true);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("delivered when every matter is approved") != std::string::npos);
  CHECK(run_cli("task approve 1 no-such-matter").exit_code == 1);
  CHECK(run_cli("task approve 1 school-permit --produce nonsense").exit_code == 2);
  CHECK(run_cli("case deliver 1 --method drone").exit_code == 2);
  CHECK(run_cli("case list --state sleeping").exit_code == 2);
  CHECK(run_cli("task claim 1 school-permit --officer 王五").exit_code == 1);  // waiting, not open
  // Application files: located errors (1), a missing file (2), another chain (1).
  {
    std::ofstream f(dir.file("bad.yaml"));
    f << "chain: kindergarten-setup\nfeilds: {}\nmaterials: [Site-Title]\n";
  }
  r = run_cli("case submit kindergarten-setup " + q(dir.file("bad.yaml")), true);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("bad.yaml:2:1") != std::string::npos);
  CHECK(r.out.find("did you mean `fields`?") != std::string::npos);
  CHECK(run_cli("case submit kindergarten-setup " + q(dir.file("none.yaml"))).exit_code == 2);
  {
    std::ifstream in(std::string(YILIAN_SOURCE_DIR) + "/" + kApp);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text.replace(text.find("370303199003152027"), 18, "370303199003152028");
    std::ofstream f(dir.file("bad-id.yaml"));
    f << text;
  }
  r = run_cli("case submit kindergarten-setup " + q(dir.file("bad-id.yaml")), true);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("bad-id.yaml:28:24: error: school.principal_id") != std::string::npos);
  CHECK(r.out.find("school.principal_id") != std::string::npos);
  CHECK(r.out.find("[id-card]") != std::string::npos);
  {
    std::ofstream f(dir.file("other.yaml"));
    f << "chain: retail-pharmacy\nfields: {}\n";
  }
  CHECK(run_cli("case submit kindergarten-setup " + q(dir.file("other.yaml"))).exit_code == 1);
  CHECK(run_cli("case submit no-such-chain " + kApp).exit_code == 2);
  CHECK(run_cli("case status").exit_code == 2);
}

TEST_CASE("cli.engine.an_incomplete_application_gets_one_notice") {
  ScratchDir dir("cli-incomplete");
  Env db_env("YILIAN_DB", dir.file("cases.db"));
  {
    std::ofstream f(dir.file("partial.yaml"));
    f << "chain: kindergarten-setup\nfields:\n  applicant.name: 阳光幼儿园\n  school.serves_meals: false\n"
         "  site.children_area: 800\nmaterials: [charter]\n";
  }
  auto r = run_cli("case submit kindergarten-setup " + q(dir.file("partial.yaml")) + " --json");
  REQUIRE(r.exit_code == 0);
  json j = parse(r);
  CHECK(j["stage"] == "incomplete");
  CHECK(j["missing"].size() > 20);
  r = run_cli("case submit kindergarten-setup " + q(dir.file("partial.yaml")));
  CHECK(r.out.find("一次告知") != std::string::npos);
  CHECK(r.out.find("园址 (site.address)") != std::string::npos);
  CHECK(r.out.find("canteen") == std::string::npos);  // no meals: the food permit does not apply
  j = parse(run_cli("case list --state incomplete --json"));
  CHECK(j["cases"].size() == 2);
  r = run_cli("case withdraw 2 --reason 重复提交");
  CHECK(r.exit_code == 0);
  CHECK(parse(run_cli("case status 2 --json"))["stage"] == "withdrawn");
}

TEST_CASE("cli.engine.overdue_by_department") {
  ScratchDir dir("cli-overdue");
  Env db_env("YILIAN_DB", dir.file("cases.db"));
  {
    Env now("YILIAN_NOW", "2025-03-03T09:00");
    REQUIRE(run_cli("case submit kindergarten-setup " + kApp).exit_code == 0);
    auto r = run_cli("overdue");
    CHECK(r.exit_code == 0);
    // fire-filing is promised in 1 working day: green on its first day …
    CHECK(r.out.find("No yellow or red limits today (2025-03-03)") != std::string::npos);
  }
  {
    // … yellow on its deadline day, named as people know it (the matter's
    // id beside its name, for the task commands), with "day" in the singular.
    Env now("YILIAN_NOW", "2025-03-04T09:00");
    auto r = run_cli("overdue");
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("区住房和城乡建设局 (housing)\n") != std::string::npos);
    CHECK(r.out.find("yellow  case 1 · 建设工程消防验收备案 (fire-filing)") != std::string::npos);
    CHECK(r.out.find("0 working days left") != std::string::npos);
    auto j = parse(run_cli("overdue --json"));
    const json& h = j["departments"]["housing"][0];
    CHECK(h["matter"] == "fire-filing");
    CHECK(h["matter_name"] == "建设工程消防验收备案");
    CHECK(h["department_name"] == "区住房和城乡建设局");
    CHECK(h["chain_name"] == "幼儿园设立");
  }
  {
    Env now("YILIAN_NOW", "2025-03-05T09:00");
    auto r = run_cli("overdue");
    CHECK(r.out.find("1 working day overdue") != std::string::npos);
    CHECK(r.out.find("1 working days") == std::string::npos);
  }
  Env later("YILIAN_NOW", "2025-03-20T09:00");
  auto r = run_cli("overdue --json");
  REQUIRE(r.exit_code == 0);
  json j = parse(r);
  CHECK(j["today"] == "2025-03-20");
  REQUIRE(j["departments"].contains("health"));
  const json& h = j["departments"]["health"][0];
  CHECK(h["matter"] == "health-evaluation");
  CHECK(h["alert"] == "red");
  CHECK(h["deadline"] == "2025-03-17");
  CHECK(h["overdue_days"] == 3);
  CHECK(h["supervision"] == "first-level");
  r = run_cli("case list --overdue --json");
  CHECK(parse(r)["cases"].size() == 1);
  r = run_cli("overdue");
  CHECK(r.out.find("区卫生健康局 (health)") != std::string::npos);
  CHECK(r.out.find("red     case 1 · 托幼机构卫生评价 (health-evaluation)") != std::string::npos);
  CHECK(r.out.find("3 working days overdue") != std::string::npos);
  // task list: names too; the ids stay in --json.
  r = run_cli("task list --department health");
  CHECK(r.out.find("托幼机构卫生评价 (health-evaluation)") != std::string::npos);
  CHECK(r.out.find("区卫生健康局") != std::string::npos);
  CHECK(r.out.find("\n1 open task\n") != std::string::npos);
  CHECK(parse(run_cli("task list --department health --json"))["tasks"][0]["department"] == "health");
  r = run_cli("case list");
  CHECK(r.out.find("\n1 case\n") != std::string::npos);
}

TEST_CASE("cli.engine.refusals_in_the_flow_core_exit_1_with_the_reason") {
  ScratchDir dir("cli-flow-refusals");
  Env db_env("YILIAN_DB", dir.file("cases.db"));
  Env now("YILIAN_NOW", "2025-03-03T09:00");
  REQUIRE(run_cli("case submit kindergarten-setup " + kApp).exit_code == 0);
  REQUIRE(run_cli("task approve 1 health-evaluation").exit_code == 0);
  REQUIRE(run_cli("task approve 1 fire-filing").exit_code == 0);
  REQUIRE(run_cli("task request-supplement 1 school-permit --item 消防验收意见书").exit_code == 0);
  const auto entries = parse(run_cli("case status 1 --json"))["events"].size();
  // An empty supplement would restart the stopped clock: refused.
  auto r = run_cli("case supplement 1 --in-person", true);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("nothing was handed in") != std::string::npos);
  json j = parse(run_cli("case status 1 --json"));
  CHECK(j["events"].size() == entries);
  CHECK(j["visits"] == 1);
  REQUIRE(run_cli("case supplement 1 --material fire-filing-receipt").exit_code == 0);
  // A produced value the matter does not declare: refused with the likely
  // key; nothing of it reaches the log.
  r = run_cli("task approve 1 school-permit --produce school.permit=教民1403020001", true);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("`school.permit` is not one school-permit declares under `produces`") != std::string::npos);
  CHECK(r.out.find("did you mean `school.permit_no`?") != std::string::npos);
  r = run_cli("task approve 1 school-permit --produce school.permit_no=教民1403020001 --produce food.licence_no=JY13703020000001",
              true);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("`food.licence_no` is not one school-permit declares") != std::string::npos);
  r = run_cli("case status 1 --json");
  CHECK(r.out.find("school.permit\"") == std::string::npos);
  CHECK(r.out.find("food.licence_no") == std::string::npos);
  CHECK(run_cli("task approve 1 school-permit --produce school.permit_no=教民1403020001").exit_code == 0);
}

TEST_CASE("cli.engine.text_from_outside_is_printed_harmless") {
  ScratchDir dir("cli-escapes");
  Env db_env("YILIAN_DB", dir.file("cases.db"));
  Env now("YILIAN_NOW", "2025-03-03T09:00");
  REQUIRE(run_cli("case submit kindergarten-setup " + kApp).exit_code == 0);
  // An officer name and a reason with escape sequences (colour, clear screen).
  REQUIRE(run_cli("task claim 1 health-evaluation --officer \"$(printf '\\033[31m')王五\"").exit_code == 0);
  auto r = run_cli("task list");
  CHECK(r.out.find('\x1b') == std::string::npos);
  CHECK(r.out.find("\\x1b[31m王五") != std::string::npos);
  REQUIRE(run_cli("task reject 1 health-evaluation --reason \"$(printf '\\033[2J\\033[H')不符合要求\"").exit_code == 0);
  r = run_cli("case status 1");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find('\x1b') == std::string::npos);
  CHECK(r.out.find("\\x1b[2J\\x1b[H不符合要求") != std::string::npos);
  // JSON keeps the text, escaped as JSON escapes it.
  r = run_cli("case status 1 --json");
  CHECK(r.out.find('\x1b') == std::string::npos);
  std::string note;
  const json doc = parse(r);
  for (const auto& t : doc["tasks"])
    if (t["matter"] == "health-evaluation") note = t["note"].get<std::string>();
  CHECK(note.find("\x1b[2J") != std::string::npos);
}

TEST_CASE("cli.engine.run_until_done_with_the_command_adapter") {
  ScratchDir dir("cli-run");
  const std::string db = dir.file("cases.db");
  Env db_env("YILIAN_DB", db);
  {
    std::ofstream f(dir.file("deploy.yaml"));
    f << "chains: [" << YILIAN_SOURCE_DIR << "/chains/kindergarten-setup.yaml]\n"
      << "engine: { auto_deliver: electronic }\n"
      << "departments:\n  \"*\": { adapter: command, command: [" << YILIAN_TEST_DEPARTMENT << "], timeout_ms: 5000 }\n";
    std::ofstream bad(dir.file("bad-deploy.yaml"));
    bad << "departments:\n  health: { adapter: telepathy }\n";
  }
  for (int i = 0; i < 3; ++i) REQUIRE(run_cli("case submit kindergarten-setup " + kApp).exit_code == 0);
  auto r = run_cli("run --deploy " + q(dir.file("deploy.yaml")) + " --until-done");
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  CHECK(r.out.find("3 open cases recovered") != std::string::npos);
  CHECK(r.out.find("case 2: delivered") != std::string::npos);
  CHECK(r.out.find("stopped (every case done)") != std::string::npos);
  json j = parse(run_cli("case list --state delivered --json"));
  CHECK(j["cases"].size() == 3);

  r = run_cli("run --deploy " + q(dir.file("bad-deploy.yaml")), true);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("bad-deploy.yaml:2:22") != std::string::npos);
  CHECK(run_cli("run --deploy " + q(dir.file("none.yaml"))).exit_code == 2);
}

TEST_CASE("cli.engine.a_running_engine_applies_what_the_cli_hands_it") {
  ScratchDir dir("cli-live");
  const std::string db = dir.file("cases.db");
  Env db_env("YILIAN_DB", db);
  {
    std::ofstream f(dir.file("deploy.yaml"));
    f << "chains: [" << YILIAN_SOURCE_DIR << "/chains/kindergarten-setup.yaml]\n"
      << "engine: { inbox_poll_ms: 20 }\ndepartments:\n  \"*\": { adapter: manual }\n";
  }
  const pid_t pid = spawn({YILIAN_CLI, "run", "--db", db, "--deploy", dir.file("deploy.yaml")}, dir.file("run.out"));
  REQUIRE(pid > 0);
  struct Stop {
    pid_t pid;
    ~Stop() {
      if (pid <= 0) return;
      ::kill(pid, SIGTERM);
      if (wait_for(pid, std::chrono::seconds(20)) == -1000) kill_hard(pid);
    }
  } stop{pid};
  // Wait for the engine to hold the store (the submit then goes through its inbox).
  REQUIRE(eventually([&] {
    std::ifstream in(dir.file("run.out"));
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return s.find("yilian run:") != std::string::npos;
  }));
  auto r = run_cli("case submit kindergarten-setup " + kApp + " --json");
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  CHECK(parse(r)["case"] == 1);
  CHECK(run_cli("task approve 1 health-evaluation").exit_code == 0);
  r = run_cli("case deliver 1", true);
  CHECK(r.exit_code == 1);  // refusals come back through the inbox too
  CHECK(parse(run_cli("case status 1 --json"))["events"].size() == 2);
  // A second engine on the same store is refused (2).
  r = run_cli("run --deploy " + q(dir.file("deploy.yaml")), true);
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("another engine is running") != std::string::npos);
  // SIGTERM: a clean stop.
  ::kill(pid, SIGTERM);
  CHECK(wait_for(pid, std::chrono::seconds(20)) == 0);
  stop.pid = -1;
  std::ifstream in(dir.file("run.out"));
  std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(out.find("stopped (SIGTERM)") != std::string::npos);
  CHECK(run_cli("audit verify " + q(db)).exit_code == 0);
}

TEST_CASE("cli.engine.a_store_finds_its_chains_calendar_from_any_directory") {
  // The case is submitted from the source tree; the later commands run in
  // another folder, where ./chains/calendars does not exist: the store
  // remembers where the chain came from, and its calendar beside it.
  ScratchDir dir("cli-elsewhere");
  const std::string db = dir.file("cases.db");
  Env now("YILIAN_NOW", "2025-03-03T09:00");
  auto r = run_cli("case submit --db " + q(db) + " kindergarten-setup " + kApp);
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  r = run_cli_in(dir.path.string(), "task list --db cases.db --department health --json", true);
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  CHECK(parse(r)["tasks"][0]["matter"] == "health-evaluation");
  r = run_cli_in(dir.path.string(), "task approve --db cases.db 1 health-evaluation", true);
  CHECK_MESSAGE(r.exit_code == 0, r.out);
  r = run_cli_in(dir.path.string(), "audit verify cases.db", true);
  CHECK_MESSAGE(r.exit_code == 0, r.out);
}

}  // namespace cli_engine_test
