// Claims: who works on a task. The rule lives in the flow core beside the
// case's other rules; the runtime keeps the holders (claims rows) and writes
// the notes the decision names.
#include <fmt/format.h>

#include "yilian/flow.h"

namespace yilian {

Result<ClaimChange> decide_claim(const FlowChain& chain, const CaseState& state, const ClaimRequest& request,
                                 std::string_view holder) {
  const int m = chain.matter_index(request.matter);
  if (m < 0)
    return Status::invalid(fmt::format("chain {} v{} has no matter `{}`", chain.chain().id, chain.chain().version, request.matter));
  const TaskState& t = state.tasks[static_cast<std::size_t>(m)];
  ClaimChange change{m, request.attempt ? request.attempt : t.attempt, {}, {}};
  if (!is_open(t.status) || is_final(state.stage))
    return Status::invalid(fmt::format("task {} of case {} is {}; only an open task can be {}", request.matter, state.id,
                                       to_string(t.status), request.release ? "released" : "claimed"));
  if (change.attempt != t.attempt)
    return Status::invalid(fmt::format("attempt {} of {} is not the current one ({})", change.attempt, request.matter, t.attempt));
  if (request.release) {
    if (holder.empty()) return Status::invalid(fmt::format("task {} of case {} is not claimed", request.matter, state.id));
    if (holder != request.actor && !request.supervises)
      return Status::conflict(fmt::format("task {} of case {} is claimed by {}; only they or a supervisor can release it",
                                          request.matter, state.id, holder));
    change.released = holder;
    return change;
  }
  change.claimed = request.officer.empty() ? request.actor : request.officer;
  if (change.claimed.empty()) return Status::invalid("a claim names the officer who takes the task");
  if (!holder.empty() && holder != change.claimed) {
    if (!request.force)
      return Status::conflict(fmt::format("task {} of case {} is already claimed by {}", request.matter, state.id, holder));
    if (!request.supervises)
      return Status::conflict(fmt::format("task {} of case {} is claimed by {}; only a supervisor can take it over",
                                          request.matter, state.id, holder));
    change.released = holder;
  }
  return change;
}

}  // namespace yilian
