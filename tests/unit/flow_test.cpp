// The case state machine, transition by transition.
#include <doctest/doctest.h>

#include "flow_fixture.h"

using namespace yilian;
using namespace yilian::test;

namespace flow_test {

TEST_CASE("flow.submit.incomplete_gets_one_notice_and_no_clock") {
  Driver d;
  auto r = d.apply("2025-03-03T09:00", event::Submitted{{}, {}, Channel::window});
  REQUIRE(r.result == StepResult::applied);
  CHECK(d.s.stage == CaseStage::incomplete);
  CHECK_FALSE(d.s.accepted_on.has_value());
  CHECK(d.s.visits == 1);
  auto notices = d.commands<command::SendNotice>();
  REQUIRE(notices.size() == 1);
  // Everything at once: the condition field, the applicant field, the lease.
  std::vector<std::string> keys;
  for (const auto& m : notices[0].missing) keys.push_back(m.key);
  // In the form's order: fields as catalogued, then materials.
  CHECK(keys == std::vector<std::string>{"applicant.name", "x.flag", "lease"});
  // The licence is issued inside the chain: never asked of the applicant.
  CHECK(d.dispatched().empty());

  // Supplements make it complete: the clock starts on that day.
  r = d.apply("2025-03-05T10:00", event::Supplemented{{{"applicant.name", std::string("张三")}, {"x.flag", false}}, {"lease"}, true});
  REQUIRE(r.result == StepResult::applied);
  CHECK(d.s.stage == CaseStage::running);
  CHECK(d.s.accepted_on == D("2025-03-05"));
  CHECK(d.s.visits == 2);
  CHECK(d.dispatched() == std::vector<std::string>{"a"});
  CHECK(d.status("e") == TaskStatus::skipped);
}

TEST_CASE("flow.submit.after_hours_counts_from_next_working_day") {
  Driver d;
  d.submit("2025-09-30T17:30", true);  // the day before the National Day holidays
  CHECK(d.s.accepted_on == D("2025-10-09"));
  // The chain's 15 working days count from the acceptance date; Saturday
  // 10-11 is an adjusted working day, so day 15 is 10-29.
  CHECK(d.s.deadline(*d.fc).date == D("2025-10-29"));
  CHECK(d.dispatched() == std::vector<std::string>{"a", "e"});
  CHECK(d.s.tasks[0].started == D("2025-10-09"));
}

TEST_CASE("flow.produced_value_switches_a_matter_on") {
  for (const char* kind : {"big", "small"}) {
    CAPTURE(kind);
    Driver d;
    d.submit("2025-03-03T09:00", false);
    // (An undeclared value is refused: flow.outcomes.an_approval_must_carry_valid_produced_values.)
    d.approve("2025-03-06T11:00", "a", {{"a.kind", std::string(kind)}});
    REQUIRE(d.s.value("a.kind") != nullptr);
    CHECK(std::get<std::string>(*d.s.value("a.kind")) == kind);
    CHECK(d.s.values->count("a.kind") == 0);      // produced values stay apart from the applicant's
    if (std::string(kind) == "big") {
      CHECK(d.dispatched() == std::vector<std::string>{"b", "c"});
      d.approve("2025-03-07T09:00", "b");
      CHECK(d.status("d") == TaskStatus::waiting);  // still waits for c
      d.approve("2025-03-10T09:00", "c");
    } else {
      CHECK(d.dispatched() == std::vector<std::string>{"b"});
      CHECK(d.status("c") == TaskStatus::skipped);
      d.approve("2025-03-07T09:00", "b");
    }
    CHECK(d.dispatched() == std::vector<std::string>{"d"});
    d.approve("2025-03-11T09:00", "d");
    CHECK(d.s.stage == CaseStage::ready);
    CHECK(d.commands<command::ReadyForDelivery>().size() == 1);
    CHECK(d.s.finished_on == D("2025-03-11"));
    auto r = d.apply("2025-03-12T09:00", event::Delivered{DeliveryMethod::express, "SF123"});
    REQUIRE(r.result == StepResult::applied);
    CHECK(d.s.stage == CaseStage::delivered);
    CHECK(d.s.visits == 1);  // submitted at the window, results by express: one visit
  }
}

TEST_CASE("flow.outcomes.an_approval_must_carry_valid_produced_values") {
  // Matter a declares `a.kind: enum [big, small]` under produces.
  struct Row {
    const char* name;
    FieldValues produced;
    const char* reason;  ///< expected in the refusal; nullptr: applied
  };
  const Row rows[] = {
      {"missing", {}, "`a.kind` (类别) is missing"},
      {"blank", {{"a.kind", std::string("  ")}}, "`a.kind` (类别) is missing"},
      {"not one of the values", {{"a.kind", std::string("huge")}}, "`a.kind` (类别) is not valid"},
      {"wrong type", {{"a.kind", std::int64_t{3}}}, "`a.kind` (类别) is not valid"},
      {"valid, with an undeclared extra", {{"a.kind", std::string("big")}, {"other", true}},
       "`other` is not one a declares under `produces` (a.kind)"},
      {"a misspelt key", {{"a.kind", std::string("big")}, {"a.knid", std::string("big")}},
       "`a.knid` is not one a declares under `produces` (a.kind); did you mean `a.kind`?"},
      {"valid", {{"a.kind", std::string("big")}}, nullptr},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    Driver d;
    d.submit("2025-03-03T09:00", false);
    const CaseState before = d.s;
    auto r = d.apply("2025-03-04T09:00", event::TaskApproved{d.m("a"), d.attempt("a"), row.produced});
    if (!row.reason) {
      CHECK(r.result == StepResult::applied);
      CHECK(d.status("a") == TaskStatus::approved);
      CHECK(d.s.produced.count("other") == 0);
      continue;
    }
    CHECK(r.result == StepResult::invalid);
    CHECK_MESSAGE(r.reason.find(row.reason) != std::string::npos, r.reason);
    CHECK(r.reason.find("approval of a") != std::string::npos);
    // Nothing changed: the task is still open, no command went out.
    CHECK(d.status("a") == TaskStatus::dispatched);
    CHECK(d.s.events == before.events);
    CHECK(d.s.produced.empty());
    CHECK(d.out.empty());
    // The department answers again, properly: applied.
    d.approve("2025-03-04T10:00", "a", {{"a.kind", std::string("small")}});
    CHECK(d.status("a") == TaskStatus::approved);
  }
}

TEST_CASE("flow.outcomes.duplicate_and_late_are_ignored") {
  Driver d;
  d.submit("2025-03-03T09:00", false);
  const auto attempt = d.attempt("a");
  d.approve("2025-03-04T09:00", "a", {{"a.kind", std::string("small")}});
  const auto events = d.s.events;
  // The same completion again: recognised and ignored, not applied twice.
  auto r = d.apply("2025-03-04T09:05", event::TaskApproved{d.m("a"), attempt, {}});
  CHECK(r.result == StepResult::ignored);
  CHECK(d.s.events == events + 1);
  CHECK(d.out.empty());
  // An outcome for an attempt that is not the current one.
  r = d.apply("2025-03-04T10:00", event::TaskApproved{d.m("b"), d.attempt("b") + 5, {}});
  CHECK(r.result == StepResult::ignored);
  CHECK(r.reason.find("current attempt") != std::string::npos);
  CHECK(d.status("b") == TaskStatus::dispatched);
  // A rejection of an already approved task changes nothing but the count
  // of events.
  CaseState before = d.s;
  r = d.apply("2025-03-04T10:00", event::TaskRejected{d.m("a"), attempt, "late"});
  CHECK(r.result == StepResult::ignored);
  ++before.events;
  CHECK(d.s == before);
}

TEST_CASE("flow.reject_mid_chain_cancels_open_tasks") {
  Driver d;
  d.submit("2025-03-03T09:00", true);  // a and e dispatched
  d.approve("2025-03-04T09:00", "a", {{"a.kind", std::string("big")}});  // b, c dispatched
  auto r = d.apply("2025-03-05T09:00", event::TaskRejected{d.m("c"), d.attempt("c"), "场地不符合要求"});
  REQUIRE(r.result == StepResult::applied);
  CHECK(d.s.stage == CaseStage::rejected);
  CHECK(d.status("c") == TaskStatus::rejected);
  CHECK(d.status("b") == TaskStatus::cancelled);
  CHECK(d.status("e") == TaskStatus::cancelled);
  CHECK(d.status("d") == TaskStatus::cancelled);
  std::vector<std::string> cancelled;
  for (const auto& c : d.commands<command::Cancel>()) cancelled.push_back(d.fc->matter_id(c.matter));
  std::sort(cancelled.begin(), cancelled.end());
  CHECK(cancelled == std::vector<std::string>{"b", "e"});
  REQUIRE(d.commands<command::NotifyEnded>().size() == 1);
  CHECK(d.s.reason.find("场地不符合要求") != std::string::npos);
  // Later outcomes are ignored; delivery is not possible.
  CHECK(d.apply("2025-03-06T09:00", event::TaskApproved{d.m("b"), 1, {}}).result == StepResult::ignored);
  CHECK(d.apply("2025-03-06T09:00", event::Delivered{}).result == StepResult::invalid);
}

TEST_CASE("flow.supplements_in_a_parallel_stage_go_out_as_one_notice") {
  Driver d;
  d.submit("2025-03-03T09:00", false);
  d.approve("2025-03-04T09:00", "a", {{"a.kind", std::string("big")}});  // b and c in parallel
  const Event together[] = {
      {at("2025-03-05T15:00"), event::SupplementRequested{d.m("b"), 1, {"消防验收意见书"}, "缺材料"}},
      {at("2025-03-05T15:00"), event::SupplementRequested{d.m("c"), 1, {"场地平面图", "卫生评价报告"}, "缺材料"}},
  };
  d.out.clear();
  auto r = step_all(*d.fc, d.s, together, d.out);
  REQUIRE(r.result == StepResult::applied);
  auto notices = d.commands<command::SendNotice>();
  REQUIRE(notices.size() == 1);
  CHECK(notices[0].requests.size() == 2);
  CHECK(d.s.notices == 1);
  CHECK(d.status("b") == TaskStatus::supplement);
  CHECK(d.status("c") == TaskStatus::supplement);

  // The applicant answers a week later: both go back as attempt 2, and the
  // working days waited do not count against either task or the case.
  r = d.apply("2025-03-12T09:00", event::Supplemented{{}, {"licence"}, false});
  REQUIRE(r.result == StepResult::applied);
  CHECK(d.dispatched() == std::vector<std::string>{"b", "c"});
  CHECK(d.attempt("b") == 2);
  CHECK(d.s.tasks[static_cast<std::size_t>(d.m("b"))].ledger.entries().size() == 1);
  // b started 03-04 with 3 days: 03-07 without the stop; 03-06..03-12 stopped (5 working days).
  CHECK(d.s.task_deadline(*d.fc, d.m("b")).date == D("2025-03-14"));
  CHECK(d.s.task_deadline(*d.fc, d.m("b")).suspended_days == 5);
  CHECK(d.s.deadline(*d.fc).suspended_days == 5);  // the two stops overlap: counted once
  // The old attempt's answer is late now.
  CHECK(d.apply("2025-03-12T10:00", event::TaskApproved{d.m("b"), 1, {}}).result == StepResult::ignored);
  d.approve("2025-03-12T11:00", "b");
}

TEST_CASE("flow.a_supplement_must_hand_in_something") {
  Driver d;
  d.submit("2025-03-03T09:00", false);
  d.approve("2025-03-04T09:00", "a", {{"a.kind", std::string("small")}});
  REQUIRE(d.apply("2025-03-05T15:00", event::SupplementRequested{d.m("b"), 1, {"消防验收意见书"}, "缺材料"}).result ==
          StepResult::applied);
  const CaseState before = d.s;
  d.out.clear();
  // Nothing handed in (a visit to the window included): refused; the clock
  // stays stopped and the task is not sent out again.
  for (bool in_person : {false, true}) {
    auto r = d.apply("2025-03-12T09:00", event::Supplemented{{}, {}, in_person});
    CHECK(r.result == StepResult::invalid);
    CHECK(r.reason.find("nothing was handed in") != std::string::npos);
    CHECK(d.s == before);  // the clock stays stopped, the task is not sent out again
    CHECK(d.out.empty());
  }
  // Something handed in answers the request.
  REQUIRE(d.apply("2025-03-12T09:00", event::Supplemented{{}, {"licence"}, false}).result == StepResult::applied);
  CHECK(d.attempt("b") == 2);
  // The same for an incomplete application: an empty answer to 一次告知 is refused.
  Driver incomplete;
  REQUIRE(incomplete.apply("2025-03-03T09:00", event::Submitted{{}, {}, Channel::window}).result == StepResult::applied);
  REQUIRE(incomplete.s.stage == CaseStage::incomplete);
  CHECK(incomplete.apply("2025-03-04T09:00", event::Supplemented{}).result == StepResult::invalid);
  CHECK(incomplete.s.stage == CaseStage::incomplete);
  CHECK(incomplete.s.notices == 1);
}

TEST_CASE("flow.article45_suspension_stops_the_task_clock") {
  Driver d;
  d.submit("2025-03-03T09:00", false);
  auto r = d.apply("2025-03-04T09:00", event::TaskSuspended{d.m("a"), 1, SuspensionReason::expert_review, 10, "专家评审"});
  REQUIRE(r.result == StepResult::applied);
  CHECK(d.status("a") == TaskStatus::suspended);
  CHECK(d.apply("2025-03-04T09:00", event::TaskSuspended{d.m("a"), 1, SuspensionReason::supplement, {}, ""}).result ==
        StepResult::invalid);
  r = d.apply("2025-03-11T09:00", event::TaskResumed{d.m("a"), 1});
  REQUIRE(r.result == StepResult::applied);
  const auto& ledger = d.s.tasks[0].ledger;
  REQUIRE(ledger.entries().size() == 1);
  CHECK(ledger.entries()[0].from == D("2025-03-05"));
  CHECK(ledger.entries()[0].to == D("2025-03-11"));
  CHECK(ledger.entries()[0].told_days == 10);
  // 5 days from 03-03, with 03-05..03-11 (5 working days) stopped: 03-17.
  CHECK(d.s.task_deadline(*d.fc, 0).date == D("2025-03-17"));
}

TEST_CASE("flow.withdrawal_and_extension") {
  Driver d;
  d.submit("2025-03-03T09:00", true);
  SUBCASE("extensions are recorded events") {
    Extension e{ExtensionBasis::department_head, 10, "局长", D("2025-03-04"), "情况复杂"};
    REQUIRE(d.apply("2025-03-04T09:00", event::Extended{d.m("a"), e}).result == StepResult::applied);
    CHECK(d.s.tasks[0].limit.total_days() == 15);
    CHECK(d.s.tasks[0].limit.extensions().size() == 1);
    // A second extension on the same basis is refused and changes nothing.
    const CaseState before = d.s;
    auto r = d.apply("2025-03-05T09:00", event::Extended{d.m("a"), e});
    CHECK(r.result == StepResult::invalid);
    CHECK(d.s == before);
    CHECK(d.s.tasks[0].limit.total_days() == 15);
    Extension gov{ExtensionBasis::government_head, 15, "区长", D("2025-03-05"), "联合办理"};
    REQUIRE(d.apply("2025-03-05T09:00", event::Extended{-1, gov}).result == StepResult::applied);
    CHECK(d.s.limit.total_days() == 30);
    CHECK(d.apply("2025-03-05T09:00", event::Extended{d.m("d"), e}).result == StepResult::invalid);  // d waits
  }
  SUBCASE("withdrawal cancels what is open") {
    auto r = d.apply("2025-03-04T09:00", event::Withdrawn{"不再办理"});
    REQUIRE(r.result == StepResult::applied);
    CHECK(d.s.stage == CaseStage::withdrawn);
    CHECK(d.commands<command::Cancel>().size() == 2);  // a and e
    CHECK(d.apply("2025-03-04T09:00", event::Withdrawn{"again"}).result == StepResult::invalid);
  }
}

TEST_CASE("flow.incident_and_retry") {
  Driver d;
  d.submit("2025-03-03T09:00", false);
  REQUIRE(d.apply("2025-03-03T09:10", event::TaskIncident{d.m("a"), 1, "timeout after 3 attempts"}).result ==
          StepResult::applied);
  CHECK(d.status("a") == TaskStatus::incident);
  CHECK(d.apply("2025-03-03T09:20", event::TaskRetried{d.m("b")}).result == StepResult::invalid);
  REQUIRE(d.apply("2025-03-03T10:00", event::TaskRetried{d.m("a")}).result == StepResult::applied);
  CHECK(d.dispatched() == std::vector<std::string>{"a"});
  CHECK(d.attempt("a") == 2);
}

TEST_CASE("flow.invalid_events_change_nothing") {
  Driver d;
  CHECK(d.apply("2025-03-03T09:00", event::Delivered{}).result == StepResult::invalid);
  CHECK(d.apply("2025-03-03T09:00", event::Withdrawn{}).result == StepResult::invalid);
  CHECK(d.s == new_case(*d.fc, 1));
  d.submit("2025-03-03T09:00", false);
  const CaseState before = d.s;
  CHECK(d.apply("2025-03-03T09:00", event::Submitted{}).result == StepResult::invalid);
  CHECK(d.apply("2025-03-03T09:00", event::TaskApproved{99, 1, {}}).result == StepResult::invalid);
  CHECK(d.apply("2025-03-03T09:00", event::SupplementRequested{0, 1, {}, ""}).result == StepResult::invalid);
  // Values the form refuses, handed in later: refused, naming them.
  auto bad = d.apply("2025-03-04T09:00", event::Supplemented{{{"x.flag", std::string("yes")}}, {"no-such-material"}, false});
  CHECK(bad.result == StepResult::invalid);
  CHECK(bad.reason.find("x.flag") != std::string::npos);
  CHECK(bad.reason.find("no-such-material") != std::string::npos);
  CHECK(d.s == before);
  CHECK(d.out.empty());
}

TEST_CASE("flow.values_handed_in_later_are_checked_by_their_fields_rules") {
  // A pattern on a field, a boolean: values handed in after acceptance that
  // break them are refused, naming the key (the rules are compiled once,
  // with the chain).
  std::string text = test::kFlowChain;
  const std::string plain = "applicant.name: { label: 申请人, type: string }";
  REQUIRE(text.find(plain) != std::string::npos);
  text.replace(text.find(plain), plain.size(), R"(applicant.name: { label: 申请人, type: string, pattern: "^[0-9]{6}$" })");
  Driver d({}, text.c_str());
  REQUIRE(d.apply("2025-03-03T09:00", event::Submitted{{{"applicant.name", std::string("123456")}, {"x.flag", false}}, {"lease"},
                                                        Channel::window})
              .result == StepResult::applied);
  const CaseState before = d.s;
  for (const auto& [key, value] : {std::pair<std::string, std::string>{"applicant.name", "12345x"}, {"x.flag", "perhaps"}}) {
    INFO(key);
    auto bad = d.apply("2025-03-04T09:00", event::Supplemented{{{key, value}}, {}, false});
    CHECK(bad.result == StepResult::invalid);
    CHECK_MESSAGE(bad.reason.find(key) != std::string::npos, bad.reason);
    CHECK(d.s == before);
  }
  CHECK(d.apply("2025-03-04T09:00", event::Supplemented{{{"applicant.name", std::string("654321")}}, {}, false}).result ==
        StepResult::applied);
}

TEST_CASE("flow.alerts_follow_the_working_days") {
  Driver d;
  d.submit("2025-03-03T09:00", false);  // a: 5 days → 03-10; yellow threshold ceil(5/5) = 1
  auto timers = d.commands<command::ArmTimer>();
  REQUIRE(timers.size() == 1);
  CHECK(timers[0].at.date() == D("2025-03-07"));  // 4 days used, 1 left: yellow
  REQUIRE(d.apply("2025-03-07T00:00", event::TimerFired{}).result == StepResult::applied);
  auto alerts = d.commands<command::Alert>();
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].matter == d.m("a"));
  CHECK(alerts[0].level == AlertLevel::yellow);
  CHECK(alerts[0].deadline == D("2025-03-10"));
  REQUIRE(d.commands<command::ArmTimer>().size() == 1);
  CHECK(d.commands<command::ArmTimer>()[0].at.date() == D("2025-03-11"));
  REQUIRE(d.apply("2025-03-11T00:00", event::TimerFired{}).result == StepResult::applied);
  CHECK(d.s.tasks[0].alert == AlertLevel::red);
  CHECK(d.s.tasks[0].supervision == Supervision::first_level);
  // Five further counted days late: second-level supervision.
  REQUIRE(d.apply("2025-03-18T00:00", event::TimerFired{}).result == StepResult::applied);
  CHECK(d.s.tasks[0].supervision == Supervision::second_level);
}

