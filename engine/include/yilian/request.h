// What a program or an operator asks of the engine about a case: submit an
// application, supply what was asked for, report a department's outcome,
// withdraw, deliver, extend a limit, retry an incident, claim a task.
//
// Each request becomes at most one event in the case's log (a claim becomes
// a note in the log). Requests are plain values; Engine::apply and
// Client::apply take them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "yilian/actor.h"
#include "yilian/adapter.h"
#include "yilian/case_types.h"
#include "yilian/value.h"

namespace yilian {

namespace request {

/// A new case: the application for one chain (一表申请).
struct Submit {
  std::string chain;                   ///< chain id
  std::optional<int> version;          ///< unset: the latest version the store holds
  FieldValues fields;
  std::vector<std::string> materials;  ///< material ids handed in
  Channel channel = Channel::window;   ///< window counts one in-person visit
  Actor actor;                         ///< who asks (written into the log entry)
  /// A caller's key for this submission (HTTP `Idempotency-Key`): the same
  /// key from the same account again answers with the case it made, never
  /// a second one; with another application it is refused (`mismatch`).
  /// Kept in the store with the case, so it holds across restarts.
  std::string idempotency_key;
  /// 代办帮办: the agent who hands it in (materials then include
  /// agent-authorisation, the applicant's authorisation).
  std::optional<Agent> agent;
  /// 告知承诺: ids of the matters the applicant commits to (each with
  /// `commitment: optional`).
  std::vector<std::string> commitments;
  /// 一次收齐: the applicant consents to the reuse of what the holder
  /// registry holds for the holder the application names (the chain's
  /// `holder` field); recorded on the case. Without it nothing is reused.
  bool reuse_consent = false;
};

/// The applicant supplies what a notice asked for (or anything else).
struct Supplement {
  CaseId case_id = 0;
  FieldValues fields;
  std::vector<std::string> materials;
  bool in_person = false;              ///< counts a visit
  Actor actor;                         ///< who asks (written into the log entry)
};

/// A department's outcome on a task. `attempt` 0 means the task's current
/// attempt (an operator acting on the task as it stands); an adapter or a
/// department system names the attempt of its task key, so that a late
/// answer to an earlier attempt is recognised and ignored.
struct Report {
  CaseId case_id = 0;
  std::string matter;                  ///< matter id
  std::uint32_t attempt = 0;
  Outcome outcome;
  Actor actor;                         ///< who asks (written into the log entry)
};

struct Withdraw {
  CaseId case_id = 0;
  std::string reason;
  Actor actor;                         ///< who asks (written into the log entry)
};

/// Results handed out at one window (统一出件) or sent.
struct Deliver {
  CaseId case_id = 0;
  DeliveryMethod method = DeliveryMethod::in_person;
  std::string tracking;                ///< express tracking number
  Actor actor;                         ///< who asks (written into the log entry)
};

/// An extension of a task's limit (matter set) or of the chain's (matter empty).
struct Extend {
  CaseId case_id = 0;
  std::string matter;
  Extension extension;
  Actor actor;                         ///< who asks (written into the log entry)
};

/// An operator sends a task in incident to its department again.
struct Retry {
  CaseId case_id = 0;
  std::string matter;
  Actor actor;                         ///< who asks (written into the log entry)
};

/// An officer takes a task from the work queue (recorded as a note in the
/// case's log; the flow is unchanged). `attempt` 0: the current attempt.
/// A task another officer holds is refused (`conflict`, naming the holder)
/// unless `force` is set by an admin or supervisor, which releases it first.
struct Claim {
  CaseId case_id = 0;
  std::string matter;
  std::uint32_t attempt = 0;
  std::string officer;                 ///< "" : the actor's account
  bool force = false;
  Actor actor;
};

/// The holder of a claim gives the task back to the queue (an admin or
/// supervisor may release anyone's).
struct Release {
  CaseId case_id = 0;
  std::string matter;
  Actor actor;
};

/// A supervisor urges a case or one of its open tasks on (督办): a note in
/// the case's log, on the timeline and in the event stream; the flow is
/// unchanged. `matter` empty: the whole case.
struct Urge {
  CaseId case_id = 0;
  std::string matter;
  std::string note;
  Actor actor;
};

/// 好差评: the applicant rates the case (matter empty) or one of its
/// matters, grade 1 (非常不满意) to 5 (非常满意). A grade of 1 or 2 opens a
/// follow-up (event::FollowedUp).
struct Rate {
  CaseId case_id = 0;
  std::string matter;
  int grade = 0;
  std::string comment;
  Actor actor;
};

/// A step of a bad rating's follow-up: call-back, rectification, appeal
/// and its review. `rating` is 1-based, as `case status` numbers them.
struct FollowUp {
  CaseId case_id = 0;
  std::uint32_t rating = 0;
  FollowUpStep step = FollowUpStep::called_back;
  std::string note;
  Actor actor;
};

/// A file handed in as one of the case's materials (PDF, JPEG or PNG, at
/// most EngineOptions::max_file_bytes): event::FileAttached in the case's
/// log, the bytes in the store in the same transaction.
struct Attach {
  CaseId case_id = 0;
  std::string material;                ///< material id
  std::string name;                    ///< the file's name, for display ("" : the material id)
  std::string content;                 ///< the file's bytes
  Actor actor;
};

}  // namespace request

using Request = std::variant<request::Submit, request::Supplement, request::Report, request::Withdraw,
                             request::Deliver, request::Extend, request::Retry, request::Claim, request::Release,
                             request::Urge, request::Rate, request::FollowUp, request::Attach>;

/// "submit", "supplement", "report", … (for messages).
[[nodiscard]] std::string_view request_name(const Request& r);
/// The request's actor.
[[nodiscard]] const Actor& actor_of(const Request& r);
[[nodiscard]] Actor& actor_of(Request& r);

/// What happened to a request once it is durable.
struct Receipt {
  CaseId case_id = 0;
  std::uint64_t seq = 0;     ///< the entry's position in the case's log (1-based)
  StepResult result = StepResult::applied;  ///< applied, or ignored (a repeated or late outcome, recorded)
  std::string reason;        ///< why it was ignored
  CaseStage stage = CaseStage::created;      ///< the case's stage afterwards
  /// A submission accepted under 容缺受理: the materials still owed (ids)
  /// and the day they are due; empty for every other request. What a
  /// receipt for the new case needs, without reading the case back.
  std::vector<std::string> deferred;
  std::optional<Date> deferred_due;
};

}  // namespace yilian
