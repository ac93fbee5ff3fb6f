// The case state machine: (CaseState, Event) -> (CaseState, Commands).
//
// Deterministic and pure: no clock reads, no I/O, no threads. The live
// engine (runtime) and the simulator (sim) both drive this one
// implementation, so a simulated case follows exactly the rules a live case
// follows. Time enters only through the instants carried by events.
//
// Life of a case: created → Submitted (checked: an incomplete application
// gets one notice listing everything missing and waits in `incomplete`; the
// clock does not run) → accepted by the lead department's window (the
// acceptance date starts the chain's limit; after office hours it is the
// next working day) → tasks become ready when the matters they come after
// are approved or skipped and their condition holds on the form data
// (produced values included) → each ready task is dispatched → approved
// (produced values join the form), rejected (the case ends rejected, open
// tasks are cancelled), supplement requested (that task's clock stops until
// the applicant supplies; requests of one instant go out as one notice),
// suspended for an Art. 45 activity (clock stops) → all applicable matters
// approved → `ready` → delivered at one window (统一出件). Withdrawal,
// extensions and alert changes are events too.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "yilian/calendar.h"
#include "yilian/case_types.h"
#include "yilian/chain.h"
#include "yilian/check.h"
#include "yilian/date.h"
#include "yilian/shared.h"
#include "yilian/time_limit.h"
#include "yilian/valid_chain.h"
#include "yilian/value.h"

namespace yilian {

/// How the flow is run. Plain settings; in-class defaults.
struct FlowOptions {
  /// Compute alert and supervision levels after every event and emit Alert
  /// and ArmTimer commands. The simulator turns this off and reads limits
  /// at the end of a case instead.
  bool track_alerts = true;
};

/// Verdicts on the last few applications and the lists the last few
/// supplements made of them, remembered by the identity of their Shared
/// lists (the same immutable copies give the same verdict, so nothing else
/// is compared): the simulator's precomputation, where every applicant of
/// one profile hands in one shared application. Given to step(),
/// FlowChain::verdict() and FlowChain::supplement(); the live engine gives
/// none (no two of its applications share lists). Not thread-safe: one per
/// thread. The flow core itself remembers nothing and holds no lock.
class CheckMemo {
 public:
  CheckMemo();
  ~CheckMemo();
  CheckMemo(const CheckMemo&) = delete;
  CheckMemo& operator=(const CheckMemo&) = delete;

 private:
  friend class FlowChain;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A chain compiled for the state machine: indices, predecessors, what the
/// applicant must supply per matter, the calendar. Immutable; share it
/// between threads and cases (a case keeps the FlowChain of the version it
/// started on).
class FlowChain {
 public:
  /// Compiles a validated chain with the calendar named by chain->calendar.
  [[nodiscard]] static std::shared_ptr<const FlowChain> compile(const ValidChain& chain, Calendar calendar,
                                                                FlowOptions options = {}) {
    return compile(chain.ptr(), std::move(calendar), options);
  }

  [[nodiscard]] const Chain& chain() const { return *chain_; }
  [[nodiscard]] const std::shared_ptr<const Chain>& chain_ptr() const { return chain_; }
  [[nodiscard]] const Calendar& calendar() const { return calendar_; }
  [[nodiscard]] const FlowOptions& options() const { return options_; }
  [[nodiscard]] std::size_t matter_count() const { return preds_.size(); }
  /// Matter indices in a topological order.
  [[nodiscard]] const std::vector<int>& order() const { return order_; }
  [[nodiscard]] const std::vector<int>& preds(int matter) const { return preds_[static_cast<std::size_t>(matter)]; }
  /// Index of a matter id, or -1.
  [[nodiscard]] int matter_index(std::string_view id) const;
  [[nodiscard]] const std::string& matter_id(int matter) const;
  [[nodiscard]] OfficeHours office_hours() const { return hours_; }

  /// Checks an application with the chain's FormChecker (check.h): the
  /// same rules as `yilian check`. Complete means accepted.
  /// With `on`, as for a case accepted that day: only the matters in force
  /// then apply, and a chain not in force is an invalid item (check.h).
  [[nodiscard]] CheckResult check(const FieldValues& values, const std::vector<std::string>& materials,
                                  std::optional<Date> on = std::nullopt) const;
  [[nodiscard]] const FormChecker& checker() const { return *checker_; }

