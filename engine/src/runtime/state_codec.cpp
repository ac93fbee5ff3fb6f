// Binary encoding of a case's state and of its form data (see codec.h;
// the field codecs it shares with log entries: codec.cpp).
#include "runtime/codec.h"

namespace yilian::detail {

namespace {
// Case state: 2 adds the values matters produced (CaseState::produced), so
// an approval rewrites the small state row and not the form data. A
// format-1 row reads with none: its store kept them among the data's values,
// where CaseState::value() finds them just as well. 3 (store format 4) adds
// the deferred materials (容缺受理), the day the case ended and its ratings
// (好差评); a row written before reads with none. 4 (store format 5) adds
// the instant of the last supplement notice (requests of one instant are
// one notice, counted in step()); a row written before reads with none.
// 5 (store format 6) adds the applicant's consent to reuse and what the case
// took from the holder registry (一次收齐); a row written before reads with
// neither.
constexpr std::uint8_t kStateFormat = 5;
constexpr std::uint8_t kDataFormat = 1;
}  // namespace

// ---- case state -------------------------------------------------------------

std::string encode_state(const CaseState& s) {
  Writer w;
  w.reserve(64 + 48 * s.tasks.size());
  w.u8(kStateFormat);
  w.uv(s.id);
  w.u8(static_cast<std::uint8_t>(s.stage));
  w.sv(s.submitted_at.seconds);
  w.u8(static_cast<std::uint8_t>(s.channel));
  write_opt_date(w, s.accepted_on);
  write_date(w, s.finished_on);
  write_limit(w, s.limit);
  write_ledger(w, s.ledger);
  w.u8(static_cast<std::uint8_t>(s.alert));
  w.u8(static_cast<std::uint8_t>(s.supervision));
  w.boolean(s.timer.has_value());
  if (s.timer) w.sv(s.timer->seconds);
  w.uv(static_cast<std::uint64_t>(s.visits));
  w.uv(static_cast<std::uint64_t>(s.notices));
  w.uv(s.events);
  w.str(s.reason);
  w.u8(static_cast<std::uint8_t>(s.delivery));
  w.str(s.tracking);
  w.uv(s.tasks.size());
  for (const TaskState& t : s.tasks) {
    w.u8(static_cast<std::uint8_t>(t.status));
    w.uv(t.attempt);
    write_date(w, t.started);
    write_date(w, t.finished);
    write_limit(w, t.limit);
    write_ledger(w, t.ledger);
    write_opt_date(w, t.stopped_since);
    w.u8(static_cast<std::uint8_t>(t.stop_reason));
    write_opt_int(w, t.told_days);
    write_strings(w, t.requested);
    w.u8(static_cast<std::uint8_t>(t.alert));
    w.u8(static_cast<std::uint8_t>(t.supervision));
    w.str(t.note);
  }
  write_values(w, s.produced);
  // Format 3.
  write_strings(w, s.deferred);
  write_date(w, s.deferred_due);
  w.u8(static_cast<std::uint8_t>(s.deferred_alert));
  write_opt_date(w, s.closed_on);
  w.uv(s.ratings.size());
  for (const Rating& x : s.ratings) {
    w.uv(static_cast<std::uint64_t>(x.grade));
    w.sv(x.matter);
    w.sv(x.at.seconds);
    w.str(x.comment);
    w.boolean(x.follow_up.has_value());
    if (!x.follow_up) continue;
    const FollowUp& f = *x.follow_up;
    write_date(w, f.call_back_due);
    write_date(w, f.rectify_due);
    write_opt_date(w, f.called_back);
    write_opt_date(w, f.rectified);
    w.u8(static_cast<std::uint8_t>(f.appeal));
    w.str(f.note);
  }
  w.boolean(s.agent.has_value());
  if (s.agent) write_agent(w, *s.agent);
  std::vector<std::uint64_t> committed;
  for (std::size_t m = 0; m < s.tasks.size(); ++m)
    if (s.tasks[m].committed) committed.push_back(m);
  w.uv(committed.size());
  for (std::uint64_t m : committed) w.uv(m);
  // Format 4.
  w.boolean(s.supplement_notice_at.has_value());
  if (s.supplement_notice_at) w.sv(s.supplement_notice_at->seconds);
  // Format 5: 一次收齐.
  w.boolean(s.reuse_consent);
  w.uv(s.reused.size());
  for (const Reused& x : s.reused) {
    w.u8(static_cast<std::uint8_t>(x.kind));
    w.str(x.key);
    w.uv(x.from_case);
    w.str(x.number);
  }
  return w.take();
}

std::uint8_t state_format(std::string_view bytes) {
  return bytes.empty() ? 0 : static_cast<std::uint8_t>(bytes.front());
}

std::uint8_t current_state_format() { return kStateFormat; }

bool decode_state(std::string_view bytes, CaseState& s) {
  Reader r(bytes);
  const std::uint8_t format = r.u8();
  if (format < 1 || format > kStateFormat) return false;
  s.id = r.uv();
  s.stage = static_cast<CaseStage>(r.u8());
  s.submitted_at.seconds = r.sv();
  s.channel = static_cast<Channel>(r.u8());
  s.accepted_on = read_opt_date(r);
  s.finished_on = read_date(r);
  s.limit = read_limit(r);
  s.ledger = read_ledger(r);
  s.alert = static_cast<AlertLevel>(r.u8());
  s.supervision = static_cast<Supervision>(r.u8());
  if (r.boolean()) s.timer = Instant{r.sv()};
  else s.timer.reset();
  s.visits = static_cast<int>(r.uv());
  s.notices = static_cast<int>(r.uv());
  s.events = r.uv();
  s.reason = r.str();
  s.delivery = static_cast<DeliveryMethod>(r.u8());
  s.tracking = r.str();
  s.tasks.resize(r.count());
  for (TaskState& t : s.tasks) {
    t.status = static_cast<TaskStatus>(r.u8());
    t.attempt = static_cast<std::uint32_t>(r.uv());
    t.started = read_date(r);
    t.finished = read_date(r);
    t.limit = read_limit(r);
    t.ledger = read_ledger(r);
    t.stopped_since = read_opt_date(r);
    t.stop_reason = static_cast<SuspensionReason>(r.u8());
    t.told_days = read_opt_int(r);
    t.requested = read_strings(r);
    t.alert = static_cast<AlertLevel>(r.u8());
    t.supervision = static_cast<Supervision>(r.u8());
    t.note = r.str();
    t.committed = false;  // format 3 lists the committed tasks after the rest
  }
  s.produced.clear();
  if (format >= 2 && !read_values(r, s.produced)) return false;
  s.deferred.clear();
  s.closed_on.reset();
  s.ratings.clear();
  s.agent.reset();
  if (format >= 3) {
    s.deferred = read_strings(r);
    s.deferred_due = read_date(r);
    s.deferred_alert = static_cast<AlertLevel>(r.u8());
    s.closed_on = read_opt_date(r);
    s.ratings.resize(r.count());
    for (Rating& x : s.ratings) {
      x.grade = static_cast<int>(r.uv());
      x.matter = read_matter(r);
      x.at.seconds = r.sv();
      x.comment = r.str();
      if (!r.boolean()) continue;
      FollowUp f;
      f.call_back_due = read_date(r);
      f.rectify_due = read_date(r);
      f.called_back = read_opt_date(r);
      f.rectified = read_opt_date(r);
      f.appeal = static_cast<FollowUp::Appeal>(r.u8());
      f.note = r.str();
      x.follow_up = std::move(f);
    }
    if (r.boolean()) s.agent = read_agent(r);
    const std::size_t committed = r.count();
    for (std::size_t i = 0; i < committed && r.ok(); ++i) {
      const std::uint64_t m = r.uv();
      if (m >= s.tasks.size()) return false;
      s.tasks[m].committed = true;
    }
  } else if (is_final(s.stage)) {
    s.closed_on = s.finished_on;  // the day it ended, as near as an older row knows
  }
  s.supplement_notice_at.reset();
  if (format >= 4 && r.boolean()) s.supplement_notice_at = Instant{r.sv()};
  s.reuse_consent = false;
  s.reused.clear();
  if (format >= 5) {
    s.reuse_consent = r.boolean();
    s.reused.resize(r.count());
    for (Reused& x : s.reused) {
      const std::uint8_t kind = r.u8();
      if (kind > static_cast<std::uint8_t>(Reused::Kind::licence)) return false;
      x.kind = static_cast<Reused::Kind>(kind);
      x.key = r.str();
      x.from_case = r.uv();
      x.number = r.str();
    }
  }
  return r.ok() && r.at_end();
}

std::string encode_data(const CaseState& s) {
  Writer w;
  w.u8(kDataFormat);
  write_values(w, *s.values);
  write_strings(w, *s.materials);
  return w.take();
}

bool decode_data(std::string_view bytes, CaseState& s) {
  Reader r(bytes);
  if (r.u8() != kDataFormat) return false;
  FieldValues values;
  if (!read_values(r, values)) return false;
  s.values = std::move(values);
  s.materials = read_strings(r);
  return r.ok() && r.at_end();
}

}  // namespace yilian::detail
