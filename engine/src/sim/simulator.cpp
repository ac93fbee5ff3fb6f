// The event loop. Owns arrivals, queues, officers, office hours, the
// applicant's behaviour, randomness and statistics; every change of a
// case goes through the flow core's step() and the simulator acts on the
// commands it returns (Dispatch: join the department's queue; SendNotice:
// the applicant answers; ReadyForDelivery: hand out; NotifyEnded: leave).
#include "sim/simulator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "sim/loop_state.h"

namespace yilian::detail {

using namespace loop;

class ReplicationRunner::Loop {
 public:
  Loop(Setup& s, const Scenario& sc, ArrivalsHook hook)
      : s_(s), sc_(sc), hook_(std::move(hook)), fc_(*s.fc),
        arrival_rng_(sc.seed, 1), form_rng_(sc.seed, 2), applicant_rng_(sc.seed, 3), outcome_rng_(sc.seed, 4) {
    const std::size_t n = fc_.matter_count();
    for (std::size_t m = 0; m < n; ++m) service_rng_.emplace_back(sc.seed, 100 + m);
    depts_.resize(s.dept_ids.size());
    acc_.resize(n, s.dept_ids.size());
    fresh_ = new_case(fc_, 0);
    statutory_ = TimeLimit(s.statutory);
    gap_zero_ = sc.baseline_gap.kind == Distribution::Kind::fixed && sc.baseline_gap.a == 0;
    for (std::size_t m = 0; m < n; ++m) {
      const int mi = static_cast<int>(m);
      reject_.push_back(Event{Instant{}, event::TaskRejected{mi, 0, "模拟：不予许可"}});
      request_.push_back(Event{Instant{}, event::SupplementRequested{mi, 0, s.supplement_items[m], "模拟：材料需补正"}});
      std::optional<int> told;
      if (s.suspension[m]) told = static_cast<int>(std::lround(s.suspension[m]->mean()));
      suspend_.push_back(Event{Instant{}, event::TaskSuspended{mi, 0, s.suspension_reason[m], told, ""}});
      resume_.push_back(Event{Instant{}, event::TaskResumed{mi, 0}});
    }
    const double end = static_cast<double>(Date::from_ymd(9998, 12, 31)->days()) * 86400.0;
    t_limit_ = end;
    days_ = sc.days ? *sc.days : 250;
  }

  Accum& acc() { return acc_; }
  std::uint64_t arrivals() const { return arrivals_; }

  /// One replication with its own random streams, from an empty system.
  Status run(const ReplicationPlan& plan) {
    if (failed_) clear_after_failure();
    const std::uint64_t seed = replication_seed(sc_.seed, plan.index);
    arrival_rng_ = Rng(seed, 1);
    form_rng_ = Rng(seed, 2);
    applicant_rng_ = Rng(seed, 3);
    outcome_rng_ = Rng(seed, 4);
    for (std::size_t m = 0; m < service_rng_.size(); ++m) service_rng_[m] = Rng(seed, 100 + m);
    cap_ = plan.cap;
    arrivals_ = reported_ = next_id_ = 0;
    // Tasks cancelled while queued are skipped when reached; drop those a
    // replication leaves behind.
    for (auto& d : depts_) d.queue.clear();
    Status st = replication();
    if (hook_ && arrivals_ > reported_) hook_(arrivals_ - reported_);
    reported_ = arrivals_;
    if (st) ++acc_.replications;
    return st;
  }

 private:
  // ---- replications ---------------------------------------------------------

  /// After a failed replication the loop is left mid-run: empty it.
  void clear_after_failure() {
    heap_.clear();
    for (std::uint32_t slot = 0; slot < cases_.size(); ++slot)
      if (cases_[slot].live) release(slot);
    for (auto& d : depts_) d = DeptState{};
    in_system_ = 0;
    out_.clear();
    failed_ = false;
    error_ = Status::ok();
  }

