// Failover on PostgreSQL: two `yilian run` on one database, one active and
// one standing by, a department answering through the command adapter, and
// an API node (`yilian serve --no-engine`) taking a load of submissions
// over HTTP, each retried under its idempotency key until acknowledged. The
// active engine is killed with SIGKILL at random moments, ten times, and
// then has its session cut; each time the standby (or the engine itself,
// standing by again) takes over within 5 s and a new standby is started. In
// the end every acknowledged submission is there exactly once, every case
// finished, every task was approved once, and the audit verifies.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <random>

#include "engine_fixture.h"
#include "api_support.h"
#include "pg_fixture.h"
#include "run_support.h"
#include "runtime/store.h"

using namespace yilian;
using namespace yilian::test;
using namespace std::chrono_literals;

namespace failover_test {

namespace {

/// Watches which engine is active, through one connection of its own (a
/// new connection per look would load the two cores the engines need).
class Watch {
 public:
  explicit Watch(const std::string& uri) {
    auto s = detail::open_store(uri, detail::StoreOptions{.create = false, .read_only = true});
    REQUIRE_MESSAGE(s.is_ok(), s.status().to_string());
    store_ = std::move(*s);
  }
  /// The pid the active engine wrote into the store ("live PID@host"), 0 when none is active.
  pid_t active() {
    auto writer = store_->writer();
    REQUIRE_MESSAGE(writer.is_ok(), writer.status().to_string());
    if (*writer != detail::WriterKind::live) return 0;
    auto r = store_->run_sql("SELECT value FROM meta WHERE key='writer'", {});
    REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
    if (r->rows.empty()) return 0;
    return static_cast<pid_t>(std::strtol(r->rows[0][0].c_str() + 5, nullptr, 10));
  }
  /// Looks every 20 ms until an engine other than `gone` is active, up to `timeout`.
  pid_t next_active(pid_t gone, std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (const pid_t p = active(); p > 0 && p != gone) return p;
      if (std::chrono::steady_clock::now() >= until) return 0;
      std::this_thread::sleep_for(20ms);
    }
  }

 private:
  std::unique_ptr<detail::Store> store_;
};

/// Submits cases through the API node one after another, each under its own
/// idempotency key and retried under it until acknowledged (a failover
/// answers 503 or cuts the connection meanwhile), until stopped.
class Load {
 public:
  Load(std::uint16_t port, std::string key, std::string body)
      : port_(port), key_(std::move(key)), body_(std::move(body)), thread_([this] { run(); }) {}
  ~Load() { stop(); }
  /// Stops after the submission under way is acknowledged; the count acknowledged.
  int stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
    return acknowledged_;
  }
  int retries() const { return retries_; }
  std::string last_failure() const {
    std::lock_guard g(mu_);
    return last_failure_;
  }

 private:
  void run() {
    for (int i = 0; !stopping_; ++i) {
      const std::string idempotency = fmt::format("load-{}", i);
      const auto until = std::chrono::steady_clock::now() + 60s;
      for (;;) {
        const HttpAnswer a = http_call(port_, "POST", "/api/v1/cases",
                                       {{"Authorization", "Bearer " + key_}, {"Idempotency-Key", idempotency}}, body_, 30s);
        if (a.status == 201 || a.status == 200) {
          ++acknowledged_;
          break;
        }
        {
          std::lock_guard g(mu_);
          last_failure_ = fmt::format("{} {}", a.status, a.body);
        }
        ++retries_;
        if (std::chrono::steady_clock::now() >= until) return;  // the count then falls short: the test fails
        std::this_thread::sleep_for(100ms);
      }
      std::this_thread::sleep_for(50ms);
    }
  }
  std::uint16_t port_;
  std::string key_, body_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> acknowledged_{0}, retries_{0};
  mutable std::mutex mu_;
  std::string last_failure_;
  std::thread thread_;
};

}  // namespace

