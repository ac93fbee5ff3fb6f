// Reading the cases of a store: a case's timeline (events, tasks,
// deadlines, alert levels), lists of cases, a department's work queue, the
// cases running late. Reads see what is committed; they work while an
// engine runs on the same store (SQLite WAL readers do not block it).
//
// Deadlines and alert levels are computed for "today" by the options'
// clock, so they are current even when no engine has run for a while.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "yilian/actor.h"
#include "yilian/case_types.h"
#include "yilian/date.h"
#include "yilian/material_file.h"
#include "yilian/status.h"
#include "yilian/value.h"

namespace yilian {

struct Chain;

/// One task of a case as it stands.
struct TaskView {
  std::string matter;
  std::string name;
  std::string department;
  std::string department_name;
  std::string key;                  ///< the current attempt's idempotency key ("" before dispatch)
  TaskStatus status = TaskStatus::waiting;
  std::uint32_t attempt = 0;
  std::optional<Date> started;      ///< set once dispatched
  std::optional<Date> finished;     ///< approved, rejected, skipped or cancelled on
  std::optional<Date> deadline;     ///< promised deadline over the clock stops (dispatched tasks)
  bool clock_stopped = false;       ///< waiting for supplements or an Art. 45 activity
  AlertLevel alert = AlertLevel::green;        ///< open tasks: as of today
  Supervision supervision = Supervision::none;
  std::int64_t remaining_days = 0;  ///< counted working days left (open tasks)
  std::int64_t overdue_days = 0;    ///< counted working days past the deadline (open tasks)
  std::vector<std::string> requested;  ///< items of an open supplement request
  std::string note;                 ///< rejection reason or incident error
  std::string claimed_by;           ///< the officer who claimed the current attempt, if any
};

/// One entry of a case's log.
struct LogEntry {
  std::uint64_t seq = 0;            ///< 1-based position in the case's log
  Instant at;                       ///< local time of the event
  std::string kind;                 ///< "submitted", "task-approved", … or a note: "task-claimed", "delivery-failed"
  std::string result;               ///< "applied", "ignored" or "note"
  std::string summary;              ///< one line for people
  std::string detail_json;          ///< the event's data as a JSON object
  std::optional<Actor> actor;       ///< who asked for it (none: the engine itself, or a store from before actors)
};

/// A log entry with its place in the whole store's log (the event stream).
struct StreamEntry {
  std::uint64_t position = 0;       ///< store-wide, in the order entries were appended
  CaseId case_id = 0;
  std::string chain;                ///< the case's chain id
  LogEntry entry;
};

/// A case with its timeline.
/// A deferred material (容缺受理) still outstanding.
struct DeferredView {
  std::string key;    ///< material id
  std::string label;  ///< its name
};
/// The materials `keys` of `chain` (a case's deferred ones, or a receipt's)
/// with their names.
[[nodiscard]] std::vector<DeferredView> deferred_views(const Chain& chain, const std::vector<std::string>& keys);

/// 一次收齐: a field or material a case took from the holder registry.
struct ReusedView {
  bool licence = false;  ///< a licence handed in by reference; else a field value
  std::string key;       ///< field key or material id
  std::string label;     ///< the field's label or the material's name
  CaseId from_case = 0;  ///< the case that verified or issued it
  std::string number;    ///< a licence's number
};

/// One rating (好差评) of a case, numbered from 1 in the order given.
struct RatingView {
  std::uint32_t number = 0;
  int grade = 0;
  std::string matter;        ///< "" : the whole case
  std::string matter_name;
  std::string department;    ///< the matter's (or the lead department for the case)
  Instant at;
  std::string comment;
  std::optional<FollowUp> follow_up;  ///< grade 1 or 2
  bool call_back_late = false;        ///< called back after its due day, or still not and past it
  bool rectify_late = false;          ///< the same for the rectification
};

struct CaseView {
  CaseId id = 0;
  std::string chain;
  int version = 0;
  std::string chain_name;
  CaseStage stage = CaseStage::created;
  Channel channel = Channel::window;
  Instant submitted_at;
  std::optional<Date> accepted_on;
  std::optional<Date> finished_on;  ///< ready, rejected or withdrawn on
  std::optional<Date> deadline;     ///< the chain's promised deadline over the clock stops (accepted cases)
  bool deadline_provisional = false;///< depends on a year without holiday data
  AlertLevel alert = AlertLevel::green;  ///< running cases: as of today
  Supervision supervision = Supervision::none;
  std::int64_t remaining_days = 0;
  std::int64_t overdue_days = 0;
  int visits = 0;
  int notices = 0;
  std::string reason;               ///< why it was rejected or withdrawn
  std::optional<DeliveryMethod> delivery;  ///< delivered cases
  std::string tracking;
  std::vector<DeferredView> deferred;  ///< 容缺受理: materials still to bring
  std::optional<Date> deferred_due;    ///< when `deferred` is not empty
  AlertLevel deferred_alert = AlertLevel::green;
  std::vector<RatingView> ratings;     ///< 好差评
  std::optional<Agent> agent;          ///< 代办帮办: who acts for the applicant
  bool reuse_consent = false;          ///< 一次收齐: the applicant consented to reuse
  std::vector<ReusedView> reused;      ///< what the case took from the holder registry
  std::vector<TaskView> tasks;      ///< in the chain's order
  std::vector<LogEntry> log;
};

/// One line of a case list.
struct CaseSummary {
  CaseId id = 0;
  std::string chain;
  int version = 0;
  CaseStage stage = CaseStage::created;
  Instant submitted_at;
  std::optional<Date> deadline;
  AlertLevel alert = AlertLevel::green;  ///< the worst of the case and its open tasks, as of today
  Supervision supervision = Supervision::none;
};

struct CaseFilter {
  std::optional<CaseStage> stage;   ///< only cases in this stage
  bool overdue = false;             ///< only running cases with a yellow or red case or task
  std::string chain;                ///< only this chain id ("" all)
  std::size_t limit = 0;            ///< at most this many, newest first (0: all)
  std::string owner;                ///< only cases this account submitted ("" all)
  CaseId before = 0;                ///< only cases with a smaller id (a page's cursor; 0: from the newest)
  std::string agent;                ///< 代办帮办: only cases this agent (name or ID number) hands in ("" all)
};

/// An open task in a department's work queue.
struct WorkItem {
  CaseId case_id = 0;
  std::string chain;
  int version = 0;
  TaskView task;
};

/// A page of a work queue (Records::work_queue_page).
struct WorkPage {
  std::vector<WorkItem> items;
  /// Where the next page starts (pass it as `after`); "" on the last page.
  std::string next;
};

/// A yellow or red limit: a task (matter set) or a whole case (matter empty,
/// listed under the chain's lead department).
struct OverdueEntry {
  std::string department;
  CaseId case_id = 0;
  std::string chain;
  std::string matter;
  AlertLevel alert = AlertLevel::yellow;
  Supervision supervision = Supervision::none;
  Date deadline;
  std::int64_t remaining_days = 0;
  std::int64_t overdue_days = 0;
  std::string department_name;      ///< the names people read (the ids above are for scripts)
  std::string chain_name;
  std::string matter_name;          ///< empty with `matter`
  /// Whose limit: "task" (a matter's decision), "verification" (告知承诺:
  /// the check of a commitment, `verify_within`), "case" (the chain's
  /// promise) or "deferred" (容缺受理: the materials still owed, under the
  /// lead department; matter empty).
  std::string kind = "task";
};

/// 告知承诺: a matter's result revoked after its verification failed.
struct Revocation {
  std::string department;
  CaseId case_id = 0;
  std::string chain;
  std::string matter;
  Date on;                                ///< the day the verification failed
  std::string reason;                     ///< what the department found
  std::vector<std::string> dependents;    ///< matters that had proceeded on the result (ids)
  CaseStage stage = CaseStage::running;   ///< the case's stage now (rejected when it was under way)
  std::string department_name;
  std::string chain_name;
  std::string matter_name;
};

struct RecordsOptions {
  /// Directories searched for the chains' calendars (then ./chains/calendars).
  std::vector<std::string> calendar_dirs;
  /// "Today" for alert levels. Unset: the system clock in UTC+8.
  std::function<Instant()> clock;
};

/// Read-only access to a store. Thread-safe (calls are serialised). Opening
/// does not lock the store; an engine may run on it at the same time.
/// 好差评 statistics of one matter (or of whole cases: matter "") of one
/// chain, or of one department (chain and matter ""), over every case of a
/// store (国办发〔2019〕51号: counts per grade, bad-rating rate, follow-ups).
struct RatingRow {
  std::string chain;
  std::string matter;            ///< "" : ratings of whole cases (or a department's row)
  std::string name;              ///< the matter's name, the chain's for whole cases, the department's
  std::string department;
  std::array<int, 5> grades{};   ///< ratings per grade 1–5
  int set_aside = 0;             ///< bad ratings set aside on appeal (not in `grades`)
  int follow_ups = 0;            ///< bad ratings followed up (not set aside)
  int closed = 0;                ///< of which rectified
  int call_backs_on_time = 0;    ///< called back by the due day
  int rectified_on_time = 0;     ///< rectified by the due day
  int overdue = 0;               ///< follow-ups with a call-back or rectification past due today
  [[nodiscard]] int total() const { return grades[0] + grades[1] + grades[2] + grades[3] + grades[4]; }
  [[nodiscard]] int bad() const { return grades[0] + grades[1]; }
};
struct RatingStats {
  Date today;
  std::vector<RatingRow> matters;      ///< by chain, then matter (whole cases first)
  std::vector<RatingRow> departments;  ///< by department id
};

/// A chain version held by the store.
struct ChainInfo {
  std::string id;
  int version = 0;
  std::string name;
  std::string sha256;   ///< of the YAML text as stored
};

class Records {
 public:
  /// Opens an existing store; not_found when there is none at `path`.
  [[nodiscard]] static Result<std::unique_ptr<Records>> open(const std::string& path, const RecordsOptions& options = {});
  ~Records();
  Records(const Records&) = delete;
  Records& operator=(const Records&) = delete;

