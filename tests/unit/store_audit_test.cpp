// The store's encodings and its audit trail: codec round trips, and
// `verify_audit` finding the first edited, deleted or reordered entry
// after the store is changed behind the engine's back with SQL (SQLite's
// on a file, PostgreSQL's on the PostgreSQL pass of the durable tests).
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <fstream>

#include "cli_support.h"
#include "engine_fixture.h"
#include "runtime/audit.h"
#include "runtime/codec.h"
#include "runtime/json_codec.h"
#include "runtime/store.h"

using namespace yilian;
using namespace yilian::test;

namespace store_audit_test {

namespace {

/// A store with three cases of a few entries each.
std::string make_store(const ScratchDir& dir, TestClock& clock) {
  const std::string db = dir.store();
  auto e = open_engine(db, test_options(clock));
  REQUIRE(e->load_chain_text(kFlowChain, "flowtest.yaml").is_ok());
  for (int i = 0; i < 3; ++i) REQUIRE(e->apply(flow_application(false)).is_ok());
  for (CaseId id = 1; id <= 3; ++id) {
    REQUIRE(e->apply(request::Claim{id, "a", 0, "王五"}).is_ok());
    REQUIRE(e->apply(request::Report{id, "a", 0, Outcome::approved({{"a.kind", std::string("small")}})}).is_ok());
    REQUIRE(e->apply(request::Report{id, "b", 0, Outcome::supplement({"图纸"}, "缺件")}).is_ok());
  }
  return db;
}

/// A blob literal of `hex` in the store's SQL.
std::string blob(const std::string& db, const std::string& hex) {
  return is_postgres_uri(db) ? "'\\x" + hex + "'::bytea" : "x'" + hex + "'";
}

/// Replaces `from` by `to` inside one blob of a row, as an editor of the store would.
void edit_blob(const std::string& db, const char* table, const char* column, CaseId id, const std::string& from,
               const std::string& to) {
  if (is_postgres_uri(db)) {
    const std::string at = fmt::format("position(convert_to('{}', 'UTF8') in {})", from, column);
    // Only where `from` is found: otherwise no row changes and the audit stays whole.
    sql(db, fmt::format("UPDATE {0} SET {1} = overlay({1} placing convert_to('{2}', 'UTF8') from {3} for "
                        "octet_length(convert_to('{4}', 'UTF8'))) WHERE id = {5} AND {3} > 0",
                        table, column, to, at, from, id));
    return;
  }
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  REQUIRE(sqlite3_prepare_v2(h, fmt::format("SELECT {} FROM {} WHERE id=?1", column, table).c_str(), -1, &q, nullptr) ==
          SQLITE_OK);
  sqlite3_bind_int64(q, 1, static_cast<sqlite3_int64>(id));
  REQUIRE(sqlite3_step(q) == SQLITE_ROW);
  std::string blob(static_cast<const char*>(sqlite3_column_blob(q, 0)), static_cast<std::size_t>(sqlite3_column_bytes(q, 0)));
  sqlite3_finalize(q);
  const auto at = blob.find(from);
  REQUIRE(at != std::string::npos);
  blob.replace(at, from.size(), to);
  REQUIRE(sqlite3_prepare_v2(h, fmt::format("UPDATE {} SET {}=?1 WHERE id=?2", table, column).c_str(), -1, &q, nullptr) ==
          SQLITE_OK);
  sqlite3_bind_blob(q, 1, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(q, 2, static_cast<sqlite3_int64>(id));
  REQUIRE(sqlite3_step(q) == SQLITE_DONE);
  sqlite3_finalize(q);
  sqlite3_close(h);
}

AuditBreak first_break(const std::string& db) {
  auto r = verify_audit(db);
  REQUIRE(r.is_ok());
  REQUIRE_FALSE(r->ok());
  return *r->first_break;
}

}  // namespace

TEST_SUITE_BEGIN("durable");

TEST_CASE("store.audit.an_untouched_store_verifies") {
  ScratchDir dir("audit-ok");
  TestClock clock;
  const std::string db = make_store(dir, clock);
  auto r = verify_audit(db);
  REQUIRE(r.is_ok());
  CHECK(r->ok());
  CHECK(r->cases == 3);
  CHECK(r->entries == 12);
  CHECK(verify_audit(dir.file("missing.db")).status().code() == Status::Code::not_found);
}

TEST_CASE("store.audit.a_damaged_page_of_the_file_is_a_break" * doctest::test_suite("sqlite-only") *
          doctest::description("overwrites a page of the SQLite file; PostgreSQL checks its own pages")) {
  ScratchDir dir("audit-damaged");
  TestClock clock;
  const std::string db = make_store(dir, clock);
  // The page of an index, which verify's own scans never read: its b-tree
  // page type overwritten, as a torn write or a stray editor would leave it.
  long root = 0, page_size = 0;
  {
    sqlite3* h = nullptr;
    REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
    sqlite3_stmt* q = nullptr;
    REQUIRE(sqlite3_prepare_v2(h, "SELECT rootpage, (SELECT page_size FROM pragma_page_size) FROM sqlite_master "
                                  "WHERE type='index' AND name='cases_open'",
                               -1, &q, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(q) == SQLITE_ROW);
    root = sqlite3_column_int64(q, 0);
    page_size = sqlite3_column_int64(q, 1);
    sqlite3_finalize(q);
    REQUIRE(sqlite3_exec(h, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(h);
  }
  REQUIRE(root > 1);
  {
    std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp((root - 1) * page_size);
    const char junk = 0x01;  // no b-tree page type
    f.write(&junk, 1);
  }
  auto r = verify_audit(db);
  REQUIRE(r.is_ok());
  REQUIRE_FALSE(r->ok());
  CHECK(r->first_break->case_id == 0);
  CHECK_MESSAGE(r->first_break->problem.find("damaged") != std::string::npos, r->first_break->problem);
}

TEST_CASE("store.audit.finds_the_first_broken_link") {
  ScratchDir dir("audit-broken");
  TestClock clock;
  const std::string db = make_store(dir, clock);
  // fresh() comes before each edit. Each subcase runs on a store of its own
  // (doctest runs the test once per subcase): the first fresh() keeps a
  // copy of it, a later one puts the copy back (on PostgreSQL, copies of
  // its tables in the same database).
  const bool pg = is_postgres_uri(db);
  const std::string pristine = dir.file("pristine.db");
  bool kept = false;
  auto fresh = [&] {
    if (!kept) {
      kept = true;
      if (pg)
        pg_keep_tables(db);
      else
        std::filesystem::copy_file(db, pristine);
      return;
    }
    if (pg) {
      pg_restore_tables(db);
      return;
    }
    std::filesystem::copy_file(pristine, db, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::remove(db + "-wal");
    std::filesystem::remove(db + "-shm");
  };

  SUBCASE("an edited body") {
    fresh();
    sql(db, "UPDATE log SET body = body || " + blob(db, "00") + " WHERE case_id = 2 AND seq = 3");
    const AuditBreak b = first_break(db);
    CHECK(b.case_id == 2);
    CHECK(b.seq == 3);
    CHECK(b.problem.find("hash mismatch") != std::string::npos);
  }
  SUBCASE("an edited time, kind or result") {
    fresh();
    sql(db, "UPDATE log SET at = at + 60 WHERE case_id = 3 AND seq = 2");
    CHECK(first_break(db).seq == 2);
    fresh();
    sql(db, "UPDATE log SET result = 1 WHERE case_id = 1 AND seq = 4");
    CHECK(first_break(db).case_id == 1);
    CHECK(first_break(db).seq == 4);
  }
  SUBCASE("an edit that recomputes nothing but the row's own hash still breaks the next link") {
    fresh();
    // Copying another case's entry wholesale (body and hash) into case 1.
    sql(db, "UPDATE log SET body = (SELECT body FROM log WHERE case_id = 2 AND seq = 2), "
            "hash = (SELECT hash FROM log WHERE case_id = 2 AND seq = 2) WHERE case_id = 1 AND seq = 2");
    const AuditBreak b = first_break(db);
    CHECK(b.case_id == 1);
    CHECK(b.seq == 2);
  }
  SUBCASE("what the engine acts on besides the log: the applicant's values, a case's stage, a chain's text") {
    // Before, each of these passed verify with the same seal, and the engine
    // then sent the edited values to the departments.
    fresh();
    edit_blob(db, "case_data", "data", 2, "张三", "李四");
    AuditBreak b = first_break(db);
    CHECK(b.case_id == 2);
    CHECK(b.problem.find("the stored state differs from its log replayed through the flow core (values)") != std::string::npos);
    fresh();
    sql(db, "UPDATE cases SET stage = 'delivered' WHERE id = 3");
    b = first_break(db);
    CHECK(b.case_id == 3);
    CHECK(b.problem.find("its row says delivered") != std::string::npos);
    fresh();
    sql(db, "UPDATE chains SET text = text || '#'");
    b = first_break(db);
    CHECK(b.case_id == 0);
    CHECK(b.problem.find("stored text of chain flowtest version 1 was edited") != std::string::npos);
    fresh();
    CHECK(verify_audit(db)->ok());
  }
  SUBCASE("a deleted entry in the middle") {
    fresh();
    sql(db, "DELETE FROM log WHERE case_id = 2 AND seq = 2");
    const AuditBreak b = first_break(db);
    CHECK(b.case_id == 2);
    CHECK(b.seq == 2);
    CHECK(b.problem.find("missing") != std::string::npos);
  }
  SUBCASE("a deleted last entry") {
    fresh();
    sql(db, "DELETE FROM log WHERE case_id = 3 AND seq = 4");
    const AuditBreak b = first_break(db);
    CHECK(b.case_id == 3);
    CHECK(b.seq == 4);
    CHECK(b.problem.find("deleted at the end") != std::string::npos);
  }
  SUBCASE("a whole log deleted") {
    fresh();
    sql(db, "DELETE FROM log WHERE case_id = 2");
    const AuditBreak b = first_break(db);
    CHECK(b.case_id == 2);
    CHECK(b.seq == 1);
  }
  SUBCASE("reordered entries") {
    fresh();
    sql(db, "UPDATE log SET seq = -1 WHERE case_id = 1 AND seq = 2; "
            "UPDATE log SET seq = 2 WHERE case_id = 1 AND seq = 3; "
            "UPDATE log SET seq = 3 WHERE case_id = 1 AND seq = -1");
    const AuditBreak b = first_break(db);
    CHECK(b.case_id == 1);
    CHECK(b.seq == 2);
    CHECK(b.problem.find("reordered") != std::string::npos);
  }
  SUBCASE("the first break is reported when there are several") {
    fresh();
    sql(db, "DELETE FROM log WHERE case_id = 3 AND seq = 1; UPDATE log SET at = 0 WHERE case_id = 2 AND seq = 4");
    const AuditBreak b = first_break(db);
    CHECK(b.case_id == 2);
    CHECK(b.seq == 4);
  }
  SUBCASE("a whole case deleted, row and log") {
    fresh();
    sql(db, "DELETE FROM log WHERE case_id = 2; DELETE FROM cases WHERE id = 2; DELETE FROM case_data WHERE id = 2");
    const AuditBreak b = first_break(db);
    CHECK(b.case_id == 0);
    CHECK_MESSAGE(b.problem.find("counts 12 log entries but the log holds 8") != std::string::npos, b.problem);
    CHECK(b.problem.find("no row and no log for case 2") != std::string::npos);
  }
  SUBCASE("the last case deleted") {
    fresh();
    sql(db, "DELETE FROM log WHERE case_id = 3; DELETE FROM cases WHERE id = 3; DELETE FROM case_data WHERE id = 3");
    const AuditBreak b = first_break(db);
    CHECK(b.case_id == 0);
    CHECK(b.problem.find("deleted") != std::string::npos);
  }
  SUBCASE("an entry deleted and put back elsewhere in the file") {
    fresh();
    // The case's own chain still verifies; the order of appending does not.
    // (PostgreSQL's log numbers its entries itself: the entry comes back last.)
    sql(db, std::string("CREATE TEMP TABLE keep AS SELECT * FROM log WHERE case_id = 1 AND seq = 2; "
                        "DELETE FROM log WHERE case_id = 1 AND seq = 2; ") +
                (pg ? "INSERT INTO log(id, case_id, seq, at, kind, result, body, hash) SELECT (SELECT max(id) + 1 FROM log), "
                      "case_id, seq, at, kind, result, body, hash FROM keep"
                    : "INSERT INTO log(case_id, seq, at, kind, result, body, hash) SELECT case_id, seq, at, kind, result, "
                      "body, hash FROM keep"));
    const AuditBreak b = first_break(db);
    CHECK(b.case_id == 0);
    CHECK(b.problem.find("replaced or moved") != std::string::npos);
  }
  SUBCASE("a seal that is not a seal") {
    fresh();
    sql(db, "UPDATE meta SET value = 'twelve' WHERE key = 'seal'");
    const AuditBreak b = first_break(db);
    CHECK(b.case_id == 0);
    CHECK(b.problem.find("not ENTRIES:SHA-256") != std::string::npos);
    // The engine will not extend it either: it does not open, with the same error.
    TestClock clock2;
    auto e = Engine::open(db, test_options(clock2));
    REQUIRE_FALSE(e.is_ok());
    CHECK(e.status().message().find("not ENTRIES:SHA-256") != std::string::npos);
  }
  SUBCASE("the CLI reports it and exits 1") {
    fresh();
    sql(db, "DELETE FROM log WHERE case_id = 2 AND seq = 2");
    auto r = run_cli("audit verify '" + db + "'");
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("case 2, entry 2") != std::string::npos);
    auto j = run_cli("audit verify '" + db + "' --json");
    CHECK(j.exit_code == 1);
    CHECK(j.out.find("\"seq\": 2") != std::string::npos);
    fresh();
    auto ok = run_cli("audit verify '" + db + "'");
    CHECK(ok.exit_code == 0);
    CHECK(ok.out.find("ok: 12 log entries of 3 cases, every hash chain intact") != std::string::npos);
    CHECK(ok.out.find("seal: 12:") != std::string::npos);
    CHECK(run_cli("audit verify '" + dir.file("none.db") + "'").exit_code == 2);
  }
}

TEST_CASE("store.audit.an_engine_writes_nothing_on_a_log_its_seal_does_not_count") {
  // Entries deleted (or added) behind the engine's back: the engine
  // refuses to open (a one-off command as well as `yilian run`), so
  // nothing is written on a broken record; audit verify names the break.
  ScratchDir dir("audit-seal-count");
  TestClock clock;
  const std::string db = make_store(dir, clock);
  sql(db, "DELETE FROM log WHERE case_id = 3 AND seq = 4");
  for (bool live : {false, true}) {
    CAPTURE(live);
    EngineOptions o = test_options(clock);
    o.live = live;
    auto e = Engine::open(db, o);
    REQUIRE_FALSE(e.is_ok());
    CHECK(e.status().code() == Status::Code::invalid_input);
    CHECK_MESSAGE(e.status().message().find("the store's log holds 11 entries but its seal counts 12") != std::string::npos,
                  e.status().message());
  }
  CHECK_FALSE(verify_audit(db)->ok());
}

TEST_CASE("store.audit.a_malformed_upgrade_mark_is_an_error_not_a_pass") {
  // meta.whole_state_after (the last case begun before an upgrade to format
  // 5) decides how much of each case verify compares: a value that is not a
  // case id stops verify with a message rather than comparing less.
  ScratchDir dir("audit-whole-after");
  TestClock clock;
  const std::string db = make_store(dir, clock);
  sql(db, "INSERT INTO meta(key, value) VALUES('whole_state_after', 'three')");
  auto r = verify_audit(db);
  REQUIRE_FALSE(r.is_ok());
  CHECK_MESSAGE(r.status().message().find("whole_state_after is not a case id: `three`") != std::string::npos,
                r.status().message());
}

TEST_CASE("store.audit.the_seal_anchors_the_log") {
  ScratchDir dir("audit-seal");
  TestClock clock;
  const std::string db = make_store(dir, clock);
  auto r = verify_audit(db);
  REQUIRE(r.is_ok());
  REQUIRE(r->ok());
  CHECK(r->sealed);
  const std::string seal = r->seal;
  CHECK(seal.rfind("12:", 0) == 0);
  REQUIRE(detail::parse_seal(seal).has_value());
  CHECK(detail::format_seal(*detail::parse_seal(seal)) == seal);
  for (const char* bad : {"", "12", "12:abc", "x:0000000000000000000000000000000000000000000000000000000000000000",
                          "12:zz00000000000000000000000000000000000000000000000000000000000000"})
    CHECK_FALSE(detail::parse_seal(bad).has_value());

  // The anchor holds, and still holds once the log has grown.
  CHECK(verify_audit(db, seal)->ok());
  {
    auto e = open_engine(db, test_options(clock));
    REQUIRE(e->apply(request::Report{1, "b", 0, Outcome::approved({})}).is_ok());
  }
  r = verify_audit(db, seal);
  REQUIRE(r.is_ok());
  CHECK(r->ok());
  CHECK(r->seal.rfind("13:", 0) == 0);
  CHECK(r->seal != seal);
  // An anchor from a longer log than this one: entries were deleted.
  const std::string longer = "99" + seal.substr(seal.find(':'));
  CHECK(verify_audit(db, longer)->first_break->problem.find("holds only 13") != std::string::npos);
  CHECK(verify_audit(db, "not a seal").status().code() == Status::Code::invalid_input);

  // Someone edits an entry and rewrites every hash after it, the case row
  // and the seal: every chain verifies again, but not against the anchor.
  {
    auto opened = detail::open_store(db, {});
    REQUIRE(opened.is_ok());
    std::vector<detail::EntryRow> log;
    REQUIRE((*opened)->read_log(1, [&](detail::EntryRow&& e) { log.push_back(std::move(e)); }).is_ok());
    REQUIRE(log.size() == 5);
    log[1].at += 3600;  // an hour later
    std::string update;
    detail::Hash prev = log[0].hash;
    for (std::size_t i = 1; i < log.size(); ++i) {
      log[i].hash = detail::entry_hash(prev, log[i]);
      prev = log[i].hash;
      update += fmt::format("UPDATE log SET at = {}, hash = {} WHERE case_id = 1 AND seq = {}; ", log[i].at,
                            blob(db, detail::to_hex(log[i].hash.data(), 32)), log[i].seq);
    }
    update += fmt::format("UPDATE cases SET last_hash = {} WHERE id = 1;", blob(db, detail::to_hex(prev.data(), 32)));
    opened->reset();
    sql(db, update);
    detail::Seal resealed;
    auto again = detail::open_store(db, {});
    REQUIRE((*again)->scan_log_hashes([&](const detail::Hash& h) { detail::seal_add(resealed, h); }).is_ok());
    again->reset();
    sql(db, "UPDATE meta SET value = '" + detail::format_seal(resealed) + "' WHERE key = 'seal'");
  }
  CHECK(verify_audit(db)->ok());
  auto anchored = verify_audit(db, seal);
  REQUIRE(anchored.is_ok());
  REQUIRE_FALSE(anchored->ok());
  CHECK(anchored->first_break->problem.find("do not chain to the anchor") != std::string::npos);
  auto cli = run_cli("audit verify '" + db + "' --anchor " + seal);
  CHECK(cli.exit_code == 1);
  CHECK(cli.out.find("broken: the log's first 12 entries") != std::string::npos);
  CHECK(run_cli("audit verify '" + db + "' --anchor 12:xyz").exit_code == 1);
}

TEST_CASE("store.audit.a_store_from_before_the_seal_gets_one_at_its_next_commit" * doctest::test_suite("sqlite-only") *
          doctest::description("only SQLite files were written before the seal; on PostgreSQL a missing seal is a break "
                               "(engine.postgresql.a_deleted_seal_is_a_break_and_stops_commits)")) {
  ScratchDir dir("audit-legacy");
  TestClock clock;
  const std::string db = make_store(dir, clock);
  const std::string seal = verify_audit(db)->seal;
  sql(db, "DELETE FROM meta WHERE key = 'seal'");
  auto r = verify_audit(db);
  REQUIRE(r.is_ok());
  CHECK(r->ok());
  CHECK_FALSE(r->sealed);
  CHECK(r->seal == seal);  // recomputed from the log all the same
  CHECK(run_cli("audit verify '" + db + "'").out.find("written before seals") != std::string::npos);
  {
    auto e = open_engine(db, test_options(clock));
    REQUIRE(e->apply(request::Report{2, "b", 0, Outcome::approved({})}).is_ok());
  }
  r = verify_audit(db, seal);
  REQUIRE(r.is_ok());
  CHECK(r->ok());
  CHECK(r->sealed);
  CHECK(r->seal.rfind("13:", 0) == 0);
  // From now on the seal counts: a deleted case is noticed.
  sql(db, "DELETE FROM log WHERE case_id = 3; DELETE FROM cases WHERE id = 3");
  CHECK(verify_audit(db)->first_break->case_id == 0);
}

TEST_SUITE_END();

TEST_CASE("store.codec.every_event_round_trips") {
  const std::vector<detail::EntryBody> bodies = {
      EventBody{event::Submitted{{{"a", std::int64_t{-5}}, {"b", 2.5}, {"c", std::string("文字")}, {"d", true}, {"e", Value{}}}, {"m1", "m2"}, Channel::online}},
      EventBody{event::Submitted{{}, {"agent-authorisation"}, Channel::window, Agent{"王帮办", "11010519491231002X", "13800138000"}}},
      EventBody{event::Submitted{{}, {}, Channel::online, std::nullopt, {2, 5}}},
      EventBody{event::Supplemented{{{"k", false}}, {"x"}, true}},
      EventBody{event::TaskApproved{3, 2, {{"p", std::string("许可证")}}}},
      EventBody{event::TaskRejected{1, 1, "原因"}},
      EventBody{event::SupplementRequested{0, 4, {"i1", "i2"}, "why"}},
      EventBody{event::TaskSuspended{2, 1, SuspensionReason::testing, 12, "检测"}},
      EventBody{event::TaskResumed{2, 1}},
      EventBody{event::TaskIncident{5, 3, "down"}},
      EventBody{event::TaskRetried{5}},
      EventBody{event::TimerFired{}},
      EventBody{event::Extended{-1, Extension{ExtensionBasis::government_head, 15, "区长", D("2025-03-04"), "联合"}}},
      EventBody{event::Withdrawn{"不办了"}},
      EventBody{event::Delivered{DeliveryMethod::express, "SF1"}},
      EventBody{event::Rated{2, -1, "等了两次"}},
      EventBody{event::Rated{5, 3, ""}},
      EventBody{event::FollowedUp{0, FollowUpStep::appeal_upheld, "复核：误评"}},
      detail::Note{detail::note::Claimed{2, 1, "王五"}},
      detail::Note{detail::note::DeliveryFailed{2, 1, 3, "timeout", 1234567890123}},
  };
  for (const auto& b : bodies) {
    CAPTURE(detail::entry_name(b));
    const std::string bytes = detail::encode_entry(b);
    auto back = detail::decode_entry(bytes);
    REQUIRE(back.has_value());
    CHECK(detail::encode_entry(*back) == bytes);
    CHECK(detail::entry_name(*back) == detail::entry_name(b));
    // Truncated or extended bytes are refused, never misread.
    CHECK_FALSE(detail::decode_entry(bytes.substr(0, bytes.size() - 1)).has_value());
    CHECK_FALSE(detail::decode_entry(bytes + "x").has_value());
    CHECK_FALSE(detail::entry_summary(b, nullptr).empty());
  }
  CHECK_FALSE(detail::decode_entry("").has_value());
  CHECK_FALSE(detail::decode_entry(std::string(1, '\x55')).has_value());
}

TEST_CASE("store.codec.a_case_state_round_trips") {
  Driver d;
  d.submit("2025-03-03T09:00", true);
  REQUIRE(d.apply("2025-03-04T09:00", event::TaskSuspended{d.m("a"), 1, SuspensionReason::expert_review, 10, "专家"}).result ==
          StepResult::applied);
  REQUIRE(d.apply("2025-03-06T09:00", event::Extended{-1, Extension{ExtensionBasis::government_head, 15, "区长", D("2025-03-06"), "x"}}).result ==
          StepResult::applied);
  REQUIRE(d.apply("2025-03-11T09:00", event::TaskResumed{d.m("a"), 1}).result == StepResult::applied);
  REQUIRE(d.apply("2025-03-12T09:00", event::SupplementRequested{d.m("e"), 1, {"图纸"}, ""}).result == StepResult::applied);
  const std::string state = detail::encode_state(d.s);
  const std::string data = detail::encode_data(d.s);
  CaseState back;
  REQUIRE(detail::decode_state(state, back));
  REQUIRE(detail::decode_data(data, back));
  REQUIRE(d.s.supplement_notice_at.has_value());
  CHECK(back == d.s);  // every member, the supplement notice's instant too
  CHECK(detail::encode_state(back) == state);
  CHECK(detail::encode_data(back) == data);
  CHECK(back.values == d.s.values);
  CHECK(back.tasks[0].ledger.entries().size() == 1);
  CHECK(back.limit.total_days() == 30);
  CHECK(back.tasks[static_cast<std::size_t>(d.m("e"))].stopped_since == D("2025-03-12"));
  CHECK(back.deadline(*d.fc).date == d.s.deadline(*d.fc).date);
  CaseState junk;
  CHECK_FALSE(detail::decode_state(state.substr(0, state.size() / 2), junk));
  CHECK_FALSE(detail::decode_state("\x06" + state.substr(1), junk));
  CHECK_FALSE(detail::decode_data("", junk));
}

TEST_CASE("store.codec.limits_keep_their_unit_and_working_days_encode_as_before") {
  Driver d;
  d.submit("2025-03-03T09:00", true);
  const std::string before = detail::encode_state(d.s);
  // Limits in days and months, one extended: each reads back in its unit.
  d.s.limit = TimeLimit(Limit{3, LimitUnit::months});
  REQUIRE(d.s.limit.extend(Extension{ExtensionBasis::department_head, 10, "局长", D("2025-03-06"), "x"}).is_ok());
  d.s.tasks[0].limit = TimeLimit(Limit{60, LimitUnit::days});
  d.s.tasks[1].limit = TimeLimit(Limit{0, LimitUnit::days});
  const std::string state = detail::encode_state(d.s);
  CaseState back;
  REQUIRE(detail::decode_state(state, back));
  CHECK(back.limit.base() == Limit{3, LimitUnit::months});
  CHECK(back.limit.extension_days() == 10);
  CHECK(back.tasks[0].limit.base() == Limit{60, LimitUnit::days});
  CHECK(back.tasks[1].limit.base() == Limit{0, LimitUnit::days});
  CHECK(detail::encode_state(back) == state);
  CHECK(back.deadline(*d.fc).date == d.s.deadline(*d.fc).date);
  // A state whose limits are all working days encodes as format 2 wrote it:
  // the limits alone changed the bytes above.
  d.s.limit = TimeLimit(d.fc->chain().promised());
  d.s.tasks[0].limit = TimeLimit(d.fc->chain().matters[0].promised());
  d.s.tasks[1].limit = TimeLimit(d.fc->chain().matters[1].promised());
  CHECK(detail::encode_state(d.s) == before);
}

TEST_CASE("store.codec.produced_values_round_trip_and_the_older_state_format_still_reads") {
  Driver d;
  d.submit("2025-03-03T09:00", false);
  d.approve("2025-03-04T09:00", "a", {{"a.kind", std::string("big")}});
  REQUIRE(d.s.value("a.kind") != nullptr);
  // Produced values travel with the state; the applicant's data is unchanged.
  const std::string state = detail::encode_state(d.s);
  const std::string data = detail::encode_data(d.s);
  CaseState back;
  REQUIRE(detail::decode_state(state, back));
  REQUIRE(detail::decode_data(data, back));
  CHECK(back.produced == d.s.produced);
  CHECK(back.values == d.s.values);
  CHECK(back.materials == d.s.materials);
  CHECK(back.values->count("a.kind") == 0);

  // A store of state format 1 kept produced values among the data's values
  // and none in the state: format 2's bytes less the produced list (its
  // count, one byte, when empty). Both rows read, and value() finds them.
  CaseState old_style = d.s;
  FieldValues all = *d.s.values;
  for (const auto& [k, v] : d.s.produced) all[k] = v;
  old_style.values = all;
  old_style.produced.clear();
  std::string v1 = detail::encode_state(old_style);
  // Format 3's, 4's and 5's tails, all empty: no deferred materials, their
  // due day and level, no end day, no ratings, no agent, no committed task,
  // no supplement notice, no consent to reuse, nothing reused (ten zero
  // bytes).
  REQUIRE(v1.substr(v1.size() - 10) == std::string(10, '\0'));
  v1.resize(v1.size() - 10);
  REQUIRE(v1.back() == '\0');
  v1.pop_back();
  v1[0] = '\x01';
  CaseState old;
  old.produced = {{"stale", true}};
  REQUIRE(detail::decode_state(v1, old));
  REQUIRE(detail::decode_data(detail::encode_data(old_style), old));
  CHECK(old.produced.empty());
  CHECK(old.stage == d.s.stage);
  CHECK(old.tasks.size() == d.s.tasks.size());
  REQUIRE(old.value("a.kind") != nullptr);
  CHECK(*old.value("a.kind") == *d.s.value("a.kind"));
  CHECK_FALSE(detail::decode_state("\x06" + state.substr(1), old));
}

TEST_CASE("store.json.outcomes_and_requests") {
  auto ok = parse_outcome_json(R"({"outcome":"approved","produced":{"x.no":"A1","n":3}})");
  REQUIRE(ok.is_ok());
  REQUIRE(ok->has_value());
  CHECK((**ok).produced.at("n") == Value{std::int64_t{3}});
  auto accepted = parse_outcome_json(R"({"outcome":"accepted"})");
  REQUIRE(accepted.is_ok());
  CHECK_FALSE(accepted->has_value());
  auto susp = parse_outcome_json(R"({"outcome":"suspended","suspension":"inspection","told_days":5})");
  REQUIRE(susp.is_ok());
  CHECK((**susp).suspension == SuspensionReason::inspection);
  CHECK((**susp).told_days == 5);
  for (const char* bad : {"", "[]", "{}", "not json", R"({"outcome":"maybe"})", R"({"outcome":"rejected"})",
                          R"({"outcome":"supplement"})", R"({"outcome":"approved","produced":[1]})",
                          R"({"outcome":"approved","produced":{"a":{"b":1}}})", R"({"outcome":"suspended","suspension":"supplement"})",
                          R"({"outcome":7})"}) {
    CAPTURE(bad);
    auto r = parse_outcome_json(bad);
    CHECK(r.status().code() == Status::Code::invalid_input);
    CHECK_FALSE(r.status().message().empty());
  }
  // A department's answer nested 200,000 deep is refused before it is read
  // (nlohmann::json writes and compares nested values by recursion).
  const std::string deep = R"({"outcome":"approved","produced":{"a":)" + std::string(200'000, '[') +
                           std::string(200'000, ']') + "}}";
  auto deep_r = parse_outcome_json(deep);
  CHECK(deep_r.status().code() == Status::Code::invalid_input);
  CHECK(deep_r.status().message() == "the answer nests arrays and objects deeper than 32 levels");
  const std::vector<Request> requests = {
      request::Submit{"c", 2, {{"a", true}}, {"m"}, Channel::online},
      request::Supplement{4, {{"k", std::int64_t{1}}}, {"m"}, true},
      request::Report{4, "mat", 2, Outcome::suspended(SuspensionReason::hearing, 3, "听证")},
      request::Withdraw{4, "r"},
      request::Deliver{4, DeliveryMethod::express, "SF"},
      request::Extend{4, "", Extension{ExtensionBasis::department_head, 10, "局长", D("2025-01-02"), "r"}},
      request::Retry{4, "mat"},
      request::Claim{4, "mat", 1, "王五"},
  };
  for (const auto& r : requests) {
    CAPTURE(request_name(r));
    const std::string text = detail::request_to_json(r);
    auto back = detail::request_from_json(text);
    REQUIRE_MESSAGE(back.is_ok(), back.status().to_string());
    CHECK(detail::request_to_json(*back) == text);
  }
  CHECK_FALSE(detail::request_from_json(R"({"type":"explode"})").is_ok());
  CHECK_FALSE(detail::request_from_json(R"({"type":"report","case":1,"matter":"a"})").is_ok());
  CHECK_FALSE(detail::request_from_json("[").is_ok());
  auto receipt = detail::receipt_from_json(detail::receipt_to_json(Status::not_found("no case 9")));
  CHECK(receipt.status().code() == Status::Code::not_found);
  CHECK(receipt.status().message() == "no case 9");
}

TEST_CASE("store.retry_policy_backs_off_with_jitter") {
  RetryPolicy p;
  p.first_delay = std::chrono::milliseconds(100);
  p.multiplier = 2;
  p.max_delay = std::chrono::milliseconds(1000);
  p.jitter = 0.5;
  CHECK(p.delay(2, 0.5).count() == 100);
  CHECK(p.delay(3, 0.5).count() == 200);
  CHECK(p.delay(4, 0.5).count() == 400);
  CHECK(p.delay(10, 0.5).count() == 1000);  // capped
  CHECK(p.delay(2, 0.0).count() == 50);     // 1 - jitter
  CHECK(p.delay(2, 1.0).count() == 150);    // 1 + jitter
  p.jitter = 0;
  CHECK(p.delay(3, 0.9).count() == 200);
}

TEST_SUITE_BEGIN("durable");

TEST_CASE("engine.a_failed_commit_answers_with_its_error_and_changes_nothing") {
  // The store refuses every transaction that touches case 1 (a trigger
  // stands for a full disk or an I/O error): the approval is answered with
  // the error, the case stays as stored, other cases go on, and once the
  // store accepts writes again the same approval goes through.
  ScratchDir dir("failed-commit");
  TestClock clock;
  const std::string db = dir.store();
  const bool pg = is_postgres_uri(db);
  auto e = open_engine(db, test_options(clock));
  REQUIRE(e->load_chain_text(kFlowChain, "flowtest.yaml").is_ok());
  REQUIRE(e->apply(flow_application(false)).is_ok());
  sql(db, pg ? "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
               "RAISE EXCEPTION 'the disk says no'; END $$; "
               "CREATE TRIGGER refuse BEFORE INSERT ON log FOR EACH ROW WHEN (NEW.case_id = 1) EXECUTE FUNCTION refuse();"
             : "CREATE TRIGGER refuse BEFORE INSERT ON log WHEN NEW.case_id = 1 "
               "BEGIN SELECT RAISE(ABORT, 'the disk says no'); END;");

  auto refused = e->apply(request::Report{1, "a", 0, Outcome::approved({{"a.kind", std::string("small")}})});
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().message().find("the disk says no") != std::string::npos);
  CHECK(task_of(view(*e, 1), "a").status == TaskStatus::dispatched);  // read again from the store
  REQUIRE(e->apply(flow_application(false)).is_ok());                 // case 2 is not held up

  sql(db, pg ? "DROP TRIGGER refuse ON log;" : "DROP TRIGGER refuse;");
  REQUIRE(e->apply(request::Report{1, "a", 0, Outcome::approved({{"a.kind", std::string("small")}})}).is_ok());
  CHECK(task_of(view(*e, 1), "a").status == TaskStatus::approved);
  CHECK(e->stats().open_cases == 2);
  e.reset();
  auto r = verify_audit(db);
  REQUIRE(r.is_ok());
  CHECK(r->ok());
  CHECK(r->cases == 2);
}

TEST_SUITE_END();

}  // namespace store_audit_test
