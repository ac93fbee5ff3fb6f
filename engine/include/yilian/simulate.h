// Discrete-event simulation of case flows (docs/simulation.md).
//
// A virtual clock, arrivals, department queues served by officers during
// office hours on working days, and random outcomes feed the flow core
// (flow.h) with events at virtual instants: a simulated case follows the
// rules a live case follows, and its limits are counted as the engine
// counts them. Statistics are streamed: memory does not grow with the
// number of cases. Deterministic: the same inputs and seed give the same
// result, bit for bit, whatever the number of threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "yilian/calendar.h"
#include "yilian/chain.h"
#include "yilian/scenario.h"
#include "yilian/status.h"
#include "yilian/valid_chain.h"

namespace yilian {

/// A streamed summary of a sample. Quantiles come from a log-linear
/// histogram (64 buckets per doubling): relative error at most 0.8 %, and
/// values under 1e-6 days count as 0.
struct Summary {
  std::uint64_t count = 0;
  double mean = 0, sd = 0, min = 0, max = 0;
  double p50 = 0, p90 = 0, p99 = 0;
};

/// Counts of a sample in equal-width bins [lo + i·width, lo + (i+1)·width).
struct Histogram {
  double lo = 0, width = 1;
  std::vector<std::uint64_t> counts;
  std::uint64_t above = 0;  ///< values past the last bin
};

struct MatterResult {
  std::string id;
  std::string department;
  Summary wait_days;         ///< queued before an officer took the task (per attempt)
  Summary service_days;      ///< the officer's working time (per attempt)
  double utilisation = 0;    ///< share of its department's officer time spent on this matter
  std::uint64_t applied = 0; ///< counted cases in which the matter was approved
  std::uint64_t attempts = 0;
  std::uint64_t supplements = 0;  ///< supplement requests
  std::uint64_t rejections = 0;
};

struct DepartmentResult {
  std::string id;
  int officers = 0;
  double utilisation = 0;    ///< busy officer time / officer time in office hours
  double mean_queue = 0;     ///< time-average of tasks waiting
  std::uint64_t max_queue = 0;
  /// Mean tasks waiting at equally spaced moments of a replication's arrival
  /// window (averaged over replications); at most 200 points.
  std::vector<double> queue_length;
  double queue_interval_days = 0;  ///< working days between two points
};

/// The results of one regime (the chain, or the matters applied for separately).
struct RegimeResult {
  std::uint64_t arrived = 0;    ///< counted arrivals (after the warm-up)
  std::uint64_t cases = 0;      ///< counted cases delivered
  std::uint64_t rejected = 0;   ///< counted cases refused
  Summary lead_time_days;       ///< submission to delivery, working days
  Histogram lead_time_histogram;
  double on_time_promised = 0;  ///< share of delivered cases decided within the chain's promise
  double on_time_statutory = 0; ///< … within the statutory limit (the chain's, else 45 days)
  double visits_per_case = 0;   ///< in-person visits per delivered case
  double materials_per_case = 0;///< materials handed in per delivered case
  double fields_per_case = 0;   ///< form fields filled in per delivered case
  double notices_per_case = 0;  ///< notices sent to the applicant per delivered case
  std::uint64_t rated = 0;      ///< 好差评: delivered cases rated (scenario `ratings`)
  double bad_rating_rate = 0;   ///< share of those rated badly (grade 1–2)
  /// Little's law: time-average cases in the system, arrival rate per
  /// working day, mean time in the system (working days) — L ≈ λW.
  double in_system = 0, arrival_rate = 0, time_in_system = 0;
  std::vector<MatterResult> matters;       ///< in chain order
  std::vector<DepartmentResult> departments;  ///< in chain order (those with matters)
  std::uint64_t events = 0;     ///< timed events taken from the event heap
  std::uint64_t flow_events = 0;///< events applied to cases by the flow core (step calls)
};

struct SimulationResult {
  std::string chain;
  std::string calendar;
  std::uint64_t seed = 0;
  int replications = 0;
  double measured_days = 0;     ///< working days of arrival windows measured (after warm-up), all replications
  RegimeResult result;          ///< the chain as configured
  std::optional<RegimeResult> baseline;  ///< each matter applied for separately (Scenario::baseline_separate)
  std::string bottleneck_department;     ///< highest utilisation
  std::string bottleneck_matter;         ///< longest mean wait
  std::vector<std::string> warnings;     ///< e.g. a department loaded past its capacity
};

/// Progress of a running simulation: the chain's and the baseline's
/// arrivals together.
struct SimulationProgress {
  bool baseline = false;          ///< only the separate-applications run is left
  std::uint64_t arrived = 0;      ///< arrivals so far
  std::uint64_t expected = 0;     ///< arrivals expected in all (an estimate for Poisson days)
};
using ProgressCallback = std::function<void(const SimulationProgress&)>;

/// How simulate() runs, not what it simulates: results are the same bits
/// whatever these say.
struct SimulateOptions {
  /// Threads running replications at once, the chain's and the baseline's
  /// side by side; 0 for std::thread::hardware_concurrency(), 1 for this
  /// thread alone. Each replication draws its own random streams, fixed by
  /// the seed and its index, and replications merge in index order, so the
  /// count changes the time taken only. A run of one replication (a trace,
  /// or `days` without `cases`) uses one thread per regime.
  unsigned threads = 0;
};

/// Runs the scenario on the chain over `calendar` (Calendar::continuous()
/// for 24-hour days). Invalid scenarios (check_scenario errors, a horizon
/// past year 9999) come back as a Status, as does a failure inside any
/// replication (the first one in replication order, named). `progress`,
/// when set, is called from the calling thread every few thousand arrivals
/// (with several threads, about ten times a second). Thread-safe for
/// distinct arguments; the chain and calendar are only read.
[[nodiscard]] Result<SimulationResult> simulate(const ValidChain& chain, const Calendar& calendar,
                                                const Scenario& scenario, const SimulateOptions& options,
                                                const ProgressCallback& progress = {});
/// simulate() with the default options (a thread per core).
[[nodiscard]] Result<SimulationResult> simulate(const ValidChain& chain, const Calendar& calendar,
                                                const Scenario& scenario, const ProgressCallback& progress = {});

/// The chain an applicant meets applying for each matter on its own: the
/// same matters, one after another in the chain's topological order (each
/// comes after the previous one), same limits and conditions.
[[nodiscard]] ValidChain separate_applications_chain(const ValidChain& chain);

/// The service-time distribution simulate() uses for a matter the scenario
/// does not set.
[[nodiscard]] Distribution default_service(const Matter& matter);

}  // namespace yilian
