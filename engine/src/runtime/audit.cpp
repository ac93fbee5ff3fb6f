// Hash-chaining log entries and verifying a store's chains.
#include "runtime/audit.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <array>
#include <charconv>
#include <initializer_list>
#include <map>
#include <set>

#include "runtime/chain_registry.h"
#include "runtime/codec.h"
#include "runtime/replay.h"
#include "yilian/records.h"

namespace yilian {
namespace detail {

namespace {
/// One value or licence of the holder registry as one comparable string.
std::string registry_key(const std::string& holder, const HolderRecord::Item& i) {
  const std::string value = encode_value(i.value);
  return fmt::format("v\x1f{}\x1f{}\x1f{}\x1f{}", holder, i.key,
                     to_hex(reinterpret_cast<const unsigned char*>(value.data()), value.size()), i.from_case);
}
std::string registry_key(const std::string& holder, const HolderRecord::Licence& l) {
  return fmt::format("l\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}", holder, l.kind, l.number, l.issuer, l.issued_on.days(),
                     l.valid_until ? std::to_string(l.valid_until->days()) : std::string("-"), l.from_case);
}
}  // namespace

namespace {

void write_canonical(Writer& w, const EntryRow& e) {
  w.uv(e.case_id);
  w.uv(e.seq);
  w.sv(e.at);
  w.str(e.kind);
  w.u8(static_cast<std::uint8_t>(e.result));
  w.str(e.body);
}

/// SHA-256 of the parts one after the other. The digest is fetched once and
/// each thread keeps one context: OpenSSL 3's one-shot SHA256() looks the
/// algorithm up under a lock and allocates a context at every call, which
/// cost more than hashing a log entry (two per entry: its hash and the seal).
void sha256_of(std::initializer_list<std::string_view> parts, unsigned char* out) {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  struct Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Context c;
  if (!md || !c.ctx || EVP_DigestInit_ex2(c.ctx, md, nullptr) != 1) {
    std::string all;  // the one-shot path, should the digest be unavailable
    for (std::string_view p : parts) all += p;
    SHA256(reinterpret_cast<const unsigned char*>(all.data()), all.size(), out);
    return;
  }
  for (std::string_view p : parts) EVP_DigestUpdate(c.ctx, p.data(), p.size());
  EVP_DigestFinal_ex(c.ctx, out, nullptr);
}

std::string_view view_of(const Hash& h) { return {reinterpret_cast<const char*>(h.data()), h.size()}; }

}  // namespace

std::string canonical_bytes(const EntryRow& e) {
  Writer w;
  w.reserve(e.body.size() + e.kind.size() + 24);
  write_canonical(w, e);
  return w.take();
}

Hash entry_hash(const Hash& prev, const EntryRow& e) {
  thread_local Writer w;  // its buffer kept from entry to entry
  w.clear();
  write_canonical(w, e);
  Hash h{};
  sha256_of({view_of(prev), w.view()}, h.data());
  return h;
}

void seal_add(Seal& seal, const Hash& entry) {
  sha256_of({view_of(seal.head), view_of(entry)}, seal.head.data());
  ++seal.entries;
}

std::string format_seal(const Seal& seal) {
  return fmt::format("{}:{}", seal.entries, to_hex(seal.head.data(), seal.head.size()));
}

std::optional<Seal> parse_seal(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || text.size() - colon - 1 != 64) return std::nullopt;
  Seal s;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + colon, s.entries);
  if (ec != std::errc{} || end != text.data() + colon) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < 32; ++i) {
    const int hi = nibble(text[colon + 1 + 2 * i]), lo = nibble(text[colon + 2 + 2 * i]);
    if (hi < 0 || lo < 0) return std::nullopt;
    s.head[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return s;
}

}  // namespace detail

