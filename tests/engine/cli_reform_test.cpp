// The reform's case rules through the CLI on a real store: 容缺受理, 好差评,
// 代办帮办 and 告知承诺 (the commitment letter, the verification on the 督办
// board, the revocation after a failed one).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "../unit/cli_support.h"
#include "../unit/engine_fixture.h"
#include "cli_env.h"

using namespace yilian;
using namespace yilian::test;
using nlohmann::json;

namespace cli_reform_test {

TEST_CASE("cli.engine.deferred_materials_ratings_and_their_statistics") {
  ScratchDir dir("cli-reform");
  const std::string db = dir.file("cases.db");
  Env db_env("YILIAN_DB", db);
  Env now("YILIAN_NOW", "2025-03-03T09:00");
  const std::string chain = dir.file("reform.yaml");
  {
    std::ofstream out(chain);
    out << R"(id: reform
version: 1
name: 容缺测试
lead: x
promised_days: 10
defer_within: "3 working days"
departments:
  x: { name: 甲局 }
fields:
  applicant.name: { label: 申请人, type: string }
materials:
  lease: { name: 租赁合同, source: applicant }
  photos: { name: 场地照片, source: applicant, deferrable: true }
matters:
  - { id: a, name: 事项甲, department: x, statutory_days: 20, promised_days: 5, fields: [applicant.name], materials: [lease, photos] }
)";
    std::ofstream app(dir.file("app.yaml"));
    app << "chain: reform\nfields: { applicant.name: 张三 }\nmaterials: [lease]\n";
  }
  // Accepted with the photos deferred: the receipt says what and by when.
  auto r = run_cli("case submit " + chain + " " + dir.file("app.yaml") + " --json --officer 窗口甲");
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  json j = parse(r);
  CHECK(j["stage"] == "running");
  CHECK(j["missing"] == json::array());
  REQUIRE(j["deferred"].size() == 1);
  CHECK(j["deferred"][0]["key"] == "photos");
  CHECK(j["deferred"][0]["label"] == "场地照片");
  CHECK(j["deferred"][0]["due"] == "2025-03-06");
  r = run_cli("case submit " + chain + " " + dir.file("app.yaml") + " --officer 窗口甲");
  CHECK(r.out.find("容缺受理") != std::string::npos);
  CHECK(r.out.find("2025-03-06") != std::string::npos);