TEST_CASE("engine.postgresql.failover.the_standby_takes_over_from_a_killed_engine_and_nothing_is_lost") {
  const std::string uri = pg_database("failover");
  ScratchDir dir("failover");
  const std::string answers = dir.file("answers.log"), output = dir.file("run.out");
  {
    std::ofstream deploy(dir.file("deploy.yaml"));
    deploy << deploy_text(kChain, answers);
  }
  Client::Options co = client_options();
  constexpr int first_batch = 40;
  submit_cases(uri, co, kChain, first_batch, [](int i) { return application(i % 3 != 0); });

  const std::vector<std::string> run{YILIAN_CLI, "run", "--db", uri, "--deploy", dir.file("deploy.yaml"), "--quiet"};
  Watch watch(uri);
  std::vector<pid_t> engines{spawn(run, output)};
  REQUIRE(watch.next_active(0, 20s) == engines[0]);
  engines.push_back(spawn(run, output));  // the standby

  // The API node and its load.
  const pid_t api = spawn({YILIAN_CLI, "serve", "--db", uri, "--no-engine", "--chain", kChain, "--listen", "127.0.0.1:0"},
                          dir.file("api.log"));
  const std::uint16_t port = served_port(dir.file("api.log"));
  REQUIRE_MESSAGE(port > 0, read_file(dir.file("api.log")));
  Load load(port, window_key(uri, dir.file("account.log")), application_body(true));

  std::mt19937 rng(20251206);
  std::uniform_int_distribution<int> pause(200, 1500);
  int acknowledged = 0, refused = 0, kills = 0;
  std::vector<double> takeovers;
  for (int round = 0; round < 10; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause(rng)));
    // A command hands a case to the active engine through the inbox.
    if (auto client = Client::open(uri, co); client.is_ok()) {
      if ((*client)->apply(application(round % 2 == 0)).is_ok()) ++acknowledged;
      else ++refused;
    }
    const pid_t active = watch.active();
    REQUIRE_MESSAGE(active > 0, "no engine is active: " << read_file(output).substr(0, 3000));
    REQUIRE(std::find(engines.begin(), engines.end(), active) != engines.end());
    const auto killed_at = std::chrono::steady_clock::now();
    kill_hard(active);
    ++kills;
    std::erase(engines, active);
    const pid_t next = watch.next_active(active, 5s);
    CHECK_MESSAGE(next > 0, "no standby took over within 5 s after kill " << kills << "; the engines said:\n"
                                                                          << read_file(output));
    takeovers.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - killed_at).count());
    engines.push_back(spawn(run, output));  // a new standby
  }
  // Its session cut instead (it may be still taking over): the engine says
  // the connection is lost and stands by again; one of the two takes over.
  {
    REQUIRE(watch.active() > 0);
    const std::size_t before = read_file(output).size();
    const auto cut_at = std::chrono::steady_clock::now();
    cut_the_active_session(uri);
    (void)eventually([&] { return watch.active() == 0; }, 2s);  // the cut session's lock is gone
    CHECK_MESSAGE(watch.next_active(0, 5s) > 0, "no engine took over within 5 s after the cut");
    takeovers.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - cut_at).count());
    const bool said = eventually([&] { return read_file(output).find(" is lost", before) != std::string::npos; }, 10s);
    const std::string out = read_file(output);
    CHECK_MESSAGE(said, "the engine whose session was cut did not say so; the engines said, last:\n"
                            << out.substr(out.size() > 4000 ? out.size() - 4000 : 0));
  }
  std::this_thread::sleep_for(1s);  // the load goes on after the last takeover
  const int through_api = load.stop();
  std::sort(takeovers.begin(), takeovers.end());
  MESSAGE(fmt::format("{} kills and a cut session; takeover: median {:.2f} s, max {:.2f} s; {} submissions acknowledged "
                      "by commands, {} refused; {} through the API node ({} retries)",
                      kills, takeovers[takeovers.size() / 2], takeovers.back(), acknowledged, refused, through_api,
                      load.retries()));
  CHECK(kills == 10);
  CHECK(acknowledged >= 8);
  CHECK_MESSAGE(through_api >= 10, load.last_failure());
  ::kill(api, SIGTERM);
  CHECK(wait_for(api, 20s) == 0);

  // The active engine stops cleanly on SIGTERM; a standby too, unless it
  // was started too recently to have set up its signal handling.
  const pid_t last_active = watch.active();
  for (pid_t pid : engines) {
    ::kill(pid, SIGTERM);
    const int rc = wait_for(pid, 20s);
    if (pid == last_active) CHECK(rc == 0);
    else CHECK((rc == 0 || rc == -SIGTERM));
  }
  run_until_done(run, output);
  check_every_case_finished_once(uri, co, first_batch + acknowledged + through_api, answers, kills);
}

}  // namespace failover_test
