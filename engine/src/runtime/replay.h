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
/// A case after `whole_after` whose row is in the current state format must
/// equal the replay byte for byte; an older case (begun under older rules,
/// which counted some things differently), in what every format agrees on.
/// `registered`, when given, receives what the replayed approvals registered
/// in the holder registry (command::Register), for audit verify.
[[nodiscard]] std::string replay_mismatch(Store& store, ChainRegistry& registry, CaseId id, CaseId whole_after = 0,
                                          std::vector<HolderRecord>* registered = nullptr);

/// The last case of the store begun before it was upgraded to the current
/// format (meta `whole_state_after`; 0 for a store created in it).
[[nodiscard]] Result<CaseId> whole_state_after(Store& store);

/// The first member in which two states differ ("task 2: status",
/// "notices", …), "" when they are equal: for messages.
[[nodiscard]] std::string first_difference(const CaseState& a, const CaseState& b);

}  // namespace yilian::detail
