// The statutory holidays of mainland China for years the State Council has
// not published a notice for yet, and the Chinese lunar calendar (农历) they
// need.
//
// 全国年节及纪念日放假办法 (as revised in November 2024, in force from
// 2025-01-01) gives every citizen these holidays: 元旦 1 day (January 1),
// 春节 4 days (除夕, the last day of the 12th lunar month, and 正月初一 to
// 初三), 清明节 1 day (the day of the Qingming solar term), 劳动节 2 days
// (May 1–2), 端午节 1 day (5th day of the 5th lunar month), 中秋节 1 day
// (15th day of the 8th lunar month) and 国庆节 3 days (October 1–3). A
// holiday that falls on a Saturday or Sunday is made up on a working day
// (补假). The yearly notice then swaps weekend days for weekdays (调休) to
// form longer breaks; those swaps cannot be computed and are left out.
//
// Everything here is pure: no I/O, no state; safe from any thread. The lunar
// calendar is a table of month lengths and leap months for lunar years
// 1900–2100 (checked month by month against an astronomical computation).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "yilian/calendar.h"
#include "yilian/date.h"

namespace yilian {

/// A day of the Chinese lunar calendar: `month` 1..12, `leap` for the leap
/// month (闰月) that follows month `month`, `day` 1..30.
struct LunarDate {
  int year = 0;
  int month = 1;
  int day = 1;
  bool leap = false;
  friend bool operator==(const LunarDate&, const LunarDate&) = default;
};

/// The lunar years the table covers: 正月初一 1900 is 1900-01-31, the last
/// day covered 2101-01-28.
inline constexpr int kLunarFirstYear = 1900;
inline constexpr int kLunarLastYear = 2100;

/// The Gregorian date of a lunar date; nothing when it does not exist (the
/// 30th of a 29-day month, a leap month the year does not have) or lies
/// outside the table. O(1): at most 13 months are added up.
[[nodiscard]] std::optional<Date> from_lunar(const LunarDate& d);
/// The lunar date of a Gregorian date; nothing outside 1900-01-31..2101-01-28.
/// O(log n) in the table's years.
[[nodiscard]] std::optional<LunarDate> to_lunar(Date d);
/// The months of lunar year `year` in order (a leap month after its month),
/// with their lengths (29 or 30): empty outside the table.
struct LunarMonth {
  int month = 1;
  bool leap = false;
  int days = 29;
};
[[nodiscard]] std::vector<LunarMonth> lunar_months(int year);

/// The day of the Qingming solar term (清明, the sun at 15° longitude) in
/// China Standard Time, for 2000..2100 (April 4 or 5); nothing otherwise.
[[nodiscard]] std::optional<Date> qingming(int year);

/// The years 全国年节及纪念日放假办法 in its 2025 form is applied to.
inline constexpr int kCnStatutoryFirstYear = 2025;
inline constexpr int kCnStatutoryLastYear = kLunarLastYear;
/// The notice text of the computed rules (shown by `yilian calendar`).
inline constexpr std::string_view kCnStatutoryNotice =
    "全国年节及纪念日放假办法（2025年1月1日起施行）推算：国务院办公厅尚未发布该年通知，调休未知";

/// One holiday of the rule in one year, with all its days (weekend days too).
struct StatutoryHoliday {
  std::string name;  ///< 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节
  std::vector<Date> days;
};

/// The holidays of the rule in `year`, in date order; empty outside
/// [kCnStatutoryFirstYear, kCnStatutoryLastYear].
[[nodiscard]] std::vector<StatutoryHoliday> cn_statutory_holidays(int year);

/// The weekday rest days the rule gives in `year`, by date: every holiday on
/// a weekday, and for every holiday day on a Saturday or Sunday a make-up
/// day (补假): the first weekday after it that is neither a holiday nor
/// already a make-up day (named "<holiday>（补假）"). A day two holidays
/// share (中秋 on October 1–3) is one rest day. Notice kCnStatutoryNotice.
[[nodiscard]] std::vector<DayRule> cn_statutory_rest_days(int year);

}  // namespace yilian
