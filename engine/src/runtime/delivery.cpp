// Deliveries: handing tasks to adapters (with only their department's
// data), supervising them (timeouts, retries with backoff, incidents),
// alert timers, and recovering all of it from the store on open.
#include <fmt/format.h>

#include <algorithm>

#include "runtime/codec.h"
#include "runtime/engine_impl.h"
#include "yilian/text.h"

namespace yilian {

using namespace detail;

namespace {

/// The answers being collected on this I/O thread (Answers), if any.
thread_local Answers* collecting = nullptr;

/// What an adapter reports is stored as valid UTF-8 (text.h), whichever
/// adapter it comes from: the store keeps no bytes a reader cannot show.
void make_valid(Outcome& o) {
  o.reason = valid_utf8(o.reason);
  for (std::string& item : o.items) item = valid_utf8(item);
  for (auto& [key, value] : o.produced)
    if (auto* text = std::get_if<std::string>(&value)) *text = valid_utf8(*text);
    else if (auto* set = std::get_if<ValueSet>(&value))
      for (std::string& item : *set) item = valid_utf8(item);
}
}  // namespace

Status Engine::Impl::recover() {
  std::map<std::pair<CaseId, int>, RetryTimer> stored_retries;
  {
    auto timers = store->retry_timers();
    if (!timers) return timers.status();
    for (const auto& t : *timers) stored_retries[{t.case_id, t.matter}] = t;
  }
  Jobs jobs;
  std::vector<std::pair<job::Redeliver, std::int64_t>> later;
  Status failed = Status::ok();
  std::vector<Command> cmds;
  CaseState state;
  Status scanned = store->scan_cases(true, [&](CaseRow&& row) {
    if (!failed) return;
    auto entry = registry.find(row.chain, row.version);
    if (!entry) {
      auto got = registry.get(*store, row.chain, row.version);
      if (!got) {
        failed = Status::error(got.status().code(), fmt::format("case {}: {}", row.id, got.status().message()));
        return;
      }
      entry = *got;
    }
    if (!decode_state(row.state, state)) {
      failed = Status::invalid(fmt::format("case {}: the stored state cannot be read", row.id));
      return;
    }
    ++n_recovered;
    ++n_open;
    cmds.clear();
    const FlowChain& fc = *entry->flow;
    pending_commands(fc, state, cmds);
    for (const Command& c : cmds) {
      if (const auto* d = std::get_if<command::Dispatch>(&c)) {
        job::Redeliver r{row.id, d->matter, d->attempt, 1};
        if (auto it = stored_retries.find({row.id, d->matter}); it != stored_retries.end() && it->second.attempt == d->attempt) {
          r.delivery = it->second.delivery;
          const std::int64_t due = it->second.due_ms;
          retry_rows.insert(it->first);
          stored_retries.erase(it);
          if (due > wall_clock_ms()) {
            later.emplace_back(r, due);
            continue;
          }
        }
        // No adapter can be registered before open returns: park at once,
        // without reading the case (register_adapter sends them out).
        park(fc.chain().matters[static_cast<std::size_t>(d->matter)].department, {r.case_id, r.matter, r.attempt, r.delivery});
      } else if (const auto* t = std::get_if<command::ArmTimer>(&c)) {
        arm_alert(row.id, t->at);
      } else if (std::holds_alternative<command::ReadyForDelivery>(c) && options.auto_deliver) {
        jobs.push_back(job::Apply{request::Deliver{row.id, *options.auto_deliver, {}}, now(), nullptr, false, 0});
      }
    }
  });
  if (!scanned) return scanned;
  if (!failed) return failed;
  // Retries stored for tasks that moved on since are dropped.
  if (!stored_retries.empty()) {
    Batch stale;
    for (const auto& [k, t] : stored_retries) stale.timers_del.push_back(k);
    if (Status s = store->commit(stale); !s) return s;
  }
  for (const auto& [r, due] : later) arm_retry(r, due);
  enqueue_all(std::move(jobs));
  return Status::ok();
}

const Binding* Engine::Impl::binding_for(const std::string& department) const {
  if (auto it = bindings.find(department); it != bindings.end()) return &it->second;
  if (auto it = bindings.find("*"); it != bindings.end()) return &it->second;
  return nullptr;
}

void Engine::Impl::park(const std::string& department, Parked p) {
  std::lock_guard a(ad_mu);
  parked[department].push_back(p);
}

void Engine::Impl::unpark(const std::string& department) {
  Jobs jobs;
  {
    std::lock_guard a(ad_mu);
    for (auto it = parked.begin(); it != parked.end();) {
      const bool mine = it->first == department || (department == "*" && !bindings.count(it->first));
      if (!mine) {
        ++it;
        continue;
      }
      for (const Parked& p : it->second) jobs.push_back(job::Redeliver{p.case_id, p.matter, p.attempt, p.delivery});
      it = parked.erase(it);
    }
  }
  enqueue_all(std::move(jobs));
}

namespace {

/// Which of the chain's materials (ChainEntry::materials) a case's list
/// holds: one walk through both sorted lists, once per list of the case
/// (Slot::handed_in), not a search by name for each material of each
/// delivery (those searches read strings of cases that had left the cache:
/// a tenth of the engine's CPU, bench/README.md).
std::vector<bool> chain_materials_in(const std::vector<std::string>& ids, const std::vector<std::string>& materials) {
  std::vector<bool> in(ids.size(), false);
  auto at = ids.begin();
  for (const std::string& m : materials) {
    at = std::lower_bound(at, ids.end(), m);
    if (at == ids.end()) break;
    if (*at == m) in[static_cast<std::size_t>(at - ids.begin())] = true;
  }
  return in;
}

}  // namespace

void Engine::Impl::start_deliveries(const std::vector<Sending>& sends, std::vector<Outgoing>& out) {
  if (sends.empty()) return;
  std::vector<std::pair<std::shared_ptr<Adapter>, std::chrono::milliseconds>> adapters(sends.size());
  {
    std::lock_guard a(ad_mu);
    for (std::size_t i = 0; i < sends.size(); ++i) {
      const Sending& x = sends[i];
      const std::string& department = x.slot->chain->flow->chain().matters[static_cast<std::size_t>(x.matter)].department;
      if (const Binding* b = binding_for(department)) adapters[i] = {b->adapter, b->timeout};
      else parked[department].push_back({x.slot->state.id, x.matter, x.attempt, x.delivery});
    }
  }
  out.reserve(out.size() + sends.size());
  for (std::size_t i = 0; i < sends.size(); ++i) {
    if (!adapters[i].first) continue;
    const Sending& x = sends[i];
    Slot& slot = *x.slot;
    const CaseState& s = slot.state;
    const FlowChain& fc = *slot.chain->flow;
    const Matter& mt = fc.chain().matters[static_cast<std::size_t>(x.matter)];
    const std::vector<bool>& in = slot.handed_in.get(s.materials, [&](const std::vector<std::string>& list) {
      return chain_materials_in(slot.chain->materials, list);
    });
    Outgoing& o = out.emplace_back();
    o.adapter = std::move(adapters[i].first);
    o.timeout = adapters[i].second;
    o.chain = slot.chain;
    o.case_id = s.id;
    o.matter = x.matter;
    o.attempt = x.attempt;
    o.delivery = x.delivery;
    const std::vector<int>& issuers = slot.chain->issuers[static_cast<std::size_t>(x.matter)];
    const std::vector<std::uint32_t>& places = slot.chain->material_places[static_cast<std::size_t>(x.matter)];
    for (std::size_t k = 0; k < mt.materials.size(); ++k) {
      const int issuer = issuers[k];
      if (in[places[k]] || (issuer >= 0 && s.tasks[static_cast<std::size_t>(issuer)].status == TaskStatus::approved))
        o.held.push_back(static_cast<std::uint32_t>(k));
    }
    o.started = s.tasks[static_cast<std::size_t>(x.matter)].started;
    o.deadline = s.task_deadline(fc, x.matter).date;
    o.values = s.values;
    o.values_table = slot.values_table.get(s.values, [&](const FieldValues& values) {
      return std::make_shared<const DepartmentViews::Table>(slot.chain->views->table(values));
    });
    o.produced = s.produced;
  }
}

namespace {

/// The task as its adapter reads it: the chain's texts, the materials held,
/// and (data minimisation) what the task's department may see of the
/// values: its applicable matters' fields and what the chain shares with
/// it. Taken by the I/O thread that delivers.
void write_task(Outgoing& o) {
  const Chain& chain = o.chain->flow->chain();
  const Matter& mt = chain.matters[static_cast<std::size_t>(o.matter)];
  Task& t = o.task;
  t.case_id = o.case_id;
  t.chain = chain.id;
  t.version = chain.version;
  t.matter = mt.id;
  t.matter_name = mt.name;
  t.department = mt.department;
  t.attempt = o.attempt;
  t.delivery = o.delivery;
  t.started = o.started;
  t.deadline = o.deadline;
  t.materials.reserve(o.held.size());
  for (std::uint32_t i : o.held) t.materials.push_back(mt.materials[i].id);
  // The view points at the values as the case held them (produced ones
  // read first, as CaseState::value does), kept alive with the task.
  auto held = std::make_shared<const std::pair<Shared<FieldValues>, FieldValues>>(std::move(o.values),
                                                                                   std::move(o.produced));
  t.fields = FieldView(held, o.chain->views->select(t.department, held->second, *o.values_table));
  o.values_table.reset();
  o.chain.reset();
}

}  // namespace

void Engine::Impl::flush_outbox(std::vector<Outgoing>& outbox) {
  if (outbox.empty()) return;
  // Each delivery's key and completion (the committer leaves them to the writer).
  for (Outgoing& o : outbox) {
    auto state = std::make_shared<CompletionState>();
    state->hub = hub;
    state->matter = o.chain->flow->matter_id(o.matter);
    state->key = o.task.key = task_key(o.case_id, state->matter, o.attempt);
    state->case_id = o.case_id;
    state->matter_index = o.matter;
    state->attempt = o.attempt;
    state->delivery = o.delivery;
    o.done = Completion(state);
    o.state = std::move(state);
  }
  // Every delivery is known as in flight (with its watchdog) before any
  // adapter sees it, so that an answer always finds its record.
  {
    std::lock_guard a(ad_mu);
    for (Outgoing& o : outbox) {
      const CompletionState& c = *o.state;
      InFlight rec{c.case_id, c.matter_index, c.attempt, c.delivery, nullptr};
      if (o.timeout.count() > 0) {
        rec.timeout = std::make_shared<boost::asio::steady_timer>(io, o.timeout);
        rec.timeout->async_wait([this, state = o.state, ms = o.timeout.count()](const boost::system::error_code& ec) {
          if (ec) return;
          on_failed(*state, fmt::format("no answer within {} ms", ms));
        });
      }
      auto [it, added] = inflight.try_emplace(c.key, rec);
      if (!added) {
        if (it->second.timeout) it->second.timeout->cancel();
        it->second = std::move(rec);
      }
      o.state.reset();
    }
  }
  n_deliveries += outbox.size();
  // One handler per I/O thread, not one per task: the deliveries of a batch
  // go out together, without a wake-up each.
  const std::size_t parts = std::min<std::size_t>(outbox.size(), io_threads.empty() ? 1 : io_threads.size());
  const std::size_t per = (outbox.size() + parts - 1) / parts;
  for (std::size_t begin = 0; begin < outbox.size(); begin += per) {
    auto chunk = std::make_shared<std::vector<Outgoing>>(std::make_move_iterator(outbox.begin() + static_cast<std::ptrdiff_t>(begin)),
                                                         std::make_move_iterator(outbox.begin() + static_cast<std::ptrdiff_t>(std::min(outbox.size(), begin + per))));
    boost::asio::post(io, [this, chunk] {
      Answers answers{this, {}, {}};
      collecting = &answers;
      for (Outgoing& o : *chunk) {
        try {
          write_task(o);
          o.adapter->dispatch(o.task, o.done);
        } catch (const std::exception& e) {
          o.done.failed(fmt::format("the adapter threw: {}", e.what()));
        } catch (...) {
          o.done.failed("the adapter threw an exception that is not a std::exception");
        }
      }
      collecting = nullptr;
      hand_in(answers);
    });
  }
  outbox.clear();
}

void Engine::Impl::cancel_delivery(const std::string& key, const std::string& department) {
  std::shared_ptr<Adapter> adapter;
  {
    std::lock_guard a(ad_mu);
    if (auto it = inflight.find(key); it != inflight.end()) {
      if (it->second.timeout) it->second.timeout->cancel();
      inflight.erase(it);
    }
    if (const Binding* b = binding_for(department)) adapter = b->adapter;
  }
  if (adapter) boost::asio::post(io, [adapter, key] { adapter->cancel(key); });
}

bool Engine::Impl::settle(const std::string& key, std::uint32_t delivery) {
  std::lock_guard a(ad_mu);
  return settle_locked(key, delivery);
}

bool Engine::Impl::settle_locked(const std::string& key, std::uint32_t delivery) {
  auto it = inflight.find(key);
  if (it == inflight.end() || it->second.delivery != delivery) return false;
  if (it->second.timeout) it->second.timeout->cancel();
  inflight.erase(it);
  return true;
}

void Engine::Impl::on_accepted(const CompletionState& c) { (void)settle(c.key, c.delivery); }

void Engine::Impl::on_report(const CompletionState& c, Outcome outcome) {
  make_valid(outcome);
  const bool ends = outcome.decides() || outcome.kind == Outcome::Kind::suspended;
  job::Apply report{request::Report{c.case_id, c.matter, c.attempt, std::move(outcome)}, now(), nullptr, false, 0,
                    c.delivery};
  if (collecting && collecting->engine == this) {
    collecting->reports.push_back(std::move(report));
    if (ends) collecting->settled.emplace_back(c.key, c.delivery);
    return;
  }
  // Queue the report before the delivery counts as settled, so that
  // wait_idle() never sees neither.
  enqueue(std::move(report));
  if (ends) (void)settle(c.key, c.delivery);
}

void Engine::Impl::hand_in(Answers& answers) {
  // Queued before they count as settled, as on_report() does one by one.
  enqueue_all(std::move(answers.reports));
  answers.reports.clear();
  if (answers.settled.empty()) return;
  std::lock_guard a(ad_mu);
  for (const auto& [key, delivery] : answers.settled) (void)settle_locked(key, delivery);
  answers.settled.clear();
}

void Engine::Impl::on_failed(const CompletionState& c, std::string error) {
  // Answers collected before this failure go first, as they came.
  if (collecting && collecting->engine == this) hand_in(*collecting);
  std::lock_guard a(ad_mu);
  auto it = inflight.find(c.key);
  if (it == inflight.end() || it->second.delivery != c.delivery) return;  // settled, timed out or superseded
  if (it->second.timeout) it->second.timeout->cancel();
  inflight.erase(it);
  enqueue(job::Failed{c.case_id, c.matter_index, c.attempt, c.delivery, valid_utf8(error)});
}

void Engine::Impl::arm_alert(CaseId case_id, Instant at) {
  std::lock_guard t(tm_mu);
  alerts.emplace(at.seconds, case_id);
}

void Engine::Impl::check_alerts() {
  Jobs due;
  const std::int64_t t = now().seconds;
  {
    std::lock_guard g(tm_mu);
    while (!alerts.empty() && alerts.top().first <= t) {
      due.push_back(job::Fire{alerts.top().second, Instant{alerts.top().first}});
      alerts.pop();
    }
  }
  enqueue_all(std::move(due));
}

void Engine::Impl::alert_tick() {
  if (closed) return;
  check_alerts();
  std::lock_guard g(tick_mu);  // close() cancels the timer from its own thread
  if (closed) return;
  tick->expires_after(std::chrono::seconds(1));
  tick->async_wait([this](const boost::system::error_code& ec) {
    if (!ec) alert_tick();
  });
}

void Engine::Impl::arm_retry(job::Redeliver r, std::int64_t due_ms) {
  auto timer = std::make_shared<boost::asio::steady_timer>(io, std::chrono::milliseconds(std::max<std::int64_t>(0, due_ms - wall_clock_ms())));
  {
    std::lock_guard a(ad_mu);
    retry_timers.insert(timer);
  }
  timer->async_wait([this, r, timer](const boost::system::error_code& ec) {
    if (ec) return;
    enqueue(r);
    std::lock_guard a(ad_mu);
    retry_timers.erase(timer);
  });
}

void Engine::Impl::notify(Notification n) {
  std::function<void(const Notification&)> l;
  {
    std::lock_guard g(listener_mu);
    l = listener;
  }
  if (!l) return;
  boost::asio::post(listener_strand, [l = std::move(l), n = std::move(n)] {
    try {
      l(n);
    } catch (...) {
      // A listener's exception must not take an engine thread down.
    }
  });
}

double Engine::Impl::random_unit() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng); }

}  // namespace yilian
