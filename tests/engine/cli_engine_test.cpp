// The engine's commands end to end: case, task, overdue, audit and run,
// their JSON, their exit codes (0 ok, 1 invalid input, 2 usage or I/O).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <sqlite3.h>

#include "../unit/cli_support.h"
#include "../unit/engine_fixture.h"
#include "cli_env.h"
#include "process.h"

using namespace yilian;
using namespace yilian::test;
using nlohmann::json;

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

/// The format a store's meta table names.
/// The first column of the first row a query gives on a store ("" when none).
std::string store_value(const std::string& db, const char* sql) {
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  REQUIRE(sqlite3_prepare_v2(h, sql, -1, &q, nullptr) == SQLITE_OK);
  std::string v;
  if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0)) v = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
  sqlite3_finalize(q);
  sqlite3_close(h);
  return v;
}

std::string store_format(const std::string& db) { return store_value(db, "SELECT value FROM meta WHERE key='format'"); }

/// The format this yilian writes: an older store is upgraded to it when written to.
constexpr const char* kStoreFormat = "yilian-store-5";

/// A status document less the keys format 4 added (容缺受理, 好差评), when
/// they are empty: what an older yilian printed.
json without_later_keys(json j) {
  for (const char* k : {"deferred", "ratings"})
    if (j.contains(k) && j[k].empty()) j.erase(k);
  for (const char* k : {"deferred_alert", "agent"})
    if (j.contains(k) && j[k].is_null()) j.erase(k);
  return j;
}

TEST_CASE("cli.engine.a_store_written_before_actors_reads_and_upgrades") {
  // tests/engine/fixtures/store-format-1.db was written by yilian before
  // actors (format yilian-store-1, commit dd72164): a kindergarten case
  // submitted, its health evaluation claimed and approved; the .status.json
  // beside it is what that version printed for `case status 1 --json`.
  ScratchDir dir("cli-format-1");
  const std::string db = dir.file("old.db");
  const std::string fixtures = std::string(YILIAN_SOURCE_DIR) + "/tests/engine/fixtures/";
  std::filesystem::copy_file(fixtures + "store-format-1.db", db);
  Env db_env("YILIAN_DB", db);
  Env now("YILIAN_NOW", "2025-03-12T09:00");

  // Read as before: the same document, no actors.
  auto r = run_cli("case status 1 --json");
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  std::ifstream in(fixtures + "store-format-1.status.json");
  json before = json::parse(in);
  // One difference, by a later rule and not by the store: fire-filing, a
  // 1-day limit started that day, is no longer yellow on its first day.
  REQUIRE(before["tasks"][2]["matter"] == "fire-filing");
  REQUIRE(before["tasks"][2]["alert"] == "yellow");
  before["tasks"][2]["alert"] = "green";
  CHECK(without_later_keys(parse(r)) == before);
  r = run_cli("audit verify --json");
  CHECK(r.exit_code == 0);
  CHECK(parse(r)["ok"] == true);

  // Written to: upgraded (to format 3 now), the new entry names its officer, the
  // old ones stay as they were and the whole log still verifies.
  r = run_cli("task approve 1 fire-filing --officer 李四");
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  const json after = parse(run_cli("case status 1 --json"));
  const json& events = after["events"];
  REQUIRE(events.size() == before["events"].size() + 1);
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    CHECK(events[i] == before["events"][i]);
    CHECK_FALSE(events[i].contains("actor"));
  }
  CHECK(events.back()["kind"] == "task-approved");
  CHECK(events.back()["actor"]["account"] == "李四");
  CHECK(events.back()["actor"]["channel"] == "cli");
  r = run_cli("audit verify --json");
  CHECK(r.exit_code == 0);
  CHECK(parse(r)["ok"] == true);
  CHECK(store_format(db) == kStoreFormat);
}

