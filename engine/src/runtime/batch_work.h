// What one commit batch does, case by case (the committer's working
// state), and the pieces prepare() uses: the flow event a request stands
// for, the notes of claims and urges, the notifications of commands.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "runtime/codec.h"
#include "runtime/engine_impl.h"

namespace yilian::detail {

/// What one batch does to one case.
struct CaseWork {
  Slot* slot = nullptr;
  bool data = false;       ///< form values or materials changed
  bool was_open = true;    ///< not final before the batch
  std::vector<Command> cmds;
  std::vector<Notification> notes;
};

struct BatchWork {
  Batch batch;
  std::unordered_map<CaseId, std::size_t> index;
  std::vector<std::pair<CaseId, CaseWork>> cases;
  std::vector<Reply> replies;
  std::vector<job::Redeliver> redeliver;
  std::vector<std::pair<job::Redeliver, std::int64_t>> retries;
  std::size_t created = 0;  ///< cases the batch opens

  CaseWork& work(CaseId id, Slot* slot) {
    auto [it, added] = index.emplace(id, cases.size());
    if (added) {
      CaseWork w;
      w.slot = slot;
      w.was_open = !is_final(slot->state.stage);
      cases.emplace_back(id, std::move(w));
    }
    return cases[it->second].second;
  }
};

/// Appends a log entry of case `id` (hash-chained to the slot's last) to
/// the batch; its sequence number.
std::uint64_t append(BatchWork& w, Slot& slot, CaseId id, Instant at, const EntryBody& body, EntryResult result,
                     const Actor* actor = nullptr);
Status no_matter(const FlowChain& fc, const std::string& matter);
/// The flow event a request stands for.
Result<Event> to_event(const Request& request, const FlowChain& fc, const CaseState& s, Instant at);
/// Whether an applied event changed the applicant's values or materials.
bool changes_data(const EventBody& body);
/// What makes two submissions the same application (SHA-256, hex).
std::string submit_fingerprint(const StoredChain& chain, const request::Submit& s);
/// The case a request names (0 for a submission).
CaseId case_of(const Request& r);
AlertLevel worst_alert(const CaseState& s);
/// Notifications for the commands of one case.
void notifications(const FlowChain& fc, CaseId id, const std::vector<Command>& cmds, std::vector<Notification>& out);
/// A claim or a release: decided by the flow core (decide_claim), recorded as notes.
Result<Receipt> claim_or_release(BatchWork& w, Slot& s, CaseId id, const job::Apply& a);
/// An urge (督办): a note naming the supervisor.
Result<Receipt> urge(BatchWork& w, Slot& s, CaseId id, const job::Apply& a);

}  // namespace yilian::detail
