// What the process-level tests of `yilian run` share (the crash tests on
// SQLite, the failover test on PostgreSQL): the kindergarten case, a
// department answering through the command adapter, killing the engine at
// random moments, and the last run that finishes every case.
#pragma once

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "process.h"
#include "runtime/chain_registry.h"
#include "runtime/replay.h"
#include "runtime/store.h"
#include "yilian/application.h"
#include "yilian/engine.h"
#include "yilian/records.h"

namespace yilian::test {

inline const std::string kChain = std::string(YILIAN_SOURCE_DIR) + "/chains/kindergarten-setup.yaml";
inline const std::string kApplication = std::string(YILIAN_SOURCE_DIR) + "/examples/applications/kindergarten-setup-complete.yaml";

/// The kindergarten application, with or without meals (the food permit).
inline request::Submit application(bool meals) {
  Loaded<Application> loaded = load_application(kApplication);
  REQUIRE(loaded.ok());
  auto app = &loaded.value();
  app->fields["school.serves_meals"] = meals;
  return request::Submit{app->chain, std::nullopt, app->fields, app->materials, Channel::window};
}

/// Starts `run` `rounds` times and kills it with SIGKILL after a random
/// pause each time; `during(round)` runs while the engine is up. Returns
/// the number of kills. The pause counts from the start in even rounds
/// (a kill may come while the engine recovers) and from the moment the
/// engine says it is up (`open cases recovered`) in odd ones, so that half
/// the kills hit an engine at work however slow its start (a sanitized
/// build on a busy machine took longer to start than most pauses).
inline int kill_at_random_moments(const std::vector<std::string>& run, const std::string& output, int rounds,
                           const std::function<void(int)>& during) {
  std::mt19937 rng(20250303);
  std::uniform_int_distribution<int> pause(20, 500);
  // Whether the engine said it was up in what it wrote after byte `from`.
  auto up_since = [&](std::size_t from) { return read_file(output).find("open cases recovered", from) != std::string::npos; };
  int kills = 0;
  for (int round = 0; round < rounds; ++round) {
    const std::size_t from = round % 2 == 1 ? read_file(output).size() : 0;
    const pid_t pid = spawn(run, output);
    REQUIRE(pid > 0);
    if (round % 2 == 1) {
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (!up_since(from) && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      CHECK_MESSAGE(up_since(from), "round " << round << ": the engine did not say it was up within 30 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(pause(rng)));
    during(round);
    std::this_thread::sleep_for(std::chrono::milliseconds(pause(rng) / 4));
    kill_hard(pid);
    ++kills;
  }
  return kills;
}

inline Client::Options client_options() {
  Client::Options co;
  co.calendar_dirs = {std::string(YILIAN_SOURCE_DIR) + "/chains/calendars"};
  co.wait = std::chrono::seconds(20);
  return co;
}

/// Loads the chain into a new store and submits `n` cases with no engine running.
inline void submit_cases(const std::string& db, const Client::Options& co, const std::string& chain, int n,
                  const std::function<request::Submit(int)>& make) {
  auto client = Client::open(db, co);
  REQUIRE_MESSAGE(client.is_ok(), client.status().to_string());
  REQUIRE((*client)->load_chain_file(chain).is_ok());
  for (int i = 0; i < n; ++i) REQUIRE((*client)->apply(make(i)).is_ok());
}

/// The last run, left to finish every case (`--until-done`).
inline void run_until_done(std::vector<std::string> run, const std::string& output) {
  run.push_back("--until-done");
  const pid_t pid = spawn(run, output);
  const int rc = wait_for(pid, std::chrono::seconds(120));
  if (rc == -1000) kill_hard(pid);
  REQUIRE_MESSAGE(rc == 0, "the last run did not finish every case: " << read_file(output).substr(0, 2000));
}

/// A department of the test, answering through the command adapter.
inline std::string deploy_text(const std::string& chain, const std::string& answers) {
  return "chains: [" + chain + "]\n" + "engine:\n  threads: 2\n  auto_deliver: electronic\n" +
         "  retry: { attempts: 10, first_delay_ms: 20, max_delay_ms: 200 }\n" +
         "departments:\n  \"*\":\n    adapter: command\n" + "    command: [" + YILIAN_TEST_DEPARTMENT + ", --log, " +
         answers + ", --sleep-ms, '30', --fail-percent, '5']\n" + "    timeout_ms: 5000\n    concurrency: 2\n";
}

/// After the last run: the audit verifies; the store holds `total` cases,
/// each delivered, each task approved exactly once, each log replaying to
/// the stored state; every key the department answered (`answers`)
/// belongs to an approved task. `also` sees each case for a test's own checks.
inline void check_every_case_finished_once(const std::string& db, const Client::Options& co, int total,
                                           const std::string& answers, int kills,
                                           const std::function<void(const CaseView&)>& also = {}) {
  auto audit = verify_audit(db, {}, co.calendar_dirs);
  REQUIRE_MESSAGE(audit.is_ok(), audit.status().to_string());
  CHECK_MESSAGE(audit->ok(), (audit->first_break ? audit->first_break->problem : ""));

  RecordsOptions ro;
  ro.calendar_dirs = co.calendar_dirs;
  auto records = Records::open(db, ro);
  REQUIRE(records.is_ok());
  auto all = (*records)->list({});
  REQUIRE(all.is_ok());
  CHECK(static_cast<int>(all->size()) == total);
  auto store = detail::open_store(db, detail::StoreOptions{.create = false, .read_only = true});
  REQUIRE(store.is_ok());
  detail::ChainRegistry registry(co.calendar_dirs);

  std::map<std::string, int> answered;
  {
    std::ifstream in(answers);
    std::string key;
    int delivery = 0;
    while (in >> key >> delivery) ++answered[key];
  }
  int redelivered = 0;
  for (const auto& [key, n] : answered)
    if (n > 1) ++redelivered;
  MESSAGE(kills << " kills; " << answered.size() << " task keys answered, " << redelivered
                << " of them more than once (at-least-once after a kill or a timeout)");

  std::set<std::string> approved_keys;
  for (const CaseSummary& c : *all) {
    CAPTURE(c.id);
    CHECK(c.stage == CaseStage::delivered);
    const CaseView v = *(*records)->case_view(c.id);
    std::map<std::string, int> applied;
    for (const auto& l : v.log)
      if (l.kind == "task-approved" && l.result == "applied") {
        auto j = nlohmann::json::parse(l.detail_json);
        ++applied[j["matter"].get<std::string>()];
      }
    for (const auto& t : v.tasks) {
      if (t.status == TaskStatus::skipped) continue;
      CHECK_MESSAGE(t.status == TaskStatus::approved, t.matter);
      CHECK_MESSAGE(applied[t.matter] == 1, t.matter << " approved " << applied[t.matter] << " times");
      approved_keys.insert(t.key);
    }
    CHECK(detail::replay_mismatch(**store, registry, c.id) == "");
    if (also) also(v);
  }
  for (const auto& [key, n] : answered) CHECK_MESSAGE(approved_keys.count(key) == 1, key);
}

}  // namespace yilian::test