TEST_CASE("cli.engine.a_store_written_before_limit_units_and_sets_reads_and_upgrades") {
  // tests/engine/fixtures/store-format-2.db was written by yilian before
  // limits carried units and values could be sets (format yilian-store-2,
  // commit bd6ba47): a
  // kindergarten case submitted by 王五 on 2025-03-10, its health evaluation
  // claimed and approved by 赵六; the .status.json beside it is what that
  // version printed for `case status 1 --json` on 2025-03-12.
  ScratchDir dir("cli-format-2");
  const std::string db = dir.file("old.db");
  const std::string fixtures = std::string(YILIAN_SOURCE_DIR) + "/tests/engine/fixtures/";
  std::filesystem::copy_file(fixtures + "store-format-2.db", db);
  Env db_env("YILIAN_DB", db);
  Env now("YILIAN_NOW", "2025-03-12T09:00");
  auto format = [&] { return store_format(db); };

  // Read as before: the same document, the limits still in working days
  // (the keys added since are new and empty).
  auto r = run_cli("case status 1 --json");
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  std::ifstream in(fixtures + "store-format-2.status.json");
  const json before = json::parse(in);
  CHECK(without_later_keys(parse(r)) == before);
  r = run_cli("audit verify --json");
  CHECK(r.exit_code == 0);
  CHECK(parse(r)["ok"] == true);

  CHECK(format() == "yilian-store-2");  // reading does not upgrade

  // Written to: the current format; a new case under today's chain holds its school
  // permit's three months, a hotel case a set value, and every case and the
  // whole log verify.
  r = run_cli("task approve 1 fire-filing --officer 李四");
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  CHECK(format() == kStoreFormat);
  const json after = parse(run_cli("case status 1 --json"));
  REQUIRE(after["events"].size() == before["events"].size() + 1);
  for (std::size_t i = 0; i < before["events"].size(); ++i) CHECK(after["events"][i] == before["events"][i]);
  const std::string chains = std::string(YILIAN_SOURCE_DIR) + "/chains/";
  r = run_cli("case submit " + chains + "kindergarten-setup.yaml " + std::string(YILIAN_SOURCE_DIR) +
              "/examples/applications/kindergarten-setup-complete.yaml --json");
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  r = run_cli("case submit " + chains + "hotel-restaurant.yaml " + std::string(YILIAN_SOURCE_DIR) +
              "/examples/applications/hotel-restaurant-complete.yaml --json");
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  const json hotel = parse(run_cli("case status 3 --json"));
  CHECK(hotel["events"][0]["detail"]["fields"]["food.categories"] == json::array({"hot-food", "cold-food", "drinks"}));
  r = run_cli("audit verify --json");
  CHECK(r.exit_code == 0);
  CHECK(parse(r)["ok"] == true);
  CHECK(format() == kStoreFormat);
}

TEST_CASE("cli.engine.a_store_written_before_ratings_and_deferrals_reads_and_upgrades") {
  // tests/engine/fixtures/store-format-3.db was written by yilian at
  // bff1bbc (format yilian-store-3): case 1 a kindergarten case (a
  // three-month limit) with its health evaluation approved; case 2 a
  // hotel case (a set value) with a claim and a supplement round. The
  // .status.json and .case1.json beside it are what that version printed
  // for `case status 2 --json` and `case status 1 --json` on 2025-03-14.
  ScratchDir dir("cli-format-3");
  const std::string db = dir.file("old.db");
  const std::string fixtures = std::string(YILIAN_SOURCE_DIR) + "/tests/engine/fixtures/";
  std::filesystem::copy_file(fixtures + "store-format-3.db", db);
  Env db_env("YILIAN_DB", db);
  Env now("YILIAN_NOW", "2025-03-14T09:00");
  auto format = [&] { return store_format(db); };
  for (const auto& [id, file] : {std::pair<const char*, const char*>{"1", "store-format-3.case1.json"}, {"2", "store-format-3.status.json"}}) {
    CAPTURE(id);
    auto r = run_cli(std::string("case status ") + id + " --json");
    REQUIRE_MESSAGE(r.exit_code == 0, r.out);
    std::ifstream in(fixtures + file);
    const json before = json::parse(in);
    const json now_doc = parse(r);
    CHECK(now_doc["ratings"] == json::array());
    CHECK(now_doc["deferred"] == json::array());
    CHECK(without_later_keys(now_doc) == before);
  }
  CHECK(parse(run_cli("audit verify --json"))["ok"] == true);
  CHECK(format() == "yilian-store-3");  // reading does not upgrade

  // Written to: format 4. The old running case takes a rating and its
  // follow-up; its earlier entries stay as they were and the log verifies.
  auto r = run_cli("case rate 2 --grade 2 --matter business-registration --comment 材料退回两次 --officer 窗口甲");
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  CHECK(format() == kStoreFormat);
  // The index of open cases now covers the stage a verification keeps a case in.
  CHECK(store_value(db, "SELECT sql FROM sqlite_master WHERE name='cases_open'").find("'verifying'") != std::string::npos);
  r = run_cli("case follow-up 2 --rating 1 --step called-back --note 已回访 --officer 督办员");
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  const json after = parse(run_cli("case status 2 --json"));
  REQUIRE(after["ratings"].size() == 1);
  CHECK(after["ratings"][0]["grade"] == 2);
  CHECK(after["ratings"][0]["label"] == "不满意");
  CHECK(after["ratings"][0]["follow_up"]["called_back"] == "2025-03-14");
  // Rated on Friday 2025-03-14: called back by the next working day;
  // rectified within 15 working days, which pass 清明 (04-04 to 04-06).
  CHECK(after["ratings"][0]["follow_up"]["call_back_due"] == "2025-03-17");
  CHECK(after["ratings"][0]["follow_up"]["rectify_due"] == "2025-04-07");
  CHECK(after["events"][after["events"].size() - 1]["kind"] == "followed-up");
  CHECK(after["events"][after["events"].size() - 1]["actor"]["account"] == "督办员");
  CHECK(parse(run_cli("audit verify --json"))["ok"] == true);
}

