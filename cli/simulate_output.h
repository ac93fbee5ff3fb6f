// Output of `yilian simulate`: the JSON document, the tables, and the
// progress bar on stderr.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>

#include "yilian/chain.h"
#include "yilian/scenario.h"
#include "yilian/simulate.h"

namespace yilian::cli {

/// The `simulate --json` document (docs/simulation.md; DESIGN.md keys first).
nlohmann::json result_json(const Chain& chain, const SimulationResult& r);

/// Human-readable tables on stdout.
void print_tables(const Chain& chain, const Scenario& s, const SimulationResult& r);

/// A progress bar redrawn on stderr (only used when stderr is a terminal),
/// at most ten times a second.
class ProgressBar {
 public:
  void update(const SimulationProgress& p);
  void finish();

 private:
  std::chrono::steady_clock::time_point last_{};
  bool drawn_ = false;
};

}  // namespace yilian::cli