TEST_CASE("flow.a_one_day_task_is_green_until_its_deadline_day") {
  Driver d;
  d.submit("2025-03-03T09:00", true);  // e: 1 promised day → 03-04
  REQUIRE(d.status("e") == TaskStatus::dispatched);
  // Not yellow from the moment it starts (即办件 and 1-day matters).
  CHECK(d.commands<command::Alert>().empty());
  CHECK(d.s.tasks[static_cast<std::size_t>(d.m("e"))].alert == AlertLevel::green);
  auto timers = d.commands<command::ArmTimer>();
  REQUIRE(timers.size() == 1);
  CHECK(timers[0].at.date() == D("2025-03-04"));
  REQUIRE(d.apply("2025-03-04T00:00", event::TimerFired{}).result == StepResult::applied);
  auto alerts = d.commands<command::Alert>();
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].matter == d.m("e"));
  CHECK(alerts[0].level == AlertLevel::yellow);
  CHECK(alerts[0].deadline == D("2025-03-04"));
}

TEST_CASE("flow.replay_is_deterministic_and_recovery_reissues") {
  std::vector<Event> log;
  Driver d;
  auto record = [&](const char* when, EventBody b) {
    log.push_back({at(when), b});
    d.out.clear();
    return step(*d.fc, d.s, log.back(), d.out);
  };
  record("2025-03-03T09:00", event::Submitted{{{"applicant.name", std::string("张三")}, {"x.flag", true}}, {"lease"}, Channel::window});
  record("2025-03-04T09:00", event::TaskApproved{0, 1, {{"a.kind", std::string("big")}}});
  record("2025-03-05T09:00", event::SupplementRequested{1, 1, {"图纸"}, ""});
  record("2025-03-06T09:00", event::TaskApproved{0, 1, {}});  // duplicate, ignored

  CaseState replay = new_case(*d.fc, 1);
  std::vector<Command> out;
  for (const auto& e : log) (void)step(*d.fc, replay, e, out);
  CHECK(replay == d.s);
  std::vector<Command> pending;
  pending_commands(*d.fc, replay, pending);
  std::vector<int> dispatches;
  for (const auto& c : pending)
    if (auto* p = std::get_if<command::Dispatch>(&c)) dispatches.push_back(p->matter);
  CHECK(dispatches == std::vector<int>{2, 4});  // c and e are with their departments; b waits for the applicant
}

