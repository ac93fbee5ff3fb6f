// The committer's pieces per request: the flow event a request stands for,
// claims and urges (notes in the log), the notifications of commands; and
// its cache of case states (slot(), read from the store when not held).
#include "runtime/batch_work.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "runtime/audit.h"
#include "runtime/codec.h"

namespace yilian::detail {

std::uint64_t append(BatchWork& w, Slot& slot, CaseId id, Instant at, const EntryBody& body, EntryResult result,
                     const Actor* actor) {
  if (actor && actor->account.empty()) actor = nullptr;
  EntryRow e;
  e.case_id = id;
  e.seq = ++slot.seq;
  e.at = at.seconds;
  e.kind = std::string(entry_name(body));
  e.result = result;
  e.body = encode_entry(body, actor);
  e.hash = entry_hash(slot.last, e);
  slot.last = e.hash;
  w.batch.entries.push_back(std::move(e));
  w.work(id, &slot);
  return slot.seq;
}

Status no_matter(const FlowChain& fc, const std::string& matter) {
  return Status::invalid(fmt::format("chain {} v{} has no matter `{}`", fc.chain().id, fc.chain().version, matter));
}

/// The flow event a request stands for.
Result<Event> to_event(const Request& request, const FlowChain& fc, const CaseState& s, Instant at) {
  auto matter = [&](const std::string& id) { return fc.matter_index(id); };
  return std::visit(
      [&](const auto& q) -> Result<Event> {
        using T = std::decay_t<decltype(q)>;
        if constexpr (std::is_same_v<T, request::Submit>) {
          std::vector<int> commitments;
          for (const std::string& id : q.commitments) {
            const int m = matter(id);
            if (m < 0) return no_matter(fc, id);
            commitments.push_back(m);
          }
          return Event{at, event::Submitted{q.fields, q.materials, q.channel, q.agent, std::move(commitments)}};
        } else if constexpr (std::is_same_v<T, request::Supplement>) {
          return Event{at, event::Supplemented{q.fields, q.materials, q.in_person}};
        } else if constexpr (std::is_same_v<T, request::Report>) {
          const int m = matter(q.matter);
          if (m < 0) return no_matter(fc, q.matter);
          const std::uint32_t attempt = q.attempt ? q.attempt : s.tasks[static_cast<std::size_t>(m)].attempt;
          const Outcome& o = q.outcome;
          switch (o.kind) {
            case Outcome::Kind::approved: return Event{at, event::TaskApproved{m, attempt, o.produced}};
            case Outcome::Kind::rejected: return Event{at, event::TaskRejected{m, attempt, o.reason}};
            case Outcome::Kind::supplement: return Event{at, event::SupplementRequested{m, attempt, o.items, o.reason}};
            case Outcome::Kind::suspended:
              return Event{at, event::TaskSuspended{m, attempt, o.suspension, o.told_days, o.reason}};
            case Outcome::Kind::resumed: return Event{at, event::TaskResumed{m, attempt}};
          }
          return Status::invalid("unknown outcome");
        } else if constexpr (std::is_same_v<T, request::Withdraw>) {
          return Event{at, event::Withdrawn{q.reason}};
        } else if constexpr (std::is_same_v<T, request::Deliver>) {
          return Event{at, event::Delivered{q.method, q.tracking}};
        } else if constexpr (std::is_same_v<T, request::Extend>) {
          int m = -1;
          if (!q.matter.empty() && (m = matter(q.matter)) < 0) return no_matter(fc, q.matter);
          Extension e = q.extension;
          if (e.approved_on == Date{}) e.approved_on = at.date();
          return Event{at, event::Extended{m, std::move(e)}};
        } else if constexpr (std::is_same_v<T, request::Retry>) {
          const int m = matter(q.matter);
          if (m < 0) return no_matter(fc, q.matter);
          return Event{at, event::TaskRetried{m}};
        } else if constexpr (std::is_same_v<T, request::Rate>) {
          int m = -1;
          if (!q.matter.empty() && (m = matter(q.matter)) < 0) return no_matter(fc, q.matter);
          return Event{at, event::Rated{q.grade, m, q.comment}};
        } else if constexpr (std::is_same_v<T, request::FollowUp>) {
          if (q.rating == 0) return Status::invalid("ratings are numbered from 1");
          return Event{at, event::FollowedUp{q.rating - 1, q.step, q.note}};
        } else if constexpr (std::is_same_v<T, request::Attach>) {
          const std::string_view type = media_type_of(q.content);
          if (type.empty())
            return Status::invalid(fmt::format("the file for `{}` is not a PDF, JPEG or PNG (recognised by its content, "
                                               "not its name)", q.material));
          return Event{at, event::FileAttached{q.material, q.name.empty() ? q.material : q.name, std::string(type),
                                               q.content.size(), sha256_hex(q.content)}};
        } else {
          return Status::error(Status::Code::internal, "a claim, release or urge is not a flow event");
        }
      },
      request);
}

/// Whether an applied event changed the applicant's values or materials,
/// stored apart from the rest of the state (the data row) and written only
/// when they change: by what the applicant hands in. Produced values are
/// part of the state row.
bool changes_data(const EventBody& body) {
  return std::holds_alternative<event::Submitted>(body) || std::holds_alternative<event::Supplemented>(body) ||
         std::holds_alternative<event::FileAttached>(body);
}

/// What makes two submissions the same application: chain, version,
/// channel, values and the set of materials (SHA-256, hex).
std::string submit_fingerprint(const StoredChain& chain, const request::Submit& s) {
  Writer w;
  w.str(chain.id);
  w.uv(static_cast<std::uint64_t>(chain.version));
  w.uv(static_cast<std::uint64_t>(s.channel));
  write_values(w, s.fields);
  std::vector<std::string> materials = s.materials;
  std::sort(materials.begin(), materials.end());
  materials.erase(std::unique(materials.begin(), materials.end()), materials.end());
  w.uv(materials.size());
  for (const std::string& m : materials) w.str(m);
  if (s.reuse_consent) w.boolean(true);  // (absent before consent existed: earlier keys keep their fingerprints)
  return sha256_hex(w.take());
}

CaseId case_of(const Request& r) {
  return std::visit(
      [](const auto& q) -> CaseId {
        if constexpr (std::is_same_v<std::decay_t<decltype(q)>, request::Submit>) return 0;
        else return q.case_id;
      },
      r);
}

AlertLevel worst_alert(const CaseState& s) {
  AlertLevel a = s.alert;
  for (const TaskState& t : s.tasks)
    if (is_open(t.status) && t.alert > a) a = t.alert;
  return a;
}

/// Notifications for the commands of one case.
void notifications(const FlowChain& fc, CaseId id, const std::vector<Command>& cmds, std::vector<Notification>& out) {
  for (const Command& c : cmds) {
    if (const auto* n = std::get_if<command::SendNotice>(&c)) {
      Notification x{Notification::Kind::notice, id, {}, {}, {}};
      if (n->kind == command::SendNotice::Kind::incomplete_application) {
        for (const auto& m : n->missing) x.items.push_back(m.key);
        x.text = fmt::format("一次告知: {} items missing", x.items.size());
      } else {
        std::vector<std::string> by;
        for (const auto& [m, items] : n->requests) {
          by.push_back(fc.matter_id(m));
          x.items.insert(x.items.end(), items.begin(), items.end());
        }
        x.text = fmt::format("supplements requested by {}", fmt::join(by, ", "));
      }
      out.push_back(std::move(x));
    } else if (const auto* a = std::get_if<command::Alert>(&c)) {
      out.push_back({Notification::Kind::alert, id, a->matter < 0 ? std::string() : fc.matter_id(a->matter),
                     fmt::format("{}{}{}, deadline {}", a->deferred ? "deferred materials (容缺受理): " : "", to_string(a->level),
                                 a->supervision == Supervision::none ? "" : fmt::format(", {}", to_string(a->supervision)),
                                 a->deadline.to_string()),
                     {}});
    } else if (std::holds_alternative<command::ReadyForDelivery>(c)) {
      out.push_back({Notification::Kind::ready, id, {}, "every matter approved: results ready for delivery", {}});
    } else if (const auto* e = std::get_if<command::NotifyEnded>(&c)) {
      out.push_back({Notification::Kind::ended, id, {}, fmt::format("{}: {}", to_string(e->stage), e->reason), {}});
    } else if (const auto* v = std::get_if<command::NotifyRevoked>(&c)) {
      Notification x{Notification::Kind::ended, id, fc.matter_id(v->matter), {}, {}};
      for (int m : v->dependents) x.items.push_back(fc.matter_id(m));
      x.text = fmt::format("告知承诺 verification failed, result revoked: {}{}", v->reason,
                           x.items.empty() ? "" : fmt::format(" (matters after it: {})", fmt::join(x.items, ", ")));
      out.push_back(std::move(x));
    }
  }
}

/// A claim or a release: the flow core decides (decide_claim); the notes
/// go into the case's log and the holder into the claims row.
Result<Receipt> claim_or_release(BatchWork& w, Slot& s, CaseId id, const job::Apply& a) {
  const auto* claim = std::get_if<request::Claim>(&a.request);
  const auto* release = std::get_if<request::Release>(&a.request);
  const Actor& actor = actor_of(a.request);
  ClaimRequest q;
  q.matter = claim ? claim->matter : release->matter;
  q.attempt = claim ? claim->attempt : 0;
  q.release = release != nullptr;
  if (claim) {
    q.officer = claim->officer;
    q.force = claim->force;
  }
  q.actor = actor.account;
  q.supervises = actor.role == Role::admin || actor.role == Role::supervisor;
  const int m = s.chain->flow->matter_index(q.matter);
  std::string holder;
  if (auto it = s.claims.find(m); m >= 0 && it != s.claims.end() && it->second.attempt == s.state.tasks[static_cast<std::size_t>(m)].attempt)
    holder = it->second.officer;
  auto change = decide_claim(*s.chain->flow, s.state, q, holder);
  if (!change) return change.status();
  std::uint64_t seq = 0;
  if (!change->released.empty())
    seq = append(w, s, id, a.at, Note{note::Released{m, change->attempt, change->released}}, EntryResult::note, &actor);
  if (!change->claimed.empty())
    seq = append(w, s, id, a.at, Note{note::Claimed{m, change->attempt, change->claimed}}, EntryResult::note, &actor);
  w.batch.claims.push_back({id, m, change->attempt, change->claimed, a.at.seconds});
  if (change->claimed.empty()) s.claims.erase(m);
  else s.claims[m] = w.batch.claims.back();
  return Receipt{id, seq, StepResult::applied, {}, s.state.stage};
}

/// An urge (督办): a note in the case's log naming the supervisor; the case
/// must be running and a named task open.
Result<Receipt> urge(BatchWork& w, Slot& s, CaseId id, const job::Apply& a) {
  const auto& u = std::get<request::Urge>(a.request);
  const FlowChain& fc = *s.chain->flow;
  int m = -1;
  if (!u.matter.empty()) {
    m = fc.matter_index(u.matter);
    if (m < 0) return no_matter(fc, u.matter);
    const TaskState& t = s.state.tasks[static_cast<std::size_t>(m)];
    if (!is_open(t.status))
      return Status::invalid(fmt::format("task {} of case {} is {}; only an open task can be urged", u.matter, id,
                                         to_string(t.status)));
  }
  if (is_final(s.state.stage) || s.state.stage == CaseStage::ready)
    return Status::invalid(fmt::format("case {} is {}; only a case in progress can be urged", id, to_string(s.state.stage)));
  if (u.note.size() > 2000) return Status::invalid("an urge's note has at most 2,000 bytes");
  const auto seq = append(w, s, id, a.at, Note{note::Urged{m, u.note}}, EntryResult::note, &u.actor);
  return Receipt{id, seq, StepResult::applied, {}, s.state.stage};
}

}  // namespace yilian::detail