  Status replication() {
    const double t_start = static_cast<double>(sc_.start.days()) * 86400.0;
    t_start_ = t_start;
    w_start_ = s_.chain_clock.to_work(t_start);
    w0_ = w_start_ + sc_.warmup_days;
    const double t_warm = std::max(t_start, s_.chain_clock.to_real(w0_));
    n_w1_ = kInf;
    n_last_w_ = w_start_;
    for (std::size_t d = 0; d < depts_.size(); ++d) {
      DeptState& ds = depts_[d];
      ds.last_t = t_start;
      ds.last_w = s_.dept_clock[d].to_work(t_start);
      ds.w0 = s_.dept_clock[d].to_work(t_warm);
      ds.w1 = kInf;
    }
    trace_next_ = 0;
    double span = days_;
    if (!sc_.trace.empty()) {
      const double last = trace_time(sc_.trace.back());
      span = std::max(1e-9, s_.chain_clock.to_work(last) - w_start_);
      schedule_trace_arrival(t_start);
    } else {
      next_arrival_w_ = w_start_;
      schedule_poisson_arrival(t_start);
    }
    series_step_ = span / kSeriesPoints;
    acc_.series_interval = series_step_;
    next_sample_ = 0;
    next_sample_t_ = sample_time(0);
    while (!heap_.empty()) {
      std::pop_heap(heap_.begin(), heap_.end(), Later{});
      const Ev e = heap_.back();
      heap_.pop_back();
      if (e.t > t_limit_)
        return Status::invalid(fmt::format(
            "the simulated time passed the year 9998 (the last date a calendar can hold); shorten the horizon "
            "(--days) or raise the arrival rate"));
      while (next_sample_t_ <= e.t) record_sample();
      ++acc_.events;
      dispatch_event(e);
      if (failed_) return error_;
    }
    while (next_sample_ < kSeriesPoints) record_sample();
    return Status::ok();
  }

  double sample_time(int k) const {
    return std::max(t_start_, s_.chain_clock.to_real(w_start_ + series_step_ * k));
  }
  void record_sample() {
    for (std::size_t d = 0; d < depts_.size(); ++d) {
      acc_.depts[d].series_sum[static_cast<std::size_t>(next_sample_)] += static_cast<double>(depts_[d].queued);
      ++acc_.depts[d].series_n[static_cast<std::size_t>(next_sample_)];
    }
    ++next_sample_;
    next_sample_t_ = next_sample_ < kSeriesPoints ? sample_time(next_sample_) : kInf;
  }

  double trace_time(const TraceArrival& a) const {
    return a.at ? static_cast<double>(a.at->seconds) : s_.chain_clock.to_real(w_start_ + a.offset_days);
  }

  void schedule_trace_arrival(double now) {
    if (trace_next_ >= sc_.trace.size() || (cap_ && arrivals_ >= *cap_)) {
      push(Kind::end_arrivals, now, 0, -1, 0);
      return;
    }
    push(Kind::arrival, std::max(now, trace_time(sc_.trace[trace_next_++])), 0, -1, 0);
  }

  void schedule_poisson_arrival(double now) {
    if (cap_ && arrivals_ >= *cap_) {
      push(Kind::end_arrivals, now, 0, -1, 0);
      return;
    }
    next_arrival_w_ += arrival_rng_.exponential(1.0 / sc_.arrival_rate);
    const double end_w = w_start_ + days_;
    if (next_arrival_w_ >= end_w) {
      push(Kind::end_arrivals, std::max(now, s_.chain_clock.to_real(end_w)), 0, -1, 0);
      return;
    }
    push(Kind::arrival, std::max(now, s_.chain_clock.to_real(next_arrival_w_)), 0, -1, 0);
  }

  void push(Kind k, double t, std::uint32_t slot, int matter, std::uint32_t token) {
    heap_.push_back(Ev{t, seq_++, slot, matter, token, k});
    std::push_heap(heap_.begin(), heap_.end(), Later{});
  }

  static Instant instant(double t) { return Instant{static_cast<std::int64_t>(std::floor(t))}; }

  void dispatch_event(const Ev& e) {
    switch (e.kind) {
      case Kind::arrival: on_arrival(e.t); return;
      case Kind::service_done: on_service_done(e); return;
      case Kind::respond: on_respond(e); return;
      case Kind::resume: on_resume(e); return;
      case Kind::deliver: on_deliver(e); return;
      case Kind::enqueue: {
        CaseRec& c = cases_[e.slot];
        TaskRec& tr = c.tasks[static_cast<std::size_t>(e.matter)];
        if (c.live && tr.token == e.token && tr.where == Where::travelling) enqueue(e.slot, e.matter, e.t);
        return;
      }
      case Kind::end_arrivals: end_arrivals(e.t); return;
    }
  }

