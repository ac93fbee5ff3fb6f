// Binary encoding of log entries and of the values and fields they share
// with case states (see codec.h; the state itself: state_codec.cpp).
#include "runtime/codec.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

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

}  // namespace

void write_agent(Writer& w, const Agent& a) {
  w.str(a.name);
  w.str(a.id_number);
  w.str(a.phone);
}
Agent read_agent(Reader& r) {
  Agent a;
  a.name = r.str();
  a.id_number = r.str();
  a.phone = r.str();
  return a;
}

std::string task_key(CaseId id, std::string_view matter, std::uint32_t attempt) {
  return fmt::format("{}:{}:{}", id, matter, attempt);
}

void Writer::grow(std::size_t n) {
  const std::size_t used = static_cast<std::size_t>(at_ - buf_.data());
  buf_.resize(std::max({buf_.size() * 2, used + n, std::size_t{64}}));
  at_ = buf_.data() + used;
  end_ = buf_.data() + buf_.size();
}

void Writer::f64(double v) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof bits);
  room(8);
  for (int i = 0; i < 8; ++i) *at_++ = static_cast<char>((bits >> (8 * i)) & 0xff);
}

std::uint8_t Reader::u8() {
  if (!ok_ || p_ == end_) {
    ok_ = false;
    return 0;
  }
  return static_cast<std::uint8_t>(*p_++);
}

std::uint64_t Reader::uv() {
  std::uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    const std::uint8_t b = u8();
    if (!ok_) return 0;
    v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  ok_ = false;
  return 0;
}

double Reader::f64() {
  std::uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits |= static_cast<std::uint64_t>(u8()) << (8 * i);
  double v = 0;
  std::memcpy(&v, &bits, sizeof v);
  return ok_ ? v : 0;
}

std::string Reader::str() {
  const std::uint64_t n = uv();
  if (!ok_ || n > static_cast<std::uint64_t>(end_ - p_)) {
    ok_ = false;
    return {};
  }
  std::string s(p_, static_cast<std::size_t>(n));
  p_ += n;
  return s;
}

std::size_t Reader::count() {
  const std::uint64_t n = uv();
  if (!ok_ || n > static_cast<std::uint64_t>(end_ - p_)) {
    ok_ = false;
    return 0;
  }
  return static_cast<std::size_t>(n);
}

// The codec writes variant indexes and enum positions: these pin them. A
// new alternative or value goes at the end (and the pin is raised); any
// other edit changes stored bytes and the hash chain over them
// (tests/unit/codec_golden_test.cpp shows which).
static_assert(std::variant_size_v<EventBody> == 16, "events are stored by position: append, never reorder");
static_assert(std::variant_size_v<Note> == 4, "notes are stored by position: append, never reorder");
static_assert(std::variant_size_v<Value> == 6, "values are stored by position: append, never reorder");
static_assert(static_cast<int>(CaseStage::verifying) == 7 && static_cast<int>(CaseStage::withdrawn) == 6);
static_assert(static_cast<int>(TaskStatus::revoked) == 10 && static_cast<int>(TaskStatus::cancelled) == 8);
static_assert(static_cast<int>(AlertLevel::red) == 2 && static_cast<int>(Supervision::second_level) == 2);
static_assert(static_cast<int>(DeliveryMethod::electronic) == 2 && static_cast<int>(Channel::online) == 1);
static_assert(static_cast<int>(FollowUpStep::appeal_rejected) == 4);

// ---- values -----------------------------------------------------------------

namespace {

void write_value(Writer& w, const Value& v) {
  w.u8(static_cast<std::uint8_t>(v.index()));
  if (const auto* b = std::get_if<bool>(&v)) w.boolean(*b);
  else if (const auto* i = std::get_if<std::int64_t>(&v)) w.sv(*i);
  else if (const auto* d = std::get_if<double>(&v)) w.f64(*d);
  else if (const auto* s = std::get_if<std::string>(&v)) w.str(*s);
  else if (const auto* set = std::get_if<ValueSet>(&v)) {
    w.uv(set->size());
    for (const auto& x : *set) w.str(x);
  }
}

Value read_value(Reader& r) {
  Value v;
  switch (r.u8()) {
    case 0: break;
    case 1: v = r.boolean(); break;
    case 2: v = r.sv(); break;
    case 3: v = r.f64(); break;
    case 4: v = r.str(); break;
    case 5: {  // a set (store format 3); earlier formats never hold tag 5
      ValueSet set(r.count());
      for (auto& x : set) x = r.str();
      v = std::move(set);
      break;
    }
    default: r.fail();
  }
  return v;
}

}  // namespace

