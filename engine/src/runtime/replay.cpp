#include "runtime/replay.h"

#include <fmt/format.h>

#include "runtime/codec.h"

namespace yilian::detail {

std::string replay_mismatch(Store& store, ChainRegistry& registry, CaseId id) {
  auto row = store.load_case(id, true);
  if (!row || !*row) return fmt::format("case {} cannot be read", id);
  auto entry = registry.get(store, (*row)->chain, (*row)->version);
  if (!entry) return fmt::format("case {}: {}", id, entry.status().message());
  const FlowChain& fc = *(*entry)->flow;
  CaseState stored;
  // A case whose submission was refused has a row but no data: nothing was handed in.
  if (!decode_state((*row)->state, stored) || (!(*row)->data.empty() && !decode_data((*row)->data, stored)))
    return fmt::format("case {}: its stored state cannot be read", id);
  CaseState replay = new_case(fc, id);
  std::vector<Command> out;
  std::string problem;
  Status read = store.read_log(id, [&](EntryRow&& e) {
    if (!problem.empty() || e.result == EntryResult::note) return;
    auto body = decode_entry(e.body);
    if (!body || !std::holds_alternative<EventBody>(*body)) {
      problem = fmt::format("case {}: entry {} cannot be read", id, e.seq);
      return;
    }
    const StepOutcome r = step(fc, replay, Event{Instant{e.at}, std::get<EventBody>(*body)}, out);
    const bool applied = r.result == StepResult::applied;
    if (r.result == StepResult::invalid || applied != (e.result == EntryResult::applied))
      problem = fmt::format("case {}: entry {} ({}) replays as {}: {}", id, e.seq, e.kind, to_string(r.result), r.reason);
  });
  if (!read) return read.message();
  if (!problem.empty()) return problem;
  if ((*row)->stage != stored.stage)
    return fmt::format("case {}: its row says {} but its state says {}", id, to_string((*row)->stage), to_string(stored.stage));
  if (replay.stage != stored.stage)
    return fmt::format("case {}: its log ends {} but the store says {}", id, to_string(replay.stage), to_string(stored.stage));
  if (replay.events != stored.events)
    return fmt::format("case {}: its log has {} events, the stored state counts {}", id, replay.events, stored.events);
  if (*replay.values != *stored.values) return fmt::format("case {}: the stored form values differ from its log's", id);
  if (*replay.materials != *stored.materials) return fmt::format("case {}: the stored materials differ from its log's", id);
  for (std::size_t m = 0; m < replay.tasks.size(); ++m)
    if (replay.tasks[m].status != stored.tasks[m].status || replay.tasks[m].attempt != stored.tasks[m].attempt)
      return fmt::format("case {}: task {} replays {} attempt {}, the store says {} attempt {}", id,
                         fc.matter_id(static_cast<int>(m)), to_string(replay.tasks[m].status), replay.tasks[m].attempt,
                         to_string(stored.tasks[m].status), stored.tasks[m].attempt);
  return "";
}

}  // namespace yilian::detail
