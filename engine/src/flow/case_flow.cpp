// step(): the transition function of a case. Each handler first checks that
// the event applies (invalid: nothing changes), then changes the state and
// appends commands; alert levels are re-read after every applied event.
#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "flow/step_context.h"

namespace yilian::flow_step {

/// Closes an open clock stop: the working days after the day it began, up to
/// and including today, are not counted (the day of receipt is a start day).
void close_stop(Ctx& c, TaskState& t) {
  if (!t.stopped_since) return;
  const Date from = *t.stopped_since + 1;
  if (c.today >= from) {
    Suspension sp{from, c.today, t.stop_reason, t.told_days, ""};
    (void)t.ledger.add(sp);
    (void)c.s.ledger.add(sp);
  }
  t.stopped_since.reset();
  t.told_days.reset();
  t.requested.clear();
}

void dispatch(Ctx& c, int m) {
  TaskState& t = c.s.tasks[static_cast<std::size_t>(m)];
  t.status = TaskStatus::dispatched;
  ++t.attempt;
  c.out.push_back(command::Dispatch{m, t.attempt});
}

/// Dispatches every waiting task whose dependencies are done and whose
/// condition holds; skips those whose condition does not. A skipped matter
/// counts as done for the matters after it, so they wait for what it waited
/// for. Marks the case ready when nothing is left.
void advance(Ctx& c) {
  for (int m : c.fc.order()) {
    TaskState& t = c.s.tasks[static_cast<std::size_t>(m)];
    if (t.status != TaskStatus::waiting) continue;
    const bool deps_done = std::all_of(c.fc.preds(m).begin(), c.fc.preds(m).end(), [&](int p) {
      const TaskStatus ps = c.s.tasks[static_cast<std::size_t>(p)].status;
      return is_granted(ps) || ps == TaskStatus::skipped;
    });
    if (!deps_done) continue;
    // The one rule of applicability (chain.h): not in force on the
    // acceptance date, or a condition that does not hold on the form data,
    // skips the matter. Unknown (a value the form lacks) counts as
    // applying, as in analysis and the check.
    const Matter& mt = matter_of(c, m);
    if (applies(mt, c.s.accepted_on, [&](std::string_view k) { return c.s.value(k); }) == Truth::no) {
      t.status = TaskStatus::skipped;
      t.finished = c.today;
      if (c.s.accepted_on && !mt.valid.contains(*c.s.accepted_on))
        t.note = fmt::format("not in force on {} ({})", c.s.accepted_on->to_string(), mt.valid.to_string());
      continue;
    }
    t.started = c.start_date();
    if (t.committed) {
      // 告知承诺: approved at once on the commitment; the department
      // verifies within verify_within, counted from today.
      t.finished = c.today;
      t.limit = TimeLimit(mt.verify_within);
      dispatch(c, m);
      t.status = TaskStatus::verifying;
      continue;
    }
    dispatch(c, m);
  }
  const bool done = std::all_of(c.s.tasks.begin(), c.s.tasks.end(), [](const TaskState& t) {
    return is_granted(t.status) || t.status == TaskStatus::skipped;
  });
  if (done && c.s.stage == CaseStage::running) {
    c.s.stage = CaseStage::ready;
    c.s.finished_on = c.today;
    // 容缺受理: results are held until the deferred materials arrive.
    if (c.s.deferred.empty()) c.out.push_back(command::ReadyForDelivery{});
  }
}

Date limit_end(const Ctx& c, Date from, const Limit& l) {
  return compute_deadline(c.fc.calendar(), from, TimeLimit(l), {}).date;
}

/// Accepts the case. Deferrable materials it lacks (容缺受理, in `check`)
/// do not stop it: the applicant is told in one notice what to bring and by
/// when (the chain's defer_within from the acceptance date).
void accept(Ctx& c, const CheckResult* check) {
  c.s.accepted_on = c.start_date();
  c.s.stage = CaseStage::running;
  if (check && !check->deferred.empty()) {
    for (const MissingItem& m : check->deferred) c.s.deferred.push_back(m.key);
    c.s.deferred_due = limit_end(c, *c.s.accepted_on, c.fc.chain().defer_within);
    ++c.s.notices;
    command::SendNotice n{command::SendNotice::Kind::deferred, c.fc.to_missing(check->deferred), {}, {}};
    n.due = c.s.deferred_due;
    c.out.push_back(std::move(n));
  }
  advance(c);
}

void end_case(Ctx& c, CaseStage stage, std::string reason) {
  for (std::size_t m = 0; m < c.s.tasks.size(); ++m) {
    TaskState& t = c.s.tasks[m];
    if (is_open(t.status)) {
      close_stop(c, t);
      c.out.push_back(command::Cancel{static_cast<int>(m), t.attempt});
      t.status = TaskStatus::cancelled;
      t.finished = c.today;
    } else if (t.status == TaskStatus::waiting) {
      t.status = TaskStatus::cancelled;
    }
  }
  c.s.stage = stage;
  c.s.reason = reason;
  c.s.finished_on = c.today;
  c.s.closed_on = c.today;
  c.out.push_back(command::NotifyEnded{stage, std::move(reason)});
}

bool sorted_unique(const std::vector<std::string>& v) {
  return std::adjacent_find(v.begin(), v.end(), std::greater_equal<>()) == v.end();
}

/// Checks that an outcome names a task of a running case and its current
/// attempt, in one of the `allowed` statuses. Empty when it applies.
std::optional<StepOutcome> check_outcome(const Ctx& c, int m, std::uint32_t attempt,
                                         std::initializer_list<TaskStatus> allowed) {
  if (m < 0 || static_cast<std::size_t>(m) >= c.s.tasks.size())
    return invalid(fmt::format("no matter with index {} in chain {}", m, c.fc.chain().id));
  const TaskState& t = c.s.tasks[static_cast<std::size_t>(m)];
  // A verification goes on after the results were handed out (告知承诺).
  const bool verification = t.status == TaskStatus::verifying &&
                            std::find(allowed.begin(), allowed.end(), TaskStatus::verifying) != allowed.end();
  if (c.s.stage != CaseStage::running &&
      !(verification && (c.s.stage == CaseStage::ready || c.s.stage == CaseStage::verifying)))
    return ignored(fmt::format("the case is {}; outcome of {} not applied", to_string(c.s.stage), c.fc.matter_id(m)));
  if (std::find(allowed.begin(), allowed.end(), t.status) == allowed.end())
    return ignored(fmt::format("task {} is {}", c.fc.matter_id(m), to_string(t.status)));
  if (attempt != t.attempt)
    return ignored(fmt::format("the outcome answers attempt {} of {}; the current attempt is {}", attempt,
                               c.fc.matter_id(m), t.attempt));
  return std::nullopt;
}

/// The verdict on the applicant's lists as they would be after this event,
/// or why the event is refused: values that are not valid are corrected at
/// the window before an application is taken (the notice lists what is
/// missing, never a typo).
std::optional<StepOutcome> refuse_invalid(Ctx& c, const Shared<FieldValues>& values,
                                          const Shared<std::vector<std::string>>& materials, FlowChain::Verdict& v) {
  v = c.fc.verdict(values, materials, c.start_date(), c.memo);
  if (v.complete || v.result->invalid.empty()) return std::nullopt;
  return invalid(invalid_items_message(v.result->invalid));
}

/// Accepts the application when it is complete; otherwise sends one notice
/// (一次告知) listing everything missing.
void accept_or_notify(Ctx& c, const FlowChain::Verdict& v) {
  if (v.complete) {
    accept(c, v.result.get());
    return;
  }
  c.s.stage = CaseStage::incomplete;
  ++c.s.notices;
  c.out.push_back(command::SendNotice{command::SendNotice::Kind::incomplete_application, c.fc.to_missing(*v.result),
                                      {}, v.result->invalid});
}

StepOutcome on(Ctx& c, const event::Submitted& e) {
  if (c.s.stage != CaseStage::created) return invalid(fmt::format("the case was already submitted ({})", to_string(c.s.stage)));
  // A chain is used only on the days it is in force (valid_from / valid_until).
  if (std::string why = c.fc.not_in_force(c.start_date()); !why.empty()) return invalid(why);
  if (e.agent) {
    // 代办帮办: the agent is named and acts with the applicant's authorisation.
    if (e.agent->name.empty() || e.agent->id_number.empty())
      return invalid("an agent (代办人) is named with a name and an ID number");
    if (std::find(e.materials->begin(), e.materials->end(), kAgentAuthorisation) == e.materials->end())
      return invalid(fmt::format("an agent acts with the applicant's authorisation ({}): hand in material `{}`",
                                 kAgentAuthorisationName, kAgentAuthorisation));
  }
  // 告知承诺: only a matter that allows it is approved on a commitment.
  for (int m : e.commitments) {
    if (m < 0 || static_cast<std::size_t>(m) >= c.s.tasks.size())
      return invalid(fmt::format("no matter with index {} to commit to", m));
    if (matter_of(c, m).commitment == Matter::Commitment::none)
      return invalid(fmt::format("matter {} is not approved on a commitment (告知承诺): it has no `commitment`",
                                 c.fc.matter_id(m)));
  }
  // The application's lists are kept as they are, shared with the event
  // (materials in order, each once; otherwise a sorted copy).
  Shared<FieldValues> values = e.fields;
  Shared<std::vector<std::string>> materials = c.s.materials;
  if (sorted_unique(*e.materials)) materials = e.materials;
  else c.fc.supplement(values, materials, {}, *e.materials, c.memo);  // into the new case's empty list
  // 一次收齐: with consent, what the holder registry holds fills the gaps.
  std::vector<Reused> reused;
  if (e.reuse) reused = take_from_registry(c, *e.reuse, values, materials);
  FlowChain::Verdict v;
  if (auto r = refuse_invalid(c, values, materials, v)) return *r;
  // Accepted from here on: nothing below refuses.
  for (std::size_t m = 0; m < c.s.tasks.size(); ++m)
    c.s.tasks[m].committed = c.fc.chain().matters[m].commitment == Matter::Commitment::required ||
                             std::find(e.commitments.begin(), e.commitments.end(), static_cast<int>(m)) != e.commitments.end();
  c.s.submitted_at = c.ev.at;
  c.s.channel = e.channel;
  c.s.agent = e.agent;
  // The agent goes to the window: the applicant does not.
  if (e.channel == Channel::window && !e.agent) ++c.s.visits;
  c.s.values = std::move(values);
  c.s.materials = std::move(materials);
  c.s.reuse_consent = e.reuse.has_value();
  c.s.reused = std::move(reused);
  accept_or_notify(c, v);
  return applied();
}

/// Deferred materials among what was handed in are no longer outstanding;
/// when none is left, results held for them can be handed out.
void receive_deferred(Ctx& c, const std::vector<std::string>& materials) {
  if (c.s.deferred.empty()) return;
  std::erase_if(c.s.deferred, [&](const std::string& id) {
    return std::find(materials.begin(), materials.end(), id) != materials.end();
  });
  if (!c.s.deferred.empty()) return;
  if (c.s.deferred_alert != AlertLevel::green) {
    c.s.deferred_alert = AlertLevel::green;
    c.out.push_back(command::Alert{-1, AlertLevel::green, Supervision::none, c.s.deferred_due, true});
  }
  if (c.s.stage == CaseStage::ready) c.out.push_back(command::ReadyForDelivery{});
}

StepOutcome on(Ctx& c, const event::Supplemented& e) {
  const bool awaits_deferred = c.s.stage == CaseStage::ready && !c.s.deferred.empty();
  if (c.s.stage != CaseStage::incomplete && c.s.stage != CaseStage::running && !awaits_deferred)
    return invalid(fmt::format("the case is {}; it takes no supplements", to_string(c.s.stage)));
  // Nothing handed in answers nothing: it must not restart a stopped clock
  // or send the tasks out again.
  if (e.fields.empty() && e.materials.empty())
    return invalid("nothing was handed in: a supplement carries at least one value or material");
  // An incomplete case is accepted on the day it becomes complete: the chain
  // must be in force then.
  if (c.s.stage == CaseStage::incomplete)
    if (std::string why = c.fc.not_in_force(c.start_date()); !why.empty())
      return invalid(why + "; withdraw the case and apply under the chain in force");
  if (c.s.stage == CaseStage::incomplete) {
    Shared<FieldValues> values = c.s.values;
    Shared<std::vector<std::string>> materials = c.s.materials;
    c.fc.supplement(values, materials, e.fields, e.materials, c.memo);
    FlowChain::Verdict v;
    if (auto r = refuse_invalid(c, values, materials, v)) return *r;
    c.s.values = std::move(values);
    c.s.materials = std::move(materials);
    if (e.in_person) ++c.s.visits;
    accept_or_notify(c, v);
    return applied();
  }
  if (std::string bad = c.fc.supplied_problems(e.fields, e.materials); !bad.empty()) return invalid(bad);
  c.fc.supplement(c.s.values, c.s.materials, e.fields, e.materials, c.memo);
  if (e.in_person) ++c.s.visits;
  receive_deferred(c, e.materials);
  // The supplements answer every open request: those tasks go back to their
  // departments with the new data, as a new attempt.
  for (std::size_t m = 0; m < c.s.tasks.size(); ++m) {
    TaskState& t = c.s.tasks[m];
    if (t.status != TaskStatus::supplement) continue;
    close_stop(c, t);
    dispatch(c, static_cast<int>(m));
  }
  return applied();
}

/// After a verification ended: a case whose results were handed out is
/// delivered when no verification is left.
void after_verification(Ctx& c) {
  if (c.s.stage != CaseStage::verifying) return;
  if (std::any_of(c.s.tasks.begin(), c.s.tasks.end(), [](const TaskState& t) { return t.status == TaskStatus::verifying; }))
    return;
  c.s.stage = CaseStage::delivered;
  c.s.closed_on = c.today;
}

StepOutcome on(Ctx& c, const event::TaskApproved& e) {
  if (auto r = check_outcome(c, e.matter, e.attempt,
                             {TaskStatus::dispatched, TaskStatus::suspended, TaskStatus::supplement, TaskStatus::verifying}))
    return *r;
  if (const std::string problems = c.fc.produced_problems(e.matter, e.produced); !problems.empty()) {
    const bool one = problems.find('\n') == std::string::npos;
    return invalid(fmt::format("the approval of {} cannot apply; {}{}", c.fc.matter_id(e.matter),
                               one ? "its produced value " : "its produced values:\n", problems));
  }
  TaskState& t = c.s.tasks[static_cast<std::size_t>(e.matter)];
  close_stop(c, t);
  // Only what the matter declares it produces joins the form.
  for (const auto& f : matter_of(c, e.matter).produces) {
    auto it = e.produced.find(f.key);
    if (it != e.produced.end()) c.s.produced.insert_or_assign(f.key, it->second);
  }
  const bool verified = t.status == TaskStatus::verifying;  // the verification passed
  t.status = TaskStatus::approved;
  if (!verified) register_holder(c, e.matter);
  if (verified) {
    after_verification(c);
    if (c.s.stage == CaseStage::running) advance(c);  // produced values may switch matters on
    return applied();
  }
  t.finished = c.today;
  advance(c);
  return applied();
}

/// 告知承诺: the verification of `m` failed. Its result is revoked, the
/// matters after it that proceeded on it are recorded, the applicant is
/// told; a case still under way ends rejected (what came after cannot
/// stand), one whose results were handed out stays on the record.
void revoke(Ctx& c, int m, const std::string& reason) {
  TaskState& t = c.s.tasks[static_cast<std::size_t>(m)];
  t.status = TaskStatus::revoked;
  t.finished = c.today;
  t.note = reason;
  c.out.push_back(command::NotifyRevoked{m, revoked_dependents(c.fc, c.s, m), reason});
  if (c.s.stage == CaseStage::running || c.s.stage == CaseStage::ready)
    end_case(c, CaseStage::rejected, fmt::format("{}: 核查未通过，撤销: {}", matter_of(c, m).name, reason));
  else
    after_verification(c);
}

StepOutcome on(Ctx& c, const event::TaskRejected& e) {
  if (auto r = check_outcome(c, e.matter, e.attempt,
                             {TaskStatus::dispatched, TaskStatus::suspended, TaskStatus::supplement, TaskStatus::verifying}))
    return *r;
  if (c.s.tasks[static_cast<std::size_t>(e.matter)].status == TaskStatus::verifying) {
    revoke(c, e.matter, e.reason);
    return applied();
  }
  TaskState& t = c.s.tasks[static_cast<std::size_t>(e.matter)];
  close_stop(c, t);
  t.status = TaskStatus::rejected;
  t.finished = c.today;
  t.note = e.reason;
  end_case(c, CaseStage::rejected, fmt::format("{}: {}", matter_of(c, e.matter).name, e.reason));
  return applied();
}

StepOutcome on(Ctx& c, const event::SupplementRequested& e) {
  if (e.items.empty()) return invalid("a supplement request must list what the applicant is to supply");
  if (auto r = check_outcome(c, e.matter, e.attempt, {TaskStatus::dispatched})) return *r;
  TaskState& t = c.s.tasks[static_cast<std::size_t>(e.matter)];
  t.status = TaskStatus::supplement;
  t.stopped_since = c.today;
  t.stop_reason = SuspensionReason::supplement;
  t.requested = e.items;
  // Requests of one instant (several departments answering together) are
  // one notice to the applicant.
  command::SendNotice n{command::SendNotice::Kind::supplement, {}, {{e.matter, e.items}}};
  n.joins = c.s.supplement_notice_at == c.ev.at;
  if (!n.joins) ++c.s.notices;
  c.s.supplement_notice_at = c.ev.at;
  c.out.push_back(std::move(n));
  return applied();
}

StepOutcome on(Ctx& c, const event::TaskSuspended& e) {
  if (e.reason == SuspensionReason::supplement)
    return invalid("a supplement request is its own event (supplement-requested), not a suspension");
  if (e.told_days && *e.told_days < 0) return invalid("the length told to the applicant cannot be negative");
  if (auto r = check_outcome(c, e.matter, e.attempt, {TaskStatus::dispatched})) return *r;
  TaskState& t = c.s.tasks[static_cast<std::size_t>(e.matter)];
  t.status = TaskStatus::suspended;
  t.stopped_since = c.today;
  t.stop_reason = e.reason;
  t.told_days = e.told_days;
  return applied();
}

StepOutcome on(Ctx& c, const event::TaskResumed& e) {
  if (auto r = check_outcome(c, e.matter, e.attempt, {TaskStatus::suspended})) return *r;
  TaskState& t = c.s.tasks[static_cast<std::size_t>(e.matter)];
  close_stop(c, t);
  t.status = TaskStatus::dispatched;
  return applied();
}

StepOutcome on(Ctx& c, const event::TaskIncident& e) {
  if (auto r = check_outcome(c, e.matter, e.attempt, {TaskStatus::dispatched})) return *r;
  TaskState& t = c.s.tasks[static_cast<std::size_t>(e.matter)];
  t.status = TaskStatus::incident;
  t.note = e.error;
  return applied();
}

StepOutcome on(Ctx& c, const event::TaskRetried& e) {
  if (e.matter < 0 || static_cast<std::size_t>(e.matter) >= c.s.tasks.size())
    return invalid(fmt::format("no matter with index {}", e.matter));
  if (c.s.stage != CaseStage::running || c.s.tasks[static_cast<std::size_t>(e.matter)].status != TaskStatus::incident)
    return invalid(fmt::format("task {} is not in incident", c.fc.matter_id(e.matter)));
  c.s.tasks[static_cast<std::size_t>(e.matter)].note.clear();
  dispatch(c, e.matter);
  return applied();
}

StepOutcome on(Ctx& c, const event::TimerFired&) {
  if (is_final(c.s.stage)) return ignored(fmt::format("the case is {}", to_string(c.s.stage)));
  c.s.timer.reset();
  return applied();
}

StepOutcome on(Ctx& c, const event::Extended& e) {
  if (c.s.stage != CaseStage::running) return invalid(fmt::format("the case is {}; only a running case is extended", to_string(c.s.stage)));
  if (e.matter >= static_cast<int>(c.s.tasks.size())) return invalid(fmt::format("no matter with index {}", e.matter));
  TimeLimit& limit = e.matter < 0 ? c.s.limit : c.s.tasks[static_cast<std::size_t>(e.matter)].limit;
  if (e.matter >= 0 && !is_open(c.s.tasks[static_cast<std::size_t>(e.matter)].status))
    return invalid(fmt::format("task {} is {}; only an open task is extended", c.fc.matter_id(e.matter),
                               to_string(c.s.tasks[static_cast<std::size_t>(e.matter)].status)));
  TimeLimit extended = limit;
  if (Status st = extended.extend(e.extension); !st) return invalid(st.message());
  limit = std::move(extended);
  return applied();
}

StepOutcome on(Ctx& c, const event::Withdrawn& e) {
  if (c.s.stage == CaseStage::created || c.s.stage == CaseStage::verifying || is_final(c.s.stage))
    return invalid(fmt::format("the case is {}; there is nothing to withdraw", to_string(c.s.stage)));
  end_case(c, CaseStage::withdrawn, e.reason);
  return applied();
}

StepOutcome on(Ctx& c, const event::Delivered& e) {
  if (c.s.stage != CaseStage::ready)
    return invalid(fmt::format("the case is {}; results are delivered when every matter is approved", to_string(c.s.stage)));
  if (!c.s.deferred.empty())
    return invalid(fmt::format("results are held until the deferred materials arrive (容缺受理, due {}): {}",
                               c.s.deferred_due.to_string(), fmt::join(c.s.deferred, ", ")));
  // Results handed out while a commitment is verified: the case stays open
  // until the last verification ends.
  const bool verifying = std::any_of(c.s.tasks.begin(), c.s.tasks.end(),
                                     [](const TaskState& t) { return t.status == TaskStatus::verifying; });
  c.s.stage = verifying ? CaseStage::verifying : CaseStage::delivered;
  if (!verifying) c.s.closed_on = c.today;
  c.s.delivery = e.method;
  c.s.tracking = e.tracking;
  if (e.method == DeliveryMethod::in_person) ++c.s.visits;
  return applied();
}

// ---- alerts -----------------------------------------------------------------

/// A ledger with an open stop recorded as ending today (alert_status' rule).
SuspensionLedger with_open_stops(const SuspensionLedger& base, const std::vector<const TaskState*>& stopped, Date today) {
  SuspensionLedger l = base;
  for (const TaskState* t : stopped)
    if (*t->stopped_since + 1 <= today) (void)l.add({*t->stopped_since + 1, today, t->stop_reason, t->told_days, ""});
  return l;
}

/// A task's ledger with its open stop counted up to today.
SuspensionLedger task_ledger(const TaskState& t, Date today) {
  return t.stopped_since ? with_open_stops(t.ledger, {&t}, today) : t.ledger;
}

/// The case's ledger with the open stops of its open tasks counted up to
/// today (the case clock stops while any task's clock stops).
SuspensionLedger case_ledger(const CaseState& s, Date today) {
  std::vector<const TaskState*> stopped;
  for (const TaskState& t : s.tasks)
    if (is_open(t.status) && t.stopped_since) stopped.push_back(&t);
  return stopped.empty() ? s.ledger : with_open_stops(s.ledger, stopped, today);
}

/// The first date after `today` on which a limit's level may change.
std::optional<Date> next_change(const FlowChain& fc, Date start, const SuspensionLedger& ledger,
                                const AlertStatus& st, Date today) {
  if (st.clock_stopped) return std::nullopt;  // the resume event re-reads the levels
  std::optional<Date> next;
  auto consider = [&](Date d) {
    if (d > today && (!next || d < *next)) next = d;
  };
  if (st.level == AlertLevel::green) {
    const int until_yellow = std::max(0, st.deadline.limit_days - st.yellow_threshold);
    consider(compute_deadline(fc.calendar(), start, TimeLimit(until_yellow), ledger).date);
  }
  if (st.level != AlertLevel::red) consider(st.deadline.date + 1);
  if (st.supervision != Supervision::second_level) consider(st.second_level_after + 1);
  return next;
}

void update_alerts(Ctx& c) {
  if (!c.fc.options().track_alerts || !c.s.accepted_on) return;
  const bool running = c.s.stage == CaseStage::running;
  const bool deferring = (running || c.s.stage == CaseStage::ready) && !c.s.deferred.empty();
  // 告知承诺: verifications go on after the results were handed out.
  const bool verifying = (c.s.stage == CaseStage::ready || c.s.stage == CaseStage::verifying) &&
                         std::any_of(c.s.tasks.begin(), c.s.tasks.end(),
                                     [](const TaskState& t) { return t.status == TaskStatus::verifying; });
  if (!running && !deferring && !verifying) return;
  const AlertPolicy& policy = c.fc.chain().alerts;
  std::optional<Date> next;
  auto consider = [&](std::optional<Date> d) {
    if (d && (!next || *d < *next)) next = d;
  };
  auto arm = [&] {
    if (!next) return;
    const Instant at = Instant::at(*next);
    if (!c.s.timer || *c.s.timer != at) {
      c.s.timer = at;
      c.out.push_back(command::ArmTimer{at});
    }
  };
  if (deferring) {
    // 容缺受理: the deferred materials' limit turns yellow and red like any.
    const AlertStatus st = deferred_alert_status(c.fc, c.s, c.today);
    if (st.level != c.s.deferred_alert) {
      c.s.deferred_alert = st.level;
      c.out.push_back(command::Alert{-1, st.level, Supervision::none, st.deadline.date, true});
    }
    if (st.level != AlertLevel::red)
      consider(next_change(c.fc, *c.s.accepted_on, {}, st, c.today));
  }
  if (!running && !verifying) return arm();
  for (std::size_t m = 0; m < c.s.tasks.size(); ++m) {
    TaskState& t = c.s.tasks[m];
    if (!is_open(t.status)) continue;
    const SuspensionLedger ledger = task_ledger(t, c.today);
    const AlertStatus st = alert_status(c.fc.calendar(), t.started, t.limit, ledger, c.today, policy);
    if (st.level != t.alert || st.supervision != t.supervision) {
      t.alert = st.level;
      t.supervision = st.supervision;
      c.out.push_back(command::Alert{static_cast<int>(m), st.level, st.supervision, st.deadline.date});
    }
    consider(next_change(c.fc, t.started, ledger, st, c.today));
  }
  if (!running) return arm();
  const SuspensionLedger ledger = case_ledger(c.s, c.today);
  const AlertStatus st = alert_status(c.fc.calendar(), *c.s.accepted_on, c.s.limit, ledger, c.today, policy);
  if (st.level != c.s.alert || st.supervision != c.s.supervision) {
    c.s.alert = st.level;
    c.s.supervision = st.supervision;
    c.out.push_back(command::Alert{-1, st.level, st.supervision, st.deadline.date});
  }
  consider(next_change(c.fc, *c.s.accepted_on, ledger, st, c.today));
  arm();
}

}  // namespace yilian::flow_step