Result<AuditReport> verify_audit(const std::string& path, std::string_view anchor_text,
                                 const std::vector<std::string>& calendar_dirs) {
  using namespace detail;
  std::optional<Seal> anchor;
  if (!anchor_text.empty() && !(anchor = parse_seal(anchor_text)))
    return Status::invalid(fmt::format("the anchor `{}` is not a seal: ENTRIES:SHA-256 (64 hex digits), as `yilian audit verify` prints it",
                                       anchor_text));
  auto opened = open_store(path, StoreOptions{.create = false, .read_only = true});
  if (!opened) return opened.status();
  Store& store = **opened;
  AuditReport report;

  // The file itself first: a page torn or overwritten (where the scans
  // below may never look, as in an index) is a break of the record.
  auto sound = store.integrity();
  if (!sound) return sound.status();
  if (!sound->empty()) {
    report.first_break = AuditBreak{0, 0, fmt::format("the database file is damaged (SQLite's quick_check: {})", *sound)};
    return report;
  }

  // The case rows name how long each log is and its last hash.
  struct Head {
    std::uint64_t seq = 0;
    Hash last{};
  };
  std::map<CaseId, Head> heads;
  if (Status s = store.scan_cases(false, [&](CaseRow&& c) { heads[c.id] = {c.seq, c.last_hash}; }); !s) return s;

  std::optional<AuditBreak> brk;
  auto broken = [&](CaseId id, std::uint64_t seq, std::string problem) {
    if (!brk || id < brk->case_id || (id == brk->case_id && seq < brk->seq)) brk = AuditBreak{id, seq, std::move(problem)};
  };

  // The files the logs recorded (by case and entry): their hashes.
  std::map<std::pair<CaseId, std::uint64_t>, std::string> recorded_files;

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
    if (e.kind == "file-attached") {
      auto body = decode_entry(e.body);
      const auto* ev = body ? std::get_if<EventBody>(&*body) : nullptr;
      if (const auto* f = ev ? std::get_if<event::FileAttached>(ev) : nullptr)
        recorded_files[{e.case_id, e.seq}] = f->sha256;
    }
  });
  if (!scanned) return scanned;
  finish_case();
  // Cases whose row says they have entries but whose log is empty.
  for (const auto& [id, head] : heads) {
    if (head.seq == UINT64_MAX || head.seq == 0) continue;
    ++report.cases;
    broken(id, 1, fmt::format("the case row counts {} entries but the log has none (deleted)", head.seq));
  }

  // The store-wide seal: every entry's hash in the order appended.
  Seal computed;
  std::optional<Hash> at_anchor;
  if (anchor && anchor->entries == 0) at_anchor = Hash{};
  if (Status s = store.scan_log_hashes([&](const Hash& h) {
        seal_add(computed, h);
        if (anchor && computed.entries == anchor->entries) at_anchor = computed.head;
      });
      !s)
    return s;
  report.seal = format_seal(computed);
  auto stored = store.seal();
  if (!stored && stored.status().code() != Status::Code::invalid_input) return stored.status();
  report.sealed = !stored || stored->has_value();
  if (!brk) {
    // Which case ids have neither a row nor a log: a hint to what was deleted.
    std::string gaps;
    CaseId expect_id = 1;
    int shown = 0;
    for (const auto& [id, head] : heads) {
      for (; expect_id < id && shown < 3; ++expect_id, ++shown) gaps += fmt::format("{}{}", gaps.empty() ? "" : ", ", expect_id);
      expect_id = id + 1;
    }
    const std::string hint = gaps.empty() ? "" : fmt::format("; no row and no log for case {} (deleted?)", gaps);
    if (!stored) {
      broken(0, 0, stored.status().message());
    } else if (*stored && **stored != computed) {
      const Seal& want = **stored;
      broken(0, 0,
             want.entries != computed.entries
                 ? fmt::format("the store-wide seal counts {} log entries but the log holds {}: entries or a whole case "
                               "were {} outside the engine{}",
                               want.entries, computed.entries, computed.entries < want.entries ? "deleted" : "added", hint)
                 : fmt::format("the store-wide seal does not match the log's {} entries: entries were replaced or "
                               "moved outside the engine, or the seal was edited{}",
                               computed.entries, hint));
    }
    if (!brk && anchor) {
      if (!at_anchor)
        broken(0, 0, fmt::format("the anchor counts {} log entries but the log holds only {}: entries were deleted",
                                 anchor->entries, computed.entries));
      else if (*at_anchor != anchor->head)
        broken(0, 0, fmt::format("the log's first {} entries do not chain to the anchor: entries before it were edited, "
                                 "deleted, added or reordered, and the hashes rewritten",
                                 anchor->entries));
    }
  }
  if (!brk) {
    // What the engine acts on besides the log: the chain texts it loaded
    // (their hashes) and each case's state, values and materials (what
    // its log says, replayed through the flow core).
    auto chains = store.chains();
    if (!chains) return chains.status();
    for (const StoredChain& c : *chains)
      if (sha256_hex(c.text) != c.sha256) {
        broken(0, 0, fmt::format("the stored text of chain {} version {} was edited: its hash is no longer {}", c.id,
                                 c.version, c.sha256));
        break;
      }
  }
  // What the replayed approvals registered in the holder registry (一次收齐).
  std::set<std::string> registered;
  if (!brk) {
    ChainRegistry registry(calendar_dirs);
    auto whole_after = whole_state_after(store);
    if (!whole_after) return whole_after.status();
    std::vector<HolderRecord> records;
    for (const auto& [id, head] : heads) {
      records.clear();
      if (std::string problem = replay_mismatch(store, registry, id, *whole_after, &records); !problem.empty()) {
        broken(id, 0, problem + " (edited outside the engine)");
        break;
      }
      for (const HolderRecord& r : records) {
        for (const auto& i : r.values) registered.insert(registry_key(r.holder, i));
        for (const auto& l : r.licences) registered.insert(registry_key(r.holder, l));
      }
    }
  }
  if (!brk) {
    // The holder registry: every value and licence it holds was registered
    // by an approval in the log of the case it names (a licence's validity
    // extended, a value changed or added outside the engine is a break).
    if (Status s = store.scan_registry([&](const HolderRecord& r) {
          if (brk) return;
          for (const auto& i : r.values)
            if (!registered.contains(registry_key(r.holder, i)))
              broken(i.from_case, 0, fmt::format("the holder registry's value of `{}` for holder {} is not what case {}'s "
                                                 "log registered (edited outside the engine)",
                                                 i.key, r.holder, i.from_case));
          for (const auto& l : r.licences)
            if (!registered.contains(registry_key(r.holder, l)))
              broken(l.from_case, 0, fmt::format("the holder registry's licence {} No. {} of holder {} is not what case {}'s "
                                                 "log registered (edited outside the engine)",
                                                 l.kind, l.number, r.holder, l.from_case));
        });
        !s)
      return s;
  }
  if (!brk) {
    // The material files: each stored file is the one its entry recorded,
    // and none recorded is missing.
    if (Status s = store.scan_files([&](const FileRow& f) {
          const auto it = recorded_files.find({f.file.case_id, f.file.seq});
          if (it == recorded_files.end()) {
            broken(f.file.case_id, f.file.seq, fmt::format("a stored file of `{}` that no log entry recorded (added outside "
                                                           "the engine)", f.file.material));
            return;
          }
          if (const std::string h = sha256_hex(f.content); h != it->second || f.file.sha256 != it->second)
            broken(f.file.case_id, f.file.seq,
                   fmt::format("the stored file of `{}` is not the one handed in: its SHA-256 is {}, the log recorded {} "
                               "(the file was replaced outside the engine)",
                               f.file.material, h, it->second));
          recorded_files.erase(it);
          ++report.files;
        });
        !s)
      return s;
    for (const auto& [at, hash] : recorded_files)
      broken(at.first, at.second, fmt::format("the file this entry recorded (SHA-256 {}) is missing from the store (deleted)", hash));
  }
  report.first_break = std::move(brk);
  return report;
}

}  // namespace yilian
