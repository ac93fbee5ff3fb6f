// The small vocabulary of a case: its id, instants, stages and task
// statuses, channels, clock stops, extensions, alert and supervision
// levels, the agent who acts for an applicant, and a bad rating's
// follow-up. Plain values (and their names for logs and JSON), so that the
// runtime's headers (engine.h, adapter.h, request.h, records.h,
// engine_options.h) can speak of cases without the state machine (flow.h)
// or the chain model (chain.h). Safe to share between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "yilian/date.h"

namespace yilian {

/// A moment in the chain's local time, in seconds since 1970-01-01 00:00.
struct Instant {
  std::int64_t seconds = 0;

  static constexpr Instant at(Date d, TimeOfDay t = {}) {
    return Instant{static_cast<std::int64_t>(d.days()) * 86400 + static_cast<std::int64_t>(t.minutes) * 60};
  }
  [[nodiscard]] constexpr Date date() const {
    const std::int64_t s = seconds;
    return Date::from_days(s >= 0 ? s / 86400 : -((-s + 86399) / 86400));
  }
  [[nodiscard]] constexpr TimeOfDay time() const {
    std::int64_t r = seconds % 86400;
    if (r < 0) r += 86400;
    return TimeOfDay{static_cast<int>(r / 60)};
  }
  /// "YYYY-MM-DDTHH:MM:SS".
  [[nodiscard]] std::string to_string() const;
  /// Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM" or "YYYY-MM-DDTHH:MM:SS".
  [[nodiscard]] static std::optional<Instant> parse(std::string_view s);
  friend constexpr auto operator<=>(Instant, Instant) = default;
};

using CaseId = std::uint64_t;

enum class CaseStage : std::uint8_t {
  created,     ///< not yet submitted
  incomplete,  ///< 一次告知 sent; waiting for the applicant; the clock does not run
  running,     ///< accepted; tasks under way
  ready,       ///< every applicable matter approved; waiting for delivery
  delivered,   ///< 统一出件 done (end)
  rejected,    ///< a matter was refused (end)
  withdrawn,   ///< the applicant withdrew (end)
  /// Results handed out while a matter approved on the applicant's
  /// commitment (告知承诺) is still being verified; delivered when the last
  /// verification ends.
  verifying,
};
[[nodiscard]] std::string_view to_string(CaseStage s);
[[nodiscard]] std::optional<CaseStage> parse_case_stage(std::string_view s);
[[nodiscard]] inline bool is_final(CaseStage s) {
  return s == CaseStage::delivered || s == CaseStage::rejected || s == CaseStage::withdrawn;
}

enum class TaskStatus : std::uint8_t {
  waiting,     ///< a matter it comes after is not done yet
  skipped,     ///< its condition does not hold
  dispatched,  ///< with the department
  supplement,  ///< the department asked the applicant for more; clock stopped
  suspended,   ///< Art. 45 activity under way; clock stopped
  incident,    ///< dispatch failed past its retries; an operator must act
  approved,
  rejected,
  cancelled,   ///< the case ended before the task did
  /// 告知承诺: approved at once on the applicant's commitment; the department
  /// verifies (核查) within the matter's verify_within. Counts as approved for
  /// the matters after it; an approval passes the verification, a
  /// rejection fails it and revokes the result.
  verifying,
  revoked,     ///< the verification failed: the result approved on the commitment is revoked
};
[[nodiscard]] std::string_view to_string(TaskStatus s);
/// dispatched, supplement, suspended, incident or verifying: the task holds its department.
[[nodiscard]] inline bool is_open(TaskStatus s) {
  return s == TaskStatus::dispatched || s == TaskStatus::supplement || s == TaskStatus::suspended ||
         s == TaskStatus::incident || s == TaskStatus::verifying;
}
/// dispatched or verifying: the department has the work and its answer is awaited.
[[nodiscard]] inline bool with_department(TaskStatus s) {
  return s == TaskStatus::dispatched || s == TaskStatus::verifying;
}
/// Approved, or approved on a commitment under verification: what the
/// matters after it wait for.
[[nodiscard]] inline bool is_granted(TaskStatus s) { return s == TaskStatus::approved || s == TaskStatus::verifying; }

enum class Channel : std::uint8_t { window, online };
enum class DeliveryMethod : std::uint8_t { in_person, express, electronic };
[[nodiscard]] std::string_view to_string(Channel c);
[[nodiscard]] std::string_view to_string(DeliveryMethod m);

/// What step() made of an event (flow.h).
enum class StepResult : std::uint8_t {
  applied,  ///< the state changed (commands may follow)
  ignored,  ///< a repeated or late outcome: recognised, recorded, not applied twice
  invalid,  ///< the event cannot apply to this state; the state is unchanged and the event must not be recorded
};
[[nodiscard]] std::string_view to_string(StepResult r);

/// Why the clock stopped.
enum class SuspensionReason {
  supplement,     ///< 补正: waiting for the applicant's supplements (Art. 32)
  hearing,        ///< Art. 45 from here to expert_review
  tendering,
  auction,
  inspection,
  testing,
  quarantine,
  appraisal,
  expert_review,
  other,          ///< another legal ground; say which in `note`
};
/// "supplement", "hearing", …, "expert-review", "other".
[[nodiscard]] std::string_view to_string(SuspensionReason r);
[[nodiscard]] std::optional<SuspensionReason> parse_suspension_reason(std::string_view s);
/// True for the activities Art. 45 lists.
[[nodiscard]] bool is_article45(SuspensionReason r);

/// The legal basis of an extension.
enum class ExtensionBasis {
  department_head,  ///< Art. 42 ¶1: +10 working days, 本机关负责人批准
  government_head,  ///< Art. 42 ¶2: joint/unified handling, +15, 本级人民政府负责人批准
  other,            ///< another rule (a sector law); say which in `reason`
};
[[nodiscard]] std::string_view to_string(ExtensionBasis b);
[[nodiscard]] std::optional<ExtensionBasis> parse_extension_basis(std::string_view s);
/// The most working days the basis allows (10, 15), or nothing for `other`.
[[nodiscard]] std::optional<int> extension_cap(ExtensionBasis b);

/// One recorded extension: who approved how many working days, when, why.
struct Extension {
  ExtensionBasis basis = ExtensionBasis::department_head;
  int days = 0;
  std::string approver;  ///< name or post of the approving head
  Date approved_on;
  std::string reason;
  friend bool operator==(const Extension&, const Extension&) = default;
};

enum class AlertLevel { green, yellow, red };
/// 一级督办 from the first day past the deadline; 二级督办 once the case is
/// more than AlertPolicy::second_level_after counted working days late.
enum class Supervision { none, first_level, second_level };
[[nodiscard]] std::string_view to_string(AlertLevel a);
[[nodiscard]] std::string_view to_string(Supervision s);

/// 代办帮办: who hands in the application on the applicant's behalf. The
/// application then carries the applicant's authorisation, the material
/// `agent-authorisation` (授权委托书), which every chain knows.
struct Agent {
  std::string name;
  std::string id_number;  ///< resident ID (GB 11643)
  std::string phone;      ///< optional
  friend bool operator==(const Agent&, const Agent&) = default;
};

/// A step of a bad rating's follow-up (差评整改).
enum class FollowUpStep : std::uint8_t {
  called_back,      ///< 回访: the office called the applicant back
  rectified,        ///< 整改: the problem was rectified and the applicant told
  appealed,         ///< 申诉: the department holds the rating unjust (误评、恶意差评)
  appeal_upheld,    ///< 复核: the appeal holds; the rating is set aside
  appeal_rejected,  ///< 复核: the appeal fails; the follow-up goes on
};
[[nodiscard]] std::string_view to_string(FollowUpStep s);
[[nodiscard]] std::optional<FollowUpStep> parse_follow_up_step(std::string_view s);

/// The follow-up a bad rating (grade 1 or 2) opens: a call-back and a
/// rectification, each within the chain's limit of the rating, and an
/// appeal path.
struct FollowUp {
  enum class Appeal : std::uint8_t { none, pending, upheld, rejected };
  Date call_back_due;
  Date rectify_due;
  std::optional<Date> called_back;
  std::optional<Date> rectified;
  Appeal appeal = Appeal::none;
  std::string note;  ///< what the last step recorded
  /// Closed: rectified, or set aside by an upheld appeal.
  [[nodiscard]] bool closed() const { return rectified.has_value() || appeal == Appeal::upheld; }
  friend bool operator==(const FollowUp&, const FollowUp&) = default;
};
[[nodiscard]] std::string_view to_string(FollowUp::Appeal a);

}  // namespace yilian
