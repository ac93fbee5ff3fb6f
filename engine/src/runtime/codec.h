// The store's binary encoding of log entries and case states: compact,
// deterministic (the bytes of an entry are what its hash covers), and
// versioned by a leading byte so that later formats can be read beside
// this one. Little-endian varints; strings are length-prefixed UTF-8.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "yilian/actor.h"
#include "yilian/flow.h"

namespace yilian::detail {

class Writer {
 public:
  Writer() = default;
  Writer(const Writer&) = delete;  // the cursor points into the buffer
  Writer& operator=(const Writer&) = delete;
  // Inline and on a raw cursor: a case's state is some 150 small fields
  // written at every change of the case, and std::string::push_back is not
  // inlined (libstdc++ instantiates it out of line).
  void u8(std::uint8_t v) {
    room(1);
    *at_++ = static_cast<char>(v);
  }
  /// Unsigned LEB128.
  void uv(std::uint64_t v) {
    room(10);
    while (v >= 0x80) {
      *at_++ = static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    *at_++ = static_cast<char>(v);
  }
  void sv(std::int64_t v) { uv((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63)); }
  void f64(double v);
  void str(std::string_view s) {
    uv(s.size());
    room(s.size());
    if (!s.empty()) std::memcpy(at_, s.data(), s.size());
    at_ += s.size();
  }
  void boolean(bool b) { u8(b ? 1 : 0); }
  /// Room for `n` bytes without growing again.
  void reserve(std::size_t n) { room(n); }
  void clear() { at_ = buf_.data(); }
  [[nodiscard]] std::string_view view() const { return {buf_.data(), static_cast<std::size_t>(at_ - buf_.data())}; }
  [[nodiscard]] std::string take() {
    buf_.resize(static_cast<std::size_t>(at_ - buf_.data()));
    std::string out = std::move(buf_);
    buf_.clear();
    at_ = end_ = buf_.data();
    return out;
  }

 private:
  void room(std::size_t n) {
    if (static_cast<std::size_t>(end_ - at_) < n) grow(n);
  }
  void grow(std::size_t n);

  std::string buf_;  ///< [data, at_) written; [at_, end_) room
  char* at_ = buf_.data();
  char* end_ = buf_.data();
};

/// Reads what Writer wrote. Any read past the end or malformed varint sets
/// ok() to false and returns zeros from then on.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : p_(bytes.data()), end_(bytes.data() + bytes.size()) {}
  std::uint8_t u8();
  std::uint64_t uv();
  std::int64_t sv() {
    const std::uint64_t u = uv();
    return static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  double f64();
  std::string str();
  bool boolean() { return u8() != 0; }
  /// The next byte without reading it; nothing at the end.
  [[nodiscard]] std::optional<std::uint8_t> peek() const {
    if (!ok_ || p_ == end_) return std::nullopt;
    return static_cast<std::uint8_t>(*p_);
  }
  /// A count of items that each take at least one byte: fails when it
  /// exceeds the bytes left (so a corrupt count cannot allocate much).
  std::size_t count();
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] bool at_end() const { return p_ == end_; }
  void fail() { ok_ = false; }