  /// Records the first failure; the loop stops after the current event.
  void fail(Status st) {
    if (!failed_) error_ = std::move(st);
    failed_ = true;
  }

  void end_arrivals(double t) {
    flush_n(t);
    n_w1_ = n_last_w_;
    acc_.measured_days += std::max(0.0, n_w1_ - w0_);
    for (std::size_t d = 0; d < depts_.size(); ++d) {
      flush_dept(d, t);
      depts_[d].w1 = depts_[d].last_w;
      acc_.depts[d].measured += std::max(0.0, depts_[d].w1 - depts_[d].w0);
    }
  }

  // ---- time integrals ---------------------------------------------------------

  void flush_dept(std::size_t d, double t) {
    DeptState& ds = depts_[d];
    if (t == ds.last_t) return;  // already up to date (several changes at one moment)
    ds.last_t = t;
    const double w = s_.dept_clock[d].to_work(t);
    const double lo = std::max(ds.last_w, ds.w0), hi = std::min(w, ds.w1);
    if (hi > lo) {
      acc_.depts[d].busy_integral += (hi - lo) * ds.busy;
      acc_.depts[d].queue_integral += (hi - lo) * static_cast<double>(ds.queued);
    }
    ds.last_w = w;
  }
  void flush_n(double t) {
    const double w = s_.chain_clock.to_work(t);
    const double lo = std::max(n_last_w_, w0_), hi = std::min(w, n_w1_);
    if (hi > lo) acc_.in_system_integral += (hi - lo) * static_cast<double>(in_system_);
    n_last_w_ = w;
  }
  void add_busy(int m, std::size_t d, double a, double b) {
    const double lo = std::max(a, depts_[d].w0), hi = std::min(b, depts_[d].w1);
    if (hi > lo) acc_.matters[static_cast<std::size_t>(m)].busy += hi - lo;
  }

  // ---- the flow core ------------------------------------------------------------

  void apply(std::uint32_t slot, Event& ev, double t) {
    ev.at = instant(t);
    CaseRec& c = cases_[slot];
    ++acc_.flow_events;
    const StepOutcome r = step(fc_, c.state, ev, out_, &memo_);
    if (r.result != StepResult::applied) {
      out_.clear();
      return fail(Status::error(Status::Code::internal,
                                fmt::format("simulator bug: the flow core {} event {} of case {}: {}",
                                            to_string(r.result), event_name(ev.body), c.state.id, r.reason)));
    }
    handle(slot, t);
  }

  void handle(std::uint32_t slot, double t) {
    bool ended = false;
    for (std::size_t i = 0; i < out_.size(); ++i) {
      const Command& cmd = out_[i];
      if (const auto* d = std::get_if<command::Dispatch>(&cmd)) on_dispatch(slot, d->matter, d->attempt, t);
      else if (const auto* x = std::get_if<command::Cancel>(&cmd)) on_cancel(slot, x->matter, t);
      else if (const auto* n = std::get_if<command::SendNotice>(&cmd)) on_notice(slot, *n, t);
      else if (std::holds_alternative<command::ReadyForDelivery>(cmd)) on_ready(slot, t);
      else if (std::holds_alternative<command::NotifyEnded>(cmd)) ended = true;
    }
    out_.clear();
    if (ended) finish(slot, t, false);
    else if (cases_[slot].verifying && cases_[slot].state.stage != CaseStage::verifying) release(slot);
  }

  // ---- arrivals and the applicant -------------------------------------------------

  std::uint32_t alloc_slot() {
    if (!free_.empty()) {
      const std::uint32_t s = free_.back();
      free_.pop_back();
      return s;
    }
    cases_.emplace_back();
    cases_.back().tasks.resize(fc_.matter_count());
    return static_cast<std::uint32_t>(cases_.size() - 1);
  }

