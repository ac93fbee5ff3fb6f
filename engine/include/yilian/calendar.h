// Working-day calendars: which days count towards a time limit, and the
// arithmetic over them (行政许可法 Art. 82; 民法典 Art. 201).
//
// A Calendar is built once from holiday data (see calendar_load.h for the
// YAML files) and is immutable afterwards: every member function is const,
// pure and safe to call from many threads at once; copies are cheap and
// share the index. Queries are O(1) (plus O(log s) in the number s of
// covered-year spans) from a precomputed index; nothing loops over days.
//
// Counting rule: the day a period starts on is not counted; "n working days
// from D" ends on the n-th working day strictly after D. n = 0 means on the
// spot: the same day D.
//
// Years without data: a weekday is a working day and a weekend day a rest
// day, except that a calendar with BeyondData::cn_statutory also rests on
// the statutory holidays of 全国年节及纪念日放假办法 (calendar_statutory.h)
// in the years 2025–2100 that it has no data for. Any result that depends
// on such a year is marked provisional and names the year(s); nothing is
// computed without a notice silently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "yilian/date.h"
#include "yilian/status.h"

namespace yilian {

/// One day a notice sets apart from the weekday rule: a rest day (`working`
/// false; normally a weekday) or an adjusted working day (`working` true;
/// normally a weekend day, 调休上班).
struct DayRule {
  Date date;
  bool working = false;
  std::string holiday;  ///< e.g. 春节, or the closure's name in an overlay
  std::string notice;   ///< the notice the rule comes from, e.g. 国办发明电〔2024〕12号
  SourceLocation where; ///< where it was written, when it comes from a file
};

/// How a calendar counts the years its data has no notice for.
enum class BeyondData : std::uint8_t {
  weekends,      ///< weekdays work, weekends rest
  cn_statutory,  ///< weekends and the statutory holidays with their make-up days (2025–2100)
};

/// The raw data a Calendar is built from. Rules apply in order: a later rule
/// for the same date overrides an earlier one (an amendment, an overlay).
struct CalendarData {
  std::string name;            ///< e.g. cn-mainland
  std::string title;           ///< a human title, may be empty
  std::vector<std::string> bases;  ///< calendars this one extends, nearest first
  std::vector<int> years;      ///< years whose national notice is in the data
  std::vector<DayRule> rules;
  /// The rule for years not in `years`. Rules in `rules` for such a year
  /// still apply, after (over) the computed ones; a year in `years` is never
  /// computed.
  BeyondData beyond_data = BeyondData::weekends;
};

/// The effective rule for one date after every override.
struct DayEntry {
  Date date;
  bool working = false;
  std::string holiday;
  std::string notice;
  std::string overrides_notice;  ///< the notice of the rule this one replaced, or ""
  SourceLocation where;
};

/// A date computed by working-day arithmetic.
struct WorkingDayResult {
  Date date;
  bool provisional = false;          ///< some year it depends on has no data
  std::vector<int> provisional_years;///< those years, ascending
};

/// A count of working days.
struct WorkingDayCount {
  std::int64_t days = 0;
  bool provisional = false;
  std::vector<int> provisional_years;
};

class Calendar {
 public:
  /// A calendar without holiday data, named "weekends": Monday to Friday are
  /// working days and every result is provisional.
  Calendar();
  /// Builds the index from `data`. Rules outside the years of `data.years`
  /// still apply; those years stay provisional.
  explicit Calendar(const CalendarData& data);
  /// A calendar named "continuous" on which every day is a working day and
  /// no result is provisional: for simulations checked against queueing
  /// theory (24-hour days, no weekends, no holidays).
  [[nodiscard]] static Calendar continuous();
  /// True for the calendar made by continuous().
  [[nodiscard]] bool is_continuous() const;

