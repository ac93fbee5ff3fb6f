// The event loop of one simulated regime: a binary heap of timed events,
// department queues with officers, the applicant, and the flow core driven
// with every event. See docs/simulation.md for the model.
#pragma once

#include <cstdint>
#include <deque>
#include <limits>
#include <vector>

#include "sim/setup.h"
#include "sim/stats.h"
#include "yilian/simulate.h"

namespace yilian::detail {

/// Streamed statistics of one regime.
struct Accum {
  struct Matter {
    Sample wait, service;
    double busy = 0;  ///< officer working days inside the measured windows
    std::uint64_t applied = 0, attempts = 0, supplements = 0, rejections = 0;
  };
  struct Dept {
    double busy_integral = 0, queue_integral = 0, measured = 0;
    std::uint64_t max_queue = 0;
    std::vector<double> series_sum;
    std::vector<std::uint64_t> series_n;
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
};

/// Runs every replication of the scenario for one regime.
Status run_regime(Setup& setup, const Scenario& scenario, Accum& acc, const ProgressCallback& progress,
                  bool baseline);

/// The number of points of the queue-length series.
inline constexpr int kSeriesPoints = 200;

}  // namespace yilian::detail
