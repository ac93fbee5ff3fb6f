// Replays a case's log through the flow core and compares the result with
// the state the store holds: a completion lost or applied twice would show
// as a difference. Uses the engine's internal store and codec.
#pragma once

#include <fmt/format.h>

#include <string>

#include "runtime/chain_registry.h"
#include "runtime/codec.h"
#include "runtime/store.h"

namespace yilian::test {

/// "" when the replayed log gives the stored state; else what differs.
inline std::string replay_mismatch(detail::Store& store, detail::ChainRegistry& registry, CaseId id) {
  auto row = store.load_case(id, true);
  if (!row || !*row) return fmt::format("case {} cannot be read", id);
  auto entry = registry.get(store, (*row)->chain, (*row)->version);
  if (!entry) return entry.status().message();
  const FlowChain& fc = *(*entry)->flow;
  CaseState stored;
  if (!detail::decode_state((*row)->state, stored) || !detail::decode_data((*row)->data, stored))
    return fmt::format("case {}: stored state unreadable", id);
  CaseState replay = new_case(fc, id);
  std::vector<Command> out;
  std::string problem;
  Status read = store.read_log(id, [&](detail::EntryRow&& e) {
    if (!problem.empty() || e.result == detail::EntryResult::note) return;
    auto body = detail::decode_entry(e.body);
    if (!body || !std::holds_alternative<EventBody>(*body)) {
      problem = fmt::format("case {} entry {} unreadable", id, e.seq);
      return;
    }
    const StepOutcome r = step(fc, replay, Event{Instant{e.at}, std::get<EventBody>(*body)}, out);
    const bool applied = r.result == StepResult::applied;
    if (r.result == StepResult::invalid || applied != (e.result == detail::EntryResult::applied))
      problem = fmt::format("case {} entry {} ({}) replays as {}: {}", id, e.seq, e.kind, to_string(r.result), r.reason);
  });
  if (!read) return read.message();
  if (!problem.empty()) return problem;
  if (replay.stage != stored.stage)
    return fmt::format("case {}: replay ends {} but the store says {}", id, to_string(replay.stage), to_string(stored.stage));
  if (replay.events != stored.events) return fmt::format("case {}: {} events replayed, {} stored", id, replay.events, stored.events);
  if (replay.values != stored.values) return fmt::format("case {}: form values differ", id);
  for (std::size_t m = 0; m < replay.tasks.size(); ++m)
    if (replay.tasks[m].status != stored.tasks[m].status || replay.tasks[m].attempt != stored.tasks[m].attempt)
      return fmt::format("case {}: task {} replays {} attempt {}, stored {} attempt {}", id, fc.matter_id(static_cast<int>(m)),
                         to_string(replay.tasks[m].status), replay.tasks[m].attempt, to_string(stored.tasks[m].status),
                         stored.tasks[m].attempt);
  return "";
}

}  // namespace yilian::test
