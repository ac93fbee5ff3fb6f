// The live engine on SQLite: durable throughput and recovery. Measures,
// does not assert; the tables go into bench/README.md ("Engine").
//
//   bench_engine                      all of it, with the defaults below
//   bench_engine throughput CASES RUNS
//   bench_engine submit CASES RUNS N  submissions alone, N in flight (the in-process side of bench_serve.sh)
//   bench_engine create DB CASES      a store with CASES open kindergarten cases
//   bench_engine recover DB RUNS      open it RUNS times (a fresh process each)
//   bench_engine stores URI CASES RUNS  the same throughput on SQLite and on the
//                                     PostgreSQL database URI, alternated (bench_pg.sh)
//   bench_engine limit CASES RUNS     task transitions against the plain-SQLite limit:
//                                     the rows they wrote, written with prepared
//                                     statements alone, alternated (issue 23)
//
// BENCH_PHASES=1 prints the timed transitions' start and end on stderr as
// CLOCK_MONOTONIC seconds, for `perf record -k mono` and `perf report
// --time START,END`: a profile of that phase alone.
//
// Throughput: kindergarten cases submitted at once (apply_async) and carried
// to delivery by an in-process adapter that approves every task at once;
// every event is committed before its commands run. Recovery: a store whose
// cases wait for an adapter (their dispatches are parked); open() recovers
// them, then a manual adapter takes every pending task.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "yilian/application.h"
#include "yilian/engine.h"
#include "allocator.h"
#include "plain_sqlite.h"

extern char** environ;