  /// The case with its tasks and log; not_found for an unknown id.
  [[nodiscard]] Result<CaseView> case_view(CaseId id) const;
  /// Cases matching the filter, newest first.
  [[nodiscard]] Result<std::vector<CaseSummary>> list(const CaseFilter& filter = {}) const;
  /// Open tasks (dispatched, supplement, suspended, incident) of a department,
  /// oldest first; every department when `department` is empty.
  [[nodiscard]] Result<std::vector<WorkItem>> work_queue(const std::string& department) const;
  /// A page of work_queue(department): the tasks after the cursor `after`
  /// ("" from the start, else a page's `next`) that `keep` accepts (all
  /// when empty), at most `limit` (0: no limit). The queue's order is by
  /// case, then the chain's order of matters, and the cursor names the last
  /// task given, so no page repeats a task even while the queue changes (a
  /// task opened meanwhile on a case already passed shows on the next
  /// reading from the start). invalid for a cursor that no page gave.
  [[nodiscard]] Result<WorkPage> work_queue_page(const std::string& department, std::string_view after,
                                                 std::size_t limit,
                                                 const std::function<bool(const WorkItem&)>& keep = {}) const;
  /// Yellow and red limits of running cases, by department then lateness.
  [[nodiscard]] Result<std::vector<OverdueEntry>> overdue() const;
  /// Revocations (告知承诺) on or after `since`, newest first.
  [[nodiscard]] Result<std::vector<Revocation>> revocations(Date since) const;
  /// 好差评 statistics over every case (only `chain`'s when given).
  [[nodiscard]] Result<RatingStats> rating_stats(const std::string& chain = {}) const;
  /// Up to `limit` log entries appended after store-wide position
  /// `position`, in order (the HTTP event stream; resumable by position).
  [[nodiscard]] Result<std::vector<StreamEntry>> entries_after(std::uint64_t position, std::size_t limit) const;
  /// Every chain version in the store, by id then version.
  [[nodiscard]] Result<std::vector<ChainInfo>> chains() const;
  /// The position of the last entry appended (0: an empty log).
  [[nodiscard]] Result<std::uint64_t> last_position() const;
  /// A number that changes whenever the store changes (a commit by the
  /// engine or any other process): what was read is still current while it
  /// stays the same. For caches; a cheap call that reads no table.
  [[nodiscard]] Result<std::uint64_t> data_version() const;
  /// The account that submitted the case ("" when the store does not know:
  /// a case from before owners, or one submitted without an actor).
  [[nodiscard]] Result<std::string> case_owner(CaseId id) const;
  /// What `department` may see of the case's values (the fields its
  /// matters ask for or produce and what the chain shares with it): the
  /// same view its adapter gets with a task (data minimisation).
  [[nodiscard]] Result<FieldValues> department_data(CaseId id, const std::string& department) const;
  /// The material files of a case, in the order they were handed in.
  [[nodiscard]] Result<std::vector<MaterialFile>> files(CaseId id) const;
  /// The bytes of the file the case's log entry `seq` recorded; not_found
  /// when that entry recorded none. A file whose bytes no longer match the
  /// SHA-256 its entry recorded is an error (the store was altered), never
  /// handed out.
  [[nodiscard]] Result<std::string> file_content(CaseId id, std::uint64_t seq) const;
  /// The chain version case `id` started on (its matters and materials as
  /// that version has them: who may read which of its files); not_found for
  /// an unknown case. Shared, immutable.
  [[nodiscard]] Result<std::shared_ptr<const Chain>> case_chain(CaseId id) const;

