// 一次收齐 in the simulator: a share of returning applicants (applicant.returning)
// hands in fewer fields and no licence the holder registry holds; their
// cases still complete, so the saving shows in fields and materials per case.
#include <doctest/doctest.h>

#include <fstream>

#include "sim_fixture.h"

using namespace yilian;
using namespace yilian::test;

namespace sim_returning_test {

namespace {

ValidChain shipped(const char* id) {
  Loaded<ValidChain> r = load_chain(std::string(YILIAN_SOURCE_DIR) + "/chains/" + id + ".yaml");
  REQUIRE(r.ok());
  return r.value();
}

Scenario scenario_of(const ValidChain& chain, const char* id) {
  Loaded<Scenario> r = load_scenario_file(std::string(YILIAN_SOURCE_DIR) + "/chains/scenarios/" + id + ".yaml", *chain);
  for (const auto& d : r.diagnostics) MESSAGE(d.to_string());
  REQUIRE(r.ok());
  Scenario s = r.value();
  s.days.reset();
  s.cases = 4000;
  return s;
}

}  // namespace

TEST_CASE("sim.returning.applicants_the_registry_knows_hand_in_less_and_still_finish") {
  const ValidChain chain = shipped("company-change");
  Scenario s = scenario_of(chain, "company-change");
  const RegimeResult first = run_ok(chain, cn_mainland(), s).result;
  s.returning = 1;
  const RegimeResult all = run_ok(chain, cn_mainland(), s).result;
  s.returning = 0.5;
  const RegimeResult half = run_ok(chain, cn_mainland(), s).result;
  REQUIRE(first.cases > 3000);
  // Cases still finish as often: the flow took what was left out from the
  // registry. (Not the same count: the draw of who returns moves the
  // applicants' random numbers.)
  auto finished = [](const RegimeResult& r) { return static_cast<double>(r.cases) / static_cast<double>(r.arrived); };
  CHECK(finished(all) == doctest::Approx(finished(first)).epsilon(0.03));
  // The holder's section (applicant.*, less the credit code itself) and the old licence are not handed in.
  CHECK(all.fields_per_case < first.fields_per_case - 3);
  CHECK(all.materials_per_case == doctest::Approx(first.materials_per_case - 1).epsilon(0.02));
  CHECK(half.fields_per_case < first.fields_per_case);
  CHECK(half.fields_per_case > all.fields_per_case);
}

TEST_CASE("sim.returning.needs_a_chain_with_a_holder") {
  const ValidChain chain = kindergarten_chain();  // names no holder
  Scenario s = kindergarten_scenario();
  s.returning = 0.3;
  auto r = simulate(chain, cn_mainland(), s);
  REQUIRE_FALSE(r.is_ok());
  CHECK_MESSAGE(r.status().to_string().find("names no `holder` field") != std::string::npos, r.status().to_string());
}

}  // namespace sim_returning_test
