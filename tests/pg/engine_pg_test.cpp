// The engine on a PostgreSQL store: a case to delivery with the audit, one
// writer, recovery after a restart, commands through the inbox, and an
// engine whose database session is cut committing nothing.
#include <doctest/doctest.h>

#include "engine_fixture.h"
#include "pg_fixture.h"

using namespace yilian;
using namespace yilian::test;
using namespace std::chrono_literals;

namespace engine_pg_test {

namespace {

std::unique_ptr<Engine> engine_on(const std::string& uri, TestClock& clock, EngineOptions o = {}) {
  if (!o.clock) o = test_options(clock);
  auto e = open_engine(uri, o);
  REQUIRE(e->load_chain_text(kFlowChain, "flowtest.yaml").is_ok());
  return e;
}

}  // namespace

TEST_CASE("engine.postgresql.a_case_runs_to_delivery_and_the_audit_verifies") {
  const std::string uri = pg_database("run");
  TestClock clock;
  EngineOptions o = test_options(clock);
  o.auto_deliver = DeliveryMethod::electronic;
  auto e = engine_on(uri, clock, o);
  auto adapter = std::make_shared<ScriptedAdapter>(ScriptedAdapter::approve_all({{"a.kind", std::string("big")}}));
  REQUIRE(e->register_adapter("*", adapter).is_ok());
  for (int i = 0; i < 5; ++i) {
    auto r = e->apply(flow_application(i % 2 == 0));
    REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
    CHECK(r->case_id == static_cast<CaseId>(i + 1));
  }
  REQUIRE(e->wait_idle(10s));
  for (CaseId id = 1; id <= 5; ++id) REQUIRE(eventually([&] { return view(*e, id).stage == CaseStage::delivered; }));
  const CaseView v = view(*e, 1);
  CHECK(count_log(v, "task-approved", "applied") == 5);
  CHECK(v.log.back().kind == "delivered");
  std::uint64_t entries = 0;
  for (CaseId id = 1; id <= 5; ++id) entries += view(*e, id).log.size();
  e->close();

  auto audit = verify_audit(uri, {}, o.calendar_dirs);
  REQUIRE_MESSAGE(audit.is_ok(), audit.status().to_string());
  CHECK(audit->ok());
  CHECK(audit->cases == 5);
  CHECK(audit->entries == entries);

  // An applicant's value edited in the database behind the engine's back
  // breaks the audit, as in an SQLite store.
  pg_admin("UPDATE case_data SET data = overlay(data placing '\\x00'::bytea from 5 for 1) WHERE id = 2", uri);
  auto edited = verify_audit(uri, {}, o.calendar_dirs);
  REQUIRE(edited.is_ok());
  CHECK_FALSE(edited->ok());
}

TEST_CASE("engine.postgresql.a_deleted_seal_is_a_break_and_the_engine_does_not_open") {
  // A PostgreSQL store is sealed from its creation. Before, a deleted seal
  // row read as a store from before seals: the audit passed ("written
  // before seals") while the engine refused every commit; a whole case
  // deleted along with it went unnoticed.
  const std::string uri = pg_database("noseal");
  TestClock clock;
  EngineOptions o = test_options(clock);
  {
    auto e = engine_on(uri, clock, o);
    for (int i = 0; i < 2; ++i) REQUIRE(e->apply(flow_application(false)).is_ok());
  }
  pg_admin("DELETE FROM meta WHERE key = 'seal'; DELETE FROM log WHERE case_id = 2; DELETE FROM cases WHERE id = 2; "
           "DELETE FROM case_data WHERE id = 2",
           uri);
  auto audit = verify_audit(uri, {}, o.calendar_dirs);
  REQUIRE_MESSAGE(audit.is_ok(), audit.status().to_string());
  REQUIRE_FALSE(audit->ok());
  CHECK(audit->first_break->case_id == 0);
  CHECK_MESSAGE(audit->first_break->problem.find("seal is missing") != std::string::npos, audit->first_break->problem);
  // The engine writes nothing on it: it does not open.
  auto refused = Engine::open(uri, o);
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().message().find("seal is missing") != std::string::npos);
}

