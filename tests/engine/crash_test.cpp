// Crash safety: `yilian run` drives many kindergarten cases through the
// command adapter and is killed with SIGKILL at random moments, again and
// again. After each restart it recovers; at the end every case has
// finished, every task approved exactly once, the log replays to the
// stored state, and the audit trail verifies.
#include <doctest/doctest.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <regex>
#include <sstream>

#include "../unit/engine_fixture.h"
#include "yilian/application.h"
#include "process.h"
#include "run_support.h"
#include "runtime/replay.h"

using namespace yilian;
using namespace yilian::test;

namespace crash_test {

TEST_SUITE_BEGIN("durable");

TEST_CASE("engine.crash.sigkill_at_random_moments_loses_nothing") {
  ScratchDir dir("crash");
  const std::string db = dir.store();
  const std::string answers = dir.file("answers.log");
  const std::string output = dir.file("run.out");
  {
    std::ofstream deploy(dir.file("deploy.yaml"));
    deploy << deploy_text(kChain, answers);
  }
  const Client::Options co = client_options();
  constexpr int first_batch = 120;
  submit_cases(db, co, kChain, first_batch, [](int i) { return application(i % 3 != 0); });

  const std::vector<std::string> run{YILIAN_CLI, "run", "--db", db, "--deploy", dir.file("deploy.yaml"), "--quiet"};
  int submitted_live = 0;
  const int kills = kill_at_random_moments(run, output, 24, [&](int round) {
    // Now and then a case arrives while the engine runs (through the inbox).
    if (round % 4 != 1) return;
    auto client = Client::open(db, co);
    if (client.is_ok() && (*client)->apply(application(true)).is_ok()) ++submitted_live;
  });
  CHECK(kills >= 20);
  // Requests left in the inbox by a client whose engine died are applied by
  // the next engine; cases submitted between runs go in directly.
  {
    auto client = Client::open(db, co);
    REQUIRE(client.is_ok());
    REQUIRE((*client)->apply(application(false)).is_ok());
  }
  // The engine did real work between the kills, not only in the last run.
  const auto answered_before_last = [&] {
    std::ifstream in(answers);
    std::set<std::string> keys;
    std::string key;
    int delivery = 0;
    while (in >> key >> delivery) keys.insert(key);
    return keys.size();
  }();
  MESSAGE(answered_before_last << " tasks answered while the engine was being killed");
  CHECK(answered_before_last >= 50);
  run_until_done(run, output);

  // Restarts made progress: the open cases recovered went down.
  const std::string out = read_file(output);
  std::regex recovered_re("(\\d+) open cases recovered");
  std::vector<int> recovered;
  for (std::sregex_iterator it(out.begin(), out.end(), recovered_re), end; it != end; ++it)
    recovered.push_back(std::stoi((*it)[1]));
  REQUIRE(recovered.size() >= 10);  // some runs die before they print
  MESSAGE("open cases recovered per run: " << fmt::format("{}", fmt::join(recovered, " ")));
  CHECK(recovered.front() >= first_batch - 5);

  const int total = first_batch + submitted_live + 1;
  check_every_case_finished_once(db, co, total, answers, kills);
}

TEST_CASE("engine.crash.verifications_of_commitments_survive_sigkill") {
  // 告知承诺 through the engine: matter `committed` is approved on the commitment and
  // verified by its department after the results were handed out (auto
  // delivery); the engine is killed at random moments meanwhile. In the
  // end every case is delivered, every verification answered once, and
  // the log replays to the stored state.
  ScratchDir dir("crash-commitment");
  const std::string db = dir.store(), answers = dir.file("answers.log"), output = dir.file("run.out");
  const std::string chain = dir.file("commit.yaml");
  {
    std::ofstream out(chain);
    out << R"(id: commit
version: 1
name: 告知承诺测试
lead: x
promised_days: 10
departments:
  x: { name: 甲局 }
  y: { name: 乙局 }
fields:
  applicant.name: { label: 申请人, type: string }
materials:
  lease: { name: 租赁合同, source: applicant }
matters:
  - { id: first, name: 事项甲, department: x, statutory_days: 5, promised_days: 2, fields: [applicant.name], materials: [lease] }
  - { id: committed, name: 事项乙, department: y, statutory_days: 10, promised_days: 5, after: [first], commitment: required, verify_within: "10 working days" }
  - { id: last, name: 事项丙, department: x, statutory_days: 5, promised_days: 1, after: [committed] }
)";
    std::ofstream deploy(dir.file("deploy.yaml"));
    deploy << deploy_text(chain, answers);
  }
  const Client::Options co = client_options();
  constexpr int cases = 40;
  submit_cases(db, co, chain, cases, [](int) {
    return request::Submit{"commit", std::nullopt, {{"applicant.name", std::string("张三")}}, {"lease"}};
  });
  const std::vector<std::string> run{YILIAN_CLI, "run", "--db", db, "--deploy", dir.file("deploy.yaml"), "--quiet"};
  CHECK(kill_at_random_moments(run, output, 10, [](int) {}) == 10);
  run_until_done(run, output);

  int delivered_before_verified = 0;
  check_every_case_finished_once(db, co, cases, answers, 10, [&](const CaseView& v) {
    int verified = 0;
    bool delivered = false;
    for (const auto& l : v.log) {
      if (l.kind == "delivered") delivered = true;
      if (l.kind == "task-approved" && l.result == "applied" &&
          nlohmann::json::parse(l.detail_json)["matter"] == "committed") {
        ++verified;
        if (delivered) ++delivered_before_verified;
      }
    }
    CHECK(verified == 1);
  });
  MESSAGE(delivered_before_verified << " of " << cases << " cases were delivered before their verification ended");
}

TEST_SUITE_END();

}  // namespace crash_test
