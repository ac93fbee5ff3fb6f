// Shared by the engine tests: a scratch store, a clock the test moves, an
// in-process adapter the test scripts, and waiting with a deadline (a test
// that waits never hangs).
//
// The tests of what a store keeps run on both backends: they are in the
// doctest test suite `durable`, which ctest runs a second time with
// YILIAN_TEST_STORE=postgresql (entries `postgresql.<test>`, under the `pg`
// fixture; tests/CMakeLists.txt). There ScratchDir::store() hands each test
// a new database of the throw-away cluster instead of a file. A test that
// looks at the SQLite file itself (its lock file, its bytes, SQLite's own
// SQL) is in suite `sqlite-only`, its reason in its description.
#pragma once

#include <doctest/doctest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string_view>
#include <thread>

#include "../pg/pg_fixture.h"
#include "flow_fixture.h"
#include "yilian/engine.h"

namespace yilian::test {

/// True on the PostgreSQL pass of the durable tests (YILIAN_TEST_STORE=postgresql);
/// false when the variable is unset, empty or `sqlite`; any other value fails the test.
inline bool on_postgresql() {
  const char* v = std::getenv("YILIAN_TEST_STORE");
  const std::string_view store = v ? v : "";
  REQUIRE_MESSAGE((store.empty() || store == "sqlite" || store == "postgresql"),
                  "YILIAN_TEST_STORE is `" << store << "`: it is `sqlite` (the default) or `postgresql`");
  return store == "postgresql";
}

/// A folder of its own per test process, removed afterwards.
struct ScratchDir {
  std::filesystem::path path;
  explicit ScratchDir(const std::string& name) : name_(name) {
    static std::atomic<int> counter{0};
    path = std::filesystem::temp_directory_path() /
           ("yilian-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }

  /// A fresh store for the test, the same each time `name` is asked for: the
  /// file `name` in this folder, or on the PostgreSQL pass a new database of
  /// the test cluster (its URI). Every library entry point takes either.
  std::string store(const std::string& name = "cases.db") const {
    std::string& location = stores_[name];
    if (location.empty()) {
      if (on_postgresql()) {
        std::string db;  // an identifier: the folder's and the store's names
        for (const char c : name_ + "_" + name.substr(0, name.find('.')))
          db += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
        location = pg_database(db.substr(0, 40));
      } else {
        location = file(name);
      }
    }
    return location;
  }

 private:
  std::string name_;
  mutable std::map<std::string, std::string> stores_;
};

/// A clock the test sets (local time).
struct TestClock {
  std::atomic<std::int64_t> seconds{Instant::at(*Date::parse("2025-03-03"), TimeOfDay::at(9, 0)).seconds};
  void set(const char* iso) { seconds = at(iso).seconds; }
  std::function<Instant()> fn() {
    return [this] { return Instant{seconds.load()}; };
  }
};

/// Polls `pred` until it holds or `timeout` passes.
inline bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return pred();
}

/// An adapter whose behaviour the test sets; remembers every task it got.
class ScriptedAdapter : public Adapter {
 public:
  using Script = std::function<void(const Task&, const Completion&)>;
  ScriptedAdapter() : script_(approve_all({})) {}
  explicit ScriptedAdapter(Script s) : script_(std::move(s)) {}

  void dispatch(const Task& task, Completion done) override {
    {
      std::lock_guard g(mu);
      tasks.push_back(task);
      handles.push_back(done);
    }
    script_(task, done);
  }
  void cancel(const std::string& key) noexcept override {
    std::lock_guard g(mu);
    cancelled.push_back(key);
  }
  std::size_t count() {
    std::lock_guard g(mu);
    return tasks.size();
  }
  std::vector<Task> seen() {
    std::lock_guard g(mu);
    return tasks;
  }

  /// Approves every task; `produced` goes with matter a's (the flow chain's
  /// one producer): the engine refuses values a matter does not declare.
  static Script approve_all(FieldValues produced) {
    return [produced](const Task& t, const Completion& c) {
      c.report(Outcome::approved(t.matter == "a" ? produced : FieldValues{}));
    };
  }

  std::mutex mu;
  std::vector<Task> tasks;
  std::vector<Completion> handles;
  std::vector<std::string> cancelled;

 private:
  Script script_;
};

/// Engine options for tests: the test's clock, the project's calendars,
/// short waits.
inline EngineOptions test_options(TestClock& clock) {
  EngineOptions o;
  o.clock = clock.fn();
  o.calendar_dirs = {std::string(YILIAN_SOURCE_DIR) + "/chains/calendars"};
  o.threads = 2;
  o.lock_wait = std::chrono::milliseconds(2000);
  o.adapter_timeout = std::chrono::milliseconds(2000);
  o.retry.first_delay = std::chrono::milliseconds(5);
  o.retry.max_delay = std::chrono::milliseconds(20);
  o.retry.attempts = 3;
  o.inbox_poll = std::chrono::milliseconds(20);
  o.seed = 7;
  return o;
}

inline std::unique_ptr<Engine> open_engine(const std::string& path, const EngineOptions& o) {
  auto e = Engine::open(path, o);
  REQUIRE_MESSAGE(e.is_ok(), e.status().to_string());
  return std::move(*e);
}

/// A complete application for the flow fixture chain.
inline request::Submit flow_application(bool flag = false) {
  return request::Submit{"flowtest", std::nullopt, {{"applicant.name", std::string("张三")}, {"x.flag", flag}}, {"lease"},
                         Channel::window};
}

inline CaseView view(Engine& e, CaseId id) {
  auto v = e.records().case_view(id);
  REQUIRE_MESSAGE(v.is_ok(), v.status().to_string());
  return std::move(*v);
}

inline const TaskView& task_of(const CaseView& v, const std::string& matter) {
  for (const auto& t : v.tasks)
    if (t.matter == matter) return t;
  FAIL("no task " << matter);
  return v.tasks.front();
}

/// Runs `statement` on the store behind the engine's back (tampering, old
/// formats), with SQLite on a file and as the cluster's user on a
/// PostgreSQL database; fails the test on an SQL error. The SQL is the
/// backend's own: where the dialects differ, the test gives both.
inline void sql(const std::string& db, const std::string& statement) {
  if (is_postgres_uri(db)) {
    pg_admin(statement, db);
    return;
  }
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(h, statement.c_str(), nullptr, nullptr, &err);
  const std::string msg = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(h);
  REQUIRE_MESSAGE(rc == SQLITE_OK, msg);
}

inline std::size_t count_log(const CaseView& v, const std::string& kind, const std::string& result = "") {
  std::size_t n = 0;
  for (const auto& l : v.log)
    if (l.kind == kind && (result.empty() || l.result == result)) ++n;
  return n;
}

}  // namespace yilian::test