 private:
  const char* p_;
  const char* end_;
  bool ok_ = true;
};

// ---- notes: log entries that record without changing the flow -------------

namespace note {
/// An officer took the task from the work queue.
struct Claimed {
  int matter = -1;
  std::uint32_t attempt = 0;
  std::string officer;
};
/// A delivery of a task attempt failed; the next one is due at `retry_at_ms`
/// (milliseconds since the epoch, system clock; 0: no retry, an incident follows).
struct DeliveryFailed {
  int matter = -1;
  std::uint32_t attempt = 0;
  std::uint32_t delivery = 0;
  std::string error;
  std::int64_t retry_at_ms = 0;
};
/// A claim was given up: released by its holder, or taken over by a
/// supervisor (`officer`: who held it).
struct Released {
  int matter = -1;
  std::uint32_t attempt = 0;
  std::string officer;
};
/// A supervisor urged the case (matter -1) or one of its tasks on (督办).
struct Urged {
  int matter = -1;
  std::string note;
};
}  // namespace note
// Stored as 100 + the index: append new notes at the end.
using Note = std::variant<note::Claimed, note::DeliveryFailed, note::Released, note::Urged>;

/// A log entry's body: a flow event or a note.
using EntryBody = std::variant<EventBody, Note>;

/// "task-claimed", "delivery-failed", "task-released", "urged".
[[nodiscard]] std::string_view note_name(const Note& n);
[[nodiscard]] std::string_view entry_name(const EntryBody& b);

// Log entries (entry_codec.cpp).
/// The body bytes: a kind byte (the event's index, or 100 + the note's), the
/// payload, and, when the entry has an actor (store format 2), a trailer:
/// the byte 0xAC, then account, role, department and channel as strings.
/// Entries written before actors have no trailer and read as before.
[[nodiscard]] std::string encode_entry(const EntryBody& body, const Actor* actor = nullptr);
/// The body; `actor`, when given, receives the trailer's actor (nullopt
/// when the entry has none).
[[nodiscard]] std::optional<EntryBody> decode_entry(std::string_view bytes, std::optional<Actor>* actor = nullptr);

// The field codecs entries and states are built from (codec.cpp).
void write_value(Writer& w, const Value& v);
[[nodiscard]] Value read_value(Reader& r);
void write_values(Writer& w, const FieldValues& values);
void write_strings(Writer& w, const std::vector<std::string>& v);
[[nodiscard]] std::vector<std::string> read_strings(Reader& r);
void write_date(Writer& w, Date d);
[[nodiscard]] Date read_date(Reader& r);
void write_opt_date(Writer& w, const std::optional<Date>& d);
[[nodiscard]] std::optional<Date> read_opt_date(Reader& r);
void write_opt_int(Writer& w, const std::optional<int>& v);
[[nodiscard]] std::optional<int> read_opt_int(Reader& r);
void write_extension(Writer& w, const Extension& e);
[[nodiscard]] Extension read_extension(Reader& r);
void write_limit(Writer& w, const TimeLimit& l);
[[nodiscard]] TimeLimit read_limit(Reader& r);
void write_ledger(Writer& w, const SuspensionLedger& l);
[[nodiscard]] SuspensionLedger read_ledger(Reader& r);
void write_agent(Writer& w, const Agent& a);
[[nodiscard]] Agent read_agent(Reader& r);
/// A matter index (-1: none) and an attempt, as entries and states write them.
[[nodiscard]] int read_matter(Reader& r);
[[nodiscard]] std::uint32_t read_attempt(Reader& r);
/// One value as stored (the holder registry's values).
[[nodiscard]] std::string encode_value(const Value& v);
[[nodiscard]] std::optional<Value> decode_value(std::string_view bytes);
[[nodiscard]] bool read_values(Reader& r, FieldValues& values);

/// A task attempt's key, "<case>:<matter>:<attempt>" (Task::key): the same
/// on every delivery of the attempt, in the engine, its adapters and its views.
[[nodiscard]] std::string task_key(CaseId id, std::string_view matter, std::uint32_t attempt);

/// The case state without its form values and materials (they change
/// rarely and are stored apart: encode_data).
[[nodiscard]] std::string encode_state(const CaseState& s);
/// Fills every part of `s` but values and materials; false when malformed.
[[nodiscard]] bool decode_state(std::string_view bytes, CaseState& s);
/// The format an encoded state was written in (its first byte; 0 when
/// empty), and the format encode_state() writes.
[[nodiscard]] std::uint8_t state_format(std::string_view bytes);
[[nodiscard]] std::uint8_t current_state_format();
/// The form values and materials.
[[nodiscard]] std::string encode_data(const CaseState& s);
[[nodiscard]] bool decode_data(std::string_view bytes, CaseState& s);

}  // namespace yilian::detail
