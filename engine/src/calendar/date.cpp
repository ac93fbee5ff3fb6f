#include "yilian/date.h"

#include <fmt/format.h>

#include <chrono>
#include <ostream>

namespace yilian {
namespace {

std::chrono::year_month_day civil(std::int32_t days) {
  return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{days}}};
}

// Reads exactly `n` decimal digits; nothing when any is not a digit.
std::optional<int> digits(std::string_view s, std::size_t pos, std::size_t n) {
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

std::string_view to_string(Weekday w) {
  static constexpr std::string_view names[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  return names[static_cast<int>(w) - 1];
}

std::string_view to_chinese(Weekday w) {
  static constexpr std::string_view names[] = {"周一", "周二", "周三", "周四", "周五", "周六", "周日"};
  return names[static_cast<int>(w) - 1];
}

std::optional<Date> Date::from_ymd(int year, int month, int day) {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  return from_days(std::chrono::sys_days{ymd}.time_since_epoch().count());
}

std::optional<Date> Date::parse(std::string_view iso) {
  if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-') return std::nullopt;
  const auto y = digits(iso, 0, 4), m = digits(iso, 5, 2), d = digits(iso, 8, 2);
  if (!y || !m || !d) return std::nullopt;
  return from_ymd(*y, *m, *d);
}

int Date::year() const { return static_cast<int>(civil(days_).year()); }
int Date::month() const { return static_cast<int>(static_cast<unsigned>(civil(days_).month())); }
int Date::day() const { return static_cast<int>(static_cast<unsigned>(civil(days_).day())); }

std::string Date::to_string() const {
  const auto ymd = civil(days_);
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

std::ostream& operator<<(std::ostream& os, Date d) { return os << d.to_string(); }

std::optional<TimeOfDay> TimeOfDay::parse(std::string_view s) {
  const auto colon = s.find(':');
  if (colon == std::string_view::npos || colon < 1 || colon > 2 || s.size() != colon + 3) return std::nullopt;
  const auto h = digits(s, 0, colon), m = digits(s, colon + 1, 2);
  if (!h || !m || *h > 23 || *m > 59) return std::nullopt;
  return TimeOfDay::at(*h, *m);
}

std::string TimeOfDay::to_string() const { return fmt::format("{:02}:{:02}", minutes / 60, minutes % 60); }

}  // namespace yilian
