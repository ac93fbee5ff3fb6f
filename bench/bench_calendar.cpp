// Working-day queries per second on one thread over cn-mainland: random
// dates 2018–2026, random limits 0–60. Measures, does not assert; the
// table goes into bench/README.md.
//
// Usage: bench_calendar [queries-per-round] [rounds]
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "yilian/calendar_load.h"
#include "yilian/time_limit.h"
#include "allocator.h"

namespace {

using namespace yilian;
using Clock = std::chrono::steady_clock;

struct Random {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  int uniform(int lo, int hi) { return lo + static_cast<int>(next() % static_cast<std::uint64_t>(hi - lo + 1)); }
};

// Runs `body(i)` for i in [0, n) `rounds` times; returns each round's
// queries per second.
template <class Body>
std::vector<double> measure(std::size_t n, int rounds, Body body) {
  std::vector<double> rates;
  for (int r = 0; r < rounds; ++r) {
    const auto t0 = Clock::now();
    for (std::size_t i = 0; i < n; ++i) body(i);
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    rates.push_back(static_cast<double>(n) / secs);
  }
  return rates;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

void row(const std::string& name, const std::vector<double>& rates, std::int64_t sink) {
  const auto [lo, hi] = std::minmax_element(rates.begin(), rates.end());
  fmt::print("| {:<40} | {:>10.2f} | {:>10.2f} | {:>10.2f} | {:>8.1f} |   (checksum {})\n", name, median(rates) / 1e6,
             *lo / 1e6, *hi / 1e6, 1e9 / median(rates), sink);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 20'000'000;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  auto loaded = load_calendar("cn-mainland", {std::string(YILIAN_SOURCE_DIR) + "/chains/calendars"});
  if (!loaded.ok()) {
    for (const auto& d : loaded.diagnostics) fmt::print(stderr, "{}\n", d.to_string());
    return 2;
  }
  const Calendar cal = loaded.value();

  // Inputs drawn up front so that only the query is timed. 1 << 16 entries
  // (a few hundred KiB) are reused cyclically.
  constexpr std::size_t kInputs = 1 << 16;
  Random rng{20250926};
  const Date first = *Date::parse("2018-01-01"), last = *Date::parse("2026-12-31");
  std::vector<Date> dates(kInputs), others(kInputs);
  std::vector<int> days(kInputs);
  for (std::size_t i = 0; i < kInputs; ++i) {
    dates[i] = first + rng.uniform(0, last - first);
    others[i] = dates[i] + rng.uniform(0, 90);
    days[i] = rng.uniform(0, 60);
  }
  constexpr std::size_t kLedgers = 1024;
  std::vector<SuspensionLedger> ledgers(kLedgers);
  for (std::size_t i = 0; i < kLedgers; ++i)
    for (int s = 0; s < 3; ++s) {
      const Date from = dates[i] + rng.uniform(1, 60);
      (void)ledgers[i].add({from, from + rng.uniform(0, 10)});
    }
  const std::size_t mask = kInputs - 1;

  fmt::print("yilian calendar benchmark: {} queries per round, {} rounds, one thread; hardware threads: {}; {}\n\n", n,
             rounds, std::thread::hardware_concurrency(), yilian::programs::allocator_name());
  fmt::print("| {:<40} | {:>10} | {:>10} | {:>10} | {:>8} |\n", "query", "median M/s", "min M/s", "max M/s", "ns/query");
  fmt::print("|{:-<42}|{:->12}|{:->12}|{:->12}|{:->10}|\n", "", "", "", "", "");

  std::int64_t sink = 0;
  auto run = [&](const std::string& name, std::size_t queries, auto body) {
    sink = 0;
    const std::vector<double> rates = measure(queries, rounds, body);
    row(name, rates, sink);
  };
  run("add_working_days (n 0–60)", n,
      [&](std::size_t i) { sink += cal.add_working_days(dates[i & mask], days[i & mask]).date.days(); });
  run("working_days_between (≤ 90 days apart)", n,
      [&](std::size_t i) { sink += cal.working_days_between(dates[i & mask], others[i & mask]).days; });
  run("is_working_day", n, [&](std::size_t i) { sink += cal.is_working_day(dates[i & mask]) ? 1 : 0; });
  run("compute_deadline, 3 clock stops", n / 10, [&](std::size_t i) {
    const std::size_t k = i & (kLedgers - 1);
    sink += compute_deadline(cal, dates[k], days[k], ledgers[k]).date.days();
  });
  run("compute_deadline, no clock stop", n / 10,
      [&](std::size_t i) { sink += compute_deadline(cal, dates[i & mask], days[i & mask]).date.days(); });
  return 0;
}
