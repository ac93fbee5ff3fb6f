// What the simulator prepares once per run: per-matter and per-department
// parameters, the branches of the form, and the applications (profiles)
// that applicants hand in. Built from the chain, the scenario and the flow
// core's own rules (FlowChain::missing says what an application needs).
#pragma once

#include <array>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/random.h"
#include "sim/work_clock.h"
#include "yilian/flow.h"
#include "yilian/scenario.h"

namespace yilian::detail {

/// One kind of applicant: the values of the branch fields, the application
/// that follows from them, and what each matter produces for them.
struct Profile {
  /// The application as handed in, by kind: 0 complete; bit 1 one material left out
  /// (一次告知), bit 2 without the deferrable materials (容缺受理), bit 4
  /// committed to every matter with `commitment: optional` (告知承诺), bit 8
  /// handed in by an agent with the authorisation (代办帮办), bit 16 a
  /// returning applicant whose basic data and licences the holder registry
  /// holds (一次收齐).
  std::array<Event, 32> submits;
  std::vector<Event> approve;///< per matter: event::TaskApproved with the produced values
  int fields = 0;            ///< fields the applicant fills in on the one form (a returning one: fewer)
  int materials = 0;         ///< materials in the complete application
  /// Why the form's checker refuses the complete application (a value the
  /// simulator made up fails a field's rule); empty when it accepts it. An
  /// applicant of this profile could never be accepted, so the run stops.
  std::string problem;
};

/// A field whose value is drawn per applicant.
struct BranchKey {
  std::string key;
  std::vector<Value> values;
  std::vector<double> cumulative;  ///< running sum of shares, last = 1
  int producer = -1;               ///< matter that produces the key, or -1 (the applicant gives it)
};

struct Setup {
  std::shared_ptr<const FlowChain> fc;
  bool separate = false;
  const Scenario* scenario = nullptr;

  // per matter
  std::vector<int> dept_of;
  std::vector<Distribution> service;
  std::vector<Sampler> service_sampler;
  std::vector<double> p_reject, p_supplement;
  std::vector<std::optional<Distribution>> suspension;
  std::vector<Sampler> suspension_sampler;
  std::vector<SuspensionReason> suspension_reason;
  std::vector<std::vector<std::string>> supplement_items;  ///< what a supplement request asks for
  std::vector<int> own_materials, own_fields;   ///< applying for the matter on its own

  // per department (those with matters, in chain order)
  std::vector<std::string> dept_ids;
  std::vector<int> officers;
  std::vector<WorkClock> dept_clock;
  WorkClock chain_clock;  ///< arrivals, the applicant, delivery

  Limit statutory{45};  // the chain's statutory limit, else joint handling's 45 working days
  std::vector<BranchKey> branches;
  Sampler response, pickup, gap;

  /// The profile for a choice of value per branch key (built on first use).
  Profile& profile(const std::vector<int>& choice);

 private:
  std::map<std::vector<int>, std::unique_ptr<Profile>> profiles_;
};

/// Prepares a run. `separate` uses the chain as the separate-applications
/// baseline (accounting for visits and materials per matter).
std::unique_ptr<Setup> make_setup(std::shared_ptr<const FlowChain> fc, const Calendar& calendar,
                                  const Scenario& scenario, bool separate);

/// A value of the field's type for a field the scenario leaves open.
Value placeholder_value(const Field* f);

}  // namespace yilian::detail
