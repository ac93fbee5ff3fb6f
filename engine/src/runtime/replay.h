// Replaying a case's log through the flow core: what the store holds of a
// case (its state, its form values and materials) must be what its log
// says. audit verify runs it on every case; the engine's tests too.
#pragma once

#include <string>

#include "runtime/chain_registry.h"
#include "runtime/store.h"

namespace yilian::detail {

/// "" when the replayed log gives the stored state, values and materials;
/// else what differs, in one sentence naming the case.
[[nodiscard]] std::string replay_mismatch(Store& store, ChainRegistry& registry, CaseId id);

}  // namespace yilian::detail
