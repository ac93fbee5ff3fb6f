// Binary encoding of log entries: each event's and note's payload, the
// actor trailer (see codec.h; what they share with case states: codec.cpp).
#include "runtime/codec.h"

namespace yilian::detail {
namespace {
constexpr std::uint8_t kNoteBase = 100;
/// Marks the actor trailer of an entry (store format 2).
constexpr std::uint8_t kActorTag = 0xAC;
/// Marks the agent of a submission (代办帮办, store format 4); a submission
/// written before has none, and its next byte is the actor tag or the end.
constexpr std::uint8_t kAgentTag = 0xA9;
/// Marks the matters a submission commits to (告知承诺, store format 4).
constexpr std::uint8_t kCommitmentsTag = 0xC7;
/// Marks the holder record a submission was given with the applicant's
/// consent to reuse (一次收齐, store format 6).
constexpr std::uint8_t kReuseTag = 0xB5;

// ---- event payloads ---------------------------------------------------------

void put(Writer& w, const event::Submitted& e) {
  write_values(w, *e.fields);
  write_strings(w, *e.materials);
  w.u8(static_cast<std::uint8_t>(e.channel));
  if (e.agent) {
    w.u8(kAgentTag);
    write_agent(w, *e.agent);
  }
  if (!e.commitments.empty()) {
    w.u8(kCommitmentsTag);
    w.uv(e.commitments.size());
    for (int m : e.commitments) w.sv(m);
  }
  if (e.reuse) {
    w.u8(kReuseTag);
    w.str(e.reuse->holder);
    w.uv(e.reuse->values.size());
    for (const HolderRecord::Item& i : e.reuse->values) {
      w.str(i.key);
      write_value(w, i.value);
      w.uv(i.from_case);
    }
    w.uv(e.reuse->licences.size());
    for (const HolderRecord::Licence& l : e.reuse->licences) {
      w.str(l.kind);
      w.str(l.number);
      w.str(l.issuer);
      write_date(w, l.issued_on);
      write_opt_date(w, l.valid_until);
      w.uv(l.from_case);
    }
  }
}
void put(Writer& w, const event::Supplemented& e) {
  write_values(w, e.fields);
  write_strings(w, e.materials);
  w.boolean(e.in_person);
}
void put(Writer& w, const event::TaskApproved& e) {
  w.sv(e.matter);
  w.uv(e.attempt);
  write_values(w, e.produced);
}
void put(Writer& w, const event::TaskRejected& e) {
  w.sv(e.matter);
  w.uv(e.attempt);
  w.str(e.reason);
}
void put(Writer& w, const event::SupplementRequested& e) {
  w.sv(e.matter);
  w.uv(e.attempt);
  write_strings(w, e.items);
  w.str(e.reason);
}
void put(Writer& w, const event::TaskSuspended& e) {
  w.sv(e.matter);
  w.uv(e.attempt);
  w.u8(static_cast<std::uint8_t>(e.reason));
  write_opt_int(w, e.told_days);
  w.str(e.note);
}
void put(Writer& w, const event::TaskResumed& e) {
  w.sv(e.matter);
  w.uv(e.attempt);
}
void put(Writer& w, const event::TaskIncident& e) {
  w.sv(e.matter);
  w.uv(e.attempt);
  w.str(e.error);
}
void put(Writer& w, const event::TaskRetried& e) { w.sv(e.matter); }
void put(Writer&, const event::TimerFired&) {}
void put(Writer& w, const event::Extended& e) {
  w.sv(e.matter);
  write_extension(w, e.extension);
}
void put(Writer& w, const event::Withdrawn& e) { w.str(e.reason); }
void put(Writer& w, const event::Delivered& e) {
  w.u8(static_cast<std::uint8_t>(e.method));
  w.str(e.tracking);
}
void put(Writer& w, const event::Rated& e) {
  w.uv(static_cast<std::uint64_t>(e.grade));
  w.sv(e.matter);
  w.str(e.comment);
}
void put(Writer& w, const event::FollowedUp& e) {
  w.uv(e.rating);
  w.u8(static_cast<std::uint8_t>(e.step));
  w.str(e.note);
}
void put(Writer& w, const event::FileAttached& e) {
  w.str(e.material);
  w.str(e.name);
  w.str(e.media_type);
  w.uv(e.bytes);
  w.str(e.sha256);
}
void put(Writer& w, const note::Claimed& n) {
  w.sv(n.matter);
  w.uv(n.attempt);
  w.str(n.officer);
}
void put(Writer& w, const note::Urged& n) {
  w.sv(n.matter);
  w.str(n.note);
}
void put(Writer& w, const note::Released& n) {
  w.sv(n.matter);
  w.uv(n.attempt);
  w.str(n.officer);
}
void put(Writer& w, const note::DeliveryFailed& n) {
  w.sv(n.matter);
  w.uv(n.attempt);
  w.uv(n.delivery);
  w.str(n.error);
  w.sv(n.retry_at_ms);
}

std::optional<EventBody> read_event(std::uint8_t kind, Reader& r) {
  switch (kind) {
    case 0: {
      event::Submitted e;
      (void)read_values(r, e.fields.edit());
      e.materials = read_strings(r);
      e.channel = static_cast<Channel>(r.u8());
      if (r.peek() == kAgentTag) {
        (void)r.u8();
        e.agent = read_agent(r);
      }
      if (r.peek() == kCommitmentsTag) {
        (void)r.u8();
        e.commitments.resize(r.count());
        for (int& m : e.commitments) m = read_matter(r);
      }
      if (r.peek() == kReuseTag) {
        (void)r.u8();
        HolderRecord h;
        h.holder = r.str();
        h.values.resize(r.count());
        for (HolderRecord::Item& i : h.values) {
          i.key = r.str();
          i.value = read_value(r);
          i.from_case = r.uv();
        }
        h.licences.resize(r.count());
        for (HolderRecord::Licence& l : h.licences) {
          l.kind = r.str();
          l.number = r.str();
          l.issuer = r.str();
          l.issued_on = read_date(r);
          l.valid_until = read_opt_date(r);
          l.from_case = r.uv();
        }
        e.reuse = std::move(h);
      }
      return e;
    }
    case 1: {
      event::Supplemented e;
      (void)read_values(r, e.fields);
      e.materials = read_strings(r);
      e.in_person = r.boolean();
      return e;
    }
    case 2: {
      event::TaskApproved e;
      e.matter = read_matter(r);
      e.attempt = read_attempt(r);
      (void)read_values(r, e.produced);
      return e;
    }
    case 3: {
      event::TaskRejected e;
      e.matter = read_matter(r);
      e.attempt = read_attempt(r);
      e.reason = r.str();
      return e;
    }
    case 4: {
      event::SupplementRequested e;
      e.matter = read_matter(r);
      e.attempt = read_attempt(r);
      e.items = read_strings(r);
      e.reason = r.str();
      return e;
    }
    case 5: {
      event::TaskSuspended e;
      e.matter = read_matter(r);
      e.attempt = read_attempt(r);
      e.reason = static_cast<SuspensionReason>(r.u8());
      e.told_days = read_opt_int(r);
      e.note = r.str();
      return e;
    }
    case 6: {
      event::TaskResumed e;
      e.matter = read_matter(r);
      e.attempt = read_attempt(r);
      return e;
    }
    case 7: {
      event::TaskIncident e;
      e.matter = read_matter(r);
      e.attempt = read_attempt(r);
      e.error = r.str();
      return e;
    }
    case 8: return event::TaskRetried{read_matter(r)};
    case 9: return event::TimerFired{};
    case 10: {
      event::Extended e;
      e.matter = read_matter(r);
      e.extension = read_extension(r);
      return e;
    }
    case 11: return event::Withdrawn{r.str()};
    case 12: {
      event::Delivered e;
      e.method = static_cast<DeliveryMethod>(r.u8());
      e.tracking = r.str();
      return e;
    }
    case 13: {
      event::Rated e;
      e.grade = static_cast<int>(r.uv());
      e.matter = read_matter(r);
      e.comment = r.str();
      return e;
    }
    case 14: {
      event::FollowedUp e;
      e.rating = static_cast<std::uint32_t>(r.uv());
      const std::uint8_t step = r.u8();
      if (step > static_cast<std::uint8_t>(FollowUpStep::appeal_rejected)) return std::nullopt;
      e.step = static_cast<FollowUpStep>(step);
      e.note = r.str();
      return e;
    }
    case 15: {
      event::FileAttached e;
      e.material = r.str();
      e.name = r.str();
      e.media_type = r.str();
      e.bytes = r.uv();
      e.sha256 = r.str();
      return e;
    }
    default: return std::nullopt;
  }
}

std::optional<Note> read_note(std::uint8_t kind, Reader& r) {
  switch (kind) {
    case 0: {
      note::Claimed n;
      n.matter = read_matter(r);
      n.attempt = read_attempt(r);
      n.officer = r.str();
      return n;
    }
    case 1: {
      note::DeliveryFailed n;
      n.matter = read_matter(r);
      n.attempt = read_attempt(r);
      n.delivery = static_cast<std::uint32_t>(r.uv());
      n.error = r.str();
      n.retry_at_ms = r.sv();
      return n;
    }
    case 3: {
      note::Urged n;
      n.matter = static_cast<int>(r.sv());
      n.note = r.str();
      return n;
    }
    case 2: {
      note::Released n;
      n.matter = read_matter(r);
      n.attempt = read_attempt(r);
      n.officer = r.str();
      return n;
    }
    default: return std::nullopt;
  }
}

}  // namespace

std::string_view note_name(const Note& n) {
  static constexpr std::string_view names[] = {"task-claimed", "delivery-failed", "task-released", "urged"};
  static_assert(std::variant_size_v<Note> == std::size(names));
  return names[n.index()];
}

std::string_view entry_name(const EntryBody& b) {
  if (const auto* e = std::get_if<EventBody>(&b)) return event_name(*e);
  return note_name(std::get<Note>(b));
}

std::string encode_entry(const EntryBody& body, const Actor* actor) {
  Writer w;
  if (const auto* e = std::get_if<EventBody>(&body)) {
    w.u8(static_cast<std::uint8_t>(e->index()));
    std::visit([&](const auto& x) { put(w, x); }, *e);
  } else {
    const Note& n = std::get<Note>(body);
    w.u8(static_cast<std::uint8_t>(kNoteBase + n.index()));
    std::visit([&](const auto& x) { put(w, x); }, n);
  }
  if (actor) {
    w.u8(kActorTag);
    w.str(actor->account);
    w.str(to_string(actor->role));
    w.str(actor->department);
    w.str(to_string(actor->channel));
  }
  return w.take();
}

std::optional<EntryBody> decode_entry(std::string_view bytes, std::optional<Actor>* actor) {
  Reader r(bytes);
  const std::uint8_t kind = r.u8();
  std::optional<EntryBody> out;
  if (kind >= kNoteBase) {
    if (auto n = read_note(static_cast<std::uint8_t>(kind - kNoteBase), r)) out = EntryBody{std::move(*n)};
  } else if (auto e = read_event(kind, r)) {
    out = EntryBody{std::move(*e)};
  }
  if (actor) actor->reset();
  if (r.ok() && !r.at_end()) {
    if (r.u8() != kActorTag) return std::nullopt;
    Actor a;
    a.account = r.str();
    const auto role = parse_role(r.str());
    a.department = r.str();
    const auto channel = parse_actor_channel(r.str());
    if (!role || !channel) return std::nullopt;
    a.role = *role;
    a.channel = *channel;
    if (actor) *actor = std::move(a);
  }
  if (!r.ok() || !r.at_end()) return std::nullopt;
  return out;
}

}  // namespace yilian::detail