  [[nodiscard]] const std::string& name() const;
  [[nodiscard]] const std::string& title() const;
  /// Calendars this one extends, nearest first.
  [[nodiscard]] const std::vector<std::string>& bases() const;
  /// Years with complete data, ascending.
  [[nodiscard]] const std::vector<int>& years() const;
  [[nodiscard]] bool covers(int year) const;
  /// The rule for years without data.
  [[nodiscard]] BeyondData beyond_data() const;
  /// True when the rest days of `year` come from the statutory rule (the
  /// year has no data and the rule reaches it); such a year is provisional.
  [[nodiscard]] bool computed(int year) const;
  /// How a year without data is counted, for messages: "weekends alone", or
  /// "weekends and the statutory holidays of 全国年节及纪念日放假办法 (swapped
  /// working days unknown)" for a year the statutory rule reaches.
  [[nodiscard]] std::string describe_without_data(int year) const;
  /// Years in [first.year(), last.year()] without data, ascending (empty when
  /// first > last).
  [[nodiscard]] std::vector<int> missing_years(Date first, Date last) const;

  /// The precomputed index covers [index_first(), index_last()]: 1 January
  /// of the earliest year with data or rules to 31 December of the latest
  /// (2100 with the statutory rule).
  /// Outside it only weekends are rest days; queries there are O(1) too.
  [[nodiscard]] Date index_first() const;
  [[nodiscard]] Date index_last() const;

  /// True when `d` counts as a working day. Use covers(d.year()) to know
  /// whether the answer rests on data.
  [[nodiscard]] bool is_working_day(Date d) const;
  /// The n-th working day strictly after `from` (n > 0); `from` itself for
  /// n = 0; the |n|-th working day strictly before `from` for n < 0.
  /// Provisional when a year in the days examined has no data. Results
  /// saturate at Date::min() / Date::max() (whose years have no data).
  [[nodiscard]] WorkingDayResult add_working_days(Date from, std::int64_t n) const;
  /// Working days in (a, b]: a is not counted, b is. Negative (minus the
  /// count in (b, a]) when b < a. add_working_days(a, working_days_between(a,
  /// b)) == b whenever b is a working day.
  [[nodiscard]] WorkingDayCount working_days_between(Date a, Date b) const;
  /// The first working day strictly after `d`.
  [[nodiscard]] WorkingDayResult next_working_day(Date d) const { return add_working_days(d, 1); }

  /// A running count of working days: ordinal(b) - ordinal(a) is the number
  /// of working days in (a, b]. The origin is arbitrary but fixed for the
  /// calendar. For algorithms built on this class (suspension ledgers).
  [[nodiscard]] std::int64_t ordinal(Date d) const;
  /// The working day whose ordinal is k (the smallest date d with
  /// ordinal(d) == k), saturated to [Date::min(), Date::max()].
  [[nodiscard]] Date date_of_ordinal(std::int64_t k) const;

  /// The effective rules of `year`, by date (weekday rest days, adjusted
  /// working days, and amended days that went back to the weekday rule).
  [[nodiscard]] std::vector<DayEntry> entries(int year) const;
  /// The effective rule for `d`, or nullptr when the weekday rule applies.
  /// The pointer lives as long as any copy of this calendar.
  [[nodiscard]] const DayEntry* entry(Date d) const;

 private:
  struct Index;
  std::shared_ptr<const Index> index_;
};

/// When a working-day clock starts for something received at a moment.
struct OfficeHours {
  TimeOfDay closes = TimeOfDay::at(17, 0);  ///< receipt at or after this time counts from the next working day
};

/// The acceptance date for a receipt on `day` at `at`: `day` itself when it
/// is a working day and `at` is before closing time; otherwise the next
/// working day (after-hours, weekend and holiday receipts). The deadline
/// then counts from the acceptance date by the usual rule.
[[nodiscard]] WorkingDayResult acceptance_date(const Calendar& calendar, Date day, TimeOfDay at,
                                               const OfficeHours& hours = {});

/// "2027" or "2027, 2029–2031": years for messages, ranges collapsed.
[[nodiscard]] std::string describe_years(const std::vector<int>& years);

}  // namespace yilian