TEST_CASE("flow.supplement_requests_of_one_instant_are_one_notice_whichever_way_they_are_applied") {
  // step() counts the notice per instant, so applying the events one by
  // one (the engine, a replay of the log) or together (step_all) gives the
  // same state; merge_supplement_notices() only folds the commands.
  Driver d;
  d.submit("2025-03-03T09:00", false);
  d.approve("2025-03-04T09:00", "a", {{"a.kind", std::string("big")}});  // b and c in parallel
  const CaseState before = d.s;
  d.out.clear();
  const int notices_before = d.s.notices;
  for (const char* id : {"b", "c"}) {
    auto r = step(*d.fc, d.s, Event{at("2025-03-05T15:00"), event::SupplementRequested{d.m(id), 1, {"图纸"}, ""}}, d.out);
    REQUIRE(r.result == StepResult::applied);
  }
  CHECK(d.s.notices == notices_before + 1);
  auto notices = d.commands<command::SendNotice>();
  REQUIRE(notices.size() == 2);
  CHECK_FALSE(notices[0].joins);
  CHECK(notices[1].joins);
  merge_supplement_notices(d.out, 0);
  notices = d.commands<command::SendNotice>();
  REQUIRE(notices.size() == 1);
  CHECK(notices[0].requests.size() == 2);
  CHECK(d.s.notices == notices_before + 1);
  // Nothing to merge: a no-op, also past the end.
  merge_supplement_notices(d.out, 0);
  merge_supplement_notices(d.out, d.out.size() + 3);
  CHECK(d.commands<command::SendNotice>().size() == 1);

  // The same two events through step_all: the same state.
  CaseState together = before;
  std::vector<Command> out;
  const Event both[] = {
      {at("2025-03-05T15:00"), event::SupplementRequested{d.m("b"), 1, {"图纸"}, ""}},
      {at("2025-03-05T15:00"), event::SupplementRequested{d.m("c"), 1, {"图纸"}, ""}},
  };
  REQUIRE(step_all(*d.fc, together, both, out).result == StepResult::applied);
  CHECK(together == d.s);

  // A second apart, they are two notices, whatever list their commands
  // are in: the instant decides, not how requests were grouped.
  CaseState apart = before;
  out.clear();
  const Event later[] = {
      {at("2025-03-05T15:00"), event::SupplementRequested{d.m("b"), 1, {"图纸"}, ""}},
      {Instant{at("2025-03-05T15:00").seconds + 1}, event::SupplementRequested{d.m("c"), 1, {"图纸"}, ""}},
  };
  REQUIRE(step_all(*d.fc, apart, later, out).result == StepResult::applied);
  CHECK(apart.notices == notices_before + 2);
  std::size_t sent = 0;
  for (const Command& c : out) sent += std::holds_alternative<command::SendNotice>(c) ? 1 : 0;
  CHECK(sent == 2);
}

