// Running the built `yilian` command from tests.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace yilian::test {

struct CliRun {
  int exit_code = -1;
  std::string out;  ///< stdout
};

/// Runs `yilian ARGS` in the directory `dir` (stderr discarded unless
/// `keep_stderr`, which folds it into `out`).
inline CliRun run_cli_in(const std::string& dir, const std::string& args, bool keep_stderr = false) {
  const std::string cmd = "cd '" + dir + "' && '" + YILIAN_CLI + "' " + args + (keep_stderr ? " 2>&1" : " 2>/dev/null");
  CliRun r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

/// Runs `yilian ARGS` from the project root.
inline CliRun run_cli(const std::string& args, bool keep_stderr = false) {
  return run_cli_in(YILIAN_SOURCE_DIR, args, keep_stderr);
}

}  // namespace yilian::test
