// Shared by the simulation tests: a one-matter chain for queueing theory,
// the kindergarten chain and its scenario, and the Erlang C formula.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "calendar_fixture.h"
#include "yilian/load.h"
#include "yilian/simulate.h"

namespace yilian::test {

/// One matter at one department: an M/M/c queue when service is exponential.
inline const char* kSingleMatterChain = R"(id: single
version: 1
name: 单事项
lead: x
promised_days: 5
statutory_days: 10
departments:
  x: { name: 甲局 }
fields:
  applicant.name: { label: 申请人, type: string }
materials:
  form: { name: 申请表 }
matters:
  - { id: a, name: 事项甲, department: x, statutory_days: 10, promised_days: 5, fields: [applicant.name], materials: [form] }
)";

inline ValidChain chain_from_text(const char* yaml, const char* name) {
  Loaded<ValidChain> r = load_chain_text(yaml, name);
  for (const auto& d : r.diagnostics) MESSAGE(d.to_string());
  REQUIRE(r.ok());
  return r.value();
}

inline ValidChain single_matter_chain() { return chain_from_text(kSingleMatterChain, "single.yaml"); }

inline ValidChain kindergarten_chain() {
  static const ValidChain c = [] {
    Loaded<ValidChain> r = load_chain(std::string(YILIAN_SOURCE_DIR) + "/chains/kindergarten-setup.yaml");
    REQUIRE(r.ok());
    return r.value();
  }();
  return c;
}

inline std::string kindergarten_scenario_path() {
  return std::string(YILIAN_SOURCE_DIR) + "/chains/scenarios/kindergarten-setup.yaml";
}

inline Scenario kindergarten_scenario() {
  Loaded<Scenario> r = load_scenario_file(kindergarten_scenario_path(), *kindergarten_chain());
  for (const auto& d : r.diagnostics) MESSAGE(d.to_string());
  REQUIRE(r.ok());
  return r.value();
}

/// Erlang C: the mean time a customer waits in an M/M/c queue with
/// arrival rate lambda, service rate mu per server and c servers.
inline double erlang_c_wait(double lambda, double mu, int c) {
  const double a = lambda / mu, rho = a / c;
  double term = 1, below = 0;  // term = a^k / k!
  for (int k = 0; k < c; ++k) {
    below += term;
    term *= a / (k + 1);
  }
  const double top = term / (1 - rho);  // a^c / c! / (1 - rho)
  const double probability_of_waiting = top / (below + top);
  return probability_of_waiting / (c * mu - lambda);
}

inline SimulationResult run_ok(const ValidChain& chain, const Calendar& cal, const Scenario& s) {
  auto r = simulate(chain, cal, s);
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  return std::move(*r);
}

}  // namespace yilian::test