  void on_arrival(double t) {
    const std::uint32_t slot = alloc_slot();
    CaseRec& c = cases_[slot];
    c.state = fresh_;
    c.state.id = ++next_id_;
    for (auto& tr : c.tasks) tr.where = Where::none;
    c.live = true;
    c.dispatched = c.reply_pending = false;
    c.reply_materials = c.extra_visits = 0;
    c.arrived_w = s_.chain_clock.to_work(t);
    c.counted = c.arrived_w >= w0_;
    choice_.resize(s_.branches.size());
    for (std::size_t i = 0; i < s_.branches.size(); ++i) {
      const double u = form_rng_.uniform();
      const auto& cum = s_.branches[i].cumulative;
      choice_[i] = static_cast<int>(std::upper_bound(cum.begin(), cum.end(), u) - cum.begin());
      choice_[i] = std::min(choice_[i], static_cast<int>(cum.size()) - 1);
    }
    c.profile = &s_.profile(choice_);
    if (!c.profile->problem.empty()) return fail(Status::invalid(c.profile->problem));
    const bool incomplete = sc_.incomplete > 0 && applicant_rng_.uniform() < sc_.incomplete;
    // Drawn only when the scenario asks, so that other runs keep their numbers.
    const bool deferring = sc_.deferring > 0 && applicant_rng_.uniform() < sc_.deferring;
    const bool committed = sc_.commitment > 0 && applicant_rng_.uniform() < sc_.commitment;
    const bool assisted = sc_.assisted > 0 && applicant_rng_.uniform() < sc_.assisted;
    const bool returning = sc_.returning > 0 && applicant_rng_.uniform() < sc_.returning;
    flush_n(t);
    ++in_system_;
    ++arrivals_;
    if (in_system_ > kMaxInSystem) {
      std::string worst;
      double most = -1;
      for (std::size_t d = 0; d < depts_.size(); ++d)
        if (static_cast<double>(depts_[d].queued) > most) {
          most = static_cast<double>(depts_[d].queued);
          worst = s_.dept_ids[d];
        }
      return fail(Status::invalid(fmt::format(
          "more than {} cases are in the system at once ({} tasks wait at {}): the departments cannot keep up with "
          "the arrivals; add officers, shorten service times or lower the arrival rate",
          kMaxInSystem, depts_.empty() ? 0 : static_cast<std::uint64_t>(most), worst)));
    }
    if (c.counted) ++acc_.arrived;
    if ((arrivals_ & 4095) == 0 && hook_) {
      hook_(arrivals_ - reported_);
      reported_ = arrivals_;
    }
    // Every applicant of a profile hands in the same lists: the flow core
    // shares them (Shared), nothing is copied.
    Event& submit = c.profile->submits[(incomplete ? 1U : 0U) | (deferring ? 2U : 0U) | (committed ? 4U : 0U) |
                                       (assisted ? 8U : 0U) | (returning ? 16U : 0U)];
    c.submitted_materials = static_cast<int>(std::get<event::Submitted>(submit.body).materials->size());
    c.submitted_fields = static_cast<int>(std::get<event::Submitted>(submit.body).fields->size());
    apply(slot, submit, t);
    if (!sc_.trace.empty()) schedule_trace_arrival(t);
    else schedule_poisson_arrival(t);
  }

  void on_notice(std::uint32_t slot, const command::SendNotice& n, double t) {
    CaseRec& c = cases_[slot];
    auto& body = std::get<event::Supplemented>(c.reply.body);
    if (!c.reply_pending) {
      body.fields.clear();
      body.materials.clear();
      c.reply_pending = true;
      const double w = s_.chain_clock.to_work(t) + s_.response(applicant_rng_);
      push(Kind::respond, std::max(t, s_.chain_clock.to_real(w)), slot, -1, c.gen);
    }
    const Chain& chain = fc_.chain();
    // The applicant hands in again what was asked for: a material, or a
    // field with the value already given (a placeholder if there was none).
    auto add = [&](const std::string& key) {
      if (chain.find_material(key)) {
        body.materials.push_back(key);
        return;
      }
      const Value* given = c.state.value(key);
      body.fields[key] = given ? *given : placeholder_value(chain.find_field(key));
    };
    // 一次告知 and 容缺受理 notices list what is missing; the applicant brings it.
    if (n.kind != command::SendNotice::Kind::supplement) {
      for (const auto& m : n.missing)
        if (m.kind == FlowChain::Missing::Kind::material) body.materials.push_back(m.key);
        else body.fields[m.key] = placeholder_value(chain.find_field(m.key));
      for (const auto& bad : n.invalid)
        if (const Field* f = chain.find_field(bad.key)) body.fields[bad.key] = placeholder_value(f);
    } else {
      for (const auto& [matter, items] : n.requests)
        for (const auto& item : items) add(item);
    }
  }

