// The hash chain of a case's log: entry n's hash is SHA-256 over entry n-1's
// hash followed by entry n's canonical bytes (case id, position, time,
// kind, result and body). The first entry chains from 32 zero bytes.
//
// The store-wide seal chains every entry's hash in the order entries were
// appended: seal_n = SHA-256(seal_{n-1} || hash of entry n), seal_0 = 32 zero
// bytes. The store updates it in the transaction that appends the entries.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "runtime/store.h"

namespace yilian::detail {

/// The canonical bytes of an entry (what its hash covers, with `prev`).
[[nodiscard]] std::string canonical_bytes(const EntryRow& e);
/// SHA-256(prev || canonical_bytes(e)).
[[nodiscard]] Hash entry_hash(const Hash& prev, const EntryRow& e);

/// Extends the seal by one more entry: head = SHA-256(head || entry),
/// entries + 1.
void seal_add(Seal& seal, const Hash& entry);
/// "ENTRIES:HEX" (how the seal is stored and printed), and back; nullopt
/// when `text` is not of that form.
[[nodiscard]] std::string format_seal(const Seal& seal);
[[nodiscard]] std::optional<Seal> parse_seal(std::string_view text);

}  // namespace yilian::detail
