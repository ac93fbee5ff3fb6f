// Replications on a pool of threads: the chain's and the baseline's side by
// side, each replication's random streams fixed by its index, statistics
// merged so that every thread count gives the same bits (Accum in
// simulator.h says how).
#pragma once

#include <memory>
#include <vector>

#include "sim/setup.h"
#include "sim/simulator.h"
#include "yilian/simulate.h"

namespace yilian::detail {

/// One regime to simulate: the chain as configured, or the
/// separate-applications chain (`separate`).
struct RegimeSpec {
  ValidChain chain;
  bool separate = false;
};

/// A regime's statistics over all its replications, with the Setup that
/// says what they are of (departments, officers, matters).
struct RegimeOutcome {
  std::unique_ptr<Setup> setup;
  Accum acc;
};

/// Runs every replication of each regime on up to `threads` threads (1:
/// on this thread, none started). Replications are handed out in index
/// order, alternating between the regimes. `progress`, when set, is called
/// from this thread with the arrivals of all regimes together. On failure,
/// the error is the one a run on one thread meets first: the lowest
/// replication of the first regime that fails, its message naming the
/// replication when there are several.
[[nodiscard]] Result<std::vector<RegimeOutcome>> run_replications(const std::vector<RegimeSpec>& regimes,
                                                                  const Calendar& calendar, const Scenario& scenario,
                                                                  unsigned threads, const ProgressCallback& progress);

}  // namespace yilian::detail