TEST_CASE("flow.alert_status_read_at_any_date_matches_the_recorded_levels") {
  Driver d;
  d.submit("2025-03-03T09:00", false);  // a: 5 days → 03-10
  const AlertStatus early = task_alert_status(*d.fc, d.s, d.m("a"), D("2025-03-04"));
  CHECK(early.level == AlertLevel::green);
  CHECK(early.deadline.date == D("2025-03-10"));
  const AlertStatus late = task_alert_status(*d.fc, d.s, d.m("a"), D("2025-03-11"));
  CHECK(late.level == AlertLevel::red);
  REQUIRE(d.apply("2025-03-11T00:00", event::TimerFired{}).result == StepResult::applied);
  CHECK(d.s.tasks[0].alert == late.level);
  CHECK(d.s.tasks[0].supervision == late.supervision);
  // An open clock stop counts up to the date read and moves the deadline.
  Driver e;
  e.submit("2025-03-03T09:00", false);
  REQUIRE(e.apply("2025-03-06T09:00", event::SupplementRequested{e.m("a"), 1, {"图纸"}, ""}).result == StepResult::applied);
  const AlertStatus stopped = task_alert_status(*e.fc, e.s, e.m("a"), D("2025-03-14"));
  CHECK(stopped.clock_stopped);
  CHECK(stopped.deadline.suspended_days == 6);  // 03-07 and 03-10..03-14
  CHECK(stopped.deadline.date > D("2025-03-10"));
  CHECK(stopped.level == AlertLevel::green);
  const AlertStatus whole = case_alert_status(*e.fc, e.s, D("2025-03-14"));
  CHECK(whole.deadline.suspended_days == 6);
  CHECK(whole.deadline.date > e.s.deadline(*e.fc).date);
}

