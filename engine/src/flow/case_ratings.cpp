// The 好差评 handlers of step(): a rating of the case or of one of its
// matters, and the follow-up of a bad one.
#include <fmt/format.h>

#include "flow/step_context.h"

namespace yilian::flow_step {

StepOutcome on(Ctx& c, const event::Rated& e) {
  if (e.grade < 1 || e.grade > 5)
    return invalid(fmt::format("a grade is 1 to 5 (非常不满意 … 非常满意), not {}", e.grade));
  if (c.s.stage == CaseStage::created) return invalid("the case was not submitted; there is nothing to rate yet");
  if (e.matter >= static_cast<int>(c.s.tasks.size()) || e.matter < -1)
    return invalid(fmt::format("no matter with index {} in chain {}", e.matter, c.fc.chain().id));
  if (e.matter >= 0) {
    const TaskStatus st = c.s.tasks[static_cast<std::size_t>(e.matter)].status;
    if (st == TaskStatus::waiting || st == TaskStatus::skipped)
      return invalid(fmt::format("matter {} is {}: only a matter that was handled is rated", c.fc.matter_id(e.matter),
                                 to_string(st)));
  }
  for (const Rating& r : c.s.ratings)
    if (r.matter == e.matter)
      return invalid(fmt::format("{} was rated already on {} (grade {}); each is rated once",
                                 e.matter < 0 ? std::string("the case") : "matter " + c.fc.matter_id(e.matter),
                                 r.at.date().to_string(), r.grade));
  const RatingPolicy& policy = c.fc.chain().ratings;
  if (is_final(c.s.stage)) {
    const Date ended = c.s.closed_on.value_or(c.s.finished_on);
    if (const Date last = limit_end(c, ended, policy.within); c.today > last)
      return invalid(fmt::format("ratings are taken until {} ({} after the case ended on {})", last.to_string(),
                                 to_string(policy.within), ended.to_string()));
  }
  Rating r{e.grade, e.matter, c.ev.at, e.comment, std::nullopt};
  if (e.grade <= 2) {
    // A bad rating (差评) is called back and rectified within the chain's
    // limits, counted from the day it was given.
    FollowUp f;
    f.call_back_due = limit_end(c, c.today, policy.call_back);
    f.rectify_due = limit_end(c, c.today, policy.rectify);
    r.follow_up = f;
  }
  c.s.ratings.push_back(std::move(r));
  return applied();
}

StepOutcome on(Ctx& c, const event::FollowedUp& e) {
  if (e.rating >= c.s.ratings.size())
    return invalid(fmt::format("the case has {} rating{}; there is no rating {}", c.s.ratings.size(),
                               c.s.ratings.size() == 1 ? "" : "s", e.rating + 1));
  Rating& r = c.s.ratings[e.rating];
  if (!r.follow_up) return invalid(fmt::format("rating {} is grade {}: only a bad rating (1 or 2) is followed up", e.rating + 1, r.grade));
  FollowUp& f = *r.follow_up;
  using Appeal = FollowUp::Appeal;
  if (f.closed())
    return invalid(fmt::format("the follow-up of rating {} is closed ({})", e.rating + 1,
                               f.rectified ? "rectified" : "set aside on appeal"));
  switch (e.step) {
    case FollowUpStep::called_back:
      if (f.called_back) return invalid(fmt::format("rating {} was called back on {}", e.rating + 1, f.called_back->to_string()));
      f.called_back = c.today;
      break;
    case FollowUpStep::rectified:
      if (!f.called_back) return invalid("the applicant is called back (回访) before the rectification is closed");
      if (f.appeal == Appeal::pending) return invalid("the appeal is under review (复核); decide it first");
      f.rectified = c.today;
      break;
    case FollowUpStep::appealed:
      if (e.note.empty()) return invalid("an appeal (申诉) states why the rating is unjust: give a note");
      if (f.appeal != Appeal::none) return invalid(fmt::format("rating {} was appealed already ({})", e.rating + 1, to_string(f.appeal)));
      f.appeal = Appeal::pending;
      break;
    case FollowUpStep::appeal_upheld:
    case FollowUpStep::appeal_rejected:
      if (f.appeal != Appeal::pending) return invalid(fmt::format("rating {} has no appeal under review", e.rating + 1));
      f.appeal = e.step == FollowUpStep::appeal_upheld ? Appeal::upheld : Appeal::rejected;
      break;
  }
  if (!e.note.empty()) f.note = e.note;
  return applied();
}

}  // namespace yilian::flow_step
