// Load + validate + analyse: every chain of chains/, a generated chain of
// 2,000 matters and 5,000 edges, and whole `yilian validate chains/` runs.
//
//   bench_validate [--runs N] [--cli build/cli/yilian]
//   bench_validate --emit N > big.yaml    # the generated chain of N matters
#include <fmt/format.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
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
    else if (!std::strcmp(argv[i], "--emit") && i + 1 < argc) {
      // The generated chain of N matters as YAML, to profile `yilian validate` on it.
      yilian::bench::GenOptions g;
      g.matters = std::max(1, std::atoi(argv[++i]));
      g.edges = g.matters * 5 / 2;
      fmt::print("{}", yilian::bench::generate_chain(g));
      return 0;
    }
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
        if (res.ok()) {
          auto a = yilian::analyse(res.value());
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
    auto valid = yilian::validated(parsed.value());
    validate_t.push_back(ms_since(t0));
    errors = valid.diagnostics.error_count() + parsed.diagnostics.error_count();
    if (!valid.has_value()) break;  // analyse() takes a valid chain only
    t0 = Clock::now();
    auto a = yilian::analyse(valid.value());
    analyse_t.push_back(ms_since(t0));
    matters = a.applicable.size();
  }
  fmt::print("generated chain: {} matters, 5000 edges, {} KiB of YAML, {} errors\n", matters, text.size() / 1024, errors);
  fmt::print("  parse    {:8.2f} ms\n  validate {:8.2f} ms (includes one analysis for the promise checks)\n  analyse  {:8.2f} ms\n\n",
             median(parse_t), median(validate_t), median(analyse_t));

  // 3. Growth: load + validate + analyse of generated chains from 1,000 to
  // 10,000 matters (2.5 edges per matter), under the loader's default
  // limits. A size whose chain does not load clean prints no figure.
  fmt::print("{:>8} {:>8} {:>10} {:>10} {:>10} {:>10}\n", "matters", "KiB", "parse ms", "validate ms", "analyse ms",
             "total ms");
  std::vector<std::pair<int, double>> totals;
  for (int n : {1000, 2000, 5000, 10000}) {
    yilian::bench::GenOptions g;
    g.matters = n;
    g.edges = n * 5 / 2;
    const std::string big = yilian::bench::generate_chain(g);
    const yilian::LoadOptions lo;  // the defaults admit 10,000 matters (load.h)
    std::vector<double> pt, vt, at, tt;
    std::size_t applicable = 0, errs = 0;
    for (int r = 0; r < runs; ++r) {
      const auto t0 = Clock::now();
      auto parsed = yilian::parse_chain_text(big, "generated.yaml", lo);
      const auto t1 = Clock::now();
      if (!parsed.has_value()) {
        errs = parsed.diagnostics.error_count();
        break;
      }
      auto valid = yilian::validated(parsed.value());
      const auto t2 = Clock::now();
      errs = valid.diagnostics.error_count() + parsed.diagnostics.error_count();
      if (!valid.has_value()) break;
      auto a = yilian::analyse(valid.value());
      const auto t3 = Clock::now();
      applicable = a.applicable.size();
      auto ms = [](auto x, auto y) { return std::chrono::duration<double, std::milli>(y - x).count(); };
      pt.push_back(ms(t0, t1));
      vt.push_back(ms(t1, t2));
      at.push_back(ms(t2, t3));
      tt.push_back(ms(t0, t3));
    }
    if (errs != 0 || applicable != static_cast<std::size_t>(n)) {
      fmt::print("{:>8} chain did not load clean ({} errors, {} matters analysed): no figure\n", n, errs, applicable);
      continue;
    }
    totals.emplace_back(n, median(tt));
    fmt::print("{:>8} {:>8} {:>10.2f} {:>10.2f} {:>10.2f} {:>10.2f}\n", n, big.size() / 1024, median(pt), median(vt),
               median(at), median(tt));
  }
  if (totals.size() >= 2) {
    const auto& [n0, t0] = totals.front();
    const auto& [n1, t1] = totals.back();
    fmt::print("growth {}→{} matters: time × {:.1f} for size × {:.1f}, exponent {:.2f} (1 = linear)\n\n", n0, n1, t1 / t0,
               static_cast<double>(n1) / n0, std::log(t1 / t0) / std::log(static_cast<double>(n1) / n0));
  }

  // 4. Whole processes: `yilian validate chains/`.
  if (access(cli.c_str(), X_OK) == 0) {
    std::vector<double> t;
    for (int r = 0; r < runs; ++r) t.push_back(run_process({cli, "validate", "-q", std::string(YILIAN_SOURCE_DIR) + "/chains"}));
    fmt::print("process `yilian validate chains/`: {:.2f} ms (median of {})\n", median(t), runs);
  } else {
    fmt::print("(no CLI at {}; pass --cli)\n", cli);
  }
  return 0;
}
