// Simulation speed and memory: simulated events per second, and wall time
// and peak memory for many kindergarten cases with the kindergarten
// scenario. Measures, does not assert; the table goes into bench/README.md.
//
// Usage: bench_simulate [--cases N] [--rounds R] [--baseline] [--mmc-cases N] [--threads T]
//        bench_simulate --mmc C [--mmc-cases N] [--threads T] --json
//   --cases N      kindergarten cases per round (default 1 000 000)
//   --rounds R     rounds of each measurement (default 3)
//   --baseline     also run the separate-applications baseline (the
//                  scenario file asks for it; off by default so that the
//                  figure is one run of the chain)
//   --mmc-cases N  cases of the one-matter M/M/4 run (default 2 000 000)
//   --threads T    threads of the simulation (default 1)
//   --mmc C        instead: one run of M/M/C at 80 % (arrivals 0.8·C a day,
//                  exponential service of mean 1 day), replications of
//                  100 000 customers, printed as one JSON line with the
//                  customers served and the wall time (bench/bench_mmc.py
//                  sets it against SimPy); exits 1 unless every customer
//                  was served
#include <fmt/format.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "yilian/calendar_load.h"
#include "yilian/load.h"
#include "yilian/simulate.h"
#include "allocator.h"

namespace {

using namespace yilian;
using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

double peak_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // Linux: kilobytes
}

/// CPU time of the process (all its threads): on a shared machine the wall
/// clock also counts the time other jobs hold the cores.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Run {
  double seconds = 0, cpu = 0;
  std::uint64_t events = 0, flow_events = 0, cases = 0;
};

Run time_one(const ValidChain& chain, const Calendar& cal, const Scenario& s, unsigned threads) {
  SimulateOptions options;
  options.threads = threads;
  const auto t0 = Clock::now();
  const double c0 = cpu_seconds();
  auto r = simulate(chain, cal, s, options);
  const double cpu = cpu_seconds() - c0;
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!r) {
    fmt::print(stderr, "simulate failed: {}\n", r.status().to_string());
    std::exit(1);
  }
  Run run{secs, cpu, r->result.events, r->result.flow_events, r->result.arrived};
  if (r->baseline) {
    run.events += r->baseline->events;
    run.flow_events += r->baseline->flow_events;
  }
  return run;
}

void report(const std::string& name, const std::vector<Run>& runs, std::uint64_t cases) {
  std::vector<double> secs, cpus, eps, feps;
  for (const Run& r : runs) {
    secs.push_back(r.seconds);
    cpus.push_back(r.cpu);
    eps.push_back(static_cast<double>(r.events) / r.cpu);
    feps.push_back(static_cast<double>(r.flow_events) / r.cpu);
  }
  const auto [lo, hi] = std::minmax_element(cpus.begin(), cpus.end());
  fmt::print("| {:<40} | {:>9} | {:>10} | {:>10} | {:>7.2f} | {:>7.2f} | {:>11} | {:>7.2f} | {:>7.2f} |\n", name, cases,
             runs.front().events, runs.front().flow_events, median(secs), median(cpus),
             fmt::format("{:.2f}–{:.2f}", *lo, *hi), median(eps) / 1e6, median(feps) / 1e6);
}

