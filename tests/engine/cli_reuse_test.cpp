// 一次收齐、后续反复使用 end to end: a business licence issued by one chain
// is handed in by reference in another, for the same holder, with consent.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>

#include <sqlite3.h>

#include "../unit/cli_support.h"
#include "../unit/engine_fixture.h"
#include "cli_env.h"

using namespace yilian;
using namespace yilian::test;
using nlohmann::json;

namespace cli_reuse_test {

namespace {

/// Runs one statement on the store, as someone with the file would.
void edit_store(const std::string& db, const char* sql) {
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
  CHECK_MESSAGE(sqlite3_exec(h, sql, nullptr, nullptr, nullptr) == SQLITE_OK, sqlite3_errmsg(h));
  sqlite3_close(h);
}

/// The complete company-change application less what the registry holds
/// for the company (the legal representative, the old licence), with or
/// without consent.
std::string change_application(const ScratchDir& dir, bool consent) {
  std::ifstream in(std::string(YILIAN_SOURCE_DIR) + "/examples/applications/company-change-complete.yaml");
  std::string s(std::istreambuf_iterator<char>(in), {});
  s = std::regex_replace(s, std::regex("\n  - old-business-licence"), "");
  s = std::regex_replace(s, std::regex("\n  applicant.legal_rep: [^\n]*"), "");
  if (consent) s += "\nreuse_consent: true\n";
  const std::string path = dir.file(consent ? "change-consent.yaml" : "change.yaml");
  std::ofstream(path) << s;
  return path;
}

}  // namespace

TEST_CASE("cli.engine.a_licence_issued_by_one_chain_is_reused_by_another_with_consent") {
  ScratchDir dir("cli-reuse");
  Env db("YILIAN_DB", dir.file("cases.db"));
  Env now("YILIAN_NOW", "2025-03-10T09:00");
  // The company is registered by the hotel chain: its business licence
  // (numbered by the credit code the registration produces) is recorded.
  auto r = run_cli("case submit hotel-restaurant examples/applications/hotel-restaurant-complete.yaml");
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  r = run_cli("task approve 1 business-registration --produce applicant.uscc=91371302MA3C4L7Q5H --officer 工商甲");
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);

  // Without consent nothing is reused: the notice asks for both.
  Env later("YILIAN_NOW", "2025-04-01T09:00");
  r = run_cli("case submit company-change " + change_application(dir, false) + " --json");
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  json doc = parse(r);
  CHECK(doc["stage"] == "incomplete");
  CHECK_FALSE(doc.contains("reuse"));
  std::vector<std::string> missing;
  for (const json& m : doc["missing"]) missing.push_back(m["key"]);
  CHECK(missing == std::vector<std::string>{"applicant.legal_rep", "old-business-licence"});

  // With consent: the licence and the field come from case 1, the case runs.
  r = run_cli("case submit company-change " + change_application(dir, true) + " --json");
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  doc = parse(r);
  CHECK(doc["stage"] == "running");
  REQUIRE(doc.contains("reuse"));
  CHECK(doc["reuse"]["consent"] == true);
  const json reused = doc["reuse"]["reused"];
  REQUIRE(reused.size() == 2);
  CHECK(reused[0]["kind"] == "field");
  CHECK(reused[0]["key"] == "applicant.legal_rep");
  CHECK(reused[0]["from_case"] == 1);
  CHECK(reused[1]["kind"] == "licence");
  CHECK(reused[1]["key"] == "old-business-licence");
  CHECK(reused[1]["number"] == "91371302MA3C4L7Q5H");
  CHECK(reused[1]["from_case"] == 1);
  // The case's record says so, the timeline's submission too.
  const json status = parse(run_cli("case status 3 --json"));
  CHECK(status["reuse"] == doc["reuse"]);
  CHECK(status["events"][0]["detail"]["reuse_consent"] == true);
  r = run_cli("case status 3");
  CHECK_MESSAGE(r.out.find("一次收齐: the applicant consented to reuse; 2 items taken from the holder registry") != std::string::npos, r.out);
  r = run_cli("audit verify");
  CHECK_MESSAGE(r.exit_code == 0, r.out);

  // The registry is checked against the approvals that registered it: a
  // licence's validity or a value edited in the store is a break.
  const std::string copy = dir.file("edited.db");
  std::filesystem::copy_file(dir.file("cases.db"), copy);
  edit_store(copy, "UPDATE holder_licences SET valid_until = 30000");
  r = run_cli("audit verify --db " + copy);
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.out.find("the holder registry's licence business-licence No. 91371302MA3C4L7Q5H of holder "
                           "91371302MA3C4L7Q5H is not what case 1's log registered") != std::string::npos, r.out);
  std::filesystem::remove(copy);
  std::filesystem::copy_file(dir.file("cases.db"), copy);
  edit_store(copy, "UPDATE holder_values SET case_id = 2 WHERE key = 'applicant.name'");
  r = run_cli("audit verify --db " + copy);
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.out.find("value of `applicant.name` for holder 91371302MA3C4L7Q5H is not what case 2's log registered") !=
                    std::string::npos, r.out);

  // Another company (another credit code), consenting on the command line:
  // nothing of case 1's is reused.
  std::ifstream in(change_application(dir, false));
  std::string other(std::istreambuf_iterator<char>(in), {});
  other = std::regex_replace(other, std::regex("91371302MA3C4L7Q5H"), "91110000600037341L");
  std::ofstream(dir.file("other.yaml")) << other;
  r = run_cli("case submit company-change " + dir.file("other.yaml") + " --reuse-consent --json");
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  CHECK(parse(r)["stage"] == "incomplete");
  CHECK(parse(r)["reuse"]["reused"] == json::array());
}

}  // namespace cli_reuse_test