  /// What the flow needs to know of a submitted application: complete, or
  /// the full check for the notice. With a memo, lists checked before
  /// answer from it; otherwise the same as checker().complete() and, when
  /// incomplete, check(). Thread-safe (a memo is not: one per thread).
  struct Verdict {
    bool complete = false;
    /// When not complete, or when deferrable materials are missing (its
    /// `deferred`: 容缺受理).
    std::shared_ptr<const CheckResult> result;
  };
  /// `on` is the day the case would be accepted: the matters in force then
  /// decide what is needed (valid_from / valid_until).
  [[nodiscard]] Verdict verdict(const Shared<FieldValues>& values, const Shared<std::vector<std::string>>& materials,
                                Date on, CheckMemo* memo = nullptr) const;

  /// Whether the chain itself is in force on `day` (its valid_from and
  /// valid_until); an acceptance outside is refused. Empty when it is, else
  /// the reason.
  [[nodiscard]] std::string not_in_force(Date day) const;
  /// The date the checker is given for a case accepted on `day`: `day`
  /// when the chain has dated matters, else nothing (every matter counts
  /// the same whatever the day).
  [[nodiscard]] std::optional<Date> check_date(Date day) const {
    return dated_ ? std::optional<Date>(day) : std::nullopt;
  }

  /// Adds a supplement's values and materials to an applicant's lists,
  /// keeping the materials sorted and each once. A list is copied (Shared
  /// copy-on-write) only when the supplement changes it: a value given again
  /// unchanged or a material already held leaves it as it is. With a memo,
  /// lists that were given the same supplement before take the copies made
  /// then, so applicants of one profile keep sharing their lists, and
  /// verdict() answers for them from the memo.
  void supplement(Shared<FieldValues>& values, Shared<std::vector<std::string>>& materials, const FieldValues& fields,
                  const std::vector<std::string>& added, CheckMemo* memo = nullptr) const;

  /// Values that are not valid among what an applicant hands in (a wrong
  /// check character, a number out of range, an unknown key or material
  /// id): one line per item, "" when there is none. Missing items are not
  /// problems here (the 一次告知 lists them). Thread-safe.
  [[nodiscard]] std::string supplied_problems(const FieldValues& fields, const std::vector<std::string>& materials) const;

  /// What an application lacks (the 一次告知 list) by matter index; empty
  /// when nothing is missing (values may still be invalid: see check()).
  struct Missing {
    enum class Kind { field, material };
    Kind kind = Kind::field;
    std::string key;                 ///< field key or material id
    std::vector<int> needed_by;      ///< matter indices
  };
  [[nodiscard]] std::vector<Missing> missing(const FieldValues& values, const std::vector<std::string>& materials,
                                             std::optional<Date> on = std::nullopt) const;
  /// Items of a check result (its `missing` or `deferred`), by matter index.
  [[nodiscard]] std::vector<Missing> to_missing(const std::vector<MissingItem>& items) const;
  [[nodiscard]] std::vector<Missing> to_missing(const CheckResult& result) const { return to_missing(result.missing); }

  /// Why an approval of `matter` carrying `produced` cannot apply: each
  /// value the matter declares under `produces` that is missing (when the
  /// field is required) or breaks the field's rules (check.h's value rules:
  /// type, bounds, pattern, check characters), and each key it does not
  /// declare (with "did you mean" when one is close), one per line with the
  /// key. Empty when the approval is acceptable. Thread-safe.
  [[nodiscard]] std::string produced_problems(int matter, const FieldValues& produced) const;

