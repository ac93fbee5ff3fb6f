// The committer thread: takes the jobs that arrived together, steps each
// case through the flow, writes the log entries and the new states in one
// transaction (group commit), and only then carries out the commands.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "runtime/audit.h"
#include "runtime/batch_work.h"
#include "runtime/codec.h"
#include "runtime/engine_impl.h"
#include "runtime/json_codec.h"
#include "runtime/thread_name.h"

namespace yilian {

using namespace detail;

void Engine::Impl::committer_main() {
  writer = std::thread([this] {
    name_this_thread("yilian-writer");
    writer_main();
  });
  auto last_poll = std::chrono::steady_clock::time_point{};
  for (;;) {
    Jobs jobs;
    bool poll = false;
    {
      std::unique_lock q(q_mu);
      committer_idle = true;
      q_cv.wait_until(q, last_poll + options.inbox_poll, [&] { return !queue.empty() || stopping || inbox_due; });
      committer_idle = false;
      if (queue.empty() && stopping) {
        q.unlock();
        drain_writer();
        {
          std::lock_guard g(w_mu);
          w_stop = true;
        }
        w_cv.notify_all();
        writer.join();
        // A failed last batch: its cases are read again by the next open.
        break;
      }
      if (!queue.empty() && options.group_commit_window.count() > 0 && queue.size() < options.group_commit_max &&
          !stopping)
        q_cv.wait_for(q, options.group_commit_window, [&] { return queue.size() >= options.group_commit_max || stopping; });
      jobs.swap(queue);  // everything that arrived; committed in batches of group_commit_max below
      busy = true;
      const auto now = std::chrono::steady_clock::now();
      if ((inbox_due || now >= last_poll + options.inbox_poll) && !stopping) {
        poll = true;
        inbox_due = false;
        last_poll = now;
      }
    }
    if (poll) poll_inbox(jobs);
    for (auto first = jobs.begin(); first != jobs.end();) {
      const auto last = first + static_cast<std::ptrdiff_t>(
                                    std::min<std::size_t>(options.group_commit_max, static_cast<std::size_t>(jobs.end() - first)));
      hand_over(prepare(first, last));
      first = last;
    }
    jobs.clear();
    {
      std::lock_guard q(q_mu);
      busy = false;
    }
    idle_cv.notify_all();
  }
}

void Engine::Impl::check_lost(const Status& failure) {
  bool gone = false;
  {
    std::lock_guard s(store_mu);
    gone = store && store->lost();
  }
  if (!gone) return;
  std::lock_guard g(lost_mu);
  if (lost_why) lost_why = Status::error(Status::Code::unavailable,
                                         fmt::format("the engine lost its store and commits nothing more: {}", failure.message()));
}

void Engine::Impl::poll_inbox(Jobs& jobs) {
  std::vector<InboxRow> rows;
  Status failed = Status::ok();
  {
    std::lock_guard s(store_mu);
    auto r = store->inbox_take(inbox_seen, 1024);
    if (r) rows = std::move(*r);
    else failed = r.status();
  }
  if (!failed) return check_lost(failed);
  Batch refused;
  for (auto& row : rows) {
    inbox_seen = std::max(inbox_seen, row.id);
    auto request = request_from_json(row.request);
    if (!request) {
      refused.inbox_done.emplace_back(row.id, receipt_to_json(request.status()));
      continue;
    }
    jobs.push_back(job::Apply{std::move(*request), now(), nullptr, false, row.id});
  }
  if (!refused.empty()) {
    std::lock_guard s(store_mu);
    (void)store->commit(refused);
  }
}

// ---- preparing a batch: one handler per kind of job ---------------------------

namespace {

/// Calls an answer's callback: one that throws loses its own answer only.
void answer(const std::function<void(Result<Receipt>)>& done, Result<Receipt> r) {
  try {
    done(std::move(r));
  } catch (...) {
  }
}

/// A submission's receipt also says what 容缺受理 left owed.
void owed(Receipt& r, const CaseState& s) {
  if (s.deferred.empty()) return;
  r.deferred = s.deferred;
  r.deferred_due = s.deferred_due;
}

}  // namespace

std::unique_ptr<Prepared> Engine::Impl::prepare(Jobs::iterator first, Jobs::iterator last) {
  {
    // A batch that failed to commit while the committer was idle: forget
    // the states it left in the cache before stepping anything from them.
    std::unique_lock g(w_mu);
    if (!w_batch) (void)forget_failed(g);
  }
  BatchWork w;
  for (; first != last; ++first) {
    Job& job = *first;
    if (auto* a = std::get_if<job::Apply>(&job)) {
      if (const auto* sub = std::get_if<request::Submit>(&a->request)) prepare_submit(w, *a, *sub);
      else prepare_apply(w, *a);
    } else if (auto* f = std::get_if<job::Fire>(&job)) {
      prepare_fire(w, *f);
    } else if (auto* d = std::get_if<job::Redeliver>(&job)) {
      auto found = slot(d->case_id);
      if (!found) continue;
      const TaskState& t = (*found)->state.tasks[static_cast<std::size_t>(d->matter)];
      if (with_department(t.status) && t.attempt == d->attempt && !is_final((*found)->state.stage))
        w.redeliver.push_back(*d);
    } else if (auto* x = std::get_if<job::Failed>(&job)) {
      auto found = slot(x->case_id);
      if (!found) continue;
      fail_delivery(w, **found, *x);
    }
  }
  put_case_rows(w);
  return aftermath(w);
}

void Engine::Impl::reply(BatchWork& w, job::Apply& a, Result<Receipt> r) {
  if (a.inbox_id) w.batch.inbox_done.emplace_back(a.inbox_id, receipt_to_json(r));
  if (a.done) w.replies.push_back({std::move(a.done), std::move(r), a.inline_done});
}

// The case an idempotency key made: in this batch, or in the store (after
// the batch the writer is committing, whose keys are not there yet).
// (Looking keys up on a reader connection of the committer's own instead of
// waiting for that commit was measured: no change in throughput or p99
// under wrk, so the simpler way stays; bench/README.md.)
Result<std::optional<IdempotencyRow>> Engine::Impl::find_key(BatchWork& w, const std::string& account,
                                                              const std::string& key) {
  for (const IdempotencyRow& k : w.batch.keys)
    if (k.account == account && k.key == key) return std::optional<IdempotencyRow>(k);
  {
    std::unique_lock g(w_mu);
    w_cv.wait(g, [&] { return !w_batch; });
  }
  std::lock_guard g(store_mu);
  return store->idempotency(account, key);
}

// A delivery that failed (the adapter threw, timed out, or answered with an
// outcome the flow refused): another delivery after the retry policy's
// delay, or an incident on the task once its attempts are spent.
void Engine::Impl::fail_delivery(BatchWork& w, Slot& s, const job::Failed& x) {
  const TaskState& t = s.state.tasks[static_cast<std::size_t>(x.matter)];
  if (!with_department(t.status) || t.attempt != x.attempt || is_final(s.state.stage)) return;
  ++n_failures;
  const FlowChain& fc = *s.chain->flow;
  const std::string& department = fc.chain().matters[static_cast<std::size_t>(x.matter)].department;
  RetryPolicy policy = options.retry;
  {
    std::lock_guard bindings_lock(ad_mu);
    if (const Binding* b = binding_for(department)) policy = b->retry;
  }
  const Instant at = now();
  if (static_cast<int>(x.delivery) < policy.attempts) {
    const std::int64_t due = wall_clock_ms() + policy.delay(static_cast<int>(x.delivery) + 1, random_unit()).count();
    (void)append(w, s, x.case_id, at, Note{note::DeliveryFailed{x.matter, x.attempt, x.delivery, x.error, due}},
                 EntryResult::note);
    job::Redeliver next{x.case_id, x.matter, x.attempt, x.delivery + 1};
    w.batch.timers_put.push_back({x.case_id, x.matter, x.attempt, next.delivery, due});
    retry_rows.insert({x.case_id, x.matter});
    w.retries.emplace_back(next, due);
    return;
  }
  (void)append(w, s, x.case_id, at, Note{note::DeliveryFailed{x.matter, x.attempt, x.delivery, x.error, 0}},
               EntryResult::note);
  const std::string error = fmt::format("{} deliveries failed; the last: {}", x.delivery, x.error);
  CaseWork& cw = w.work(x.case_id, &s);
  const Event ev{at, event::TaskIncident{x.matter, x.attempt, error}};
  const StepOutcome r = step(fc, s.state, ev, cw.cmds);
  if (r.result != StepResult::invalid) {
    (void)append(w, s, x.case_id, at, EntryBody{ev.body},
                 r.result == StepResult::applied ? EntryResult::applied : EntryResult::ignored);
    cw.notes.push_back({Notification::Kind::incident, x.case_id, fc.matter_id(x.matter), error, {}});
  }
}

// The flow's verdict on one request of a case: the log entry and the answer
// (a department's answer the flow refuses fails its delivery).
void Engine::Impl::record_step(BatchWork& w, job::Apply& a, Slot& s, CaseId id, CaseWork& cw, const Event& ev,
                               const StepOutcome& r) {
  const FlowChain& fc = *s.chain->flow;
  if (r.result == StepResult::invalid) {
    const auto* report = std::get_if<request::Report>(&a.request);
    if (report && a.delivery)  // a department's answer the flow refuses: the delivery failed
      fail_delivery(w, s, job::Failed{id, fc.matter_index(report->matter), report->attempt, a.delivery,
                                      fmt::format("the department's answer was refused: {}", r.reason)});
    reply(w, a, Status::invalid(fmt::format("case {}: {}", id, r.reason)));
    return;
  }
  const bool applied = r.result == StepResult::applied;
  if (!applied) ++n_ignored;
  const auto seq = append(w, s, id, ev.at, EntryBody{ev.body}, applied ? EntryResult::applied : EntryResult::ignored,
                          &actor_of(a.request));
  if (applied && changes_data(ev.body)) cw.data = true;
  // A material file: its bytes in the same transaction as the entry that records them.
  if (auto* file = std::get_if<request::Attach>(&a.request)) {
    const auto& e = std::get<event::FileAttached>(ev.body);
    w.batch.files.push_back(FileRow{MaterialFile{id, seq, e.material, e.name, e.media_type, e.bytes, e.sha256, ev.at},
                                    std::move(file->content)});
  }
  if (applied && std::holds_alternative<event::Delivered>(ev.body))
    cw.notes.push_back({Notification::Kind::delivered, id, {}, "results delivered", {}});
  Receipt done{id, seq, r.result, r.reason, s.state.stage};
  if (std::holds_alternative<request::Submit>(a.request)) owed(done, s.state);
  reply(w, a, std::move(done));
}

// A submission: the flow decides on a new case first, so that a refused
// application spends no case id and leaves no row.
void Engine::Impl::prepare_submit(BatchWork& w, job::Apply& a, const request::Submit& sub) {
  auto entry = [&] {
    std::lock_guard g(store_mu);
    return registry.get(*store, sub.chain, sub.version);
  }();
  if (!entry) return reply(w, a, entry.status());
  std::string fingerprint;
  if (!sub.idempotency_key.empty()) {
    fingerprint = submit_fingerprint((*entry)->stored, sub);
    auto known = find_key(w, sub.actor.account, sub.idempotency_key);
    if (!known) return reply(w, a, known.status());
    if (*known) {
      if ((*known)->fingerprint != fingerprint)
        return reply(w, a, Status::error(Status::Code::mismatch,
                                         fmt::format("the Idempotency-Key `{}` was used for case {} with another application",
                                                     sub.idempotency_key, (*known)->case_id)));
      auto earlier = slot((*known)->case_id);
      if (!earlier) return reply(w, a, earlier.status());
      Receipt again{(*known)->case_id, 1, StepResult::ignored, "submitted before with this Idempotency-Key",
                    (*earlier)->state.stage};
      owed(again, (*earlier)->state);
      return reply(w, a, std::move(again));
    }
  }
  const FlowChain& fc = *(*entry)->flow;
  Slot fresh;
  fresh.state = new_case(fc, last_id + 1);
  auto ev = to_event(a.request, fc, fresh.state, a.at);
  if (!ev) return reply(w, a, ev.status());
  // 一次收齐: with the applicant's consent, what the registry holds for the
  // holder the application names goes with the event; the flow takes what
  // the application lacks.
  if (sub.reuse_consent) {
    HolderRecord record;
    const std::string& key = fc.chain().holder.id;
    const Value* v = key.empty() ? nullptr : find_value(sub.fields, key);
    if (const auto* holder = v ? std::get_if<std::string>(v) : nullptr; holder && !holder->empty()) {
      std::lock_guard g(store_mu);
      auto found = store->holder_record(*holder);
      if (!found) return reply(w, a, found.status());
      record = std::move(*found);
    }
    std::get<event::Submitted>(ev->body).reuse = std::move(record);
  }
  std::vector<Command> cmds;
  const StepOutcome r = step(fc, fresh.state, *ev, cmds);
  if (r.result == StepResult::invalid) return reply(w, a, Status::invalid(r.reason));
  const CaseId id = ++last_id;
  if (!sub.actor.account.empty()) w.batch.owners.emplace_back(id, sub.actor.account);
  if (!sub.idempotency_key.empty())
    w.batch.keys.push_back({sub.actor.account, sub.idempotency_key, fingerprint, id, wall_clock_ms()});
  fresh.chain = std::move(*entry);
  lru.push_front(id);
  fresh.lru = lru.begin();
  Slot& s = cache.emplace(id, std::move(fresh)).first->second;
  ++w.created;
  ++n_open;
  CaseWork& cw = w.work(id, &s);
  cw.was_open = true;
  cw.cmds = std::move(cmds);
  record_step(w, a, s, id, cw, *ev, r);
}

// Any other request of a case: claims and urges are notes; the rest are
// flow events.
void Engine::Impl::prepare_apply(BatchWork& w, job::Apply& a) {
  const CaseId id = case_of(a.request);
  auto found = slot(id);
  if (!found) return reply(w, a, found.status());
  Slot& s = **found;
  const FlowChain& fc = *s.chain->flow;
  if (std::holds_alternative<request::Claim>(a.request) || std::holds_alternative<request::Release>(a.request))
    return reply(w, a, claim_or_release(w, s, id, a));
  if (std::holds_alternative<request::Urge>(a.request)) return reply(w, a, urge(w, s, id, a));
  // A department adapter's answer: the department is its actor.
  if (auto* report = std::get_if<request::Report>(&a.request); report && a.delivery && report->actor.account.empty()) {
    const int m = fc.matter_index(report->matter);
    if (m >= 0) {
      const std::string& dept = fc.chain().matters[static_cast<std::size_t>(m)].department;
      report->actor = Actor{"adapter:" + dept, Role::department, dept, ActorChannel::department};
    }
  }
  if (const auto* file = std::get_if<request::Attach>(&a.request); file && file->content.size() > options.max_file_bytes)
    return reply(w, a, Status::invalid(fmt::format("the file for `{}` has {} bytes; files of at most {} bytes are taken",
                                                 file->material, file->content.size(), options.max_file_bytes)));
  auto ev = to_event(a.request, fc, s.state, a.at);
  if (!ev) return reply(w, a, ev.status());
  CaseWork& cw = w.work(id, &s);
  record_step(w, a, s, id, cw, *ev, step(fc, s.state, *ev, cw.cmds));
}

// The alert timer of a case: its levels are read again (unless re-armed or ended).
void Engine::Impl::prepare_fire(BatchWork& w, const job::Fire& f) {
  auto found = slot(f.case_id);
  if (!found) return;
  Slot& s = **found;
  if (!s.state.timer || *s.state.timer != f.timer || is_final(s.state.stage)) return;
  CaseWork& cw = w.work(f.case_id, &s);
  const Instant at = std::max(now(), f.timer);
  const StepOutcome r = step(*s.chain->flow, s.state, Event{at, event::TimerFired{}}, cw.cmds);
  if (r.result != StepResult::invalid)
    (void)append(w, s, f.case_id, at, EntryBody{EventBody{event::TimerFired{}}},
                 r.result == StepResult::applied ? EntryResult::applied : EntryResult::ignored);
}

// One row per case touched: the state after every event of the batch.
void Engine::Impl::put_case_rows(BatchWork& w) {
  for (auto& [id, cw] : w.cases) {
    Slot& s = *cw.slot;
    merge_supplement_notices(cw.cmds, 0);
    // 一次收齐: what approvals verified and issued, into the holder registry.
    for (Command& c : cw.cmds)
      if (auto* reg = std::get_if<command::Register>(&c)) w.batch.holders.push_back(std::move(reg->record));
    CaseRow row;
    row.id = id;
    row.chain = s.chain->stored.id;
    row.version = s.chain->stored.version;
    row.stage = s.state.stage;
    row.alert = worst_alert(s.state);
    row.submitted_at = s.state.submitted_at;
    row.seq = s.seq;
    row.last_hash = s.last;
    row.state = encode_state(s.state);
    if (cw.data) {
      row.data = encode_data(s.state);
      row.write_data = true;
    }
    // Stored retries of tasks that moved on are dropped with the change.
    for (auto it = retry_rows.lower_bound({id, -1}); it != retry_rows.end() && it->first == id;) {
      const TaskState& t = s.state.tasks[static_cast<std::size_t>(it->second)];
      if (!with_department(t.status) || is_final(s.state.stage)) {
        w.batch.timers_del.emplace_back(id, it->second);
        it = retry_rows.erase(it);
      } else {
        ++it;
      }
    }
    w.batch.cases.push_back(std::move(row));
  }
}

// What the batch does once committed, from the states right after it:
// the next batch may change them before this one is in the store.
std::unique_ptr<Prepared> Engine::Impl::aftermath(BatchWork& w) {
  auto p = std::make_unique<Prepared>();
  p->created = w.created;
  p->replies = std::move(w.replies);
  p->act = options.live && !closed;
  std::vector<Sending> sends;
  for (auto& [id, cw] : w.cases) {
    Slot& s = *cw.slot;
    const FlowChain& fc = *s.chain->flow;
    p->touched.push_back(id);
    if (cw.was_open && is_final(s.state.stage)) ++p->ended;
    if (has_listener) {
      notifications(fc, id, cw.cmds, cw.notes);
      for (auto& n : cw.notes) p->notes.push_back(std::move(n));
    }
    if (!p->act) continue;
    for (const Command& c : cw.cmds) {
      if (const auto* d = std::get_if<command::Dispatch>(&c)) {
        const TaskState& t = s.state.tasks[static_cast<std::size_t>(d->matter)];
        if (with_department(t.status) && t.attempt == d->attempt)
          sends.push_back({&s, d->matter, d->attempt, 1});
      } else if (const auto* x = std::get_if<command::Cancel>(&c)) {
        const Matter& mt = fc.chain().matters[static_cast<std::size_t>(x->matter)];
        p->cancels.emplace_back(task_key(id, mt.id, x->attempt), mt.department);
      } else if (const auto* t = std::get_if<command::ArmTimer>(&c)) {
        p->alerts.emplace_back(id, t->at);
      } else if (std::holds_alternative<command::ReadyForDelivery>(c) && options.auto_deliver) {
        p->follow.push_back(job::Apply{request::Deliver{id, *options.auto_deliver, {}}, now(), nullptr, false, 0});
      }
    }
  }
  if (p->act) {
    for (const auto& d : w.redeliver)
      if (auto it = cache.find(d.case_id); it != cache.end()) {
        const TaskState& t = it->second.state.tasks[static_cast<std::size_t>(d.matter)];
        if (with_department(t.status) && t.attempt == d.attempt && !is_final(it->second.state.stage))
          sends.push_back({&it->second, d.matter, d.attempt, d.delivery});
      }
    start_deliveries(sends, p->outbox);
    p->retries = std::move(w.retries);
  }
  p->batch = std::move(w.batch);
  std::sort(p->touched.begin(), p->touched.end());
  // Ended cases are rarely read again: keep the memory for open ones. (A
  // case forgotten here is read again only after the writer has stored it.)
  for (auto& [id, cw] : w.cases)
    if (is_final(cw.slot->state.stage)) evict(id);
  trim_cache();
  return p;
}


void Engine::Impl::drain_writer() {
  std::unique_lock g(w_mu);
  w_cv.wait(g, [&] { return !w_batch; });
}

void Engine::Impl::refuse(Prepared& p, const Status& why) {
  // Nothing of the batch happened: tell every waiting caller (an answer
  // that was already an error stays that error).
  n_open -= p.created;
  // The batch's inbox requests were taken: their senders wait for an answer.
  if (!p.batch.inbox_done.empty()) {
    Batch answers;
    for (const auto& [id, result] : p.batch.inbox_done)
      answers.inbox_done.emplace_back(id, receipt_from_json(result) ? receipt_to_json(Result<Receipt>(why)) : result);
    std::lock_guard g(store_mu);
    (void)store->commit(answers);  // a store that cannot commit answers at the next start (released, applied again)
  }
  for (auto& r : p.replies) {
    Result<Receipt> failed = r.result ? Result<Receipt>(why) : r.result;
    if (r.inline_done) answer(r.done, std::move(failed));
    else boost::asio::post(io, [done = std::move(r.done), failed = std::move(failed)]() mutable { answer(done, std::move(failed)); });
  }
}

Status Engine::Impl::forget_failed(std::unique_lock<std::mutex>& g, std::vector<CaseId>* cases) {
  if (w_failed) return Status::ok();
  const Status why = std::exchange(w_failed, Status::ok());
  std::vector<CaseId> lost = std::move(w_failed_cases);
  w_failed_cases.clear();
  g.unlock();
  // Their states in the cache are ahead of the store: read them again.
  for (CaseId id : lost) evict(id);
  if (cases) *cases = std::move(lost);
  return why;
}

void Engine::Impl::hand_over(std::unique_ptr<Prepared> p) {
  std::unique_lock g(w_mu);
  w_cv.wait(g, [&] { return !w_batch; });
  std::vector<CaseId> lost;
  if (Status why = forget_failed(g, &lost); !why) {
    // The previous batch was not committed. If this one touches a case of
    // it, it was stepped from states the store does not hold: it cannot be
    // committed either. Other cases' requests go on (the previous batch's
    // answer may have reached its caller before its failure was recorded
    // here, and the caller's next request must not pay for it).
    const bool depends = std::any_of(p->touched.begin(), p->touched.end(), [&](CaseId id) {
      return std::find(lost.begin(), lost.end(), id) != lost.end();
    });
    if (depends) {
      for (CaseId id : p->touched) evict(id);
      refuse(*p, why);
      return;
    }
    g.lock();
  }
  {
    std::lock_guard q(q_mu);
    writing = true;
  }
  w_batch = std::move(p);
  g.unlock();
  w_cv.notify_all();
}

void Engine::Impl::writer_main() {
  for (;;) {
    Prepared* p = nullptr;
    {
      std::unique_lock g(w_mu);
      w_cv.wait(g, [&] { return w_batch || w_stop; });
      if (!w_batch) return;
      p = w_batch.get();
    }
    Status committed = Status::ok();
    if (!p->batch.empty()) {
      std::lock_guard g(store_mu);
      committed = store->commit(p->batch);
    }
    if (committed) finish(*p);
    else {
      check_lost(committed);
      refuse(*p, committed);
    }  // the committer forgets its cases (w_failed_cases)
    std::unique_ptr<Prepared> done;
    {
      std::lock_guard g(w_mu);
      if (!committed) {
        w_failed = committed;
        w_failed_cases.insert(w_failed_cases.end(), p->touched.begin(), p->touched.end());
      }
      done = std::move(w_batch);
      std::lock_guard q(q_mu);
      writing = false;
    }
    w_cv.notify_all();
    idle_cv.notify_all();
    done.reset();  // the batch's memory is freed outside the locks
  }
}

void Engine::Impl::finish(Prepared& p) {
  ++n_commits;
  n_events += p.batch.entries.size();
  n_open -= p.ended;

  auto later = std::make_shared<std::vector<Reply>>();
  for (auto& r : p.replies) {
    if (r.inline_done) answer(r.done, std::move(r.result));
    else later->push_back(std::move(r));
  }
  if (!later->empty())
    boost::asio::post(io, [later] {
      for (auto& r : *later) answer(r.done, std::move(r.result));
    });
  for (auto& n : p.notes) notify(std::move(n));
  if (!p.act || closed) return;
  for (const auto& [key, department] : p.cancels) cancel_delivery(key, department);
  for (const auto& [id, at] : p.alerts) arm_alert(id, at);
  for (const auto& [r, due] : p.retries) arm_retry(r, due);
  flush_outbox(p.outbox);
  enqueue_all(std::move(p.follow));
}

}  // namespace yilian
