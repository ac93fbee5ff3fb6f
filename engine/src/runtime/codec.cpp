// Binary encoding: the writer and reader, and the values, dates, limits and
// ledgers that log entries and case states share (see codec.h; log entries:
// entry_codec.cpp; the state itself: state_codec.cpp).
#include "runtime/codec.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace yilian::detail {

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

}  // namespace yilian::detail