  void on_respond(const Ev& e) {
    CaseRec& c = cases_[e.slot];
    if (!c.live || c.gen != e.token || !c.reply_pending) return;
    c.reply_pending = false;
    auto& body = std::get<event::Supplemented>(c.reply.body);
    body.in_person = sc_.supplement_in_person > 0 && applicant_rng_.uniform() < sc_.supplement_in_person;
    if (body.in_person) ++c.extra_visits;
    c.reply_materials += static_cast<int>(body.materials.size());
    apply(e.slot, c.reply, e.t);
  }

  void on_ready(std::uint32_t slot, double t) {
    CaseRec& c = cases_[slot];
    const DeliveryShares& sh = sc_.delivery;
    c.method = DeliveryMethod::in_person;
    if (sh.in_person < 1) {
      const double u = applicant_rng_.uniform();
      c.method = u < sh.in_person ? DeliveryMethod::in_person
                 : u < sh.in_person + sh.express ? DeliveryMethod::express
                                                 : DeliveryMethod::electronic;
    }
    const double w = s_.chain_clock.to_work(t) + s_.pickup(applicant_rng_);
    push(Kind::deliver, std::max(t, s_.chain_clock.to_real(w)), slot, -1, c.gen);
  }

  void on_deliver(const Ev& e) {
    CaseRec& c = cases_[e.slot];
    if (!c.live || c.gen != e.token) return;
    std::get<event::Delivered>(deliver_.body).method = c.method;
    deliver_.at = instant(e.t);
    ++acc_.flow_events;
    const StepOutcome r = step(fc_, c.state, deliver_, out_, &memo_);
    out_.clear();
    if (r.result != StepResult::applied)
      return fail(Status::error(Status::Code::internal,
                                fmt::format("simulator bug: delivery {}: {}", to_string(r.result), r.reason)));
    finish(e.slot, e.t, true);
  }

  void finish(std::uint32_t slot, double t, bool delivered) {
    CaseRec& c = cases_[slot];
    if (c.verifying) return release(slot);  // counted when it was delivered
    flush_n(t);
    --in_system_;
    if (c.counted) {
      const double sojourn = s_.chain_clock.to_work(t) - c.arrived_w;
      acc_.sojourn.add(sojourn);
      if (delivered) record_delivered(c, sojourn);
      else ++acc_.rejected;
    }
    // Results handed out while a verification goes on: the case stays until
    // it ends (its task holds an officer).
    if (delivered && c.state.stage == CaseStage::verifying) {
      c.verifying = true;
      return;
    }
    release(slot);
  }

  void release(std::uint32_t slot) {
    CaseRec& c = cases_[slot];
    c.live = false;
    c.verifying = false;
    ++c.gen;
    free_.push_back(slot);
  }

  void record_delivered(const CaseRec& c, double lead) {
    const CaseState& st = c.state;
    ++acc_.delivered;
    acc_.lead.add(lead);
    // The deadlines as the engine counts them (CaseState::deadline's date).
    bool on_time = false;
    if (st.accepted_on) {
      on_time = st.finished_on <= deadline_date(fc_.calendar(), *st.accepted_on, st.limit, st.ledger);
      if (on_time) ++acc_.on_time;
      if (st.finished_on <= deadline_date(fc_.calendar(), *st.accepted_on, statutory_, st.ledger)) ++acc_.on_time_statutory;
    }
    // 好差评: drawn only when the scenario rates, so that other runs keep their numbers.
    if (sc_.ratings.share > 0 && applicant_rng_.uniform() < sc_.ratings.share) {
      ++acc_.rated;
      if (applicant_rng_.uniform() < (on_time ? sc_.ratings.bad : sc_.ratings.bad_late)) ++acc_.bad_ratings;
    }
    // Applying separately, each matter is one visit to its window and, for
    // results collected in person, one more to pick them up: what the flow
    // counts for a case of one matter.
    const int per_matter = st.delivery == DeliveryMethod::in_person ? 2 : 1;
    int visits = 0, materials = 0, fields = 0;
    for (std::size_t m = 0; m < st.tasks.size(); ++m) {
      if (st.tasks[m].status != TaskStatus::approved) continue;
      ++acc_.matters[m].applied;
      visits += per_matter;
      materials += s_.own_materials[m];
      fields += s_.own_fields[m];
    }
    if (s_.separate) {
      acc_.visits.add(visits + c.extra_visits);
      acc_.materials.add(materials + c.reply_materials);
      acc_.fields.add(fields);
    } else {
      acc_.visits.add(st.visits);
      acc_.materials.add(c.submitted_materials + c.reply_materials);
      acc_.fields.add(c.submitted_fields);
    }
    acc_.notices.add(st.notices);
  }