namespace yilian {

using namespace detail;

// ---- the committer's cache of case states -----------------------------------

Result<Slot*> Engine::Impl::slot(CaseId id) {
  if (auto it = cache.find(id); it != cache.end()) {
    lru.splice(lru.begin(), lru, it->second.lru);
    return &it->second;
  }
  // The case may have been forgotten while its last change is still with
  // the writer: read it only once that change is in the store. (Every
  // earlier batch is stored: a batch is handed over only after the one
  // before it is finished.)
  {
    std::unique_lock g(w_mu);
    w_cv.wait(g, [&] { return !w_batch || !std::binary_search(w_batch->touched.begin(), w_batch->touched.end(), id); });
  }
  std::optional<CaseRow> row;
  std::vector<ClaimRow> claims;
  {
    std::lock_guard s(store_mu);
    auto r = store->load_case(id, true);
    if (!r) return r.status();
    row = std::move(*r);
    if (row) {
      auto c = store->claims(id);
      if (!c) return c.status();
      claims = std::move(*c);
    }
  }
  if (!row) return Status::not_found(fmt::format("no case {} in this store", id));
  auto entry = [&] {
    std::lock_guard s(store_mu);
    return registry.get(*store, row->chain, row->version);
  }();
  if (!entry) return entry.status();
  Slot slot;
  slot.chain = std::move(*entry);
  slot.seq = row->seq;
  slot.last = row->last_hash;
  for (ClaimRow& c : claims)
    if (!c.officer.empty()) slot.claims.emplace(c.matter, std::move(c));
  if (!decode_state(row->state, slot.state) || !decode_data(row->data, slot.state))
    return Status::error(Status::Code::internal, fmt::format("case {}: the stored state cannot be read", id));
  lru.push_front(id);
  slot.lru = lru.begin();
  return &cache.emplace(id, std::move(slot)).first->second;
}

void Engine::Impl::evict(CaseId id) {
  auto it = cache.find(id);
  if (it == cache.end()) return;
  lru.erase(it->second.lru);
  cache.erase(it);
}

void Engine::Impl::trim_cache() {
  while (cache.size() > options.state_cache && !lru.empty()) {
    const CaseId victim = lru.back();
    lru.pop_back();
    cache.erase(victim);
  }
}

}  // namespace yilian
