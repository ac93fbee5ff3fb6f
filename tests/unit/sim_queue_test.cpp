// The simulator against queueing theory: Erlang C for M/M/c queues on the
// continuous calendar, Little's law on the kindergarten chain, and the
// streamed statistics against exact ones.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "sim/stats.h"
#include "sim_fixture.h"

using namespace yilian;
using namespace yilian::test;

namespace sim_queue_test {

namespace {

/// Simulates an M/M/c queue (one matter, exponential service, c officers,
/// Poisson arrivals, 24-hour days) and compares the mean wait with Erlang C.
/// 2 000 000 cases after a warm-up: the standard error of the mean wait is
/// about 1 % at these utilisations, so 3 % is a real bound, not noise.
void check_erlang_c(double lambda, double mu, int c) {
  CAPTURE(lambda);
  CAPTURE(mu);
  CAPTURE(c);
  Scenario s;
  s.arrival_rate = lambda;
  s.cases = 2'000'000;
  s.days = static_cast<int>(2'000'000 / lambda * 1.1);  // one long replication
  s.warmup_days = 1000;
  s.departments["x"].officers = c;
  s.matters["a"].service = Distribution::exponential(1 / mu);
  s.seed = 2025;
  const SimulationResult r = run_ok(single_matter_chain(), Calendar::continuous(), s);
  REQUIRE(r.replications == 1);
  const MatterResult& m = r.result.matters.front();
  const double theory = erlang_c_wait(lambda, mu, c);
  const double rho = lambda / (c * mu);
  MESSAGE("rho " << rho << ", c " << c << ": mean wait " << m.wait_days.mean << " days, Erlang C " << theory << " ("
                 << 100 * (m.wait_days.mean / theory - 1) << " %)");
  CHECK(m.wait_days.count > 1'900'000);
  CHECK(std::abs(m.wait_days.mean / theory - 1) < 0.03);
  CHECK(std::abs(m.service_days.mean * mu - 1) < 0.01);
  CHECK(std::abs(r.result.departments.front().utilisation / rho - 1) < 0.01);
  CHECK(std::abs(m.utilisation - r.result.departments.front().utilisation) < 1e-9);
  CHECK(std::abs(r.result.arrival_rate / lambda - 1) < 0.01);
}

}  // namespace

TEST_CASE("sim.queue.erlang_c.rho_0_5_one_officer") { check_erlang_c(5.0, 10.0, 1); }
TEST_CASE("sim.queue.erlang_c.rho_0_6_two_officers") { check_erlang_c(6.0, 5.0, 2); }
TEST_CASE("sim.queue.erlang_c.rho_0_7_three_officers") { check_erlang_c(8.4, 4.0, 3); }
TEST_CASE("sim.queue.erlang_c.rho_0_8_five_officers") { check_erlang_c(8.0, 2.0, 5); }

TEST_CASE("sim.queue.office_hours_scale_the_queue") {
  // The same M/M/1 queue on working days with 8-hour office hours: service
  // and arrival rates are per working day, so theory still applies in
  // working time (the clock stands still overnight and on rest days).
  Scenario s;
  s.arrival_rate = 0.6;
  s.cases = 600'000;
  s.days = 1'050'000;
  s.warmup_days = 500;
  s.matters["a"].service = Distribution::exponential(1.0);
  s.seed = 5;
  // Years without holiday data use the weekday rule: a long horizon is fine.
  const SimulationResult r = run_ok(single_matter_chain(), cn_mainland(), s);
  const double theory = erlang_c_wait(0.6, 1.0, 1);
  MESSAGE("working-day M/M/1: " << r.result.matters.front().wait_days.mean << " vs " << theory);
  CHECK(std::abs(r.result.matters.front().wait_days.mean / theory - 1) < 0.05);
}

TEST_CASE("sim.queue.littles_law_on_the_kindergarten_chain") {
  // L (time-average of cases in the system) = lambda (arrivals per working
  // day) x W (mean working days in the system), with the kindergarten
  // scenario run as one long replication so that the window's edges do not
  // matter. Cases refused half-way count too.
  Scenario s = kindergarten_scenario();
  s.baseline_separate = false;
  s.days = 300'000;
  s.warmup_days = 250;
  s.cases = 30'000;
  const SimulationResult r = run_ok(kindergarten_chain(), cn_mainland(), s);
  const RegimeResult& k = r.result;
  MESSAGE("L " << k.in_system << ", lambda " << k.arrival_rate << ", W " << k.time_in_system);
  REQUIRE(k.rejected > 0);
  CHECK(k.in_system > 1);
  CHECK(std::abs(k.in_system / (k.arrival_rate * k.time_in_system) - 1) < 0.02);
  CHECK(std::abs(k.arrival_rate / 0.12 - 1) < 0.03);
}

TEST_CASE("sim.stats.quantiles_within_the_stated_error") {
  std::mt19937_64 rng(3);
  std::lognormal_distribution<double> dist(1.0, 1.2);
  detail::Sample sample;
  std::vector<double> xs;
  for (int i = 0; i < 200'000; ++i) {
    const double x = i % 10 == 0 ? 0.0 : dist(rng);  // an atom at 0, as waits have
    xs.push_back(x);
    sample.add(x);
  }
  std::sort(xs.begin(), xs.end());
  auto exact = [&](double q) { return xs[static_cast<std::size_t>(std::ceil(q * xs.size())) - 1]; };
  const Summary s = sample.summary();
  CHECK(s.count == xs.size());
  for (auto [q, got] : {std::pair{0.5, s.p50}, {0.9, s.p90}, {0.99, s.p99}}) {
    CAPTURE(q);
    CHECK(std::abs(got / exact(q) - 1) <= 1.0 / 128 + 1e-12);
  }
  CHECK(sample.histogram().quantile(0.05) == 0.0);
  double mean = 0;
  for (double x : xs) mean += x;
  CHECK(s.mean == doctest::Approx(mean / xs.size()).epsilon(1e-9));
  CHECK(s.min == 0.0);
  CHECK(s.max == xs.back());
  const Histogram h = sample.histogram().bins(0, 20, 40);
  std::uint64_t total = h.above;
  for (auto c : h.counts) total += c;
  CHECK(total == xs.size());
}

TEST_CASE("sim.stats.every_value_falls_in_its_own_bucket") {
  // Bucket i >= 1 covers [kMin·2^o·(1 + s/kSub), kMin·2^o·(1 + (s+1)/kSub))
  // with o = (i-1)/kSub, s = (i-1)%kSub; values below kMin (and NaN) go to
  // bucket 0, values past the last octave to the last bucket.
  using H = detail::LogHistogram;
  const std::size_t last = static_cast<std::size_t>(H::kSub) * H::kOctaves;
  auto lower = [](std::size_t i) {
    const std::size_t o = (i - 1) / H::kSub, s = (i - 1) % H::kSub;
    return std::ldexp(H::kMin, static_cast<int>(o)) * (1.0 + static_cast<double>(s) / H::kSub);
  };
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<double> exponent(-8, 9);  // 1e-8 .. 1e9 working days
  for (int k = 0; k < 200'000; ++k) {
    const double x = std::pow(10.0, exponent(rng));
    const std::size_t i = H::index(x);
    CAPTURE(x);
    REQUIRE(i <= last);
    if (x < H::kMin) {
      CHECK(i == 0);
      continue;
    }
    REQUIRE(i >= 1);
    // The division by kMin rounds: allow one unit in the last place.
    CHECK(x >= lower(i) * (1 - 1e-15));
    if (i < last) CHECK(x < lower(i + 1) * (1 + 1e-15));
  }
  CHECK(H::index(H::kMin) == 1);
  CHECK(H::index(0.0) == 0);
  CHECK(H::index(-1.0) == 0);
  CHECK(H::index(std::nan("")) == 0);
  CHECK(H::index(std::numeric_limits<double>::infinity()) == last);
  CHECK(H::index(1e300) == last);
  CHECK(H::midpoint(H::index(3.0)) == doctest::Approx(3.0).epsilon(1.0 / 64));
}

}  // namespace sim_queue_test
