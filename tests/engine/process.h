// Starting, killing and waiting for child processes in the engine's
// process-level tests. Every wait has a deadline.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace yilian::test {

/// Starts argv[0] with its arguments, stdout and stderr appended to `output`.
/// Returns the pid, or -1.
inline pid_t spawn(const std::vector<std::string>& argv, const std::string& output) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, output.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

/// Waits for `pid` up to `timeout`; its exit code, -signal, or -1000 on timeout.
inline int wait_for(pid_t pid, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? -WTERMSIG(status) : -1;
    if (r < 0) return -1;
    if (std::chrono::steady_clock::now() >= until) return -1000;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

/// A child's output file, whole (for messages).
inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// SIGKILL and reap.
inline void kill_hard(pid_t pid) {
  if (pid <= 0) return;  // never signal a process group or every process
  ::kill(pid, SIGKILL);
  (void)wait_for(pid, std::chrono::seconds(10));
}

}  // namespace yilian::test
