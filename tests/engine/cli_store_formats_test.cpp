// Stores written by earlier yilians (tests/engine/fixtures/store-format-N.db):
// each reads as that version printed it, is upgraded when written to, and
// its log verifies before and after.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include <sqlite3.h>

#include "../unit/cli_support.h"
#include "../unit/engine_fixture.h"
#include "cli_env.h"
#include "yilian/material_file.h"

using namespace yilian;
using namespace yilian::test;
using nlohmann::json;

namespace cli_store_formats_test {

namespace {

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
constexpr const char* kStoreFormat = "yilian-store-6";

/// A status document less the keys format 4 added (容缺受理, 好差评), when
/// they are empty: what an older yilian printed.
json without_later_keys(json j) {
  for (const char* k : {"deferred", "ratings"})
    if (j.contains(k) && j[k].empty()) j.erase(k);
  for (const char* k : {"deferred_alert", "agent"})
    if (j.contains(k) && j[k].is_null()) j.erase(k);
  return j;
}

}  // namespace

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

TEST_CASE("cli.engine.a_store_written_before_material_files_reads_and_upgrades") {
  // tests/engine/fixtures/store-format-5.db was written by yilian at
  // 16675ae (format yilian-store-5): case 1 a running hotel case (an
  // approval with a produced value, a supplement request, a supplement),
  // case 2 incomplete for want of sign-design, case 3 withdrawn. The
  // .case1.json and .case2.json beside it are what that version printed on
  // 2025-03-14.
  ScratchDir dir("cli-format-5");
  const std::string db = dir.file("old.db");
  const std::string fixtures = std::string(YILIAN_SOURCE_DIR) + "/tests/engine/fixtures/";
  std::filesystem::copy_file(fixtures + "store-format-5.db", db);
  Env db_env("YILIAN_DB", db);
  Env now("YILIAN_NOW", "2025-03-14T09:00");
  for (const auto& [id, file] : {std::pair<const char*, const char*>{"1", "store-format-5.case1.json"}, {"2", "store-format-5.case2.json"}}) {
    CAPTURE(id);
    auto r = run_cli(std::string("case status ") + id + " --json");
    REQUIRE_MESSAGE(r.exit_code == 0, r.out);
    std::ifstream in(fixtures + file);
    CHECK(parse(r) == json::parse(in));
  }
  auto r = run_cli("case files 2 --json");
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  CHECK(parse(r)["files"] == json::array());
  CHECK(parse(run_cli("audit verify --json"))["ok"] == true);
  CHECK(store_format(db) == "yilian-store-5");  // reading does not upgrade

  // A scan handed in for the material the incomplete case lacks: format 6,
  // and the case is accepted as a supplement of it would be.
  const std::string pdf = "%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
  const std::string scan = dir.file("招牌设计.pdf");
  std::ofstream(scan, std::ios::binary) << pdf;
  const std::string text = dir.file("note.pdf");
  std::ofstream(text, std::ios::binary) << "not a pdf at all";
  r = run_cli("case attach 2 sign-design " + text, true);
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.out.find("not a PDF, JPEG or PNG") != std::string::npos, r.out);
  CHECK(store_format(db) == "yilian-store-5");  // refused before the store is written
  r = run_cli("case attach 2 sign-design " + scan + " --officer 窗口甲 --json");
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  CHECK(parse(r)["stage"] == "running");
  CHECK(store_format(db) == kStoreFormat);
  // Format 5 kept whole states: no mark limits what audit verify compares.
  CHECK(store_value(db, "SELECT value FROM meta WHERE key='whole_state_after'").empty());
  r = run_cli("case attach 1 tobacco-application " + scan, true);
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.out.find("does not need material `tobacco-application`") != std::string::npos, r.out);

  const json files = parse(run_cli("case files 2 --json"))["files"];
  REQUIRE(files.size() == 1);
  CHECK(files[0]["material"] == "sign-design");
  CHECK(files[0]["name"] == "招牌设计.pdf");
  CHECK(files[0]["media_type"] == "application/pdf");
  CHECK(files[0]["bytes"] == pdf.size());
  CHECK(files[0]["sha256"] == sha256_hex(pdf));
  const json status = parse(run_cli("case status 2 --json"));
  CHECK(status["events"][1]["kind"] == "file-attached");
  CHECK(status["events"][1]["actor"]["account"] == "窗口甲");
  r = run_cli("case files 2 --get sign-design --out " + dir.file("back.pdf"));
  REQUIRE_MESSAGE(r.exit_code == 0, r.out);
  std::ifstream back(dir.file("back.pdf"), std::ios::binary);
  CHECK(std::string(std::istreambuf_iterator<char>(back), {}) == pdf);
  r = run_cli("audit verify --json");
  CHECK(r.exit_code == 0);
  CHECK(parse(r)["files"] == 1);

  // The stored bytes swapped outside the engine: audit verify names the
  // entry, and the file is no longer handed out.
  store_value(db, "UPDATE files SET content=CAST('%PDF-1.7 forged' AS BLOB) WHERE case_id=2 RETURNING seq");
  r = run_cli("audit verify");
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.out.find("case 2, entry 2: the stored file of `sign-design` is not the one handed in") != std::string::npos, r.out);
  r = run_cli("case files 2 --get sign-design --out " + dir.file("forged.pdf"), true);
  CHECK(r.exit_code != 0);
  CHECK_MESSAGE(r.out.find("is not the one its log entry recorded") != std::string::npos, r.out);
  // And deleted: the entry names a file the store no longer has.
  store_value(db, "DELETE FROM files WHERE case_id=2 RETURNING seq");
  r = run_cli("audit verify");
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.out.find("is missing from the store (deleted)") != std::string::npos, r.out);
}

}  // namespace cli_store_formats_test
