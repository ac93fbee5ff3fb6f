// A time limit as a chain states it: a count and its unit. 行政许可法 Art. 82
// makes the limits of that law working days; other laws state theirs in
// days (民办非企业单位登记管理暂行条例: 60日) or months (民办教育促进法: 三个月),
// counted by 民法典 Arts. 200–203 (calendar.h: period_end()). Pure values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace yilian {

enum class LimitUnit : std::uint8_t {
  working_days,  ///< 工作日: the day after the start is the first counted working day
  days,          ///< 日 (calendar days, 民法典 Art. 201–203)
  months,        ///< 月 (民法典 Art. 202: the corresponding day, or the month's last day)
};

/// "working days", "days", "months".
[[nodiscard]] std::string_view to_string(LimitUnit u);

struct Limit {
  int count = 0;
  LimitUnit unit = LimitUnit::working_days;

  [[nodiscard]] bool in_working_days() const { return unit == LimitUnit::working_days; }
  friend bool operator==(const Limit&, const Limit&) = default;
};

/// "20 working days", "60 days", "3 months", "1 working day" (as written in
/// a chain file and in --json).
[[nodiscard]] std::string to_string(const Limit& l);
/// The Chinese form a person reads: "20个工作日", "60日", "3个月"; a 0
/// working-day limit is "即办".
[[nodiscard]] std::string label(const Limit& l);
/// Parses "N working days" / "N working day", "N days" / "N day", "N months"
/// / "N month", and the Chinese "N个工作日", "N日" / "N天", "N个月" (spaces
/// around the number allowed). N is 0..100000 (months: 0..1200). Nothing for
/// anything else.
[[nodiscard]] std::optional<Limit> parse_limit(std::string_view s);
/// A working-day figure for analyses that have no dates (critical paths,
/// simulated service times): the count itself for working days; otherwise
/// the count at 250 working days a year, rounded up (60 days ≈ 42, 3 months
/// ≈ 63). Dated results (deadlines, plans from a start date, alerts) never
/// use it: they count on the calendar.
[[nodiscard]] int nominal_working_days(const Limit& l);

}  // namespace yilian