TEST_CASE("flow.limits_in_months_and_days_count_on_the_calendar") {
  // Matter a promises "1 month" under a statutory "2 months", the chain
  // "32 days": the tasks and the case take these units, and their deadlines
  // and alerts are counted by 民法典 Arts. 201–203.
  std::string text = test::kFlowChain;
  auto swap = [&](std::string_view from, std::string_view to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
  };
  swap("promised_days: 15", "promised: \"32 days\"");
  swap("statutory_days: 20\n    promised_days: 5", "statutory: \"2 months\"\n    promised: 1 month");
  Loaded<ValidChain> r = load_chain_text(text, "flowtest.yaml");
  for (const auto& d : r.diagnostics) MESSAGE(d.to_string());
  REQUIRE(r.ok());
  const auto fc = FlowChain::compile(r.value(), test::cn_mainland(), {});
  CaseState s = new_case(*fc, 1);
  const int a = fc->matter_index("a");
  CHECK(s.limit.base() == Limit{32, LimitUnit::days});
  CHECK(s.tasks[static_cast<std::size_t>(a)].limit.base() == Limit{1, LimitUnit::months});
  std::vector<Command> out;
  REQUIRE(step(*fc, s,
               Event{test::at("2025-03-31T09:00"),
                     event::Submitted{{{"applicant.name", std::string("张三")}, {"x.flag", false}}, {"lease"}, Channel::window}},
               out)
              .result == StepResult::applied);
  // Accepted Mon 2025-03-31: one month is Wed 04-30; 32 days reach Fri
  // 05-02, inside 劳动节 (05-01..05-05 off) → Tue 05-06.
  CHECK(s.task_deadline(*fc, a).date == test::D("2025-04-30"));
  CHECK(s.deadline(*fc).date == test::D("2025-05-06"));
  // (03-31, 04-30] holds 22 working days (04-04 清明 off, Sun 04-27 worked):
  // yellow at 5 left, from the 17th working day, Thu 04-24.
  CHECK(s.task_deadline(*fc, a).limit_days == 22);
  CHECK(task_alert_status(*fc, s, a, test::D("2025-04-23")).level == AlertLevel::green);
  CHECK(task_alert_status(*fc, s, a, test::D("2025-04-24")).level == AlertLevel::yellow);
  CHECK(task_alert_status(*fc, s, a, test::D("2025-05-06")).level == AlertLevel::red);
}

}  // namespace flow_test