TEST_CASE("cli.engine.a_store_written_before_notices_per_instant_reads_and_upgrades") {
  // tests/engine/fixtures/store-format-4.db was written by yilian at
  // de11fe5 (format yilian-store-4, state format 3): case 1 a hotel case
  // (a claim, an approval with a produced value, two supplement requests in
  // separate commands, a supplement), case 2 withdrawn with a bad rating,
  // case 3 running, case 4 incomplete. The .case1.json and .case4.json
  // beside it are what that version printed on 2025-03-14.
  ScratchDir dir("cli-format-4");
  const std::string db = dir.file("old.db");
  const std::string fixtures = std::string(YILIAN_SOURCE_DIR) + "/tests/engine/fixtures/";
  std::filesystem::copy_file(fixtures + "store-format-4.db", db);
  Env db_env("YILIAN_DB", db);
  Env now("YILIAN_NOW", "2025-03-14T09:00");
  for (const auto& [id, file] : {std::pair<const char*, const char*>{"1", "store-format-4.case1.json"}, {"4", "store-format-4.case4.json"}}) {
    CAPTURE(id);
    auto r = run_cli(std::string("case status ") + id + " --json");
    REQUIRE_MESSAGE(r.exit_code == 0, r.out);
    std::ifstream in(fixtures + file);
    CHECK(parse(r) == json::parse(in));
  }
  CHECK(parse(run_cli("audit verify --json"))["ok"] == true);
  CHECK(store_format(db) == "yilian-store-4");  // reading does not upgrade

  // Written to: format 5. Two departments of the old case 1 ask for
  // supplements at one instant (two commands, two commits): one notice.
  Env later("YILIAN_NOW", "2025-03-14T10:00");
  auto r = run_cli("task request-supplement 1 seal-engraving --item 印章样式 --officer 公安甲");
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  CHECK(store_format(db) == kStoreFormat);
  CHECK(store_value(db, "SELECT value FROM meta WHERE key='whole_state_after'") == "4");
  r = run_cli("task request-supplement 1 drainage-permit --item 排水图纸 --officer 水务乙");
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  CHECK(parse(run_cli("case status 1 --json"))["notices"] == 3);  // 2 before, one more

  // A case begun after the upgrade: the same, and audit verify compares its
  // whole state with its log replayed (the old cases in what every format
  // agrees on).
  r = run_cli("case submit hotel-restaurant " + std::string(YILIAN_SOURCE_DIR) +
              "/examples/applications/hotel-restaurant-complete.yaml --json");
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  CHECK(parse(r)["case"] == 5);
  r = run_cli("task approve 5 business-registration --produce applicant.uscc=91110000600037341L --officer 工商甲");
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  for (const char* m : {"seal-engraving", "drainage-permit"}) {
    r = run_cli(std::string("task request-supplement 5 ") + m + " --item 图纸 --officer 部门");
    REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  }
  CHECK(parse(run_cli("case status 5 --json"))["notices"] == 1);
  r = run_cli("audit verify --json");
  CHECK(r.exit_code == 0);
  CHECK(parse(r)["ok"] == true);
}