namespace {

using namespace yilian;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

const std::string kChain = std::string(YILIAN_SOURCE_DIR) + "/chains/kindergarten-setup.yaml";

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

double rss_mib() {
  std::ifstream in("/proc/self/statm");
  long pages = 0, resident = 0;
  in >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

/// CPU seconds spent so far by this process's threads, by thread name
/// (yilian-commit, yilian-writer, yilian-io, ...; the main thread under the
/// program's name), read from /proc/self/task/*/stat.
/// With BENCH_PHASES set: the monotonic clock now, as perf's `--time` reads it.
void phase_mark(const char* what) {
  if (!std::getenv("BENCH_PHASES")) return;
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  fmt::print(stderr, "bench_engine: transitions {} at {}.{:06}\n", what, ts.tv_sec, ts.tv_nsec / 1000);
}

std::map<std::string, double> thread_cpu() {
  std::map<std::string, double> out;
  const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  std::error_code ec;
  for (const auto& t : fs::directory_iterator("/proc/self/task", ec)) {
    std::ifstream in(t.path() / "stat");
    std::string line;
    std::getline(in, line);
    const auto open = line.find('('), close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {  // fields 14 and 15: user and system ticks
      if (i == 14) utime = std::strtod(field.c_str(), nullptr);
      if (i == 15) stime = std::strtod(field.c_str(), nullptr);
    }
    out[line.substr(open + 1, close - open - 1)] += (utime + stime) / tick;
  }
  return out;
}

void remove_store(const std::string& db) {
  if (is_postgres_uri(db)) {  // the database stays; its tables go
    const std::string drop = fmt::format("psql -q '{}' -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public' >/dev/null 2>&1", db);
    if (std::system(drop.c_str()) != 0) {
      fmt::print(stderr, "bench_engine: cannot empty {} with psql\n", db);
      std::exit(2);
    }
    return;
  }
  std::error_code ec;
  for (const char* s : {"", "-wal", "-shm", ".lock"}) fs::remove(db + s, ec);
}

/// The example application (examples/applications), every other one without meals.
request::Submit application(int i) {
  static const Application app = [] {
    Loaded<Application> l = load_application(std::string(YILIAN_SOURCE_DIR) + "/examples/applications/kindergarten-setup-complete.yaml");
    if (!l.ok()) {
      fmt::print(stderr, "cannot read the example application\n");
      std::exit(2);
    }
    return l.value();
  }();
  request::Submit s{app.chain, std::nullopt, app.fields, app.materials, Channel::window};
  s.fields["school.serves_meals"] = i % 2 == 0;
  return s;
}

/// Approves every task at once, with what the matter produces.
class Approver final : public Adapter {
 public:
  std::atomic<std::uint64_t> approved{0};
  void dispatch(const Task& t, Completion done) override {
    FieldValues produced;
    if (t.matter == "school-permit") produced["school.permit_no"] = std::string("教民1403020001");
    if (t.matter == "nonprofit-registration") produced["applicant.uscc"] = std::string("52370302MJ0000000M");
    if (t.matter == "food-permit") produced["food.licence_no"] = std::string("JY13703020000001");
    ++approved;
    done.report(Outcome::approved(std::move(produced)));
  }
};

/// Takes every task into a work queue (the manual adapter's behaviour).
class Acceptor final : public Adapter {
 public:
  std::atomic<std::uint64_t> accepted{0};
  void dispatch(const Task&, Completion done) override {
    ++accepted;
    done.accepted();
  }
};

EngineOptions options(Durability d) {
  EngineOptions o;
  o.durability = d;
  o.calendar_dirs = {std::string(YILIAN_SOURCE_DIR) + "/chains/calendars"};
  o.adapter_timeout = std::chrono::milliseconds(0);  // in-process: no watchdog timers
  o.threads = 2;
  if (const char* c = std::getenv("BENCH_CACHE")) o.state_cache = std::strtoull(c, nullptr, 10);
  if (const char* t = std::getenv("BENCH_THREADS")) o.threads = std::atoi(t);
  if (const char* g = std::getenv("BENCH_GROUP_MAX")) o.group_commit_max = std::strtoull(g, nullptr, 10);
  return o;
}

struct Throughput {
  bool split = false;
  double seconds = 0;
  /// CPU seconds of each engine thread (by name) during the timed phase;
  /// threads that ended before it ended are not counted.
  std::map<std::string, double> cpu;
  std::uint64_t events = 0, commits = 0, approvals = 0;
};

Throughput throughput_run(int cases, Durability d, const std::string& db, bool split, bool keep = false) {
  remove_store(db);
  EngineOptions o = options(d);
  o.auto_deliver = DeliveryMethod::electronic;
  auto e = Engine::open(db, o);
  if (!e) {
    fmt::print(stderr, "{}\n", e.status().to_string());
    std::exit(2);
  }
  Engine& engine = **e;
  if (auto r = engine.load_chain_file(kChain); !r) {
    fmt::print(stderr, "{}\n", r.status().to_string());
    std::exit(2);
  }
  auto approver = std::make_shared<Approver>();
  std::vector<request::Submit> apps;
  for (int i = 0; i < cases; ++i) apps.push_back(application(i));
  std::atomic<int> refused{0}, submitted{0};
  // The end of a run is polled every millisecond (0.05 % of the shortest
  // timed phase): stats() takes the engine's adapter lock, and polling it
  // every 200 µs cost a tenth of a core the engine's threads wanted.
  auto settle = [&] {
    while (!(engine.stats().open_cases == 0 && engine.wait_idle(std::chrono::milliseconds(0)))) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      // Idle with cases still open: they are stuck (an incident), and the
      // figures would mean nothing. Say so instead of waiting for ever.
      if (engine.stats().open_cases != 0 && engine.wait_idle(std::chrono::milliseconds(0)) &&
          engine.wait_idle(std::chrono::milliseconds(500)) && engine.stats().open_cases != 0) {
        fmt::print(stderr, "bench_engine: {} cases are stuck open (see `yilian case list`); no figures\n",
                   engine.stats().open_cases);
        std::exit(1);
      }
    }
  };
  Throughput t;
  t.split = split;
  if (!t.split) {
    (void)engine.register_adapter("*", approver);
    const auto t0 = Clock::now();
    for (auto& a : apps)
      engine.apply_async(std::move(a), [&](Result<Receipt> r) {
        if (!r) ++refused;
      });
    settle();
    t.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  } else {
    // Submissions first (their dispatches wait for an adapter), then only
    // the task transitions are timed.
    for (auto& a : apps)
      engine.apply_async(std::move(a), [&](Result<Receipt> r) {
        if (!r) ++refused;
        ++submitted;
      });
    while (submitted < cases || !engine.wait_idle(std::chrono::milliseconds(0)))
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    const std::uint64_t before = engine.stats().events, commits = engine.stats().commits;
    const auto cpu0 = thread_cpu();
    const auto t0 = Clock::now();
    phase_mark("start");
    (void)engine.register_adapter("*", approver);
    settle();
    t.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    phase_mark("end");
    t.cpu = thread_cpu();
    for (const auto& [name, s0] : cpu0) t.cpu[name] -= s0;
    t.events = engine.stats().events - before;
    t.commits = engine.stats().commits - commits;
  }
  const EngineStats s = engine.stats();
  if (!t.split) {
    t.events = s.events;
    t.commits = s.commits;
  }
  t.approvals = approver->approved;
  engine.close();
  if (refused) fmt::print(stderr, "{} submissions refused\n", refused.load());
  if (!keep) remove_store(db);
  return t;
}

void limit(int cases, int runs, const std::string& dir) {
  fmt::print("## Task transitions against the plain-SQLite limit: {} kindergarten cases, {} runs alternated\n\n", cases, runs);
  fmt::print("| durability (synchronous) | engine: task transitions (events)/s | plain SQLite: the same rows/s | ratio (median of the runs' ratios) | events per commit | log body, state row (mean bytes) |\n"
             "|---|---:|---:|---:|---:|---|\n");
  // Each engine thread's CPU per second of the timed phase (1.0 = a whole core), per durability.
  std::vector<std::pair<std::string, std::map<std::string, std::vector<double>>>> busy;
  for (Durability d : {Durability::process_crash, Durability::power_loss}) {
    std::vector<double> engine, plain, ratio;
    auto& threads = busy.emplace_back(d == Durability::process_crash ? "NORMAL" : "FULL", std::map<std::string, std::vector<double>>{}).second;
    bench::Shape shape;
    std::uint64_t per_commit = 1;
    for (int r = 0; r < runs; ++r) {
      const std::string db = dir + "/limit-engine.db";
      const Throughput t = throughput_run(cases, d, db, true, true);
      shape = bench::shape_of(db);
      remove_store(db);
      if (shape.entries != t.events || shape.order.size() != shape.entries) {
        fmt::print(stderr, "bench_engine: the engine counted {} events, its log holds {} transitions: no figure\n", t.events,
                   shape.entries);
        std::exit(1);
      }
      per_commit = std::max<std::uint64_t>(1, t.events / std::max<std::uint64_t>(1, t.commits));
      const double e = static_cast<double>(t.events) / t.seconds;
      const double p = bench::plain_sqlite(dir + "/limit-plain.db", shape, d == Durability::power_loss, per_commit);
      engine.push_back(e);
      plain.push_back(p);
      double all = 0;
      for (const auto& [name, seconds] : t.cpu) {
        threads[name].push_back(seconds / t.seconds);
        all += seconds;
      }
      threads["(all)"].push_back(all / t.seconds);
      ratio.push_back(e / p);
    }
    fmt::print("| {} | {:.0f} | {:.0f} | {:.2f} | {} | {}, {} |\n",
               d == Durability::process_crash ? "process-crash (NORMAL)" : "power-loss (FULL)", median(engine), median(plain),
               median(ratio), per_commit, shape.body, shape.state);
  }
  // Whether the engine is bound by a thread of its pipeline (one near 1.0)
  // or by the cores (all together near their count).
  fmt::print("\nThe engine's threads during the transitions, CPU seconds per second (medians; 1.00 is a whole core):\n\n");
  for (const auto& [label, threads] : busy) {
    fmt::print("- {}:", label);
    for (const auto& [name, share] : threads) fmt::print(" {} {:.2f};", name, median(share));
    fmt::print("\n");
  }
  fmt::print("\n");
}

void throughput(int cases, int runs, const std::string& dir) {
  fmt::print("## Durable throughput: {} kindergarten cases, {} runs\n\n", cases, runs);
  fmt::print("Submit to delivery: every case submitted at once, carried to delivery by an adapter that approves at once.\n\n");
  fmt::print("| durability (synchronous) | cases/s submit→delivered | events/s | task approvals/s | events per commit |\n"
             "|---|---:|---:|---:|---:|\n");
  for (Durability d : {Durability::process_crash, Durability::power_loss}) {
    std::vector<double> cps, eps, aps, batch;
    for (int r = 0; r < runs; ++r) {
      const Throughput t = throughput_run(cases, d, dir + "/throughput.db", false);
      cps.push_back(cases / t.seconds);
      eps.push_back(static_cast<double>(t.events) / t.seconds);
      aps.push_back(static_cast<double>(t.approvals) / t.seconds);
      batch.push_back(static_cast<double>(t.events) / static_cast<double>(std::max<std::uint64_t>(1, t.commits)));
    }
    fmt::print("| {} | {:.0f} | {:.0f} | {:.0f} | {:.0f} |\n",
               d == Durability::process_crash ? "process-crash (NORMAL)" : "power-loss (FULL)", median(cps), median(eps),
               median(aps), median(batch));
  }
  fmt::print("\nTask transitions alone: the cases submitted first, then the adapter registered; timed until every case is delivered.\n\n");
  fmt::print("| durability (synchronous) | task transitions (events)/s | task approvals/s | events per commit |\n|---|---:|---:|---:|\n");
  for (Durability d : {Durability::process_crash, Durability::power_loss}) {
    std::vector<double> eps, aps, batch;
    for (int r = 0; r < runs; ++r) {
      const Throughput t = throughput_run(cases, d, dir + "/throughput.db", true);
      eps.push_back(static_cast<double>(t.events) / t.seconds);
      aps.push_back(static_cast<double>(t.approvals) / t.seconds);
      batch.push_back(static_cast<double>(t.events) / static_cast<double>(std::max<std::uint64_t>(1, t.commits)));
    }
    fmt::print("| {} | {:.0f} | {:.0f} | {:.0f} |\n", d == Durability::process_crash ? "process-crash (NORMAL)" : "power-loss (FULL)",
               median(eps), median(aps), median(batch));
  }
  fmt::print("\n");
}

/// The same work on an SQLite file and on a PostgreSQL database, runs
/// alternated (bench_pg.sh gives the database and pgbench's limit beside).
void stores(const std::string& uri, int cases, int runs, const std::string& dir) {
  fmt::print("## SQLite and PostgreSQL: {} kindergarten cases, {} runs alternated, durability process-crash\n\n", cases, runs);
  fmt::print("| store | cases/s submit→delivered | task transitions (events)/s | events per commit |\n|---|---:|---:|---:|\n");
  std::vector<double> cps[2], eps[2], batch[2];
  for (int r = 0; r < runs; ++r)
    for (int side = 0; side < 2; ++side) {
      const std::string db = side == 0 ? dir + "/stores.db" : uri;
      const Throughput whole = throughput_run(cases, Durability::process_crash, db, false);
      const Throughput split = throughput_run(cases, Durability::process_crash, db, true);
      cps[side].push_back(cases / whole.seconds);
      eps[side].push_back(static_cast<double>(split.events) / split.seconds);
      batch[side].push_back(static_cast<double>(split.events) / static_cast<double>(std::max<std::uint64_t>(1, split.commits)));
    }
  for (int side = 0; side < 2; ++side) {
    auto range = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return fmt::format("{:.0f} ({:.0f}–{:.0f})", median(v), v.front(), v.back());
    };
    fmt::print("| {} | {} | {} | {:.0f} |\n", side == 0 ? "SQLite (WAL, NORMAL)" : "PostgreSQL (synchronous_commit on)",
               range(cps[side]), range(eps[side]), median(batch[side]));
  }
  fmt::print("\nPostgreSQL/SQLite, medians: cases/s {:.2f}, task transitions/s {:.2f}\n\n", median(cps[1]) / median(cps[0]),
             median(eps[1]) / median(eps[0]));
}

