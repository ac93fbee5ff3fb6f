// Records: reading cases, logs, work queues and late limits from a store.
#include "yilian/records.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <mutex>

#include "runtime/chain_registry.h"
#include "runtime/codec.h"
#include "runtime/json_codec.h"
#include "runtime/store.h"
#include "yilian/engine_options.h"

namespace yilian {

using namespace detail;

struct Records::Impl {
  std::mutex mu;
  std::unique_ptr<Store> store;
  std::shared_ptr<ChainRegistry> shared;
  ChainRegistry& registry;
  std::function<Instant()> clock;

  Impl(std::shared_ptr<ChainRegistry> r, std::function<Instant()> c)
      : shared(std::move(r)), registry(*shared), clock(std::move(c)) {}
  /// The reader over this (Records' constructor is private).
  static std::unique_ptr<Records> reader(std::unique_ptr<Impl> impl) {
    return std::unique_ptr<Records>(new Records(std::move(impl)));
  }
  Date today() const { return (clock ? clock() : china_standard_time_now()).date(); }

  struct Loaded {
    std::shared_ptr<const ChainEntry> chain;
    CaseState state;
  };
  Result<Loaded> decode(const CaseRow& row, bool with_data) {
    auto entry = registry.get(*store, row.chain, row.version);
    if (!entry) return Status::error(entry.status().code(), fmt::format("case {}: {}", row.id, entry.status().message()));
    Loaded l{std::move(*entry), {}};
    if (!decode_state(row.state, l.state) || (with_data && !decode_data(row.data, l.state)))
      return Status::error(Status::Code::internal, fmt::format("case {}: the stored state cannot be read", row.id));
    return l;
  }
  /// Decodes every case (only open ones when `open_only`) whose row `keep`
  /// accepts, without its data, and hands it to `fn`; the first case that
  /// cannot be decoded stops the scan and is the answer.
  Status each_case(bool open_only, const std::function<bool(const CaseRow&)>& keep,
                   const std::function<void(const CaseRow&, const Loaded&)>& fn) {
    Status failed = Status::ok();
    Status scanned = store->scan_cases(open_only, [&](CaseRow&& row) {
      if (!failed || !keep(row)) return;
      auto loaded = decode(row, false);
      if (!loaded) {
        failed = loaded.status();
        return;
      }
      fn(row, *loaded);
    });
    return scanned ? failed : scanned;
  }
};

namespace {

using ClaimMap = std::map<std::pair<CaseId, int>, ClaimRow>;

/// The ratings of a case as people read them; a follow-up step is late
/// when done after its due day, or not done and past it today.
std::vector<RatingView> rating_views(const FlowChain& fc, const CaseState& s, Date today) {
  std::vector<RatingView> out;
  const Chain& chain = fc.chain();
  for (std::size_t i = 0; i < s.ratings.size(); ++i) {
    const Rating& r = s.ratings[i];
    RatingView v;
    v.number = static_cast<std::uint32_t>(i + 1);
    v.grade = r.grade;
    if (r.matter >= 0) {
      const Matter& m = chain.matters[static_cast<std::size_t>(r.matter)];
      v.matter = m.id;
      v.matter_name = m.name;
      v.department = m.department;
    } else {
      v.matter_name = chain.name;
      v.department = chain.lead;
    }
    v.at = r.at;
    v.comment = r.comment;
    v.follow_up = r.follow_up;
    if (const auto& f = r.follow_up; f && f->appeal != FollowUp::Appeal::upheld) {
      auto late = [&](const std::optional<Date>& done, Date due) { return done ? *done > due : today > due; };
      v.call_back_late = late(f->called_back, f->call_back_due);
      v.rectify_late = late(f->rectified, f->rectify_due);
    }
    out.push_back(std::move(v));
  }
  return out;
}

TaskView task_view(const FlowChain& fc, const CaseState& s, CaseId id, int m, Date today, const ClaimMap& claims) {
  const Chain& chain = fc.chain();
  const Matter& mt = chain.matters[static_cast<std::size_t>(m)];
  const TaskState& t = s.tasks[static_cast<std::size_t>(m)];
  TaskView v;
  v.matter = mt.id;
  v.name = mt.name;
  v.department = mt.department;
  if (const Department* d = chain.find_department(mt.department)) v.department_name = d->name;
  v.status = t.status;
  v.attempt = t.attempt;
  if (t.attempt > 0) {
    v.key = task_key(id, mt.id, t.attempt);
    v.started = t.started;
  }
  if (t.status == TaskStatus::approved || t.status == TaskStatus::rejected || t.status == TaskStatus::skipped ||
      (t.status == TaskStatus::cancelled && t.attempt > 0))
    v.finished = t.finished;
  v.clock_stopped = t.stopped_since.has_value();
  v.requested = t.requested;
  v.note = t.note;
  if (is_open(t.status) && !is_final(s.stage)) {
    const AlertStatus st = task_alert_status(fc, s, m, today);
    v.deadline = st.deadline.date;
    v.alert = st.level;
    v.supervision = st.supervision;
    v.remaining_days = st.remaining_days;
    v.overdue_days = st.overdue_days;
    v.clock_stopped = v.clock_stopped || st.clock_stopped;
  } else if (t.attempt > 0) {
    v.deadline = s.task_deadline(fc, m).date;
    v.alert = t.alert;
    v.supervision = t.supervision;
  }
  if (auto it = claims.find({id, m}); it != claims.end() && it->second.attempt == t.attempt) v.claimed_by = it->second.officer;
  return v;
}

AlertLevel worst_today(const FlowChain& fc, const CaseState& s, Date today, Supervision* supervision, Date* deadline) {
  if (s.stage != CaseStage::running || !s.accepted_on) return AlertLevel::green;
  const AlertStatus cs = case_alert_status(fc, s, today);
  AlertLevel a = cs.level;
  Supervision sup = cs.supervision;
  if (deadline) *deadline = cs.deadline.date;
  for (std::size_t m = 0; m < s.tasks.size(); ++m)
    if (is_open(s.tasks[m].status)) {
      const AlertStatus ts = task_alert_status(fc, s, static_cast<int>(m), today);
      a = std::max(a, ts.level);
      sup = std::max(sup, ts.supervision);
    }
  if (supervision) *supervision = sup;
  return a;
}

std::string_view result_name(EntryResult r) {
  return r == EntryResult::applied ? "applied" : r == EntryResult::ignored ? "ignored" : "note";
}

/// A stored entry as people and programs read it.
LogEntry log_entry(const EntryRow& e, const FlowChain& fc) {
  LogEntry l;
  l.seq = e.seq;
  l.at = Instant{e.at};
  l.kind = e.kind;
  l.result = std::string(result_name(e.result));
  if (auto body = decode_entry(e.body, &l.actor)) {
    l.summary = entry_summary(*body, &fc);
    // Entries stored before answers were made valid UTF-8 (text.h) may
    // hold other bytes: shown as U+FFFD, never a failure to read the case.
    l.detail_json = entry_to_json(*body, &fc).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    l.summary = "(an entry this version cannot read)";
    l.detail_json = "{}";
  }
  return l;
}

}  // namespace

std::vector<DeferredView> deferred_views(const Chain& chain, const std::vector<std::string>& keys) {
  std::vector<DeferredView> out;
  out.reserve(keys.size());
  for (const std::string& key : keys) {
    const Material* m = chain.find_material(key);
    out.push_back({key, m ? m->name : key});
  }
  return out;
}

Records::Records(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Records::~Records() = default;

Result<std::unique_ptr<Records>> detail::open_records(const std::string& path, std::shared_ptr<ChainRegistry> registry,
                                                      std::function<Instant()> clock) {
  auto store = open_store(path, StoreOptions{.create = false, .read_only = true});
  if (!store) return store.status();
  auto impl = std::make_unique<Records::Impl>(std::move(registry), std::move(clock));
  impl->store = std::move(*store);
  return Records::Impl::reader(std::move(impl));
}

Result<std::unique_ptr<Records>> Records::open(const std::string& path, const RecordsOptions& options) {
  return detail::open_records(path, std::make_shared<ChainRegistry>(options.calendar_dirs), options.clock);
}

Result<CaseView> Records::case_view(CaseId id) const {
  std::lock_guard g(impl_->mu);
  Store& store = *impl_->store;
  auto row = store.load_case(id, true);
  if (!row) return row.status();
  if (!*row) return Status::not_found(fmt::format("no case {} in this store", id));
  auto loaded = impl_->decode(**row, true);
  if (!loaded) return loaded.status();
  const FlowChain& fc = *loaded->chain->flow;
  const CaseState& s = loaded->state;
  const Date today = impl_->today();

  ClaimMap claims;
  if (auto c = store.claims(id); c)
    for (auto& x : *c) claims[{x.case_id, x.matter}] = x;

  CaseView v;
  v.id = id;
  v.chain = fc.chain().id;
  v.version = fc.chain().version;
  v.chain_name = fc.chain().name;
  v.stage = s.stage;
  v.channel = s.channel;
  v.submitted_at = s.submitted_at;
  v.accepted_on = s.accepted_on;
  if (s.stage == CaseStage::ready || is_final(s.stage)) v.finished_on = s.finished_on;
  if (s.accepted_on) {
    if (s.stage == CaseStage::running) {
      const AlertStatus st = case_alert_status(fc, s, today);
      v.deadline = st.deadline.date;
      v.deadline_provisional = st.deadline.provisional;
      v.alert = st.level;
      v.supervision = st.supervision;
      v.remaining_days = st.remaining_days;
      v.overdue_days = st.overdue_days;
    } else {
      const Deadline d = s.deadline(fc);
      v.deadline = d.date;
      v.deadline_provisional = d.provisional;
      v.alert = s.alert;
      v.supervision = s.supervision;
    }
  }
  v.visits = s.visits;
  v.notices = s.notices;
  v.reason = s.reason;
  if (s.stage == CaseStage::delivered) v.delivery = s.delivery;
  v.tracking = s.tracking;
  v.deferred = deferred_views(fc.chain(), s.deferred);
  if (!s.deferred.empty()) {
    v.deferred_due = s.deferred_due;
    v.deferred_alert = s.deferred_alert;
  }
  v.ratings = rating_views(fc, s, today);
  v.agent = s.agent;
  v.reuse_consent = s.reuse_consent;
  for (const Reused& r : s.reused) {
    std::string label = r.key;
    if (r.kind == Reused::Kind::licence) {
      if (const Material* m = fc.chain().find_material(r.key)) label = m->name;
    } else if (const Field* f = fc.chain().find_field(r.key)) {
      label = f->label;
    }
    v.reused.push_back({r.kind == Reused::Kind::licence, r.key, std::move(label), r.from_case, r.number});
  }
  for (std::size_t m = 0; m < s.tasks.size(); ++m) v.tasks.push_back(task_view(fc, s, id, static_cast<int>(m), today, claims));

  Status read = store.read_log(id, [&](EntryRow&& e) { v.log.push_back(log_entry(e, fc)); });
  if (!read) return read;
  return v;
}

Result<std::vector<StreamEntry>> Records::entries_after(std::uint64_t position, std::size_t limit) const {
  std::lock_guard g(impl_->mu);
  std::vector<EntryRow> rows;
  if (Status s = impl_->store->scan_log_after(position, limit, [&](EntryRow&& e) { rows.push_back(std::move(e)); }); !s)
    return s;
  std::map<CaseId, std::shared_ptr<const ChainEntry>> chains;  // each case's chain, read once
  std::vector<StreamEntry> out;
  out.reserve(rows.size());
  for (const EntryRow& e : rows) {
    auto& chain = chains[e.case_id];
    if (!chain) {
      auto row = impl_->store->load_case(e.case_id, false);
      if (!row) return row.status();
      if (!*row) return Status::error(Status::Code::internal, fmt::format("log entry {} names case {}, which has no row", e.position, e.case_id));
      auto entry = impl_->registry.get(*impl_->store, (*row)->chain, (*row)->version);
      if (!entry) return entry.status();
      chain = std::move(*entry);
    }
    out.push_back({e.position, e.case_id, chain->stored.id, log_entry(e, *chain->flow)});
  }
  return out;
}

Result<std::uint64_t> Records::data_version() const {
  std::lock_guard g(impl_->mu);
  return impl_->store->data_version();
}

Result<std::vector<ChainInfo>> Records::chains() const {
  std::lock_guard g(impl_->mu);
  auto stored = impl_->store->chains();
  if (!stored) return stored.status();
  std::vector<ChainInfo> out;
  for (auto& c : *stored) {
    auto entry = impl_->registry.get(*impl_->store, c.id, c.version);
    out.push_back({c.id, c.version, entry ? (*entry)->flow->chain().name : std::string(), c.sha256});
  }
  return out;
}

Result<std::uint64_t> Records::last_position() const {
  std::lock_guard g(impl_->mu);
  return impl_->store->last_position();
}

Result<std::string> Records::case_owner(CaseId id) const {
  std::lock_guard g(impl_->mu);
  return impl_->store->case_owner(id);
}

Result<std::vector<MaterialFile>> Records::files(CaseId id) const {
  std::lock_guard g(impl_->mu);
  return impl_->store->files(id);
}

Result<std::string> Records::file_content(CaseId id, std::uint64_t seq) const {
  std::lock_guard g(impl_->mu);
  // What the case's log recorded at `seq`: the bytes handed out are those,
  // or none.
  std::optional<event::FileAttached> recorded;
  if (Status s = impl_->store->read_log(id, [&](EntryRow&& e) {
        if (e.seq != seq) return;
        auto body = decode_entry(e.body);
        if (const auto* ev = body ? std::get_if<EventBody>(&*body) : nullptr)
          if (const auto* f = std::get_if<event::FileAttached>(ev)) recorded = *f;
      });
      !s)
    return s;
  if (!recorded) return Status::not_found(fmt::format("case {} has no file at entry {}", id, seq));
  auto content = impl_->store->file_content(id, seq);
  if (!content) return content.status();
  if (!*content || sha256_hex(**content) != recorded->sha256)
    return Status::error(Status::Code::internal,
                         fmt::format("the stored file of case {} entry {} is {} the one its log entry recorded: the store "
                                     "was altered outside the engine (run `yilian audit verify`)",
                                     id, seq, *content ? "not" : "missing, not"));
  return std::move(**content);
}

Result<std::shared_ptr<const Chain>> Records::case_chain(CaseId id) const {
  std::lock_guard g(impl_->mu);
  auto row = impl_->store->load_case(id, false);
  if (!row) return row.status();
  if (!*row) return Status::not_found(fmt::format("no case {} in this store", id));
  auto entry = impl_->registry.get(*impl_->store, (*row)->chain, (*row)->version);
  if (!entry) return entry.status();
  return (*entry)->flow->chain_ptr();
}

Result<FieldValues> Records::department_data(CaseId id, const std::string& department) const {
  std::lock_guard g(impl_->mu);
  auto row = impl_->store->load_case(id, true);
  if (!row) return row.status();
  if (!*row) return Status::not_found(fmt::format("no case {} in this store", id));
  auto loaded = impl_->decode(**row, true);
  if (!loaded) return loaded.status();
  const CaseState& s = loaded->state;
  return loaded->chain->views->view(department, [&](std::string_view k) { return s.value(k); });
}

Result<std::vector<CaseSummary>> Records::list(const CaseFilter& filter) const {
  std::lock_guard g(impl_->mu);
  const Date today = impl_->today();
  const bool open_only = filter.overdue || (filter.stage && !is_final(*filter.stage));
  std::vector<CaseSummary> out;
  std::vector<CaseId> owned;
  if (!filter.owner.empty()) {
    auto mine = impl_->store->cases_of(filter.owner);
    if (!mine) return mine.status();
    owned = std::move(*mine);
  }
  if (Status scanned = impl_->each_case(
        open_only,
        [&](const CaseRow& row) {
          if (filter.before && row.id >= filter.before) return false;
          if (!filter.owner.empty() && !std::binary_search(owned.begin(), owned.end(), row.id)) return false;
          if (filter.stage && row.stage != *filter.stage) return false;
          return filter.chain.empty() || row.chain == filter.chain;
        },
        [&](const CaseRow& row, const Impl::Loaded& loaded) {
          const FlowChain& fc = *loaded.chain->flow;
          const CaseState& s = loaded.state;
          if (!filter.agent.empty() && !(s.agent && (s.agent->name == filter.agent || s.agent->id_number == filter.agent)))
            return;
          CaseSummary c{row.id, row.chain, row.version, s.stage, s.submitted_at, std::nullopt, AlertLevel::green, Supervision::none};
          Date deadline;
          c.alert = worst_today(fc, s, today, &c.supervision, &deadline);
          if (s.accepted_on) c.deadline = s.stage == CaseStage::running ? deadline : s.deadline(fc).date;
          if (filter.overdue && c.alert == AlertLevel::green) return;
          out.push_back(std::move(c));
        });
      !scanned)
    return scanned;
  std::sort(out.begin(), out.end(), [](const CaseSummary& a, const CaseSummary& b) { return a.id > b.id; });
  if (filter.limit && out.size() > filter.limit) out.resize(filter.limit);
  return out;
}

Result<std::vector<Revocation>> Records::revocations(Date since) const {
  std::lock_guard g(impl_->mu);
  std::vector<Revocation> out;
  if (Status scanned = impl_->each_case(
        false, [](const CaseRow&) { return true; },
        [&](const CaseRow& row, const Impl::Loaded& loaded) {
          const FlowChain& fc = *loaded.chain->flow;
          const Chain& chain = fc.chain();
          const CaseState& s = loaded.state;
          for (std::size_t m = 0; m < s.tasks.size(); ++m) {
            const TaskState& t = s.tasks[m];
            if (t.status != TaskStatus::revoked || t.finished < since) continue;
            const Matter& mt = chain.matters[m];
            const Department* d = chain.find_department(mt.department);
            Revocation r{mt.department, row.id, row.chain, mt.id, t.finished, t.note, {}, s.stage,
                         d ? d->name : mt.department, chain.name, mt.name};
            for (int x : revoked_dependents(fc, s, static_cast<int>(m)))
              r.dependents.push_back(chain.matters[static_cast<std::size_t>(x)].id);
            out.push_back(std::move(r));
          }
        });
      !scanned)
    return scanned;
  std::sort(out.begin(), out.end(), [](const Revocation& a, const Revocation& b) {
    return a.on != b.on ? b.on < a.on : (a.case_id != b.case_id ? a.case_id > b.case_id : a.matter < b.matter);
  });
  return out;
}

Result<RatingStats> Records::rating_stats(const std::string& chain_id) const {
  std::lock_guard g(impl_->mu);
  RatingStats out;
  out.today = impl_->today();
  std::map<std::pair<std::string, std::string>, RatingRow> by_matter;
  std::map<std::string, RatingRow> by_department;
  if (Status scanned = impl_->each_case(
        false, [&](const CaseRow& row) { return chain_id.empty() || row.chain == chain_id; },
        [&](const CaseRow& row, const Impl::Loaded& loaded) {
          if (loaded.state.ratings.empty()) return;
          const FlowChain& fc = *loaded.chain->flow;
          for (const RatingView& v : rating_views(fc, loaded.state, out.today)) {
            RatingRow& m = by_matter[{row.chain, v.matter}];
            if (m.chain.empty()) {
              m.chain = row.chain;
              m.matter = v.matter;
              m.name = v.matter_name;
              m.department = v.department;
            }
            RatingRow& d = by_department[v.department];
            if (d.department.empty()) {
              const Department* dep = fc.chain().find_department(v.department);
              d.department = v.department;
              d.name = dep ? dep->name : v.department;
            }
            for (RatingRow* r : {&m, &d}) {
              const bool set_aside = v.follow_up && v.follow_up->appeal == FollowUp::Appeal::upheld;
              if (set_aside) {
                ++r->set_aside;
                continue;
              }
              ++r->grades[static_cast<std::size_t>(v.grade - 1)];
              if (!v.follow_up) continue;
              ++r->follow_ups;
              if (v.follow_up->rectified) ++r->closed;
              if (v.follow_up->called_back && !v.call_back_late) ++r->call_backs_on_time;
              if (v.follow_up->rectified && !v.rectify_late) ++r->rectified_on_time;
              if ((!v.follow_up->called_back && v.call_back_late) || (!v.follow_up->rectified && v.rectify_late)) ++r->overdue;
            }
          }
        });
      !scanned)
    return scanned;
  for (auto& [k, r] : by_matter) out.matters.push_back(std::move(r));
  for (auto& [k, r] : by_department) out.departments.push_back(std::move(r));
  return out;
}

Result<std::vector<WorkItem>> Records::work_queue(const std::string& department) const {
  auto page = work_queue_page(department, "", 0);
  if (!page) return page.status();
  return std::move(page->items);
}

// A cursor names the last task of a page: "<case>.<matter's place in its chain>".
Result<WorkPage> Records::work_queue_page(const std::string& department, std::string_view after, std::size_t limit,
                                          const std::function<bool(const WorkItem&)>& keep) const {
  CaseId after_case = 0;
  std::size_t after_matter = 0;
  if (!after.empty()) {
    const auto dot = after.find('.');
    const auto number = [](std::string_view t, auto& out) {
      const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
      return ec == std::errc() && end == t.data() + t.size() && !t.empty();
    };
    if (dot == std::string_view::npos || !number(after.substr(0, dot), after_case) ||
        !number(after.substr(dot + 1), after_matter) || after_case == 0)
      return Status::invalid(fmt::format("`{}` is not a cursor of a task list (pass a page's `next`)", after));
  }
  std::lock_guard g(impl_->mu);
  const Date today = impl_->today();
  ClaimMap claims;
  if (auto c = impl_->store->claims(std::nullopt); c)
    for (auto& x : *c) claims[{x.case_id, x.matter}] = x;
  WorkPage out;
  bool full = false;  // a task past the page was found: the rest is not decoded
  if (Status scanned = impl_->each_case(
        true, [&](const CaseRow& row) { return !full && !is_final(row.stage) && row.id >= after_case; },
        [&](const CaseRow& row, const Impl::Loaded& loaded) {
          const FlowChain& fc = *loaded.chain->flow;
          for (std::size_t m = 0; m < loaded.state.tasks.size() && !full; ++m) {
            if (row.id == after_case && m <= after_matter) continue;
            if (!is_open(loaded.state.tasks[m].status)) continue;
            if (!department.empty() && fc.chain().matters[m].department != department) continue;
            WorkItem item{row.id, row.chain, row.version,
                          task_view(fc, loaded.state, row.id, static_cast<int>(m), today, claims)};
            if (keep && !keep(item)) continue;
            if (limit != 0 && out.items.size() == limit) {
              full = true;
              break;
            }
            out.items.push_back(std::move(item));
            out.next = fmt::format("{}.{}", row.id, m);
          }
        });
      !scanned)
    return scanned;
  if (!full) out.next.clear();
  return out;
}

Result<std::vector<OverdueEntry>> Records::overdue() const {
  std::lock_guard g(impl_->mu);
  const Date today = impl_->today();
  std::vector<OverdueEntry> out;
  if (Status scanned = impl_->each_case(
        true, [](const CaseRow& row) { return !is_final(row.stage); },
        [&](const CaseRow& row, const Impl::Loaded& loaded) {
          const FlowChain& fc = *loaded.chain->flow;
          const Chain& chain = fc.chain();
          const CaseState& s = loaded.state;
          auto department_name = [&](const std::string& id) {
            const Department* d = chain.find_department(id);
            return d ? d->name : std::string();
          };
          for (std::size_t m = 0; m < s.tasks.size(); ++m) {
            if (!is_open(s.tasks[m].status)) continue;
            const AlertStatus st = task_alert_status(fc, s, static_cast<int>(m), today);
            if (st.level == AlertLevel::green) continue;
            const Matter& mt = chain.matters[m];
            out.push_back({mt.department, row.id, row.chain, mt.id, st.level, st.supervision, st.deadline.date,
                           st.remaining_days, st.overdue_days, department_name(mt.department), chain.name, mt.name,
                           s.tasks[m].status == TaskStatus::verifying ? "verification" : "task"});
          }
          // A case under verification has had its results; only its verifications still count.
          if (s.accepted_on && s.stage != CaseStage::verifying) {
            const AlertStatus st = case_alert_status(fc, s, today);
            if (st.level != AlertLevel::green)
              out.push_back({chain.lead, row.id, row.chain, {}, st.level, st.supervision, st.deadline.date,
                             st.remaining_days, st.overdue_days, department_name(chain.lead), chain.name, {}, "case"});
          }
          if (s.accepted_on && !s.deferred.empty()) {
            const AlertStatus st = deferred_alert_status(fc, s, today);
            if (st.level != AlertLevel::green)
              out.push_back({chain.lead, row.id, row.chain, {}, st.level, Supervision::none, st.deadline.date,
                             st.remaining_days, st.overdue_days, department_name(chain.lead), chain.name, {}, "deferred"});
          }
        });
      !scanned)
    return scanned;
  std::sort(out.begin(), out.end(), [](const OverdueEntry& a, const OverdueEntry& b) {
    if (a.department != b.department) return a.department < b.department;
    if (a.alert != b.alert) return a.alert > b.alert;
    if (a.overdue_days != b.overdue_days) return a.overdue_days > b.overdue_days;
    if (a.remaining_days != b.remaining_days) return a.remaining_days < b.remaining_days;
    if (a.case_id != b.case_id) return a.case_id < b.case_id;
    return a.matter < b.matter;
  });
  return out;
}

}  // namespace yilian
