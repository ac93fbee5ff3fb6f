// The command adapter's faults: a program that hangs (killed at its
// timeout), that cannot start, that exits non-zero, that answers garbage;
// and its good path with the task on stdin.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "../unit/engine_fixture.h"
#include "yilian/text.h"

using namespace yilian;
using namespace yilian::test;

namespace command_adapter_test {

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

/// Writes an executable shell script into the scratch folder.
std::string script(const ScratchDir& dir, const std::string& name, const std::string& body) {
  {
    std::ofstream s(dir.file(name));
    s << "#!/bin/sh\n" << body;
  }
  std::filesystem::permissions(dir.file(name), std::filesystem::perms::owner_all);
  return dir.file(name);
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

TEST_CASE("engine.command.an_answer_that_is_not_utf8_is_stored_valid_and_readable") {
  ScratchDir dir("cmd-gbk");
  TestClock clock;
  auto e = engine_for(dir, clock);
  // 服务器错误 in GBK, a stray 0xFF, an escape sequence, then 150 Chinese
  // characters: the 300 bytes kept of stderr end inside one of them.
  std::string long_text;
  for (int i = 0; i < 50; ++i) long_text += "许可证";
  const std::string program = script(
      dir, "gbk.sh",
      "cat > /dev/null\nprintf '\\267\\376\\316\\361\\306\\367\\264\\355\\316\\363 \\377 \\033[31mRED\\033[0m ' >&2\n"
      "printf '%s' '" + long_text + "' >&2\nexit 1\n");
  REQUIRE(e->bind("x", run_program({program})).is_ok());
  REQUIRE(e->apply(flow_application(false)).is_ok());
  REQUIRE(eventually([&] { return task_of(view(*e, 1), "a").status == TaskStatus::incident; }, std::chrono::seconds(30)));
  // The case reads (its log's JSON included): the bytes were made valid.
  auto read = e->records().case_view(1);
  REQUIRE_MESSAGE(read.is_ok(), read.status().to_string());
  const std::string note = task_of(*read, "a").note;
  INFO(note);
  CHECK(valid_utf8(note) == note);
  CHECK(note.find("exited with status 1: \xEF\xBF\xBD") != std::string::npos);
  CHECK(note.find("[11 bytes that are not UTF-8 shown as U+FFFD]") != std::string::npos);
  // Cut on a character boundary (the text stays valid), and said so.
  CHECK(note.find("\xE2\x80\xA6 [11 bytes") != std::string::npos);
  for (const auto& l : read->log) CHECK(valid_utf8(l.detail_json) == l.detail_json);
  // Stored as text; the escape sequence is neutralised only when printed.
  CHECK(note.find("\x1b[31m") != std::string::npos);
  CHECK(printable(note).find("\\x1b[31mRED") != std::string::npos);
}

TEST_CASE("engine.command.a_program_gets_a_minimal_environment") {
  ScratchDir dir("cmd-env");
  TestClock clock;
  ::setenv("YILIAN_TEST_SECRET", "s3cret", 1);
  auto e = engine_for(dir, clock);
  // The shell's own environment as it was started (not what sh adds).
  const std::string program = script(dir, "env.sh",
                                     "tr '\\000' '\\n' < /proc/$$/environ > '" + dir.file("env.txt") +
                                         "'\ncat > /dev/null\necho '{\"outcome\": \"accepted\"}'\n");
  REQUIRE(e->bind("x", run_program({program})).is_ok());
  REQUIRE(e->apply(flow_application(false)).is_ok());
  REQUIRE(eventually([&] { return std::filesystem::exists(dir.file("env.txt")) && std::filesystem::file_size(dir.file("env.txt")) > 0; },
                     std::chrono::seconds(30)));
  REQUIRE(e->wait_idle(std::chrono::seconds(10)));
  ::unsetenv("YILIAN_TEST_SECRET");
  std::ifstream in(dir.file("env.txt"));
  std::set<std::string> names;
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) names.insert(line.substr(0, line.find('=')));
  const std::set<std::string> allowed{"PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR"};
  for (const auto& n : names) CHECK_MESSAGE(allowed.count(n) == 1, n);
  CHECK(names.count("PATH") == 1);
  CHECK(names.count("YILIAN_TEST_SECRET") == 0);
  CHECK(task_of(view(*e, 1), "a").status == TaskStatus::dispatched);  // accepted
}

TEST_CASE("engine.command.a_program_that_closes_its_output_but_runs_on_is_killed") {
  ScratchDir dir("cmd-linger");
  TestClock clock;
  auto e = engine_for(dir, clock);
  // Answers nothing, closes stdout and stderr, and keeps running.
  const std::string program = script(dir, "linger.sh", "cat > /dev/null\nexec >&- 2>&-\nsleep 60\n");
  REQUIRE(e->bind("x", run_program({program}, 300)).is_ok());
  const auto t0 = std::chrono::steady_clock::now();
  REQUIRE(e->apply(flow_application(false)).is_ok());
  REQUIRE(eventually([&] { return task_of(view(*e, 1), "a").status == TaskStatus::incident; }, std::chrono::seconds(30)));
  // Three deliveries of 300 ms each, not three minutes: each was killed.
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(15));
  const CaseView v = view(*e, 1);
  CHECK(count_log(v, "delivery-failed") == 3);
  CHECK(task_of(v, "a").note.find("no answer within 300 ms; killed") != std::string::npos);
}

}  // namespace command_adapter_test