  /// What a reader holds: the library's, opaque here (the engine's own
  /// reader shares the engine's chains).
  struct Impl;

 private:
  explicit Records(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// The first broken link of a store's hash-chained log.
struct AuditBreak {
  CaseId case_id = 0;
  std::uint64_t seq = 0;            ///< the first entry that does not verify (or where one is missing)
  std::string problem;              ///< "hash mismatch (edited or reordered)", "entry 4 missing", …
};

struct AuditReport {
  std::uint64_t cases = 0;          ///< cases checked
  std::uint64_t entries = 0;        ///< log entries checked
  std::uint64_t files = 0;          ///< material files checked against their entries' SHA-256
  /// In case id, then log order; case 0 for a break of the store-wide seal
  /// (reported only when every case's own chain verifies).
  std::optional<AuditBreak> first_break;
  /// The store-wide seal recomputed from the log, "ENTRIES:SHA-256": keep it
  /// somewhere else (a daily report) and pass it back as an anchor later.
  std::string seal;
  /// False for a store written before the seal existed and not written to
  /// since (the engine's next commit adds it); the seal is then not checked.
  bool sealed = true;
  [[nodiscard]] bool ok() const { return !first_break; }
};

/// Verifies every case's log: entry n's hash is SHA-256(hash of entry n-1 ||
/// entry n's canonical bytes), entries are numbered 1, 2, … without gaps,
/// and the case row names the last entry's hash (so an entry deleted at the
/// end is noticed). Then the store-wide seal, a chain over every entry's
/// hash in the order appended, which the store keeps beside the log: it
/// notices a whole case deleted (row and log) and entries added, removed or
/// moved outside the engine. With `anchor` ("ENTRIES:SHA-256", a seal
/// printed earlier), the log's first ENTRIES entries must still chain to it,
/// which holds against anyone who rewrote the hashes since. Then what the
/// engine acts on besides the log: every stored chain text must still have
/// its hash, and every case's stored state, form values and materials must
/// be what its log gives when replayed through the flow core (chains
/// compiled with `calendar_dirs` and the built-in calendars). Reports the
/// first break. A malformed anchor is invalid_input; I/O errors as a Status.
[[nodiscard]] Result<AuditReport> verify_audit(const std::string& path, std::string_view anchor = {},
                                               const std::vector<std::string>& calendar_dirs = {});

}  // namespace yilian
