// The SQLite store's index of open cases: spelled so that writing a case row
// opens no temporary b-tree, and made again in stores written with the
// earlier spelling when they are opened for writing.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <string>

#include "engine_fixture.h"
#include "runtime/store.h"

using namespace yilian;
using namespace yilian::detail;
using namespace yilian::test;

namespace sqlite_schema_test {

namespace {

std::unique_ptr<Store> open(const std::string& path, StoreOptions o = {}) {
  auto s = open_store(path, o);
  REQUIRE_MESSAGE(s.is_ok(), s.status().to_string());
  return std::move(*s);
}

std::string index_sql(Store& store) {
  auto r = store.run_sql("SELECT sql FROM sqlite_master WHERE type='index' AND name='cases_open'", {});
  REQUIRE(r.is_ok());
  REQUIRE(r->rows.size() == 1);
  return r->rows[0][0];
}

/// The opcodes SQLite compiles `sql` to.
std::vector<std::string> opcodes(Store& store, const std::string& sql) {
  auto r = store.run_sql("EXPLAIN " + sql, {});
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  std::vector<std::string> out;
  for (const auto& row : r->rows) out.push_back(row.at(1));
  return out;
}

const char* const kOldIndex =
    "CREATE INDEX cases_open ON cases(stage) WHERE stage IN ('created', 'incomplete', 'running', 'ready', 'verifying')";

}  // namespace

TEST_CASE("store.sqlite.writing_a_case_row_opens_no_temporary_btree" * doctest::test_suite("sqlite-only")) {
  ScratchDir dir("schema-upsert");
  auto store = open(dir.file("cases.db"));
  // The statement the writer runs for every case a commit touches.
  const auto ops = opcodes(*store,
                           "INSERT INTO cases(id, chain, version, stage, alert, submitted_at, seq, last_hash, state) "
                           "VALUES(1,'c',1,'running',0,0,1,x'00',x'00') ON CONFLICT(id) DO UPDATE SET stage=excluded.stage, "
                           "alert=excluded.alert, seq=excluded.seq, last_hash=excluded.last_hash, state=excluded.state");
  CHECK(std::find(ops.begin(), ops.end(), "OpenWrite") != ops.end());
  CHECK(std::find(ops.begin(), ops.end(), "OpenEphemeral") == ops.end());
}

TEST_CASE("store.sqlite.an_index_of_open_cases_written_with_in_is_made_again_when_opened_for_writing" *
          doctest::test_suite("sqlite-only")) {
  ScratchDir dir("schema-refresh");
  const std::string path = dir.file("cases.db");
  {
    auto store = open(path);
    for (const char* sql : {"DROP INDEX cases_open",
                            "INSERT INTO cases(id, chain, version, stage, alert, submitted_at, seq, last_hash, state) "
                            "VALUES(1,'c',1,'running',0,0,1,x'00',x'00'), (2,'c',1,'delivered',0,0,1,x'00',x'00'), "
                            "(3,'c',1,'verifying',0,0,1,x'00',x'00')",
                            kOldIndex}) {
      auto r = store->run_sql(sql, {});
      REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
    }
    CHECK(index_sql(*store).find(" IN (") != std::string::npos);
  }
  {
    // Reading changes nothing, and counts alike.
    auto reader = open(path, StoreOptions{.create = false, .read_only = true});
    CHECK(index_sql(*reader).find(" IN (") != std::string::npos);
    CHECK(*reader->count_open() == 2);
  }
  auto store = open(path);
  const std::string sql = index_sql(*store);
  CHECK(sql.find(" IN (") == std::string::npos);
  CHECK(sql.find("stage = 'verifying'") != std::string::npos);
  CHECK(*store->count_open() == 2);
  std::vector<CaseId> open_ids;
  REQUIRE(store->scan_cases(true, [&](CaseRow&& c) { open_ids.push_back(c.id); }).is_ok());
  CHECK(open_ids == std::vector<CaseId>{1, 3});
  // The queries of open cases use the index.
  auto plan = store->run_sql("EXPLAIN QUERY PLAN SELECT COUNT(*) FROM cases WHERE (stage = 'created' OR stage = "
                             "'incomplete' OR stage = 'running' OR stage = 'ready' OR stage = 'verifying')",
                             {});
  REQUIRE(plan.is_ok());
  REQUIRE_FALSE(plan->rows.empty());
  CHECK(plan->rows.back().back().find("cases_open") != std::string::npos);
}

}  // namespace sqlite_schema_test
