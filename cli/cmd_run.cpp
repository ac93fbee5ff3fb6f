// yilian run --db FILE --deploy FILE: the live engine until SIGINT/SIGTERM.
#include <fmt/format.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "calendar_support.h"
#include "commands.h"
#include "common.h"
#include "engine_support.h"
#include "yilian/material_file.h"
#include "yilian/text.h"

namespace yilian::cli {
namespace cmd_run {

struct RunOptions {
  std::string db;
  std::string deploy;
  bool until_done = false;
  bool quiet = false;
  bool check = false;
  std::uint64_t max_file_mb = kDefaultMaxFileBytes / (1024 * 1024);
};

void run(const RunOptions& o) {
  Loaded<Deployment> d = load_deployment(o.deploy);
  print_diagnostics(d.diagnostics);
  if (!d.ok()) {
    const bool io = std::any_of(d.diagnostics.begin(), d.diagnostics.end(), [](const Diagnostic& x) { return x.code == "io"; });
    set_exit_code(io ? exit_usage : exit_invalid);
    return;
  }
  if (o.check) {
    // Only the file and the chains it names: nothing is opened or run.
    for (const auto& path : d->chains) {
      Loaded<ValidChain> r = load_chain(path, chain_load_options());
      print_diagnostics(r.diagnostics);
      if (!r.ok()) {
        set_exit_code(exit_invalid);
        return;
      }
    }
    std::printf("%s: %zu chains, %zu department bindings\n", o.deploy.c_str(), d->chains.size(),
                d->departments.size());
    return;
  }
  if (o.db.empty()) {
    usage_error("--db is required (or set YILIAN_DB)");
    return;
  }
  EngineOptions options = d->engine;
  for (const auto& dir : calendar_dirs("")) options.calendar_dirs.push_back(dir);
  options.clock = engine_clock();
  options.max_file_bytes = o.max_file_mb * 1024 * 1024;

  const sigset_t stop = block_stop_signals();
  std::mutex out_mu;
  auto say = [&out_mu](const std::string& line) {
    std::lock_guard g(out_mu);
    std::printf("yilian run: %s\n", line.c_str());
    std::fflush(stdout);
  };
  int signal = 0;
  auto pause = [&] {
    const timespec second{1, 0};
    signal = sigtimedwait(&stop, nullptr, &second);
    return signal <= 0;
  };
  // An engine that loses its store (PostgreSQL: the session ended, the
  // network dropped) is closed and stands by again: a standby has taken
  // over, or this one takes the store back.
  for (bool lost = false;; lost = true) {
    bool stopped = false;
    std::unique_ptr<Engine> active = open_active(o.db, options, pause, say, stopped, lost);
    if (!active) {
      if (stopped) say(fmt::format("stopped ({}) while standing by", signal == SIGINT ? "SIGINT" : "SIGTERM"));
      return;
    }
    Engine& engine = *active;
    if (!o.quiet)
      engine.set_listener([&out_mu](const Notification& n) {
        std::lock_guard g(out_mu);
        std::printf("case %llu: %s%s: %s\n", static_cast<unsigned long long>(n.case_id), std::string(to_string(n.kind)).c_str(),
                    n.matter.empty() ? "" : (" " + n.matter).c_str(), printable(n.text).c_str());
        std::fflush(stdout);
      });
    if (Status s = engine.deploy(d.value()); !s) {
      const Status health = engine.health();
      engine.close();
      if (!health) {  // lost its store while setting up: as below
        say(fmt::format("{}; standing by again", health.message()));
        continue;
      }
      return report(s);
    }
    {
      const EngineStats s = engine.stats();
      say(fmt::format("{}, {} open cases recovered, {} chains, {} department bindings", o.db, s.recovered_cases,
                      engine.chains().size(), d->departments.size()));
    }
    Status health = Status::ok();
    signal = 0;
    for (;;) {
      const timespec wait{0, 200'000'000};
      if (const int got = sigtimedwait(&stop, nullptr, &wait); got > 0) {
        signal = got;
        break;
      }
      if (health = engine.health(); !health) break;
      if (o.until_done && engine.stats().open_cases == 0 && engine.wait_idle(std::chrono::milliseconds(0))) break;
    }
    const EngineStats s = engine.stats();
    engine.close();
    if (!health) {
      say(fmt::format("{}; standing by again", health.message()));
      continue;
    }
    say(fmt::format("stopped ({}); {} events written, {} cases open",
                    signal ? (signal == SIGINT ? "SIGINT" : "SIGTERM") : "every case done", s.events, s.open_cases));
    return;
  }
}

}  // namespace cmd_run

void add_run(CLI::App& app) {
  using namespace cmd_run;  // this command's options and helpers
  auto o = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand("run", "Run the engine on a store until stopped (SIGINT/SIGTERM)");
  cmd->description(
      "Run the live engine: recover every open case of the store, re-issue what was in flight,\n"
      "hand tasks to the departments' adapters (deployment file), watch deadlines and retries,\n"
      "and apply what `yilian case` and `yilian task` leave in the store's inbox.\n"
      "On a PostgreSQL store one engine is active; another `yilian run` on it stands by and\n"
      "takes over within a second of the active engine's end (crash, kill, lost connection).");
  if (const char* env = std::getenv("YILIAN_DB"); env && *env) o->db = env;
  cmd->add_option("--db", o->db, "The case store: an SQLite file, or postgresql://USER@HOST:PORT/DB (default $YILIAN_DB)")
      ->type_name("FILE|URI");
  cmd->add_option("--deploy", o->deploy, "Deployment file: adapters per department, chains, engine settings")
      ->required()
      ->type_name("FILE");
  cmd->add_option("--max-file-mb", o->max_file_mb,
                  "Largest material file the engine takes (case attach, uploads through API nodes), in MiB")
      ->capture_default_str()->check(CLI::Range(1, 1024));
  cmd->add_flag("--until-done", o->until_done, "Stop once no case is open and nothing is in flight");
  cmd->add_flag("--quiet", o->quiet, "Do not print notifications");
  cmd->add_flag("--check", o->check, "Only check the deployment file and its chains, then exit (0 valid, 1 not)");
  cmd->footer(
      "Notifications (notices to applicants, alerts, ready, ended, incidents) are printed as they happen.\n"
      "Examples:\n"
      "  yilian run --db cases.db --deploy deploy.yaml\n"
      "  yilian run --db cases.db --deploy deploy.yaml --until-done --quiet\n"
      "  yilian run --db postgresql://yilian@db.example:5432/cases --deploy deploy.yaml\n"
      "  yilian run --deploy examples/deploy/kindergarten.yaml --check");
  cmd->callback([o] { run(*o); });
}

}  // namespace yilian::cli
