// Calendar dates and times of day: small value types with no time zone.
// A Date is a day of the proleptic Gregorian calendar as the number of days
// since 1970-01-01; a TimeOfDay is minutes since midnight. Both are trivially
// copyable and safe to share between threads.
#pragma once

#include <compare>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace yilian {

/// ISO weekday numbers: Monday is 1, Sunday is 7.
enum class Weekday : std::uint8_t { monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday };

/// "Mon" … "Sun"; zh: "周一" … "周日".
[[nodiscard]] std::string_view to_string(Weekday w);
[[nodiscard]] std::string_view to_chinese(Weekday w);

/// A calendar day from 0001-01-01 to 9999-12-31. The default is 1970-01-01.
class Date {
 public:
  constexpr Date() = default;

  /// The day `days` days after 1970-01-01 (negative: before), clamped to
  /// [min(), max()].
  static constexpr Date from_days(std::int64_t days) {
    Date d;
    d.days_ = static_cast<std::int32_t>(days < kMinDays ? kMinDays : days > kMaxDays ? kMaxDays : days);
    return d;
  }
  /// The date y-m-d, or nothing when it does not exist (2023-02-29) or lies
  /// outside years 1..9999.
  [[nodiscard]] static std::optional<Date> from_ymd(int year, int month, int day);
  /// Parses exactly "YYYY-MM-DD" (ISO 8601 calendar date); nothing otherwise.
  [[nodiscard]] static std::optional<Date> parse(std::string_view iso);

  static constexpr Date min() { return from_days(kMinDays); }  ///< 0001-01-01
  static constexpr Date max() { return from_days(kMaxDays); }  ///< 9999-12-31

  /// Days since 1970-01-01.
  [[nodiscard]] constexpr std::int32_t days() const { return days_; }
  [[nodiscard]] int year() const;
  [[nodiscard]] int month() const;  ///< 1..12
  [[nodiscard]] int day() const;    ///< 1..31
  [[nodiscard]] constexpr Weekday weekday() const {
    // 1970-01-01 was a Thursday; shift so that 0 is a Monday.
    std::int64_t r = (static_cast<std::int64_t>(days_) + 3) % 7;
    if (r < 0) r += 7;
    return static_cast<Weekday>(r + 1);
  }
  /// Saturday or Sunday.
  [[nodiscard]] constexpr bool is_weekend() const { return weekday() >= Weekday::saturday; }
  /// "YYYY-MM-DD".
  [[nodiscard]] std::string to_string() const;

  /// Day arithmetic; results are clamped to [min(), max()].
  friend constexpr Date operator+(Date d, std::int64_t n) { return from_days(d.days_ + n); }
  friend constexpr Date operator-(Date d, std::int64_t n) { return from_days(d.days_ - n); }
  /// Days from `b` to `a` (negative when `a` is earlier).
  friend constexpr std::int32_t operator-(Date a, Date b) { return a.days_ - b.days_; }
  constexpr Date& operator+=(std::int64_t n) { return *this = *this + n; }
  constexpr Date& operator-=(std::int64_t n) { return *this = *this - n; }
  friend constexpr auto operator<=>(Date, Date) = default;

 private:
  static constexpr std::int64_t kMinDays = -719162;  // 0001-01-01
  static constexpr std::int64_t kMaxDays = 2932896;  // 9999-12-31
  std::int32_t days_ = 0;
};

/// Writes the ISO form (for test output and logs).
std::ostream& operator<<(std::ostream& os, Date d);

/// A time of day in whole minutes since midnight, 00:00 to 23:59.
struct TimeOfDay {
  int minutes = 0;

  static constexpr TimeOfDay at(int hour, int minute) { return TimeOfDay{hour * 60 + minute}; }
  /// Parses "HH:MM" (24-hour clock, leading zero optional for the hour);
  /// nothing otherwise.
  [[nodiscard]] static std::optional<TimeOfDay> parse(std::string_view hh_mm);
  /// "HH:MM".
  [[nodiscard]] std::string to_string() const;
  friend constexpr auto operator<=>(TimeOfDay, TimeOfDay) = default;
};

}  // namespace yilian
