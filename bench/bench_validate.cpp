// Load + validate + analyse: every chain of chains/, a generated chain of
// 2,000 matters and 5,000 edges, and whole `yilian validate chains/` runs.
//
//   bench_validate [--runs N] [--cli build/cli/yilian]
#include <fmt/format.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

#include "gen_chain.h"
#include "yilian/analysis.h"
#include "yilian/load.h"
#include "allocator.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

double run_process(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  const auto t0 = Clock::now();
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  const double ms = ms_since(t0);
  posix_spawn_file_actions_destroy(&fa);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? ms : -1;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 7;
  std::string cli = "build/cli/yilian";
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) runs = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--cli") && i + 1 < argc) cli = argv[++i];
  }
  fmt::print("cores: {}\nallocator: {}\nruns: {} (medians)\n\n", std::thread::hardware_concurrency(),
             yilian::programs::allocator_name(), runs);

  // 1. Each chain of chains/, in process.
  auto files = yilian::chain_files(std::string(YILIAN_SOURCE_DIR) + "/chains");
  if (files.is_ok()) {
    fmt::print("{:<32} {:>8} {:>14}\n", "chain", "matters", "load+validate+analyse ms");
    double total = 0;
    for (const auto& f : *files) {
      std::vector<double> t;
      std::size_t matters = 0;
      for (int r = 0; r < runs; ++r) {
        const auto t0 = Clock::now();
        auto res = yilian::load_chain(f);
        if (res.chain) {
          auto a = yilian::analyse(*res.chain);
          matters = a.applicable.size();
        }
        t.push_back(ms_since(t0));
      }
      total += median(t);
      fmt::print("{:<32} {:>8} {:>14.3f}\n", f.substr(f.rfind('/') + 1), matters, median(t));
    }
    fmt::print("{:<32} {:>8} {:>14.3f}\n\n", "all chains (sum)", "", total);
  }

  // 2. The generated chain.
  const std::string text = yilian::bench::generate_chain({});
  std::vector<double> parse_t, validate_t, analyse_t;
  std::size_t matters = 0, errors = 0;
  for (int r = 0; r < runs; ++r) {
    auto t0 = Clock::now();
    auto parsed = yilian::parse_chain_text(text, "generated.yaml");
    parse_t.push_back(ms_since(t0));
    t0 = Clock::now();
    auto diags = yilian::validate(*parsed.chain);
    validate_t.push_back(ms_since(t0));
    errors = diags.error_count() + parsed.diagnostics.error_count();
    t0 = Clock::now();
    auto a = yilian::analyse(*parsed.chain);
    analyse_t.push_back(ms_since(t0));
    matters = a.applicable.size();
  }
  fmt::print("generated chain: {} matters, 5000 edges, {} KiB of YAML, {} errors\n", matters, text.size() / 1024, errors);
  fmt::print("  parse    {:8.2f} ms\n  validate {:8.2f} ms (includes one analysis for the promise checks)\n  analyse  {:8.2f} ms\n\n",
             median(parse_t), median(validate_t), median(analyse_t));

  // 3. Whole processes: `yilian validate chains/`.
  if (access(cli.c_str(), X_OK) == 0) {
    std::vector<double> t;
    for (int r = 0; r < runs; ++r) t.push_back(run_process({cli, "validate", "-q", std::string(YILIAN_SOURCE_DIR) + "/chains"}));
    fmt::print("process `yilian validate chains/`: {:.2f} ms (median of {})\n", median(t), runs);
  } else {
    fmt::print("(no CLI at {}; pass --cli)\n", cli);
  }
  return 0;
}
