// What one step() works on (internal to the flow core): the case, the
// event, the commands it appends, and the pieces the handlers share.
// case_flow.cpp holds the case's course (submission to delivery and the
// alerts); case_ratings.cpp the 好差评 handlers; case_files.cpp the
// material files; case_reuse.cpp what a submission takes from the holder
// registry.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "yilian/flow.h"

namespace yilian::flow_step {

struct Ctx {
  const FlowChain& fc;
  CaseState& s;
  const Event& ev;
  std::vector<Command>& out;
  Date today;
  CheckMemo* memo = nullptr;
  std::optional<Date> start{};  ///< start_date() of the event, once asked

  /// The date a limit starts counting for what this event sets off: after
  /// office hours, on a weekend or a holiday, the next working day.
  Date start_date() {
    if (!start) start = acceptance_date(fc.calendar(), ev.at.date(), ev.at.time(), fc.office_hours()).date;
    return *start;
  }
};

inline StepOutcome applied() { return {}; }
inline StepOutcome ignored(std::string why) { return {StepResult::ignored, std::move(why)}; }
inline StepOutcome invalid(std::string why) { return {StepResult::invalid, std::move(why)}; }

inline const Matter& matter_of(const Ctx& c, int m) { return c.fc.chain().matters[static_cast<std::size_t>(m)]; }

/// The end of a limit counted from `from` (the start day not counted).
Date limit_end(const Ctx& c, Date from, const Limit& l);

/// What a submission with consent takes from the holder registry
/// (case_reuse.cpp): adds it to the application's lists; what was taken.
std::vector<Reused> take_from_registry(Ctx& c, const HolderRecord& record, Shared<FieldValues>& values,
                                       Shared<std::vector<std::string>>& materials);

/// After an approval of `matter`: what it verified and issued, for the
/// holder registry (command::Register), when the chain names a holder.
void register_holder(Ctx& c, int matter);

// The handlers defined outside case_flow.cpp, and the one they call.
StepOutcome on(Ctx& c, const event::Supplemented& e);
StepOutcome on(Ctx& c, const event::Rated& e);
StepOutcome on(Ctx& c, const event::FollowedUp& e);
StepOutcome on(Ctx& c, const event::FileAttached& e);

}  // namespace yilian::flow_step