  // ---- departments ----------------------------------------------------------------

  void on_dispatch(std::uint32_t slot, int m, std::uint32_t attempt, double t) {
    CaseRec& c = cases_[slot];
    TaskRec& tr = c.tasks[static_cast<std::size_t>(m)];
    ++tr.token;
    // Applying separately, the applicant takes each result to the next
    // department's window before that matter starts.
    if (s_.separate && c.dispatched && attempt == 1 && !gap_zero_) {
      tr.where = Where::travelling;
      const double w = s_.chain_clock.to_work(t) + s_.gap(applicant_rng_);
      push(Kind::enqueue, std::max(t, s_.chain_clock.to_real(w)), slot, m, tr.token);
    } else {
      enqueue(slot, m, t);
    }
    c.dispatched = true;
  }

  void enqueue(std::uint32_t slot, int m, double t) {
    const auto d = static_cast<std::size_t>(s_.dept_of[static_cast<std::size_t>(m)]);
    DeptState& ds = depts_[d];
    flush_dept(d, t);
    TaskRec& tr = cases_[slot].tasks[static_cast<std::size_t>(m)];
    tr.where = Where::queued;
    tr.enq_w = ds.last_w;
    ds.queue.push_back(QueueItem{slot, m, tr.token});
    ++ds.queued;
    acc_.depts[d].max_queue = std::max(acc_.depts[d].max_queue, ds.queued);
    try_start(d, t);
  }

  void try_start(std::size_t d, double t) {
    DeptState& ds = depts_[d];
    flush_dept(d, t);
    while (ds.busy < s_.officers[d] && !ds.queue.empty()) {
      const QueueItem q = ds.queue.front();
      ds.queue.pop_front();
      CaseRec& c = cases_[q.slot];
      TaskRec& tr = c.tasks[static_cast<std::size_t>(q.matter)];
      if (!c.live || tr.token != q.token || tr.where != Where::queued) continue;  // cancelled
      --ds.queued;
      ++ds.busy;
      const auto m = static_cast<std::size_t>(q.matter);
      const double w = ds.last_w;
      if (c.counted) acc_.matters[m].wait.add(w - tr.enq_w);
      const double length = s_.service_sampler[m](service_rng_[m]);
      tr.where = Where::service;
      tr.start_w = w;
      tr.length = length;
      push(Kind::service_done, std::max(t, s_.dept_clock[d].to_real(w + length)), q.slot, q.matter, tr.token);
    }
  }

  void on_cancel(std::uint32_t slot, int m, double t) {
    TaskRec& tr = cases_[slot].tasks[static_cast<std::size_t>(m)];
    const auto d = static_cast<std::size_t>(s_.dept_of[static_cast<std::size_t>(m)]);
    DeptState& ds = depts_[d];
    const Where was = tr.where;
    tr.where = Where::none;
    ++tr.token;
    if (was == Where::queued) {
      flush_dept(d, t);
      --ds.queued;
    } else if (was == Where::service) {
      flush_dept(d, t);
      --ds.busy;
      add_busy(m, d, tr.start_w, ds.last_w);
      try_start(d, t);
    }
  }

