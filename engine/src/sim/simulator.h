// The event loop of one simulated regime: a binary heap of timed events,
// department queues with officers, the applicant, and the flow core driven
// with every event. See docs/simulation.md for the model.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <limits>
#include <vector>

#include "sim/setup.h"
#include "sim/stats.h"
#include "yilian/simulate.h"

namespace yilian::detail {

/// Streamed statistics of one regime. Replications run on several threads
/// and still give the same bits: what adds up exactly in any order (counts,
/// histograms, maxima, the queue series of whole numbers) is kept per thread
/// and merged with merge_counts(); the floating-point sums (Welford moments,
/// time integrals), whose rounding depends on the order, are taken out after
/// each replication (take_sums()) and merged in replication order
/// (merge_sums()).
struct Accum {
  struct Matter {
    Sample wait, service;
    double busy = 0;  ///< officer working days inside the measured windows
    std::uint64_t applied = 0, attempts = 0, supplements = 0, rejections = 0;
  };
  struct Dept {
    double busy_integral = 0, queue_integral = 0, measured = 0;
    std::uint64_t max_queue = 0;
    std::vector<double> series_sum;  ///< sums of whole numbers of tasks: exact in any order
    std::vector<std::uint64_t> series_n;
  };
  /// The floating-point sums of one replication, in visit_sums() order.
  struct Sums {
    std::vector<Welford> moments;
    std::vector<double> totals;
  };
  std::vector<Matter> matters;
  std::vector<Dept> depts;
  Sample lead;
  Welford visits, materials, fields, notices, sojourn;
  std::uint64_t arrived = 0, delivered = 0, rejected = 0, on_time = 0, on_time_statutory = 0;
  std::uint64_t rated = 0, bad_ratings = 0;  ///< 好差评 of delivered cases
  double in_system_integral = 0, measured_days = 0;
  std::uint64_t events = 0, flow_events = 0;
  int replications = 0;
  double series_interval = 0;

  /// Sizes the per-matter and per-department parts (series of kSeriesPoints).
  void resize(std::size_t matter_count, std::size_t dept_count);
  /// Moves the floating-point sums into `out` and zeroes them here.
  void take_sums(Sums& out);
  /// Adds sums taken from a replication; merge them in replication order.
  void merge_sums(const Sums& sums);
  /// Adds everything else of `o` (counts, histograms, maxima, the queue
  /// series): exact in any order.
  void merge_counts(const Accum& o);
};

/// A replication to run: its index (which picks its random streams,
/// replication_seed()) and, when the scenario's total of cases is reached
/// inside it, the arrivals it stops after.
struct ReplicationPlan {
  std::uint64_t index = 0;
  std::optional<std::uint64_t> cap;
};

/// Called with the arrivals since the last call: every 4096 arrivals and at
/// the end of each replication (for the progress of the whole run).
using ArrivalsHook = std::function<void(std::uint64_t)>;

/// The event loop of one regime on one thread: runs replications one after
/// another into its own Accum. Not thread-safe; one per thread and regime,
/// each with its own Setup (the loop writes into the profiles' events).
class ReplicationRunner {
 public:
  ReplicationRunner(Setup& setup, const Scenario& scenario, ArrivalsHook hook);
  ~ReplicationRunner();
  ReplicationRunner(const ReplicationRunner&) = delete;
  ReplicationRunner& operator=(const ReplicationRunner&) = delete;
  /// Runs one replication from an empty system until every case has left.
  /// Its floating-point sums stay in acc() for Accum::take_sums().
  [[nodiscard]] Status run(const ReplicationPlan& plan);
  [[nodiscard]] Accum& acc();
  /// Arrivals in the last replication run.
  [[nodiscard]] std::uint64_t arrivals() const;

 private:
  class Loop;
  std::unique_ptr<Loop> loop_;
};

/// Poisson arrivals in replication `index`'s window, without a cap: what
/// the loop draws, counted without running it (to find where a total of
/// cases ends while earlier replications still run).
std::uint64_t poisson_arrivals(const Setup& setup, const Scenario& scenario, std::uint64_t index);

/// The number of points of the queue-length series.
inline constexpr int kSeriesPoints = 200;

}  // namespace yilian::detail