namespace yilian {
using namespace flow_step;

CaseState new_case(const FlowChain& chain, CaseId id) {
  CaseState s;
  s.id = id;
  s.tasks.resize(chain.matter_count());
  for (std::size_t m = 0; m < s.tasks.size(); ++m) s.tasks[m].limit = TimeLimit(chain.chain().matters[m].promised());
  s.limit = TimeLimit(chain.chain().promised());
  return s;
}

const Value* CaseState::value(std::string_view key) const {
  const Value* v = find_value(produced, key);
  return v ? v : find_value(*values, key);
}

Deadline CaseState::deadline(const FlowChain& chain) const {
  return compute_deadline(chain.calendar(), accepted_on.value_or(Date{}), limit, ledger);
}

Deadline CaseState::task_deadline(const FlowChain& chain, int matter) const {
  const TaskState& t = tasks[static_cast<std::size_t>(matter)];
  return compute_deadline(chain.calendar(), t.started, t.limit, t.ledger);
}

StepOutcome step(const FlowChain& chain, CaseState& state, const Event& event, std::vector<Command>& out,
                 CheckMemo* memo) {
  const std::size_t first_command = out.size();
  Ctx c{chain, state, event, out, event.at.date(), memo};
  StepOutcome r = std::visit([&](const auto& e) { return on(c, e); }, event.body);
  if (r.result == StepResult::invalid) {
    out.resize(first_command);
    return r;
  }
  ++state.events;
  if (r.result == StepResult::applied) update_alerts(c);
  return r;
}

StepOutcome step_all(const FlowChain& chain, CaseState& state, std::span<const Event> events,
                     std::vector<Command>& out, std::size_t* failed_at) {
  const std::size_t first_command = out.size();
  StepOutcome last;
  for (std::size_t i = 0; i < events.size(); ++i) {
    StepOutcome r = step(chain, state, events[i], out);
    if (r.result == StepResult::invalid) {
      if (failed_at) *failed_at = i;
      last = std::move(r);
      break;
    }
    last = std::move(r);
  }
  merge_supplement_notices(out, first_command);
  return last;
}

void merge_supplement_notices(std::vector<Command>& out, std::size_t first) {
  using Notice = command::SendNotice;
  if (first >= out.size()) return;
  Notice* head = nullptr;  // the notice a joining one folds into
  std::size_t kept = first;
  for (std::size_t i = first; i < out.size(); ++i) {
    auto* n = std::get_if<Notice>(&out[i]);
    if (n && n->kind == Notice::Kind::supplement) {
      if (n->joins && head) {
        head->requests.insert(head->requests.end(), std::make_move_iterator(n->requests.begin()),
                              std::make_move_iterator(n->requests.end()));
        continue;  // dropped: part of head
      }
    }
    if (kept != i) out[kept] = std::move(out[i]);
    if (auto* k = std::get_if<Notice>(&out[kept]); k && k->kind == Notice::Kind::supplement) head = k;
    ++kept;
  }
  out.resize(kept);
}

AlertStatus task_alert_status(const FlowChain& chain, const CaseState& state, int matter, Date today) {
  const TaskState& t = state.tasks.at(static_cast<std::size_t>(matter));
  return alert_status(chain.calendar(), t.started, t.limit, task_ledger(t, today), today, chain.chain().alerts);
}

AlertStatus case_alert_status(const FlowChain& chain, const CaseState& state, Date today) {
  return alert_status(chain.calendar(), state.accepted_on.value_or(Date{}), state.limit, case_ledger(state, today),
                      today, chain.chain().alerts);
}

AlertStatus deferred_alert_status(const FlowChain& chain, const CaseState& state, Date today) {
  return alert_status(chain.calendar(), state.accepted_on.value_or(Date{}), TimeLimit(chain.chain().defer_within), {},
                      today, chain.chain().alerts);
}

std::vector<int> revoked_dependents(const FlowChain& chain, const CaseState& state, int m) {
  std::vector<bool> after(state.tasks.size(), false);
  after[static_cast<std::size_t>(m)] = true;
  std::vector<int> dependents;
  for (int x : chain.order()) {
    if (x == m) continue;
    const auto& ps = chain.preds(x);
    if (std::none_of(ps.begin(), ps.end(), [&](int p) { return after[static_cast<std::size_t>(p)]; })) continue;
    after[static_cast<std::size_t>(x)] = true;
    const TaskStatus st = state.tasks[static_cast<std::size_t>(x)].status;
    if (st != TaskStatus::waiting && st != TaskStatus::skipped) dependents.push_back(x);
  }
  std::sort(dependents.begin(), dependents.end());
  return dependents;
}

void pending_commands(const FlowChain& chain, const CaseState& state, std::vector<Command>& out) {
  (void)chain;
  for (std::size_t m = 0; m < state.tasks.size(); ++m)
    if (with_department(state.tasks[m].status))
      out.push_back(command::Dispatch{static_cast<int>(m), state.tasks[m].attempt});
  if (state.timer && !is_final(state.stage)) out.push_back(command::ArmTimer{*state.timer});
  if (state.stage == CaseStage::ready && state.deferred.empty()) out.push_back(command::ReadyForDelivery{});
}

}  // namespace yilian