  void on_service_done(const Ev& e) {
    CaseRec& c = cases_[e.slot];
    const auto m = static_cast<std::size_t>(e.matter);
    TaskRec& tr = c.tasks[m];
    if (!c.live || tr.token != e.token || tr.where != Where::service) return;
    const auto d = static_cast<std::size_t>(s_.dept_of[m]);
    flush_dept(d, e.t);
    --depts_[d].busy;
    tr.where = Where::none;
    add_busy(e.matter, d, tr.start_w, tr.start_w + tr.length);
    Accum::Matter& am = acc_.matters[m];
    const bool counted = c.counted;
    if (counted) {
      am.service.add(tr.length);
      ++am.attempts;
    }
    const std::uint32_t attempt = c.state.tasks[m].attempt;
    const double u = outcome_rng_.uniform();
    // A verification after a commitment (告知承诺) passes or fails: the
    // department neither asks for supplements nor suspends it.
    const bool verification = c.state.tasks[m].status == TaskStatus::verifying;
    if (u < s_.p_reject[m]) {
      if (counted) ++am.rejections;
      Event& ev = reject_[m];
      std::get<event::TaskRejected>(ev.body).attempt = attempt;
      apply(e.slot, ev, e.t);
    } else if (verification) {
      approve(e.slot, e.matter, attempt, e.t);
    } else if (u < s_.p_reject[m] + s_.p_supplement[m]) {
      if (counted) ++am.supplements;
      Event& ev = request_[m];
      std::get<event::SupplementRequested>(ev.body).attempt = attempt;
      apply(e.slot, ev, e.t);
    } else if (s_.suspension[m]) {
      Event& ev = suspend_[m];
      std::get<event::TaskSuspended>(ev.body).attempt = attempt;
      tr.where = Where::suspended;
      const double w = s_.chain_clock.to_work(e.t) + s_.suspension_sampler[m](outcome_rng_);
      push(Kind::resume, std::max(e.t, s_.chain_clock.to_real(w)), e.slot, e.matter, tr.token);
      apply(e.slot, ev, e.t);
    } else {
      approve(e.slot, e.matter, attempt, e.t);
    }
    try_start(d, e.t);
  }

  void approve(std::uint32_t slot, int m, std::uint32_t attempt, double t) {
    Event& ev = cases_[slot].profile->approve[static_cast<std::size_t>(m)];
    std::get<event::TaskApproved>(ev.body).attempt = attempt;
    apply(slot, ev, t);
  }

  void on_resume(const Ev& e) {
    CaseRec& c = cases_[e.slot];
    TaskRec& tr = c.tasks[static_cast<std::size_t>(e.matter)];
    if (!c.live || tr.token != e.token || tr.where != Where::suspended) return;
    tr.where = Where::none;
    const std::uint32_t attempt = c.state.tasks[static_cast<std::size_t>(e.matter)].attempt;
    Event& ev = resume_[static_cast<std::size_t>(e.matter)];
    std::get<event::TaskResumed>(ev.body).attempt = attempt;
    apply(e.slot, ev, e.t);
    if (!failed_) approve(e.slot, e.matter, attempt, e.t);
  }