  // Approved, but the results wait for the photos.
  REQUIRE(run_cli("task approve 1 a --officer 甲").exit_code == 0);
  j = parse(run_cli("case status 1 --json"));
  CHECK(j["stage"] == "ready");
  CHECK(j["deferred_alert"] == "green");
  r = run_cli("case deliver 1 --officer 窗口甲", true);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("photos") != std::string::npos);
  {
    Env later("YILIAN_NOW", "2025-03-10T09:00");
    j = parse(run_cli("case status 1 --json"));
    CHECK(j["deferred"][0]["due"] == "2025-03-06");
    // Past their due day the deferred materials are red on the 督办 board,
    // under the lead department, apart from the matters' own limits.
    // (Case 2, accepted the same way, is listed too, with its task.)
    const json board = parse(run_cli("overdue --json"));
    std::vector<std::string> kinds;
    for (const json& e : board["departments"]["x"])
      if (e["case"] == 1) kinds.push_back(e["kind"].get<std::string>());
    CHECK(kinds == std::vector<std::string>{"deferred"});  // its matter is decided; only the materials are late
    for (const json& e : board["departments"]["x"]) {
      if (e["kind"] != "deferred") continue;
      CHECK(e["alert"] == "red");
      CHECK(e["deadline"] == "2025-03-06");
      CHECK(e["matter"].is_null());
    }
    CHECK(run_cli("overdue").out.find("deferred materials") != std::string::npos);
  }
  REQUIRE(run_cli("case supplement 1 --material photos --in-person --officer 窗口甲").exit_code == 0);
  REQUIRE(run_cli("case deliver 1 --officer 窗口甲").exit_code == 0);

  // Ratings: refused outside the rules with exit 1, recorded with their actor otherwise.
  CHECK(run_cli("case rate 1 --grade 5 --matter nope").exit_code == 1);
  CHECK(run_cli("case rate 1 --grade 9").exit_code != 0);
  REQUIRE(run_cli("case rate 1 --grade 1 --comment 态度差 --officer 窗口甲").exit_code == 0);
  CHECK(run_cli("case rate 1 --grade 4").exit_code == 1);  // rated once
  REQUIRE(run_cli("case rate 1 --grade 4 --matter a").exit_code == 0);
  REQUIRE(run_cli("case rate 2 --grade 2").exit_code == 0);
  CHECK(run_cli("case follow-up 1 --rating 1 --step rectified").exit_code == 1);  // call back first
  CHECK(run_cli("case follow-up 1 --rating 1 --step sideways").exit_code == 2);
  r = run_cli("case follow-up 1 --rating 0 --step called-back", true);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("numbered from 1") != std::string::npos);
  r = run_cli("case follow-up 1 --rating 9 --step called-back", true);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("there is no rating 9") != std::string::npos);
  REQUIRE(run_cli("case follow-up 1 --rating 1 --step called-back --officer 督办员").exit_code == 0);
  REQUIRE(run_cli("case follow-up 2 --rating 1 --step appealed --note 误评 --officer 甲").exit_code == 0);
  REQUIRE(run_cli("case follow-up 2 --rating 1 --step appeal-upheld --officer 督办员").exit_code == 0);

  r = run_cli("ratings --json");
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  j = parse(r);
  REQUIRE(j["departments"].size() == 1);
  const json& x = j["departments"][0];
  CHECK(x["department"] == "x");
  CHECK(x["grades"]["1"] == 1);
  CHECK(x["grades"]["4"] == 1);
  CHECK(x["total"] == 2);
  CHECK(x["bad"] == 1);
  CHECK(x["set_aside"] == 1);
  CHECK(x["follow_ups"] == 1);
  CHECK(x["call_backs_on_time"] == 1);
  REQUIRE(j["matters"].size() == 2);  // the whole case, and matter a
  CHECK(j["matters"][0]["matter"].is_null());
  CHECK(j["matters"][1]["matter"] == "a");
  r = run_cli("ratings");
  CHECK(r.out.find("By department") != std::string::npos);
  CHECK(r.out.find("甲局") != std::string::npos);
  // 代办帮办: an agent hands in an application with the authorisation; the
  // agent is on the record, the receipt and the list of the agent's cases.
  {
    std::ofstream app(dir.file("agent.yaml"));
    app << "chain: reform\nfields: { applicant.name: 李四 }\nmaterials: [lease, photos]\n"
           "agent: { name: 孙帮办, id_number: \"11010519491231002X\" }\n";
  }
  r = run_cli("case submit " + chain + " " + dir.file("agent.yaml") + " --officer 窗口甲", true);
  CHECK(r.exit_code == 1);  // the check asks for the authorisation first
  CHECK(r.out.find("agent-authorisation") != std::string::npos);
  {
    std::ofstream app(dir.file("agent.yaml"));
    app << "chain: reform\nfields: { applicant.name: 李四 }\nmaterials: [agent-authorisation, lease, photos]\n"
           "agent: { name: 孙帮办, id_number: \"11010519491231002X\" }\n";
  }
  r = run_cli("case submit " + chain + " " + dir.file("agent.yaml") + " --officer 窗口甲");
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  CHECK(r.out.find("孙帮办") != std::string::npos);
  const json agent_case = parse(run_cli("case list --agent 孙帮办 --json"));
  REQUIRE(agent_case["cases"].size() == 1);
  const std::string id = std::to_string(agent_case["cases"][0]["id"].get<int>());
  CHECK(parse(run_cli("case list --agent 11010519491231002X --json"))["cases"].size() == 1);
  CHECK(parse(run_cli("case list --agent 别人 --json"))["cases"].empty());
  j = parse(run_cli("case status " + id + " --json"));
  CHECK(j["agent"]["name"] == "孙帮办");
  CHECK(j["visits"] == 0);
  CHECK(j["events"][0]["detail"]["agent"]["id_number"] == "11010519491231002X");
  CHECK(parse(run_cli("audit verify --json"))["ok"] == true);

  const json status = parse(run_cli("case status 1 --json"));
  CHECK(status["ratings"].size() == 2);
  CHECK(status["events"][status["events"].size() - 1]["actor"]["account"] == "督办员");
}

