#include "runtime/replay.h"

#include <fmt/format.h>

#include "runtime/codec.h"

namespace yilian::detail {

Result<CaseId> whole_state_after(Store& store) {
  auto r = store.run_sql("SELECT value FROM meta WHERE key = 'whole_state_after'", {});
  if (!r) return r.status();
  if (r->rows.empty() || r->rows[0].empty()) return CaseId{0};
  try {
    return static_cast<CaseId>(std::stoull(r->rows[0][0]));
  } catch (const std::exception&) {
    return Status::invalid(fmt::format("meta whole_state_after is not a case id: `{}`", r->rows[0][0]));
  }
}

std::string replay_mismatch(Store& store, ChainRegistry& registry, CaseId id, CaseId whole_after,
                            std::vector<HolderRecord>* registered) {
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
  if (registered)
    for (Command& c : out)
      if (auto* reg = std::get_if<command::Register>(&c)) registered->push_back(std::move(reg->record));
  if ((*row)->stage != stored.stage)
    return fmt::format("case {}: its row says {} but its state says {}", id, to_string((*row)->stage), to_string(stored.stage));
  if (id > whole_after && state_format((*row)->state) == current_state_format()) {
    // Begun and written under these rules: the whole state, byte for byte.
    if (encode_state(replay) == (*row)->state && encode_data(replay) == (*row)->data) return "";
    return fmt::format("case {}: the stored state differs from its log replayed through the flow core ({})", id,
                       first_difference(replay, stored));
  }
  // An older row: the rules that wrote it counted some things differently
  // (supplement notices merged per commit batch, which the log does not
  // record), so what every format agrees on is compared.
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

std::string first_difference(const CaseState& a, const CaseState& b) {
  if (a.tasks.size() != b.tasks.size()) return "the number of tasks";
  for (std::size_t m = 0; m < a.tasks.size(); ++m)
    if (!(a.tasks[m] == b.tasks[m])) {
      const TaskState& x = a.tasks[m];
      const TaskState& y = b.tasks[m];
      const char* what = x.status != y.status     ? "status"
                         : x.attempt != y.attempt ? "attempt"
                         : x.started != y.started ? "started"
                         : x.finished != y.finished ? "finished"
                         : !(x.limit == y.limit)   ? "limit"
                         : !(x.ledger == y.ledger) ? "clock stops"
                         : x.alert != y.alert      ? "alert"
                                                   : "other fields";
      return fmt::format("task {}: {}", m, what);
    }
  const std::pair<bool, const char*> fields[] = {
      {a.id == b.id, "id"},
      {a.stage == b.stage, "stage"},
      {a.submitted_at == b.submitted_at, "submitted_at"},
      {a.channel == b.channel, "channel"},
      {a.accepted_on == b.accepted_on, "accepted_on"},
      {a.finished_on == b.finished_on, "finished_on"},
      {a.values == b.values, "values"},
      {a.produced == b.produced, "produced"},
      {a.materials == b.materials, "materials"},
      {a.deferred == b.deferred && a.deferred_due == b.deferred_due && a.deferred_alert == b.deferred_alert, "deferred"},
      {a.limit == b.limit, "limit"},
      {a.ledger == b.ledger, "clock stops"},
      {a.alert == b.alert && a.supervision == b.supervision, "alert"},
      {a.timer == b.timer, "timer"},
      {a.visits == b.visits, "visits"},
      {a.notices == b.notices, "notices"},
      {a.supplement_notice_at == b.supplement_notice_at, "supplement_notice_at"},
      {a.events == b.events, "events"},
      {a.reason == b.reason, "reason"},
      {a.delivery == b.delivery && a.tracking == b.tracking, "delivery"},
      {a.closed_on == b.closed_on, "closed_on"},
      {a.ratings == b.ratings, "ratings"},
      {a.agent == b.agent, "agent"},
  };
  for (const auto& [same, name] : fields)
    if (!same) return name;
  return "";
}

}  // namespace yilian::detail
