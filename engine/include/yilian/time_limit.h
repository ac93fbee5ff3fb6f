// Time limits of a running case: the clock-stop ledger (suspensions),
// recorded extensions, the deadline over both, and alert and supervision
// levels. Pure functions of their arguments: no clock is read, nothing is
// stored; the same inputs always give the same outputs.
//
// Rules (行政许可法): Art. 32 and 45 stop the clock (the applicant's
// supplements; hearings, tendering, auctions, inspection, testing,
// quarantine, appraisal and expert review, whose length the applicant is
// told in writing); Art. 42 extends the limit by 10 working days with the
// department head's approval, a joint or unified handling's 45 days by 15
// with the government head's approval.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "yilian/calendar.h"
#include "yilian/case_types.h"
#include "yilian/chain.h"  // AlertPolicy
#include "yilian/date.h"
#include "yilian/limit.h"
#include "yilian/status.h"

namespace yilian {

/// One clock stop: every working day in [from, to] (both included) is not
/// counted.
struct Suspension {
  Date from;
  Date to;
  SuspensionReason reason = SuspensionReason::supplement;
  std::optional<int> told_days;  ///< Art. 45: working days the applicant was told in writing
  std::string note;
  friend bool operator==(const Suspension&, const Suspension&) = default;
};

/// The clock stops of one case, in the order they were recorded. A value
/// type; not synchronised (copy it to share).
class SuspensionLedger {
 public:
  /// Records a suspension. Rejects (invalid_input) a range that ends before
  /// it starts and a negative told length; the ledger is unchanged then.
  Status add(Suspension s);
  [[nodiscard]] const std::vector<Suspension>& entries() const { return entries_; }
  [[nodiscard]] bool empty() const { return entries_.empty(); }
  /// The suspended days as disjoint, ascending [from, to] ranges (overlaps
  /// and adjacent ranges merged: a day is suspended at most once).
  [[nodiscard]] const std::vector<std::pair<Date, Date>>& merged() const { return merged_; }
  /// True when `d` lies inside a suspension.
  [[nodiscard]] bool suspended_on(Date d) const;

 private:
  std::vector<Suspension> entries_;
  std::vector<std::pair<Date, Date>> merged_;

 public:
  friend bool operator==(const SuspensionLedger&, const SuspensionLedger&) = default;
};

/// A limit (working days, days or months) and the extensions granted on
/// it (always working days: Art. 42). A value type.
class TimeLimit {
 public:
  TimeLimit() = default;
  /// A limit of `days` working days (a negative number counts as 0).
  TimeLimit(int days) : days_(days < 0 ? 0 : days) {}  // NOLINT: a bare number is a limit
  /// A limit in any unit (a negative count counts as 0).
  TimeLimit(Limit l) : days_(l.count < 0 ? 0 : l.count), unit_(l.unit) {}  // NOLINT: a stated limit is a limit
  /// Records an extension. Rejects (invalid_input) days < 1 or > 10 000, an
  /// empty approver, more days than the basis allows, and a second Art. 42
  /// extension of the same basis; the limit is unchanged then.
  Status extend(Extension e);
  /// The stated limit's count, in unit().
  [[nodiscard]] int base_days() const { return days_; }
  [[nodiscard]] LimitUnit unit() const { return unit_; }
  [[nodiscard]] Limit base() const { return {days_, unit_}; }
  /// Working days of every extension together.
  [[nodiscard]] int extension_days() const;
  /// Base days plus every extension; for a limit in working days only (a
  /// limit in days or months has a length in working days only on a
  /// calendar: Deadline::limit_days).
  [[nodiscard]] int total_days() const;
  [[nodiscard]] const std::vector<Extension>& extensions() const { return extensions_; }

 private:
  int days_ = 0;
  LimitUnit unit_ = LimitUnit::working_days;
  std::vector<Extension> extensions_;

 public:
  friend bool operator==(const TimeLimit&, const TimeLimit&) = default;
};

/// The last day of a period of `limit` from `start`, the start day not
/// counted. Working days: the count-th working day after `start` (`start`
/// itself for 0). Days and months, by 民法典 Arts. 200–203: `start` plus the
/// days, or the corresponding day of the month `count` months later (that
/// month's last day when it has no such day, Art. 202); a period whose last
/// day is a rest day ends on the next working day (Art. 203). Provisional
/// when a year it depends on has no holiday data.
[[nodiscard]] WorkingDayResult period_end(const Calendar& calendar, Date start, const Limit& limit);

/// A deadline over a ledger.
struct Deadline {
  Date start;                 ///< the acceptance date (not counted)
  Limit limit;                ///< the stated limit, without extensions
  int limit_days = 0;         ///< counted working days to `date`, extensions included
  Date date;                  ///< the limit_days-th counted working day after start
  std::int64_t suspended_days = 0;  ///< working days in (start, date] the clock stood still
  bool provisional = false;
  std::vector<int> provisional_years;
  std::vector<std::string> warnings;  ///< e.g. an Art. 45 stop longer than the applicant was told
};

/// The deadline of `limit` counted from `start`: the limit's n-th working
/// day after start that is not inside a suspension (n = 0: start itself).
/// A limit in days or months: period_end() with every day of a suspension
/// added to the period (the clock stands still on each of them), then the
/// extensions' working days after it. O(s + log s) in the number s of
/// merged suspensions.
[[nodiscard]] Deadline compute_deadline(const Calendar& calendar, Date start, const TimeLimit& limit,
                                        const SuspensionLedger& ledger = {});

/// compute_deadline(...).date alone, without the provisional years and the
/// warnings: for callers that need only the date many times (the simulator
/// checks every simulated case against its limits).
[[nodiscard]] Date deadline_date(const Calendar& calendar, Date start, const TimeLimit& limit,
                                 const SuspensionLedger& ledger = {});

/// Counted working days in (from, to]: working days not inside a
/// suspension; 0 when to <= from.
[[nodiscard]] std::int64_t counted_days(const Calendar& calendar, Date from, Date to,
                                        const SuspensionLedger& ledger = {});

/// The yellow threshold for a limit: policy.yellow_days, or ceil(limit/5)
/// but at least 1; either way below the limit (at most limit - 1, at least
/// 0), so that no limit is yellow on the day it starts: a 1-day limit turns
/// yellow on its deadline day.
[[nodiscard]] int yellow_threshold(int limit_days, const AlertPolicy& policy);

/// Where a running limit stands on `now`.
struct AlertStatus {
  AlertLevel level = AlertLevel::green;
  Supervision supervision = Supervision::none;
  Deadline deadline;
  std::int64_t elapsed_days = 0;    ///< counted working days in (start, now]
  std::int64_t remaining_days = 0;  ///< limit minus elapsed, at least 0
  std::int64_t overdue_days = 0;    ///< counted working days in (deadline, now]
  int yellow_threshold = 0;
  bool clock_stopped = false;       ///< `now` lies inside a suspension
  Date second_level_after;          ///< 二级督办 applies on days after this date
  bool provisional = false;
  std::vector<int> provisional_years;
};

/// green while remaining > threshold; yellow when remaining <= threshold
/// (the deadline day included) once a day has counted; red once now is
/// after the deadline. A 0-day limit (即办件), due the day it starts, is
/// green on that day and red after it. A suspension still open should be
/// recorded as ending on `now`.
[[nodiscard]] AlertStatus alert_status(const Calendar& calendar, Date start, const TimeLimit& limit,
                                       const SuspensionLedger& ledger, Date now, const AlertPolicy& policy = {});

}  // namespace yilian
