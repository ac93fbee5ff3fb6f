// Hash-chaining log entries and verifying a store's chains.
#include "runtime/audit.h"

#include <fmt/format.h>
#include <openssl/sha.h>

#include <map>

#include "runtime/codec.h"
#include "yilian/records.h"

namespace yilian {
namespace detail {

std::string canonical_bytes(const EntryRow& e) {
  Writer w;
  w.bytes().reserve(e.body.size() + e.kind.size() + 24);
  w.uv(e.case_id);
  w.uv(e.seq);
  w.sv(e.at);
  w.str(e.kind);
  w.u8(static_cast<std::uint8_t>(e.result));
  w.str(e.body);
  return w.take();
}

Hash entry_hash(const Hash& prev, const EntryRow& e) {
  std::string buf(reinterpret_cast<const char*>(prev.data()), prev.size());
  buf += canonical_bytes(e);
  Hash h{};
  SHA256(reinterpret_cast<const unsigned char*>(buf.data()), buf.size(), h.data());
  return h;
}

}  // namespace detail

Result<AuditReport> verify_audit(const std::string& path) {
  using namespace detail;
  auto opened = open_sqlite_store(path, StoreOptions{.create = false, .read_only = true});
  if (!opened) return opened.status();
  Store& store = **opened;

  // The case rows name how long each log is and its last hash.
  struct Head {
    std::uint64_t seq = 0;
    Hash last{};
  };
  std::map<CaseId, Head> heads;
  if (Status s = store.scan_cases(false, [&](CaseRow&& c) { heads[c.id] = {c.seq, c.last_hash}; }); !s) return s;

  AuditReport report;
  std::optional<AuditBreak> brk;
  auto broken = [&](CaseId id, std::uint64_t seq, std::string problem) {
    if (!brk || id < brk->case_id || (id == brk->case_id && seq < brk->seq)) brk = AuditBreak{id, seq, std::move(problem)};
  };

  CaseId current = 0;
  bool have_current = false, current_broken = false;
  std::uint64_t expected = 0;
  Hash prev{};
  auto finish_case = [&]() {
    if (!have_current) return;
    auto it = heads.find(current);
    if (it == heads.end()) {
      if (!current_broken) broken(current, 1, "log entries of a case that has no case row (case deleted)");
    } else if (!current_broken) {
      if (it->second.seq != expected)
        broken(current, expected + 1,
               fmt::format("the case row counts {} entries but the log ends at {} (entries deleted at the end)",
                           it->second.seq, expected));
      else if (it->second.last != prev)
        broken(current, expected, "the case row's last hash differs from the log's (entry or row edited)");
    }
    if (it != heads.end()) it->second.seq = UINT64_MAX;  // seen
  };

  Status scanned = store.scan_log([&](EntryRow&& e) {
    if (!have_current || e.case_id != current) {
      finish_case();
      current = e.case_id;
      have_current = true;
      current_broken = false;
      expected = 0;
      prev = Hash{};
      ++report.cases;
    }
    ++report.entries;
    if (current_broken) return;
    if (e.seq != expected + 1) {
      broken(e.case_id, expected + 1,
             e.seq > expected + 1 ? fmt::format("entry {} missing (deleted); the next is {}", expected + 1, e.seq)
                                  : fmt::format("entry {} out of order", e.seq));
      current_broken = true;
      return;
    }
    const Hash h = entry_hash(prev, e);
    if (h != e.hash) {
      broken(e.case_id, e.seq,
             fmt::format("hash mismatch at entry {} ({}): the entry was edited, or entries were reordered", e.seq,
                         e.kind));
      current_broken = true;
      return;
    }
    prev = h;
    expected = e.seq;
  });
  if (!scanned) return scanned;
  finish_case();
  // Cases whose row says they have entries but whose log is empty.
  for (const auto& [id, head] : heads) {
    if (head.seq == UINT64_MAX || head.seq == 0) continue;
    ++report.cases;
    broken(id, 1, fmt::format("the case row counts {} entries but the log has none (deleted)", head.seq));
  }
  report.first_break = std::move(brk);
  return report;
}

}  // namespace yilian
