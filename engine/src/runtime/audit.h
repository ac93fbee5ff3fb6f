// The hash chain of a case's log: entry n's hash is SHA-256 over entry n-1's
// hash followed by entry n's canonical bytes (case id, position, time,
// kind, result and body). The first entry chains from 32 zero bytes.
#pragma once

#include <string>

#include "runtime/store.h"

namespace yilian::detail {

/// The canonical bytes of an entry (what its hash covers, with `prev`).
[[nodiscard]] std::string canonical_bytes(const EntryRow& e);
/// SHA-256(prev || canonical_bytes(e)).
[[nodiscard]] Hash entry_hash(const Hash& prev, const EntryRow& e);

}  // namespace yilian::detail