 private:
  FlowChain() = default;
  /// The compilation itself (flow_chain.cpp), of a chain known valid.
  static std::shared_ptr<const FlowChain> compile(std::shared_ptr<const Chain> chain, Calendar calendar,
                                                  FlowOptions options);
  std::shared_ptr<const Chain> chain_;
  Calendar calendar_;
  FlowOptions options_;
  OfficeHours hours_;
  std::vector<int> order_;
  std::vector<std::vector<int>> preds_;
  std::shared_ptr<const FormChecker> checker_;
  bool dated_ = false;       ///< some matter has valid_from / valid_until
  bool deferrable_ = false;  ///< some material is deferrable (容缺受理)
  std::vector<Date> periods_;///< Chain::validity_periods(), to remember verdicts per period
  struct Rules;
  std::shared_ptr<const Rules> rules_;  ///< every field's compiled rule (a pattern compiled once), and by matter its `produces`
};

struct TaskState {
  TaskStatus status = TaskStatus::waiting;
  std::uint32_t attempt = 0;         ///< dispatches so far; an outcome must name the latest
  Date started;                      ///< the task's limit counts from here
  Date finished;
  TimeLimit limit;                   ///< the matter's promised days and any extensions
  SuspensionLedger ledger;           ///< closed clock stops
  std::optional<Date> stopped_since; ///< an open clock stop began on this date
  SuspensionReason stop_reason = SuspensionReason::supplement;
  std::optional<int> told_days;      ///< Art. 45: the length the applicant was told
  std::vector<std::string> requested;///< items of an open supplement request
  AlertLevel alert = AlertLevel::green;
  Supervision supervision = Supervision::none;
  std::string note;                  ///< rejection reason, incident error, or why a verification failed
  bool committed = false;            ///< 告知承诺: approved on the applicant's commitment, then verified
  friend bool operator==(const TaskState&, const TaskState&) = default;
};

/// 好差评: one rating of the case (matter -1) or of one of its matters.
/// Grades 1–5: 非常不满意, 不满意, 基本满意, 满意, 非常满意.
struct Rating {
  int grade = 0;
  int matter = -1;
  Instant at;
  std::string comment;
  std::optional<FollowUp> follow_up;  ///< grade 1 or 2
  friend bool operator==(const Rating&, const Rating&) = default;
};
/// "非常不满意" … "非常满意" (grade 1–5); "" otherwise.
[[nodiscard]] std::string_view grade_label(int grade);

/// 一次收齐、后续反复使用: what the holder registry holds for an applicant
/// (values matters verified, electronic licences matters issued), handed to
/// the flow with the applicant's consent at submission (event::Submitted).
struct HolderRecord {
  std::string holder;  ///< resident ID or unified social credit code ("" : the application names none)
  struct Item {
    std::string key;
    Value value;
    CaseId from_case = 0;
    friend bool operator==(const Item&, const Item&) = default;
  };
  struct Licence {
    std::string kind;      ///< LicenceSpec::kind
    std::string number;
    std::string issuer;    ///< the issuing matter's department
    Date issued_on;
    std::optional<Date> valid_until;  ///< the last day it is valid; none: no expiry
    CaseId from_case = 0;
    friend bool operator==(const Licence&, const Licence&) = default;
  };
  std::vector<Item> values;
  std::vector<Licence> licences;
  friend bool operator==(const HolderRecord&, const HolderRecord&) = default;
};

/// A field or material a case took from the holder registry, and from which case.
struct Reused {
  enum class Kind : std::uint8_t { field, licence };
  Kind kind = Kind::field;
  std::string key;        ///< field key, or the material id the licence stands for
  CaseId from_case = 0;
  std::string number;     ///< a licence's number
  friend bool operator==(const Reused&, const Reused&) = default;
};

struct CaseState {
  CaseId id = 0;
  CaseStage stage = CaseStage::created;
  Instant submitted_at;
  Channel channel = Channel::window;
  std::optional<Date> accepted_on;   ///< the chain's limit counts from here
  Date finished_on;                  ///< last approval, rejection or withdrawal
  /// The applicant's values: as submitted (shared with the submission
  /// event, not copied) and supplemented.
  Shared<FieldValues> values;
  /// What approved matters produced (a licence number…); read before
  /// `values` (see value()).
  FieldValues produced;
  Shared<std::vector<std::string>> materials;  ///< handed in, sorted, each once
  /// 容缺受理: deferrable materials missing at acceptance and not handed in
  /// since (chain order). Results are held until none is left.
  std::vector<std::string> deferred;
  Date deferred_due;                 ///< the day `deferred` are due (when not empty)
  AlertLevel deferred_alert = AlertLevel::green;  ///< where `deferred_due` stands
  std::vector<TaskState> tasks;      ///< by matter index
  TimeLimit limit;                   ///< the chain's promised days and extensions
  SuspensionLedger ledger;           ///< the case clock stops while any task's clock stops
  AlertLevel alert = AlertLevel::green;
  Supervision supervision = Supervision::none;
  std::optional<Instant> timer;      ///< the armed alert timer
  int visits = 0;                    ///< the applicant's in-person visits (the promise: at most one; an agent's are not counted)
  int notices = 0;                   ///< notices sent to the applicant
  /// The instant of the last supplement notice: a request at the same
  /// instant (another department's) joins it, one notice counted.
  std::optional<Instant> supplement_notice_at;
  std::uint64_t events = 0;          ///< events applied or ignored so far
  std::string reason;                ///< why the case was rejected or withdrawn
  DeliveryMethod delivery = DeliveryMethod::in_person;
  std::string tracking;              ///< express tracking number
  /// The day the case ended (delivered, rejected, withdrawn): ratings are
  /// taken until the chain's ratings.within after it.
  std::optional<Date> closed_on;
  std::vector<Rating> ratings;       ///< 好差评, in the order given
  std::optional<Agent> agent;        ///< 代办帮办: who acts for the applicant
  /// The applicant consented to reuse what the holder registry holds
  /// (recorded on the case), and what was reused, in the chain's order.
  bool reuse_consent = false;
  std::vector<Reused> reused;