void create(const std::string& db, int cases) {
  remove_store(db);
  auto e = Engine::open(db, options(Durability::process_crash));
  if (!e) std::exit(2);
  Engine& engine = **e;
  (void)engine.load_chain_file(kChain);
  std::atomic<int> done{0};
  const auto t0 = Clock::now();
  for (int i = 0; i < cases; ++i)
    engine.apply_async(application(i), [&](Result<Receipt>) { ++done; });
  while (done < cases) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  engine.close();
  fmt::print("created {} open cases in {:.2f} s ({:.0f} submissions/s); store {:.0f} MiB\n", cases, secs, cases / secs,
             static_cast<double>(fs::file_size(db)) / (1024.0 * 1024.0));
}

/// One recovery in this process: prints "open_s rss_before rss_open drain_s rss_drained cases".
void recover(const std::string& db) {
  const double before = rss_mib();
  const auto t0 = Clock::now();
  auto e = Engine::open(db, options(Durability::process_crash));
  if (!e) {
    fmt::print(stderr, "{}\n", e.status().to_string());
    std::exit(2);
  }
  const double open_s = std::chrono::duration<double>(Clock::now() - t0).count();
  const double after_open = rss_mib();
  Engine& engine = **e;
  const std::uint64_t cases = engine.stats().recovered_cases;
  auto acceptor = std::make_shared<Acceptor>();
  const auto t1 = Clock::now();
  (void)engine.register_adapter("*", acceptor, AdapterOptions{std::chrono::milliseconds(0), std::nullopt});
  while (!engine.wait_idle(std::chrono::milliseconds(10))) {
  }
  const double drain_s = std::chrono::duration<double>(Clock::now() - t1).count();
  const double after_drain = rss_mib();
  engine.close();
  fmt::print("{} {} {} {} {} {} {}\n", open_s, before, after_open, drain_s, after_drain, cases, acceptor->accepted.load());
}

