// Result<T>: value() on an error is a bug in the caller; it names the error
// on stderr and aborts, and never throws (nothing in the API throws).
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "yilian/status.h"

using namespace yilian;

namespace status_test {

namespace {

struct Died {
  int signal = 0;  ///< the signal that ended the child, 0 when it exited
  std::string err; ///< what it wrote on stderr
};

/// Runs `f` in a child process with stderr captured.
template <class F>
Died in_child(F f) {
  int pipe_fd[2];
  REQUIRE(::pipe(pipe_fd) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);  // an abort here is expected: no core file
    ::signal(SIGABRT, SIG_DFL);          // not doctest's crash report
    ::dup2(pipe_fd[1], 2);
    ::close(pipe_fd[0]);
    f();
    std::_Exit(0);
  }
  ::close(pipe_fd[1]);
  Died d;
  char buf[512];
  ssize_t n = 0;
  while ((n = ::read(pipe_fd[0], buf, sizeof buf)) > 0) d.err.append(buf, static_cast<std::size_t>(n));
  ::close(pipe_fd[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) d.signal = WTERMSIG(status);
  return d;
}

Result<std::unique_ptr<int>> open_nothing() { return Status::not_found("no store at cases.db"); }

}  // namespace

TEST_CASE("status.result.value_on_an_error_names_it_and_aborts") {
  // The README's old quick start: Engine::open(...).value() on a failure.
  Died d = in_child([] { (void)open_nothing().value(); });
  CHECK(d.signal == SIGABRT);
  CHECK(d.err.find("value() of a failed Result") != std::string::npos);
  CHECK(d.err.find("no store at cases.db") != std::string::npos);
  // Every way to the value checks: lvalue, const, *, ->.
  d = in_child([] {
    const Result<std::string> r = Status::invalid("bad input");
    (void)r->size();
  });
  CHECK(d.signal == SIGABRT);
  CHECK(d.err.find("bad input") != std::string::npos);
  d = in_child([] {
    Result<int> r = Status::io("disk full");
    (void)*r;
  });
  CHECK(d.signal == SIGABRT);
  CHECK(d.err.find("disk full") != std::string::npos);
}

TEST_CASE("status.result.value_when_ok") {
  Result<std::string> r = std::string("ok");
  CHECK(r.value() == "ok");
  CHECK(r->size() == 2);
  r.value() += "!";
  CHECK(*r == "ok!");
  const std::string moved = std::move(r).value();
  CHECK(moved == "ok!");
  // A child that does not touch an error's value exits normally.
  Died d = in_child([] {
    auto opened = open_nothing();
    if (!opened.is_ok()) return;
    (void)opened.value();
  });
  CHECK(d.signal == 0);
  CHECK(d.err.empty());
}

namespace {
Diagnostics one_error(std::string message) {
  Diagnostics d;
  d.add(Diagnostic{Severity::error, "bad", std::move(message), SourceLocation{"in.yaml", 3, 7}, {}, {}});
  return d;
}
}  // namespace

TEST_CASE("status.loaded.value_without_one_names_the_first_error_and_aborts") {
  // One result type for everything read with diagnostics (issue 15):
  // value() without a value never throws; it names the first error.
  Died d = in_child([] {
    Loaded<std::string> r = one_error("no such key `nmae`");
    (void)r.value();
  });
  CHECK(d.signal == SIGABRT);
  CHECK(d.err.find("in.yaml:3:7") != std::string::npos);
  CHECK(d.err.find("no such key `nmae`") != std::string::npos);
  d = in_child([] {
    const Loaded<std::string> r;
    (void)r->size();
  });
  CHECK(d.signal == SIGABRT);
  CHECK(d.err.find("nothing was read") != std::string::npos);
}

TEST_CASE("status.loaded.ok_means_a_value_and_no_error") {
  Loaded<std::string> fine{std::string("chain"), {}};
  CHECK(fine.ok());
  CHECK(static_cast<bool>(fine));
  CHECK(*fine == "chain");
  CHECK(fine->size() == 5);
  Diagnostics warned;
  warned.add(Diagnostic{Severity::warning, "unused", "never used", {}, {}, {}});
  Loaded<std::string> with_warning{std::string("chain"), warned};
  CHECK(with_warning.ok());
  CHECK(with_warning.diagnostics.size() == 1);
  // A reader that keeps what it could read (a partial chain) has a value
  // and errors: not ok, and the value is still there.
  Loaded<std::string> partial{std::string("half"), one_error("unknown key")};
  CHECK_FALSE(partial.ok());
  CHECK(partial.has_value());
  CHECK(partial.value() == "half");
  Loaded<std::string> failed = one_error("unknown key");
  CHECK_FALSE(failed.ok());
  CHECK_FALSE(failed.has_value());
  CHECK(std::move(fine).value() == "chain");
}

}  // namespace status_test
