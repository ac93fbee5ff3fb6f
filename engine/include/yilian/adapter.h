// Department adapters: how the engine hands a task to a department and
// hears back. An embedding program implements Adapter for its own systems;
// the engine ships three (manual, command, http: see deployment.h).
//
// Contract in one paragraph: the engine calls dispatch() with a Task that
// carries only the data this department may see (data minimisation) and a
// Completion handle. The adapter reports through the handle, from any
// thread, whenever it likes: accepted() (the department has the task; its
// decision comes later through Engine::apply with a request::Report),
// report() with an Outcome, or failed(). A delivery that throws, fails or
// stays silent past its timeout is retried with backoff; past the retry
// policy's attempts the task goes into incident, for an operator. Delivery
// is at-least-once: the same Task (same key) can arrive again after a
// restart or a retry, so departments should deduplicate on Task::key; a
// repeated outcome is recognised and recorded, never applied twice.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "yilian/case_types.h"
#include "yilian/date.h"
#include "yilian/field_view.h"
#include "yilian/status.h"
#include "yilian/value.h"

namespace yilian {

/// One matter of one case, at one attempt, as a department receives it.
struct Task {
  std::string key;              ///< idempotency key "<case>:<matter>:<attempt>"; the same on every delivery of this attempt
  CaseId case_id = 0;
  std::string chain;            ///< chain id
  int version = 0;              ///< the chain version the case runs on
  std::string matter;           ///< matter id
  std::string matter_name;
  std::string department;       ///< department id
  std::uint32_t attempt = 0;    ///< 1 on first dispatch; +1 after the applicant's supplements or an operator's retry
  std::uint32_t delivery = 1;   ///< how often this attempt has been handed over (1 = first; >1 after failures or a restart)
  FieldView fields;             ///< only the values this department may see (the case's own, not a copy)
  std::vector<std::string> materials;  ///< the matter's materials the case holds (handed in or issued by earlier matters)
  Date started;                 ///< the task's limit counts from this date
  Date deadline;                ///< the promised deadline at dispatch (clock stops move it later)
};

/// A department's decision (or an intermediate report) on a task.
struct Outcome {
  enum class Kind : std::uint8_t {
    approved,    ///< done; `produced` carries the values the matter produces
    rejected,    ///< refused; `reason` says why; the case ends rejected
    supplement,  ///< the applicant must supply `items`; the task's clock stops
    suspended,   ///< an Art. 45 activity (`suspension`) stops the clock; a later report resumes or decides
    resumed,     ///< the suspension is over
  };
  Kind kind = Kind::approved;
  FieldValues produced;                 ///< approved
  std::string reason;                   ///< rejected, supplement; a note for suspended
  std::vector<std::string> items;       ///< supplement: what the applicant is to supply
  SuspensionReason suspension = SuspensionReason::expert_review;  ///< suspended
  std::optional<int> told_days;         ///< suspended: working days the applicant was told in writing

  [[nodiscard]] static Outcome approved(FieldValues produced = {});
  [[nodiscard]] static Outcome rejected(std::string reason);
  [[nodiscard]] static Outcome supplement(std::vector<std::string> items, std::string reason = {});
  [[nodiscard]] static Outcome suspended(SuspensionReason reason, std::optional<int> told_days = {},
                                         std::string note = {});
  [[nodiscard]] static Outcome resumed();
  /// approved, rejected and supplement end a delivery; suspended and resumed do not.
  [[nodiscard]] bool decides() const { return kind <= Kind::supplement; }
};
/// "approved", "rejected", "supplement", "suspended", "resumed".
[[nodiscard]] std::string_view to_string(Outcome::Kind k);
[[nodiscard]] std::optional<Outcome::Kind> parse_outcome_kind(std::string_view s);

class Engine;

/// The handle an adapter reports through for one delivery. Cheap to copy;
/// every copy refers to the same delivery. Thread-safe. It may outlive the
/// engine: reports then do nothing. After the delivery ended (a deciding
/// outcome, failed(), or the engine timed it out and retried), further
/// reports are still passed on and recorded: the flow recognises a repeated
/// or late outcome and ignores it.
class Completion {
 public:
  Completion() = default;  ///< a handle that ignores every report (for tests of adapters)

  /// The department received the task and will decide later (through
  /// Engine::apply / Client::apply with request::Report and the task key).
  /// Stops the delivery timeout.
  void accepted() const;
  /// The department's outcome.
  void report(Outcome outcome) const;
  /// The delivery failed (unreachable, garbled answer): retried with backoff,
  /// an incident after the last attempt.
  void failed(std::string error) const;
  /// The task key, or "" for a default-constructed handle.
  [[nodiscard]] const std::string& key() const;

  /// What a handle refers to: the engine's, opaque here.
  struct State;

 private:
  friend class Engine;  ///< the engine makes the handles it dispatches with
  explicit Completion(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

/// A department system. Implementations must be thread-safe: dispatch() and
/// cancel() may be called from several engine threads at once.
class Adapter {
 public:
  virtual ~Adapter() = default;
  /// Hands a task over. Called on an engine thread: return quickly and do
  /// slow work elsewhere; report through `done` (possibly before returning).
  /// A report made before returning reaches the engine once this thread
  /// has handed out the other tasks it carries with this one (they are
  /// queued together), so do not wait here for it to be applied.
  /// An exception thrown here counts as failed(what()).
  virtual void dispatch(const Task& task, Completion done) = 0;
  /// The case ended or moved on: stop working on the task with this key if
  /// you can. Best effort; the default does nothing. Must not throw.
  virtual void cancel(const std::string& task_key) noexcept { (void)task_key; }
};

/// The task as one JSON object (what the command and http adapters send):
/// {"key", "case", "chain", "version", "matter", "matter_name",
/// "department", "attempt", "delivery", "fields": {...}, "materials": [...],
/// "started", "deadline"}.
[[nodiscard]] std::string task_to_json(const Task& task);

/// A department's answer as JSON: {"outcome": "approved", "produced": {...}},
/// {"outcome": "rejected", "reason": "..."}, {"outcome": "supplement",
/// "items": [...], "reason": "..."}, {"outcome": "suspended", "suspension":
/// "expert-review", "told_days": 10, "reason": "..."}, {"outcome":
/// "resumed"} or {"outcome": "accepted"} (the decision comes later: an empty
/// optional). Anything else is an invalid_input error naming what is wrong.
[[nodiscard]] Result<std::optional<Outcome>> parse_outcome_json(std::string_view json);

}  // namespace yilian