  Setup& s_;
  const Scenario& sc_;
  ArrivalsHook hook_;
  Accum acc_;
  const FlowChain& fc_;
  /// Every applicant of a profile hands in that profile's one shared
  /// application: its verdicts are worked out once (one memo per
  /// simulator, so per thread).
  CheckMemo memo_;
  Rng arrival_rng_, form_rng_, applicant_rng_, outcome_rng_;
  std::vector<Rng> service_rng_;
  std::vector<Ev> heap_;
  std::uint64_t seq_ = 0;
  std::vector<CaseRec> cases_;
  std::vector<std::uint32_t> free_;
  std::vector<DeptState> depts_;
  std::vector<Command> out_;
  std::vector<int> choice_;
  std::vector<Event> reject_, request_, suspend_, resume_;
  Event deliver_{Instant{}, event::Delivered{}};
  Status error_;
  bool failed_ = false;
  CaseState fresh_;
  TimeLimit statutory_;
  bool gap_zero_ = true;
  double t_limit_ = 0;
  int days_ = 250;
  // the current replication
  std::optional<std::uint64_t> cap_;  ///< arrivals the replication stops after
  std::uint64_t reported_ = 0;        ///< arrivals passed to hook_
  double t_start_ = 0, w_start_ = 0, w0_ = 0, next_arrival_w_ = 0;
  double n_last_w_ = 0, n_w1_ = kInf;
  std::uint64_t in_system_ = 0, arrivals_ = 0, next_id_ = 0;
  std::size_t trace_next_ = 0;
  double series_step_ = 0, next_sample_t_ = kInf;  ///< the moment of the next queue sample
  int next_sample_ = 0;
};

ReplicationRunner::ReplicationRunner(Setup& setup, const Scenario& scenario, ArrivalsHook hook)
    : loop_(std::make_unique<Loop>(setup, scenario, std::move(hook))) {}
ReplicationRunner::~ReplicationRunner() = default;
Status ReplicationRunner::run(const ReplicationPlan& plan) { return loop_->run(plan); }
Accum& ReplicationRunner::acc() { return loop_->acc(); }
std::uint64_t ReplicationRunner::arrivals() const { return loop_->arrivals(); }

std::uint64_t poisson_arrivals(const Setup& setup, const Scenario& sc, std::uint64_t index) {
  // The arithmetic of Loop::replication() and schedule_poisson_arrival().
  Rng rng(replication_seed(sc.seed, index), 1);
  const double w_start = setup.chain_clock.to_work(static_cast<double>(sc.start.days()) * 86400.0);
  const int days = sc.days ? *sc.days : 250;
  double w = w_start;
  for (std::uint64_t n = 0;; ++n) {
    w += rng.exponential(1.0 / sc.arrival_rate);
    if (w >= w_start + days) return n;
  }
}

// ---- the statistics -------------------------------------------------------------

void Accum::resize(std::size_t matter_count, std::size_t dept_count) {
  matters.resize(matter_count);
  depts.resize(dept_count);
  for (auto& d : depts) {
    d.series_sum.assign(kSeriesPoints, 0.0);
    d.series_n.assign(kSeriesPoints, 0);
  }
}

namespace {

/// Calls w on every Welford and d on every floating-point total of `a`, in
/// one fixed order (the order of Accum::Sums).
template <class A, class W, class D>
void visit_sums(A& a, W&& w, D&& d) {
  for (auto& m : a.matters) {
    w(m.wait.welford());
    w(m.service.welford());
    d(m.busy);
  }
  for (auto& x : a.depts) {
    d(x.busy_integral);
    d(x.queue_integral);
    d(x.measured);
  }
  w(a.lead.welford());
  for (auto* x : {&a.visits, &a.materials, &a.fields, &a.notices, &a.sojourn}) w(*x);
  d(a.in_system_integral);
  d(a.measured_days);
}

}  // namespace

void Accum::take_sums(Sums& out) {
  out.moments.clear();
  out.totals.clear();
  visit_sums(*this, [&](Welford& x) { out.moments.push_back(std::exchange(x, Welford{})); },
             [&](double& x) { out.totals.push_back(std::exchange(x, 0.0)); });
}

void Accum::merge_sums(const Sums& sums) {
  std::size_t i = 0, j = 0;
  visit_sums(*this, [&](Welford& x) { x.merge(sums.moments.at(i++)); }, [&](double& x) { x += sums.totals.at(j++); });
}

void Accum::merge_counts(const Accum& o) {
  for (std::size_t m = 0; m < matters.size() && m < o.matters.size(); ++m) {
    Matter& a = matters[m];
    const Matter& b = o.matters[m];
    a.wait.histogram().merge(b.wait.histogram());
    a.service.histogram().merge(b.service.histogram());
    a.applied += b.applied;
    a.attempts += b.attempts;
    a.supplements += b.supplements;
    a.rejections += b.rejections;
  }
  for (std::size_t d = 0; d < depts.size() && d < o.depts.size(); ++d) {
    Dept& a = depts[d];
    const Dept& b = o.depts[d];
    a.max_queue = std::max(a.max_queue, b.max_queue);
    for (std::size_t k = 0; k < a.series_sum.size() && k < b.series_sum.size(); ++k) {
      a.series_sum[k] += b.series_sum[k];  // whole numbers under 2^53: exact
      a.series_n[k] += b.series_n[k];
    }
  }
  lead.histogram().merge(o.lead.histogram());
  arrived += o.arrived;
  delivered += o.delivered;
  rejected += o.rejected;
  on_time += o.on_time;
  on_time_statutory += o.on_time_statutory;
  rated += o.rated;
  bad_ratings += o.bad_ratings;
  events += o.events;
  flow_events += o.flow_events;
  replications += o.replications;
  if (o.series_interval != 0) series_interval = o.series_interval;
}

}  // namespace yilian::detail