/// One M/M/c run as JSON (--mmc): the customers served are checked by the
/// caller and here.
int mmc_json(const ValidChain& chain, int servers, std::uint64_t customers, unsigned threads) {
  Scenario s;
  s.arrival_rate = 0.8 * servers;
  s.cases = customers;
  s.days = static_cast<int>(std::ceil(100'000 / s.arrival_rate));  // replications of about 100 000 customers
  s.warmup_days = 0;
  s.departments["x"].officers = servers;
  s.matters["a"].service = Distribution::exponential(1.0);
  SimulateOptions options;
  options.threads = threads;
  const auto t0 = Clock::now();
  const double c0 = cpu_seconds();
  auto r = simulate(chain, Calendar::continuous(), s, options);
  const double cpu = cpu_seconds() - c0;
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!r) {
    fmt::print(stderr, "simulate failed: {}\n", r.status().to_string());
    return 1;
  }
  const RegimeResult& g = r->result;
  fmt::print("{{\"engine\": \"yilian\", \"customers\": {}, \"served\": {}, \"arrived\": {}, \"replications\": {}, "
             "\"threads\": {}, \"mean_wait\": {}, \"wall_s\": {}, \"cpu_s\": {}}}\n",
             customers, g.cases, g.arrived, r->replications, threads, g.matters.at(0).wait_days.mean, secs, cpu);
  return g.cases == customers ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t cases = 1'000'000, mmc_cases = 2'000'000;
  int rounds = 3, mmc = 0;
  unsigned threads = 1;
  bool baseline = false, json = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--cases" && i + 1 < argc) cases = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--mmc-cases" && i + 1 < argc) mmc_cases = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--rounds" && i + 1 < argc) rounds = std::max(1, std::atoi(argv[++i]));
    else if (a == "--threads" && i + 1 < argc) threads = static_cast<unsigned>(std::max(1, std::atoi(argv[++i])));
    else if (a == "--mmc" && i + 1 < argc) mmc = std::max(1, std::atoi(argv[++i]));
    else if (a == "--baseline") baseline = true;
    else if (a == "--json") json = true;
    else {
      fmt::print(stderr,
                 "usage: bench_simulate [--cases N] [--rounds R] [--baseline] [--mmc-cases N] [--threads T]\n"
                 "       bench_simulate --mmc C [--mmc-cases N] [--threads T] --json\n");
      return 2;
    }
  }
  if (mmc > 0 && !json) {
    fmt::print(stderr, "--mmc prints JSON: add --json\n");
    return 2;
  }
  const std::string root = YILIAN_SOURCE_DIR;
  Loaded<ValidChain> k = load_chain(root + "/chains/kindergarten-setup.yaml");
  Loaded<Calendar> cal = load_calendar("cn-mainland", {root + "/chains/calendars"});
  if (!k.ok() || !cal.ok()) {
    fmt::print(stderr, "cannot load the kindergarten chain or the cn-mainland calendar\n");
    return 1;
  }
  Loaded<Scenario> sr = load_scenario_file(root + "/chains/scenarios/kindergarten-setup.yaml", *k.value());
  if (!sr.ok()) {
    for (const auto& d : sr.diagnostics) fmt::print(stderr, "{}\n", d.to_string());
    return 1;
  }
  Scenario ks = sr.value();
  ks.cases = cases;
  ks.baseline_separate = baseline;

  // One matter, exponential service, 4 officers at 80 %: the event loop
  // with the least flow work per event.
  Loaded<ValidChain> one = load_chain_text(R"(id: single
version: 1
name: 单事项
lead: x
promised_days: 5
departments: { x: { name: 甲局 } }
fields: { applicant.name: { label: 申请人, type: string } }
materials: { form: { name: 申请表 } }
matters:
  - { id: a, name: 事项甲, department: x, statutory_days: 10, promised_days: 5, fields: [applicant.name], materials: [form] }
)",
                                   "single.yaml");
  if (!one.ok()) {
    fmt::print(stderr, "the one-matter chain does not load\n");
    return 1;
  }
  if (mmc > 0) return mmc_json(one.value(), mmc, mmc_cases, threads);
  Scenario ms;
  ms.arrival_rate = 3.2;
  ms.cases = mmc_cases;
  ms.days = static_cast<int>(static_cast<double>(mmc_cases) / 3.2 * 1.1) + 10;
  ms.departments["x"].officers = 4;
  ms.matters["a"].service = Distribution::exponential(1.0);

  fmt::print("Machine: {} hardware threads; {} simulation thread(s); {}.\n\n", std::thread::hardware_concurrency(),
             threads, yilian::programs::allocator_name());
  fmt::print("| {:<40} | {:>9} | {:>10} | {:>10} | {:>7} | {:>7} | {:>11} | {:>7} | {:>7} |\n", "run", "cases",
             "heap ev.", "flow ev.", "wall s", "CPU s", "CPU range", "M heap/s", "M flow/s");
  fmt::print("|{:-<42}|{:->11}|{:->12}|{:->12}|{:->9}|{:->9}|{:->13}|{:->9}|{:->9}|\n", "", "", "", "", "", "", "", "", "");
  std::vector<Run> runs;
  for (int r = 0; r < rounds; ++r) runs.push_back(time_one(one.value(), Calendar::continuous(), ms, threads));
  report("one matter, M/M/4 at 80 %, continuous", runs, mmc_cases);
  runs.clear();
  for (int r = 0; r < rounds; ++r) runs.push_back(time_one(k.value(), cal.value(), ks, threads));
  report(baseline ? "kindergarten scenario + separate baseline" : "kindergarten scenario", runs, cases);
  fmt::print("\nPeak resident memory of the process: {:.1f} MB\n", peak_mb());
  return 0;
}