  /// Every member compared (the lists by value): a replay of the case's log
  /// through step() must give exactly the state the store holds.
  friend bool operator==(const CaseState&, const CaseState&) = default;

  /// The form's value of a field: produced by a matter, else the
  /// applicant's; nullptr when there is none. What conditions read.
  [[nodiscard]] const Value* value(std::string_view key) const;
  /// The chain's deadline over the case's clock stops (requires accepted_on).
  [[nodiscard]] Deadline deadline(const FlowChain& chain) const;
  /// A task's deadline over its clock stops.
  [[nodiscard]] Deadline task_deadline(const FlowChain& chain, int matter) const;
};

/// A new case, before its application is submitted.
[[nodiscard]] CaseState new_case(const FlowChain& chain, CaseId id);

// ---- events (inputs) --------------------------------------------------------

namespace event {
/// The application. Its lists are Shared: the case state keeps them without
/// copying (a FieldValues and a vector convert implicitly).
struct Submitted {
  Shared<FieldValues> fields;
  Shared<std::vector<std::string>> materials;
  Channel channel = Channel::window;
  /// 代办帮办: the agent who hands it in, with the applicant's authorisation
  /// (material agent-authorisation) among the materials.
  std::optional<Agent> agent;
  /// 告知承诺: the matters (indices) the applicant commits to, each with
  /// `commitment: optional` (those `required` are committed to anyway).
  std::vector<int> commitments;
  /// With the applicant's consent to reuse: what the holder registry holds
  /// for the holder the application names. The flow takes the values the
  /// application lacks and the licences valid on the acceptance day for
  /// the materials of their kind (an expired one is asked for again).
  std::optional<HolderRecord> reuse;
};
/// The applicant supplies what a notice asked for (or anything else): at
/// least one value or material (an empty one is invalid).
struct Supplemented { FieldValues fields; std::vector<std::string> materials; bool in_person = false; };
struct TaskApproved { int matter = -1; std::uint32_t attempt = 0; FieldValues produced; };
struct TaskRejected { int matter = -1; std::uint32_t attempt = 0; std::string reason; };
struct SupplementRequested { int matter = -1; std::uint32_t attempt = 0; std::vector<std::string> items; std::string reason; };
struct TaskSuspended {
  int matter = -1;
  std::uint32_t attempt = 0;
  SuspensionReason reason = SuspensionReason::expert_review;
  std::optional<int> told_days;
  std::string note;
};
struct TaskResumed { int matter = -1; std::uint32_t attempt = 0; };
/// The runtime gave up dispatching (exceptions or timeouts past the retries).
struct TaskIncident { int matter = -1; std::uint32_t attempt = 0; std::string error; };
/// An operator sends a task in incident to its department again.
struct TaskRetried { int matter = -1; };
/// The alert timer fired: levels are re-read at the event's instant.
struct TimerFired {};
/// An extension of a task's limit (matter >= 0) or the chain's (matter = -1).
struct Extended { int matter = -1; Extension extension; };
struct Withdrawn { std::string reason; };
struct Delivered { DeliveryMethod method = DeliveryMethod::in_person; std::string tracking; };
/// 好差评: the applicant rates the case (matter -1) or one matter, once each,
/// from submission until the chain's ratings.within after the case ended.
struct Rated { int grade = 0; int matter = -1; std::string comment; };
/// A step of the follow-up of the bad rating at index `rating` of
/// CaseState::ratings.
struct FollowedUp { std::uint32_t rating = 0; FollowUpStep step = FollowUpStep::called_back; std::string note; };
/// A file handed in as one of the case's materials (material_file.h). The
/// material must be one the case needs (or already holds); one not yet
/// handed in counts as handed in now, as a supplement of it would; one an
/// open supplement request names answers the request. Otherwise the file is
/// only recorded. The bytes are the store's; the event carries their hash.
struct FileAttached {
  std::string material;
  std::string name;
  std::string media_type;
  std::uint64_t bytes = 0;
  std::string sha256;
};
}  // namespace event

using EventBody = std::variant<event::Submitted, event::Supplemented, event::TaskApproved, event::TaskRejected,
                               event::SupplementRequested, event::TaskSuspended, event::TaskResumed,
                               event::TaskIncident, event::TaskRetried, event::TimerFired, event::Extended,
                               event::Withdrawn, event::Delivered, event::Rated, event::FollowedUp,
                               event::FileAttached>;

struct Event {
  Instant at;
  EventBody body;
};

/// "submitted", "task-approved", … (stable names for logs and JSON).
[[nodiscard]] std::string_view event_name(const EventBody& body);

// ---- commands (outputs) -----------------------------------------------------

namespace command {
/// One notice to the applicant listing everything outstanding (一次告知).
struct SendNotice {
  /// deferred: the case was accepted with deferrable materials missing
  /// (容缺受理); `missing` lists them, due on `due`.
  enum class Kind { incomplete_application, supplement, deferred } kind = Kind::incomplete_application;
  std::vector<FlowChain::Missing> missing;  ///< incomplete_application, deferred
  std::vector<std::pair<int, std::vector<std::string>>> requests;  ///< supplement: (matter, items)
  std::vector<InvalidItem> invalid;  ///< incomplete_application: values to correct
  Date due;                          ///< deferred: the day the materials are due
  /// supplement: a request of the same instant as the last supplement
  /// notice (another department's): part of that notice, not counted again.
  /// merge_supplement_notices() folds it into that notice when both are in
  /// one list of commands.
  bool joins = false;
};
/// Hand the task to its department (only that department's view of the form).
struct Dispatch { int matter = -1; std::uint32_t attempt = 0; };
/// Tell the department to stop working on the task.
struct Cancel { int matter = -1; std::uint32_t attempt = 0; };
/// An alert level or supervision level changed (matter -1: the case), or,
/// with `deferred`, the level of the case's deferred materials (容缺受理).
struct Alert {
  int matter = -1;
  AlertLevel level = AlertLevel::green;
  Supervision supervision = Supervision::none;
  Date deadline;
  bool deferred = false;
};
/// Wake the case at this instant (TimerFired) to re-read its alert levels.
struct ArmTimer { Instant at; };
/// Every applicable matter is approved and no deferred material is
/// outstanding: results can be handed out.
struct ReadyForDelivery {};
/// The case ended without results (rejected or withdrawn): tell the applicant.
struct NotifyEnded { CaseStage stage = CaseStage::rejected; std::string reason; };
/// 告知承诺: a verification failed and the matter's result is revoked; the
/// matters after it that had proceeded on it are named (chain order).
struct NotifyRevoked { int matter = -1; std::vector<int> dependents; std::string reason; };
/// 一次收齐: an approved matter verified these values of the holder and
/// issued these licences; the runtime keeps them in the holder registry
/// (only for a chain with a `holder` field whose value the case holds).
struct Register { HolderRecord record; };
}  // namespace command

using Command = std::variant<command::SendNotice, command::Dispatch, command::Cancel, command::Alert,
                             command::ArmTimer, command::ReadyForDelivery, command::NotifyEnded,
                             command::NotifyRevoked, command::Register>;

// ---- the transition function ------------------------------------------------

struct StepOutcome {
  StepResult result = StepResult::applied;
  std::string reason;  ///< why ignored or invalid
};

/// Applies one event to `state`, appending the commands it causes to `out`.
/// On `invalid` the state is unchanged. On `ignored` only `state.events` is
/// counted up. Deterministic: the same state and event give the same result
/// (a memo changes speed only). Every rule of a case lives here: a
/// submission or supplement with invalid values is refused, supplement
/// requests of one instant are one notice.
StepOutcome step(const FlowChain& chain, CaseState& state, const Event& event, std::vector<Command>& out,
                 CheckMemo* memo = nullptr);

/// Applies events in order with step(), and merges the supplement notices
/// among the commands (merge_supplement_notices). Stops at the first
/// invalid event (earlier ones stay applied) and returns its outcome and
/// index in `failed_at`.
StepOutcome step_all(const FlowChain& chain, CaseState& state, std::span<const Event> events,
                     std::vector<Command>& out, std::size_t* failed_at = nullptr);

/// Folds every supplement notice among out[first..] that joins another
/// (SendNotice::joins) into the one before it in that range: the
/// applicant gets one message per notice counted. Commands only; the
/// state counted the notice already.
void merge_supplement_notices(std::vector<Command>& out, std::size_t first);

/// Where a started task's limit stands on `today`, an open clock stop
/// counted up to today (the levels step() records, read at any date).
[[nodiscard]] AlertStatus task_alert_status(const FlowChain& chain, const CaseState& state, int matter, Date today);
/// Where the case's limit stands on `today` (requires accepted_on).
[[nodiscard]] AlertStatus case_alert_status(const FlowChain& chain, const CaseState& state, Date today);

/// 容缺受理: where the deferred materials' limit (`defer_within` from
/// acceptance) stands on `today` (requires accepted_on).
[[nodiscard]] AlertStatus deferred_alert_status(const FlowChain& chain, const CaseState& state, Date today);
/// 告知承诺: the matters that proceeded on matter `m`'s result (after it,
/// directly or through others, and started), in index order: what the
/// revocation of `m` records.
[[nodiscard]] std::vector<int> revoked_dependents(const FlowChain& chain, const CaseState& state, int m);

/// "the application has N invalid items:" and a line per item (key:
/// reason (hint)): why a submission or supplement is refused.
[[nodiscard]] std::string invalid_items_message(const std::vector<InvalidItem>& items);

// ---- claims -------------------------------------------------------------------

/// A claim of a task (an officer takes it from the queue) or its release.
struct ClaimRequest {
  std::string matter;          ///< the matter id
  std::uint32_t attempt = 0;   ///< 0: the current attempt
  bool release = false;
  std::string officer;         ///< a claim: who takes it ("" = the actor)
  bool force = false;          ///< a claim: take it over from another holder
  std::string actor;           ///< the account acting
  bool supervises = false;     ///< the actor is an admin or a supervisor
};
/// What a claim or release records, in this order: the end of `released`'s
/// claim, then `claimed`'s claim.
struct ClaimChange {
  int matter = -1;
  std::uint32_t attempt = 0;
  std::string released;  ///< whose claim ends ("" none)
  std::string claimed;   ///< who holds the task now ("" none)
};
/// The rule of claims: only an open task's current attempt is claimed; one
/// officer holds it at a time (`holder`, "" none); another's claim is a
/// conflict naming the holder unless forced by an admin or supervisor; a
/// release is the holder's or a supervisor's. Claims are notes in the log,
/// not events: they change who works on a task, never the case's state.
[[nodiscard]] Result<ClaimChange> decide_claim(const FlowChain& chain, const CaseState& state, const ClaimRequest& request,
                                               std::string_view holder);

/// The commands a recovered case should have in flight: a dispatch for each
/// dispatched task, the alert timer, and the delivery notice of a ready case.
void pending_commands(const FlowChain& chain, const CaseState& state, std::vector<Command>& out);

}  // namespace yilian