TEST_CASE("cli.engine.commitment_letters_verifications_on_the_board_and_revocations") {
  ScratchDir dir("cli-promise");
  Env db_env("YILIAN_DB", dir.file("cases.db"));
  Env now("YILIAN_NOW", "2025-03-03T09:00");
  const std::string chain = dir.file("promise.yaml");
  {
    std::ofstream out(chain);
    out << R"(id: promise
version: 1
name: 承诺测试
lead: x
promised_days: 10
departments:
  x: { name: 甲局 }
  y: { name: 消防大队 }
fields:
  applicant.name: { label: 申请人, type: string }
materials:
  lease: { name: 租赁合同, source: applicant }
matters:
  - { id: a, name: 营业执照, department: x, statutory_days: 20, promised_days: 5, fields: [applicant.name], materials: [lease] }
  - { id: f, name: 消防检查, department: y, statutory_days: 10, promised_days: 5, after: [a], basis: 消防法第十五条,
      commitment: optional, verify_within: "3 working days" }
  - { id: g, name: 卫生许可, department: x, statutory_days: 10, promised_days: 5, after: [f] }
)";
    std::ofstream app(dir.file("app.yaml"));
    app << "chain: promise\nfields: { applicant.name: 张三 }\nmaterials: [lease]\ncommitments: [f]\n";
    std::ofstream plain(dir.file("plain.yaml"));
    plain << "chain: promise\nfields: { applicant.name: 张三 }\nmaterials: [lease]\n";
  }
  // The check names the committed matter and writes its letter to sign.
  auto r = run_cli("check " + chain + " " + dir.file("app.yaml") + " --json --letters " + dir.file("letters.md"));
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  CHECK(parse(r)["committed_matters"] == json::array({"f"}));
  std::ifstream in(dir.file("letters.md"));
  const std::string letters((std::istreambuf_iterator<char>(in)), {});
  CHECK(letters.find("- 事项名称：消防检查") != std::string::npos);
  CHECK(letters.find("设定依据：消防法第十五条。") != std::string::npos);
  CHECK(letters.find("3个工作日内") != std::string::npos);
  // Nothing committed: nothing to sign, and no empty file.
  r = run_cli("check " + chain + " " + dir.file("plain.yaml") + " --letters " + dir.file("none.md"), true);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("nothing written") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("none.md")));
  // The form document says which matters may be committed to.
  const json form = parse(run_cli("form " + chain + " --format json"));
  CHECK(form["matters"][1]["commitment"] == "optional");
  CHECK(form["matters"][1]["verify_within"] == "3 working days");
  CHECK(form["matters"][0]["commitment"].is_null());

  REQUIRE(run_cli("case submit " + chain + " " + dir.file("app.yaml") + " --officer 窗口甲").exit_code == 0);
  REQUIRE(run_cli("task approve 1 a --officer 甲").exit_code == 0);  // f is decided on the commitment
  json j = parse(run_cli("case status 1 --json"));
  CHECK(j["tasks"][1]["status"] == "verifying");
  {
    // The verification's own limit (3 working days from 03-03) is red on
    // 03-10, marked as a verification; the case's limit is still green.
    Env later("YILIAN_NOW", "2025-03-10T09:00");
    const json board = parse(run_cli("overdue --json"));
    REQUIRE(board["departments"].contains("y"));
    CHECK(board["departments"]["y"][0]["kind"] == "verification");
    CHECK(board["departments"]["y"][0]["matter"] == "f");
    CHECK(board["departments"]["y"][0]["alert"] == "red");
    CHECK(board["revoked"].empty());
    CHECK(run_cli("overdue").out.find("verification (核查)") != std::string::npos);
    // It fails: the result is revoked, the case still under way ends
    // rejected, and the board lists the revocation with what proceeded on it.
    REQUIRE(run_cli("task reject 1 f --reason 现场与承诺不符 --officer 消防员").exit_code == 0);
    j = parse(run_cli("case status 1 --json"));
    CHECK(j["stage"] == "rejected");
    CHECK(j["tasks"][1]["status"] == "revoked");
    const json after = parse(run_cli("overdue --json"));
    REQUIRE(after["revoked"].size() == 1);
    const json& x = after["revoked"][0];
    CHECK(x["case"] == 1);
    CHECK(x["matter"] == "f");
    CHECK(x["department_name"] == "消防大队");
    CHECK(x["on"] == "2025-03-10");
    CHECK(x["reason"] == "现场与承诺不符");
    CHECK(x["dependents"] == json::array({"g"}));
    CHECK(x["stage"] == "rejected");
    CHECK(after["revoked_since"] == "2025-02-08");
    CHECK(after["departments"].empty());  // a rejected case has no running limits
    r = run_cli("overdue");
    CHECK(r.out.find("Revoked after a failed verification") != std::string::npos);
    CHECK(r.out.find("现场与承诺不符") != std::string::npos);
    // Before the window: not listed; a malformed day is a usage error.
    CHECK(parse(run_cli("overdue --json --since 2025-03-11"))["revoked"].empty());
    CHECK(run_cli("overdue --since 03/10", true).exit_code == 2);
  }
  CHECK(parse(run_cli("audit verify --json"))["ok"] == true);
}

}  // namespace cli_reform_test
