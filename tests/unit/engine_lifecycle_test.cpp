// The engine over its life and between processes: a command never hands
// its request to another short command, a request no engine takes is
// withdrawn and never applied, every path to one store takes the one lock,
// close() answers everything it committed, and a case id is never given
// twice. The writer lock is the store's own: a lock file beside an SQLite
// file, a session advisory lock in a PostgreSQL database.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "engine_fixture.h"
#include "flow_fixture.h"
#include "runtime/file_lock.h"
#include "runtime/writer.h"

using namespace yilian;
using namespace yilian::test;
using namespace std::chrono_literals;

namespace engine_lifecycle_test {

namespace {

std::int64_t count_rows(const std::string& db, const char* sql) {
  if (is_postgres_uri(db)) return std::stoll(pg_value(sql, db));
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  REQUIRE(sqlite3_prepare_v2(h, sql, -1, &q, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(q) == SQLITE_ROW);
  const std::int64_t n = sqlite3_column_int64(q, 0);
  sqlite3_finalize(q);
  sqlite3_close(h);
  return n;
}

/// Who holds the store's writer lock now.
detail::WriterKind holder(const std::string& db) {
  auto w = detail::store_writer(db);
  REQUIRE_MESSAGE(w.is_ok(), w.status().to_string());
  return *w;
}

/// Holds a store's writer lock the way an engine does, saying `who` it is
/// ("live PID" or "one-off PID").
struct HeldLock {
  int fd = -1;
  PGconn* pg = nullptr;
  HeldLock(const std::string& db, const std::string& who) {
    if (is_postgres_uri(db)) {
      // The session lock pg_store.cpp takes (classid 0x79696c69, objid 1), held while this session lasts.
      pg = PQconnectdb(db.c_str());
      REQUIRE_MESSAGE(PQstatus(pg) == CONNECTION_OK, PQerrorMessage(pg));
      const std::string said = who.substr(0, who.find('\n')) + "@test";
      for (const std::string& q : {"SELECT pg_advisory_lock(" + std::to_string(0x79696c69) + ", 1)",
                                   "INSERT INTO meta(key, value) VALUES('writer', '" + said +
                                       "') ON CONFLICT(key) DO UPDATE SET value = excluded.value"}) {
        PGresult* r = PQexec(pg, q.c_str());
        const auto st = PQresultStatus(r);
        PQclear(r);
        REQUIRE_MESSAGE((st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK), PQerrorMessage(pg));
      }
      return;
    }
    fd = ::open(detail::FileLock::lock_path(db).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
    REQUIRE(::ftruncate(fd, 0) == 0);
    REQUIRE(::pwrite(fd, who.data(), who.size(), 0) == static_cast<ssize_t>(who.size()));
  }
  ~HeldLock() {
    if (pg) PQfinish(pg);
    if (fd >= 0) ::close(fd);
  }
};

struct Store {
  ScratchDir dir{"inbox"};
  TestClock clock;
  EngineOptions o = test_options(clock);
  std::string db = dir.store();
  Client::Options co;
  Store() {
    REQUIRE(open_engine(db, o)->load_chain_text(kFlowChain, "flowtest.yaml").is_ok());
    co.calendar_dirs = o.calendar_dirs;
    co.clock = clock.fn();
    co.wait = 300ms;
  }
};

}  // namespace

TEST_SUITE_BEGIN("durable");

TEST_CASE("engine.inbox.a_request_no_engine_takes_is_withdrawn_and_never_applied") {
  Store s;
  {
    // A live engine that never takes anything: the lock held as one.
    HeldLock live(s.db, "live " + std::to_string(::getpid()) + "\n");
    CHECK(holder(s.db) == detail::WriterKind::live);
    auto c = Client::open(s.db, s.co);
    REQUIRE_MESSAGE(c.is_ok(), c.status().to_string());
    CHECK((*c)->remote());
    auto r = (*c)->apply(flow_application(false));
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == Status::Code::unavailable);
    CHECK_MESSAGE(r.status().message().find("withdrawn and will not be applied") != std::string::npos,
                  r.status().message());
    CHECK(count_rows(s.db, "SELECT count(*) FROM inbox") == 0);
  }
  // The next engine has nothing to apply: the failed request stays failed.
  auto e = open_engine(s.db, s.o);
  std::this_thread::sleep_for(100ms);  // several inbox polls
  CHECK(e->records().list()->empty());
}

TEST_CASE("engine.inbox.a_command_waits_for_another_command_and_applies_its_request_itself") {
  Store s;
  s.co.wait = 10s;
  auto first = Client::open(s.db, s.co);  // holds the store as a one-off
  REQUIRE(first.is_ok());
  CHECK_FALSE((*first)->remote());
  CHECK(holder(s.db) == detail::WriterKind::one_off);
  std::thread done([&] {
    std::this_thread::sleep_for(300ms);
    REQUIRE((*first)->apply(flow_application(false)).is_ok());
    first->reset();
  });
  auto second = Client::open(s.db, s.co);
  done.join();
  REQUIRE_MESSAGE(second.is_ok(), second.status().to_string());
  CHECK_FALSE((*second)->remote());  // not the inbox: nobody would answer it
  auto r = (*second)->apply(flow_application(true));
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  CHECK(r->case_id == 2);
  CHECK(count_rows(s.db, "SELECT count(*) FROM inbox") == 0);
  second->reset();
  CHECK(holder(s.db) != detail::WriterKind::one_off);
  // Held too long: the command says so and nothing is queued.
  HeldLock other(s.db, "one-off " + std::to_string(::getpid()) + "\n");
  s.co.wait = 300ms;
  auto late = Client::open(s.db, s.co);
  REQUIRE_FALSE(late.is_ok());
  CHECK(late.status().code() == Status::Code::unavailable);
  CHECK(late.status().message().find("nothing was done") != std::string::npos);
  CHECK(count_rows(s.db, "SELECT count(*) FROM inbox") == 0);
}

TEST_CASE("engine.inbox.every_path_to_a_store_takes_the_one_lock" * doctest::test_suite("sqlite-only") *
          doctest::description("symbolic links and relative paths to one SQLite file")) {
  Store s;
  auto e = open_engine(s.db, s.o);
  const std::string link = s.dir.file("link.db");
  std::filesystem::create_symlink(s.db, link);
  EngineOptions quick = s.o;
  quick.lock_wait = 0ms;
  auto again = Engine::open(link, quick);
  REQUIRE_FALSE(again.is_ok());
  CHECK(again.status().code() == Status::Code::unavailable);
  // A relative path from the store's folder too.
  const auto here = std::filesystem::current_path();
  std::filesystem::current_path(s.dir.path);
  auto relative = Engine::open("cases.db", quick);
  std::filesystem::current_path(here);
  REQUIRE_FALSE(relative.is_ok());
  CHECK(relative.status().code() == Status::Code::unavailable);
  // The holder is known by any path; a closed engine no longer says it is one.
  CHECK(detail::FileLock::holder(link) == detail::FileLock::Holder::live);
  e.reset();
  CHECK(detail::FileLock::holder(link) != detail::FileLock::Holder::live);
  CHECK(Engine::open(link, quick).is_ok());
  // A holder that died without a word (killed) is gone: its pid says so.
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  REQUIRE(child > 0);
  ::waitpid(child, nullptr, 0);
  { std::ofstream(detail::FileLock::lock_path(s.db)) << "live " << child << "\n"; }
  CHECK(detail::FileLock::holder(s.db) == detail::FileLock::Holder::none);
}

TEST_CASE("engine.close_runs_every_answer_and_listener_call_of_what_was_committed") {
  // Before, close() stopped the I/O threads with what they had queued:
  // answers to callers and notifications of committed events were lost.
  ScratchDir dir("close-drain");
  TestClock clock;
  EngineOptions o = test_options(clock);
  o.threads = 4;
  auto e = open_engine(dir.store(), o);
  REQUIRE(e->load_chain_text(kFlowChain, "flowtest.yaml").is_ok());
  std::atomic<int> answered{0}, accepted{0}, inside{0}, most{0};
  std::mutex mu;
  std::vector<CaseId> notices;
  e->set_listener([&](const Notification& n) {
    const int now = ++inside;
    for (int seen = most.load(); now > seen && !most.compare_exchange_weak(seen, now);) {
    }
    std::this_thread::sleep_for(std::chrono::microseconds(20));
    if (n.kind == Notification::Kind::notice) {
      std::lock_guard g(mu);
      notices.push_back(n.case_id);
    }
    --inside;
  });
  constexpr int n = 2000;
  for (int i = 0; i < n; ++i) {
    // Without the lease: incomplete, so each case is told what to bring (one notice).
    request::Submit s = flow_application(false);
    s.materials = {};
    e->apply_async(std::move(s), [&](Result<Receipt> r) {
      ++answered;
      if (r.is_ok()) ++accepted;
    });
  }
  e->close();
  CHECK(answered == n);       // every caller heard back
  CHECK(accepted > 0);
  CHECK(most == 1);           // one listener call at a time
  std::lock_guard g(mu);
  CHECK(static_cast<int>(notices.size()) == accepted.load());  // every committed notice was told
  CHECK(std::is_sorted(notices.begin(), notices.end()));      // in commit order
  // Reading still works after close.
  CHECK(e->records().list().is_ok());
}

TEST_CASE("engine.a_case_id_is_never_given_twice") {
  // Cases deleted outside the engine (their rows, even their logs) do not
  // give their ids to the next cases.
  Store s;
  {
    auto e = open_engine(s.db, s.o);
    for (int i = 0; i < 3; ++i) REQUIRE(e->apply(flow_application(false)).is_ok());
  }
  auto remove = [&](const char* statement) { sql(s.db, statement); };
  remove("DELETE FROM cases WHERE id=3");
  {
    auto e = open_engine(s.db, s.o);
    auto r = e->apply(flow_application(false));
    REQUIRE(r.is_ok());
    CHECK(r->case_id == 4);  // not 3: its log is still there
  }
  remove("DELETE FROM cases WHERE id>=3; DELETE FROM log WHERE case_id>=3; DELETE FROM case_data WHERE id>=3");
  // The seal no longer counts the log: the engine writes nothing on it.
  CHECK_FALSE(Engine::open(s.db, s.o).is_ok());
  // Rewritten to count what is left (as whoever deleted the entries could),
  // the store opens, and still gives neither 3 nor 4 again.
  remove("UPDATE meta SET value = '2:' || substr(value, 3) WHERE key = 'seal'");
  auto e = open_engine(s.db, s.o);
  auto r = e->apply(flow_application(false));
  REQUIRE(r.is_ok());
  CHECK(r->case_id == 5);  // the store remembers the last id it gave
}

TEST_SUITE_END();

}  // namespace engine_lifecycle_test
