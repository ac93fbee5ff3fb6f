// Harness: a simulation scenario, as `yilian simulate CHAIN SCENARIO` reads
// it: loaded against the repository chain it names (load_scenario_text,
// check_scenario), then, when valid, simulated on a short horizon on one
// thread (a few weeks of arrivals: the flow, the queues and the
// distributions the file sets, without the hours a real run takes).
#include <algorithm>

#include "fuzz_support.h"
#include "yilian/calendar.h"
#include "yilian/scenario.h"
#include "yilian/simulate.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace yilian;
  const std::string_view text = fuzz::text_of(data, size);
  const ValidChain& chain = fuzz::chain_for(text);
  Loaded<Scenario> r = load_scenario_text(text, fuzz::source_path("chains/scenarios/fuzz.yaml"), *chain);
  fuzz::print_all(r.diagnostics);
  if (r.diagnostics.has_errors() != !r.has_value()) fuzz::violated("a scenario comes back exactly when there is no error");
  if (!r.ok()) return 0;
  Scenario s = std::move(r.value());
  const Diagnostics checked = check_scenario(*chain, s);
  fuzz::print_all(checked);
  if (checked.has_errors()) return 0;

  // The horizon is cut so that one input runs in milliseconds; what the
  // file says about everything else is kept.
  s.days = std::min(s.days.value_or(15), 15);
  s.cases.reset();
  s.warmup_days = std::min(s.warmup_days, 5);
  s.arrival_rate = std::min(s.arrival_rate, 4.0);
  if (s.trace.size() > 50) s.trace.resize(50);
  SimulateOptions options;
  options.threads = 1;
  Result<SimulationResult> result = simulate(chain, Calendar(), s, options);
  if (!result && result.status().message().empty()) fuzz::violated("a simulation error without a message");
  return 0;
}