TEST_CASE("engine.postgresql.a_format_4_store_reads_and_upgrades") {
  // A store of format 4 (before supplement notices were counted per
  // instant): read as it is; opened for writing, upgraded to format 5, with
  // the cases begun before marked for audit verify (whole_state_after).
  const std::string uri = pg_database("format4");
  TestClock clock;
  EngineOptions o = test_options(clock);
  {
    auto e = engine_on(uri, clock, o);
    for (int i = 0; i < 2; ++i) REQUIRE(e->apply(flow_application(false)).is_ok());
  }
  pg_admin("UPDATE meta SET value = 'yilian-store-4' WHERE key = 'format'", uri);
  {
    auto r = Records::open(uri);
    REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
    auto audit = verify_audit(uri, {}, o.calendar_dirs);
    REQUIRE_MESSAGE(audit.is_ok(), audit.status().to_string());
    CHECK(audit->ok());
  }
  CHECK(pg_value("SELECT value FROM meta WHERE key = 'format'", uri) == "yilian-store-4");  // reading does not upgrade
  {
    auto e = engine_on(uri, clock, o);
    CHECK(pg_value("SELECT value FROM meta WHERE key = 'format'", uri) == "yilian-store-6");
    CHECK(pg_value("SELECT value FROM meta WHERE key = 'whole_state_after'", uri) == "2");
    REQUIRE(e->apply(flow_application(false)).is_ok());
  }
  auto audit = verify_audit(uri, {}, o.calendar_dirs);
  REQUIRE_MESSAGE(audit.is_ok(), audit.status().to_string());
  CHECK(audit->ok());
  CHECK(audit->cases == 3);
}

TEST_CASE("engine.postgresql.a_format_5_store_reads_and_upgrades_with_its_files_table") {
  // A store of format 5 (before material files): no files table. Read as
  // it is (no files); opened for writing, upgraded to format 6 with the
  // table, and no whole_state_after mark (format 5 kept whole states).
  const std::string uri = pg_database("format5");
  TestClock clock;
  EngineOptions o = test_options(clock);
  {
    auto e = engine_on(uri, clock, o);
    REQUIRE(e->apply(flow_application(false)).is_ok());
  }
  pg_admin("DROP TABLE files; UPDATE meta SET value = 'yilian-store-5' WHERE key = 'format'", uri);
  {
    auto r = Records::open(uri);
    REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
    auto files = (*r)->files(1);
    REQUIRE_MESSAGE(files.is_ok(), files.status().to_string());
    CHECK(files->empty());
    auto audit = verify_audit(uri, {}, o.calendar_dirs);
    REQUIRE_MESSAGE(audit.is_ok(), audit.status().to_string());
    CHECK(audit->ok());
  }
  CHECK(pg_value("SELECT value FROM meta WHERE key = 'format'", uri) == "yilian-store-5");
  {
    auto e = engine_on(uri, clock, o);
    CHECK(pg_value("SELECT value FROM meta WHERE key = 'format'", uri) == "yilian-store-6");
    CHECK(pg_value("SELECT COUNT(*) FROM meta WHERE key = 'whole_state_after'", uri) == "0");
    CHECK(pg_value("SELECT COUNT(*) FROM files", uri) == "0");
  }
  auto audit = verify_audit(uri, {}, o.calendar_dirs);
  REQUIRE_MESSAGE(audit.is_ok(), audit.status().to_string());
  CHECK(audit->ok());
}

TEST_CASE("engine.postgresql.not_a_store") {
  // PostgreSQL's side of engine.not_a_store (a text file where the SQLite
  // file should be): a database whose tables are another program's.
  TestClock clock;
  const std::string other = pg_database("other");
  pg_admin("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES('format', 'ledger-2')",
           other);
  auto e = Engine::open(other, test_options(clock));
  CHECK(e.status().code() == Status::Code::invalid_input);
  CHECK_MESSAGE(e.status().message().find("not a yilian store") != std::string::npos, e.status().message());
  // An empty database is no store to read; an engine makes it one.
  const std::string empty = pg_database("empty");
  auto r = Records::open(empty);
  CHECK(r.status().code() == Status::Code::not_found);
  CHECK(Engine::open(empty, test_options(clock)).is_ok());
  CHECK(Records::open(empty).is_ok());
}