void recover_runs(const std::string& self, const std::string& db, int runs) {
  std::vector<double> open_s, per_case_open, drain_s, per_case_drained;
  std::uint64_t cases = 0, tasks = 0;
  for (int r = 0; r < runs; ++r) {
    const std::string out = db + ".recover.out";
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> args{self, "recover-once", db};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    posix_spawn(&pid, self.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    int status = 0;
    waitpid(pid, &status, 0);
    std::ifstream in(out);
    double o = 0, b = 0, a = 0, d = 0, ad = 0;
    in >> o >> b >> a >> d >> ad >> cases >> tasks;
    open_s.push_back(o);
    drain_s.push_back(d);
    per_case_open.push_back((a - b) * 1024.0 * 1024.0 / static_cast<double>(std::max<std::uint64_t>(1, cases)));
    per_case_drained.push_back((ad - b) * 1024.0 * 1024.0 / static_cast<double>(std::max<std::uint64_t>(1, cases)));
    fs::remove(out);
  }
  fmt::print("## Recovery: {} open cases, {} runs (each in a fresh process)\n\n", cases, runs);
  fmt::print("| open() (recover, re-arm, park dispatches) | RSS per open case after open | dispatches re-issued | "
             "re-issue to an adapter | RSS per open case after |\n|---:|---:|---:|---:|---:|\n");
  fmt::print("| {:.2f} s | {:.0f} B | {} | {:.2f} s | {:.0f} B |\n\n", median(open_s), median(per_case_open), tasks,
             median(drain_s), median(per_case_drained));
}

/// Submissions alone, as `yilian serve` makes them (an actor and an
/// idempotency key each), `concurrency` in flight at a time like HTTP
/// clients on as many connections: the in-process side of the HTTP
/// submission benchmark (bench/bench_serve.sh). Tasks go to a work queue.
void submissions(int cases, int runs, int concurrency, const std::string& dir) {
  std::vector<double> rates;
  for (int run = 0; run < runs; ++run) {
    const std::string db = dir + "/submit.db";
    remove_store(db);
    auto e = Engine::open(db, options(Durability::process_crash));
    if (!e || !(*e)->load_chain_file(kChain)) {
      fmt::print(stderr, "cannot open the store or load the chain\n");
      std::exit(2);
    }
    Engine& engine = **e;
    (void)engine.register_adapter("*", std::make_shared<Acceptor>());
    std::atomic<int> done{0}, refused{0}, next{0};
    const auto t0 = Clock::now();
    // `concurrency` submitters, each sending its next one when the last is durable.
    std::function<void()> send = [&] {
      const int i = next++;
      if (i >= cases) return;
      request::Submit s = application(i);
      s.actor = Actor{"bench-window", Role::window, "", ActorChannel::window};
      s.idempotency_key = fmt::format("bench-{}", i);
      engine.apply_async(std::move(s), [&](Result<Receipt> r) {
        if (!r || r->stage != CaseStage::running) ++refused;
        ++done;
        send();
      });
    };
    for (int c = 0; c < concurrency; ++c) send();
    while (done < cases) std::this_thread::sleep_for(std::chrono::microseconds(200));
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    engine.close();
    remove_store(db);
    if (refused) {
      fmt::print(stderr, "{} of {} submissions were refused: no figure\n", refused.load(), cases);
      std::exit(1);
    }
    rates.push_back(cases / s);
  }
  std::sort(rates.begin(), rates.end());
  fmt::print("submissions in process ({} cases, {} in flight, {} runs): median {:.0f}/s (min {:.0f}, max {:.0f})\n", cases,
             concurrency, runs, median(rates), rates.front(), rates.back());
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "all";
  const std::string self = fs::canonical("/proc/self/exe").string();
  const std::string dir = (fs::temp_directory_path() / ("yilian-bench-" + std::to_string(::getpid()))).string();
  if (mode == "recover-once") {
    recover(argv[2]);
    return 0;
  }
  fmt::print("bench_engine: {} cores; {} (freed memory returned after {} ms); SQLite WAL; stores in {}\n\n",
             std::thread::hardware_concurrency(), yilian::programs::allocator_name(),
             yilian::programs::allocator_return_delay_ms(), dir);
  fs::create_directories(dir);
  if (mode == "throughput" || mode == "all")
    throughput(argc > 2 ? std::atoi(argv[2]) : 20'000, argc > 3 ? std::atoi(argv[3]) : 5, dir);
  if (mode == "submit")
    submissions(argc > 2 ? std::atoi(argv[2]) : 20'000, argc > 3 ? std::atoi(argv[3]) : 3, argc > 4 ? std::atoi(argv[4]) : 32,
                dir);
  if (mode == "create") create(argv[2], std::atoi(argv[3]));
  if (mode == "stores") stores(argv[2], argc > 3 ? std::atoi(argv[3]) : 5'000, argc > 4 ? std::atoi(argv[4]) : 3, dir);
  if (mode == "recover") recover_runs(self, argv[2], argc > 3 ? std::atoi(argv[3]) : 3);
  if (mode == "limit") limit(argc > 2 ? std::atoi(argv[2]) : 4'000, argc > 3 ? std::atoi(argv[3]) : 3, dir);
  if (mode == "all") {
    const std::string db = dir + "/recovery.db";
    create(db, 100'000);
    recover_runs(self, db, 3);
    remove_store(db);
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return 0;
}