void write_values(Writer& w, const FieldValues& values) {
  w.uv(values.size());
  for (const auto& [k, v] : values) {
    w.str(k);
    write_value(w, v);
  }
}

std::string encode_value(const Value& v) {
  Writer w;
  write_value(w, v);
  return w.take();
}

std::optional<Value> decode_value(std::string_view bytes) {
  Reader r(bytes);
  Value v = read_value(r);
  if (!r.ok() || !r.at_end()) return std::nullopt;
  return v;
}

bool read_values(Reader& r, FieldValues& values) {
  const std::size_t n = r.count();
  for (std::size_t i = 0; i < n && r.ok(); ++i) {
    std::string key = r.str();
    Value v = read_value(r);
    values.insert_or_assign(std::move(key), std::move(v));
  }
  return r.ok();
}

void write_strings(Writer& w, const std::vector<std::string>& v) {
  w.uv(v.size());
  for (const auto& s : v) w.str(s);
}
std::vector<std::string> read_strings(Reader& r) {
  std::vector<std::string> v(r.count());
  for (auto& s : v) s = r.str();
  return v;
}

void write_date(Writer& w, Date d) { w.sv(d.days()); }
Date read_date(Reader& r) { return Date::from_days(r.sv()); }
void write_opt_date(Writer& w, const std::optional<Date>& d) {
  w.boolean(d.has_value());
  if (d) write_date(w, *d);
}
std::optional<Date> read_opt_date(Reader& r) {
  if (!r.boolean()) return std::nullopt;
  return read_date(r);
}
void write_opt_int(Writer& w, const std::optional<int>& v) {
  w.boolean(v.has_value());
  if (v) w.sv(*v);
}
std::optional<int> read_opt_int(Reader& r) {
  if (!r.boolean()) return std::nullopt;
  return static_cast<int>(r.sv());
}

void write_extension(Writer& w, const Extension& e) {
  w.u8(static_cast<std::uint8_t>(e.basis));
  w.sv(e.days);
  w.str(e.approver);
  write_date(w, e.approved_on);
  w.str(e.reason);
}
Extension read_extension(Reader& r) {
  Extension e;
  e.basis = static_cast<ExtensionBasis>(r.u8());
  e.days = static_cast<int>(r.sv());
  e.approver = r.str();
  e.approved_on = read_date(r);
  e.reason = r.str();
  return e;
}

// A limit in working days is its count, as before format 3; a limit in
// days or months is -(4 * count + unit), so that every limit written before
// reads unchanged.
void write_limit(Writer& w, const TimeLimit& l) {
  const std::int64_t n = l.base_days();
  w.sv(l.unit() == LimitUnit::working_days ? n : -(4 * n + static_cast<std::int64_t>(l.unit())));
  w.uv(l.extensions().size());
  for (const auto& e : l.extensions()) write_extension(w, e);
}
TimeLimit read_limit(Reader& r) {
  const std::int64_t v = r.sv();
  const LimitUnit unit = v < 0 && (-v) % 4 <= static_cast<std::int64_t>(LimitUnit::months)
                             ? static_cast<LimitUnit>((-v) % 4)
                             : LimitUnit::working_days;
  TimeLimit l(Limit{static_cast<int>(v < 0 ? (-v) / 4 : v), unit});
  const std::size_t n = r.count();
  // The extensions were accepted when they were recorded, so they are again.
  for (std::size_t i = 0; i < n && r.ok(); ++i) (void)l.extend(read_extension(r));
  return l;
}

void write_ledger(Writer& w, const SuspensionLedger& l) {
  w.uv(l.entries().size());
  for (const auto& s : l.entries()) {
    write_date(w, s.from);
    write_date(w, s.to);
    w.u8(static_cast<std::uint8_t>(s.reason));
    write_opt_int(w, s.told_days);
    w.str(s.note);
  }
}
SuspensionLedger read_ledger(Reader& r) {
  SuspensionLedger l;
  const std::size_t n = r.count();
  for (std::size_t i = 0; i < n && r.ok(); ++i) {
    Suspension s;
    s.from = read_date(r);
    s.to = read_date(r);
    s.reason = static_cast<SuspensionReason>(r.u8());
    s.told_days = read_opt_int(r);
    s.note = r.str();
    (void)l.add(std::move(s));
  }
  return l;
}

int read_matter(Reader& r) { return static_cast<int>(r.sv()); }
std::uint32_t read_attempt(Reader& r) { return static_cast<std::uint32_t>(r.uv()); }

namespace {

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