TEST_CASE("engine.postgresql.one_engine_per_store") {
  const std::string uri = pg_database("one");
  TestClock clock;
  auto e = engine_on(uri, clock);
  EngineOptions o = test_options(clock);
  o.lock_wait = 100ms;
  auto second = Engine::open(uri, o);
  REQUIRE_FALSE(second.is_ok());
  CHECK(second.status().code() == Status::Code::unavailable);
  e->close();
  e.reset();
  auto third = Engine::open(uri, o);
  CHECK_MESSAGE(third.is_ok(), third.status().to_string());
}

TEST_CASE("engine.postgresql.a_restarted_engine_takes_up_its_open_cases") {
  const std::string uri = pg_database("restart");
  TestClock clock;
  {
    auto e = engine_on(uri, clock);
    // The departments accept their tasks and have not decided when the engine stops.
    auto accepting = std::make_shared<ScriptedAdapter>([](const Task&, const Completion& c) { c.accepted(); });
    REQUIRE(e->register_adapter("*", accepting).is_ok());
    for (int i = 0; i < 3; ++i) REQUIRE(e->apply(flow_application(false)).is_ok());
    REQUIRE(e->wait_idle(10s));
    CHECK(accepting->count() == 3);  // a of each case
    CHECK(e->stats().open_cases == 3);
  }
  auto e = engine_on(uri, clock);
  CHECK(e->stats().recovered_cases == 3);
  CHECK(e->stats().parked == 3);  // handed over again once an adapter is there
  auto approve = std::make_shared<ScriptedAdapter>(ScriptedAdapter::approve_all({{"a.kind", std::string("small")}}));
  REQUIRE(e->register_adapter("*", approve).is_ok());
  for (CaseId id = 1; id <= 3; ++id)
    REQUIRE_MESSAGE(eventually([&] { return view(*e, id).stage == CaseStage::ready; }),
                    "case " << id << " is " << to_string(view(*e, id).stage) << " after " << approve->count() << " dispatches");
  // The next case gets the next id.
  auto r = e->apply(flow_application(false));
  REQUIRE(r.is_ok());
  CHECK(r->case_id == 4);
}

TEST_CASE("engine.postgresql.commands_apply_their_own_requests_or_hand_them_to_the_live_engine") {
  const std::string uri = pg_database("client");
  TestClock clock;
  EngineOptions o = test_options(clock);
  Client::Options co;
  co.calendar_dirs = o.calendar_dirs;
  co.clock = clock.fn();
  co.wait = 5000ms;
  { (void)engine_on(uri, clock); }
  {
    auto c = Client::open(uri, co);
    REQUIRE_MESSAGE(c.is_ok(), c.status().to_string());
    CHECK_FALSE((*c)->remote());  // no engine runs: the command applies it itself
    auto r = (*c)->apply(flow_application(false));
    REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
    CHECK(r->case_id == 1);
  }
  auto e = engine_on(uri, clock);
  auto c = Client::open(uri, co);
  REQUIRE_MESSAGE(c.is_ok(), c.status().to_string());
  CHECK((*c)->remote());  // through the inbox
  auto r = (*c)->apply(flow_application(false));
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  CHECK(r->case_id == 2);
  CHECK(view(*e, 2).stage != CaseStage::created);
}

TEST_CASE("engine.postgresql.an_engine_whose_session_is_cut_commits_nothing") {
  const std::string uri = pg_database("cut");
  TestClock clock;
  auto e = engine_on(uri, clock);
  REQUIRE(e->apply(flow_application(false)).is_ok());
  // Every other session on the database ends (as when the network drops).
  pg_admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
           uri);
  auto refused = e->apply(flow_application(false));
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().message().find("lost") != std::string::npos);
  // The lock went with the session: another engine takes the store and
  // finds only what was committed.
  EngineOptions o = test_options(clock);
  auto next = Engine::open(uri, o);
  REQUIRE_MESSAGE(next.is_ok(), next.status().to_string());
  auto r = (*next)->apply(flow_application(false));
  REQUIRE(r.is_ok());
  CHECK(r->case_id == 2);
  e->close();
}

}  // namespace engine_pg_test
