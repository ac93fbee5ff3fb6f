// The command adapter's faults: a program that hangs (killed at its
// timeout), that cannot start, that exits non-zero, that answers garbage;
// and its good path with the task on stdin.
#include <doctest/doctest.h>

#include <fstream>

#include "../unit/engine_fixture.h"

using namespace yilian;
using namespace yilian::test;

namespace {

AdapterConfig run_program(std::vector<std::string> argv, int timeout_ms = 3000) {
  AdapterConfig c;
  c.kind = AdapterConfig::Kind::command;
  c.command = std::move(argv);
  c.options.timeout = std::chrono::milliseconds(timeout_ms);
  c.concurrency = 2;
  return c;
}

std::unique_ptr<Engine> engine_for(const ScratchDir& dir, TestClock& clock) {
  auto e = open_engine(dir.file("cases.db"), test_options(clock));
  REQUIRE(e->load_chain_text(kFlowChain, "flowtest.yaml").is_ok());
  return e;
}

}  // namespace

TEST_CASE("engine.command.a_department_program_answers") {
  ScratchDir dir("cmd-ok");
  TestClock clock;
  auto e = engine_for(dir, clock);
  REQUIRE(e->bind("*", run_program({YILIAN_TEST_DEPARTMENT, "--log", dir.file("answers.log")})).is_ok());
  REQUIRE(e->apply(flow_application(true)).is_ok());
  REQUIRE(eventually([&] { return view(*e, 1).stage == CaseStage::ready; }, std::chrono::seconds(30)));
  std::ifstream in(dir.file("answers.log"));
  std::string key;
  int delivery = 0, answers = 0;
  while (in >> key >> delivery) ++answers;
  CHECK(answers == 5);  // a, b, c (a.kind is big), d, e
}

TEST_CASE("engine.command.a_hanging_program_is_killed_and_retried_into_an_incident") {
  ScratchDir dir("cmd-hang");
  TestClock clock;
  auto e = engine_for(dir, clock);
  REQUIRE(e->bind("x", run_program({YILIAN_TEST_DEPARTMENT, "--hang-percent", "100"}, 200)).is_ok());
  const auto t0 = std::chrono::steady_clock::now();
  REQUIRE(e->apply(flow_application(false)).is_ok());
  REQUIRE(eventually([&] { return task_of(view(*e, 1), "a").status == TaskStatus::incident; }, std::chrono::seconds(30)));
  // Three deliveries of 200 ms each, not three hours: the programs were killed.
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10));
  const CaseView v = view(*e, 1);
  CHECK(count_log(v, "delivery-failed") == 3);
  CHECK(task_of(v, "a").note.find("no answer within 200 ms; killed") != std::string::npos);
}

TEST_CASE("engine.command.programs_that_fail_to_start_exit_non_zero_or_answer_garbage") {
  ScratchDir dir("cmd-bad");
  TestClock clock;
  auto e = engine_for(dir, clock);
  {
    std::ofstream s(dir.file("garbage.sh"));
    s << "#!/bin/sh\ncat > /dev/null\necho 'OK, done!'\n";
    std::ofstream f(dir.file("fails.sh"));
    f << "#!/bin/sh\ncat > /dev/null\necho 'database locked' >&2\nexit 4\n";
  }
  std::filesystem::permissions(dir.file("garbage.sh"), std::filesystem::perms::owner_all);
  std::filesystem::permissions(dir.file("fails.sh"), std::filesystem::perms::owner_all);

  SUBCASE("not there") {
    REQUIRE(e->bind("x", run_program({dir.file("no-such-program")})).is_ok());
    REQUIRE(e->apply(flow_application(false)).is_ok());
    REQUIRE(eventually([&] { return task_of(view(*e, 1), "a").status == TaskStatus::incident; }, std::chrono::seconds(30)));
    CHECK(task_of(view(*e, 1), "a").note.find("cannot start") != std::string::npos);
  }
  SUBCASE("exit status") {
    REQUIRE(e->bind("x", run_program({dir.file("fails.sh")})).is_ok());
    REQUIRE(e->apply(flow_application(false)).is_ok());
    REQUIRE(eventually([&] { return task_of(view(*e, 1), "a").status == TaskStatus::incident; }, std::chrono::seconds(30)));
    CHECK(task_of(view(*e, 1), "a").note.find("exited with status 4: database locked") != std::string::npos);
  }
  SUBCASE("garbage") {
    REQUIRE(e->bind("x", run_program({dir.file("garbage.sh")})).is_ok());
    REQUIRE(e->apply(flow_application(false)).is_ok());
    REQUIRE(eventually([&] { return task_of(view(*e, 1), "a").status == TaskStatus::incident; }, std::chrono::seconds(30)));
    CHECK(task_of(view(*e, 1), "a").note.find("not JSON") != std::string::npos);
  }
  CHECK(e->stats().inflight == 0);
}
