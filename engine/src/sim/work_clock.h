// Working time: the office hours of working days laid end to end. A
// WorkClock maps a real moment (seconds since 1970-01-01 00:00, local) to
// working days elapsed since a fixed origin and back. Outside office hours
// and on rest days the working time stands still, so an officer's service
// of S working days ends at to_real(to_work(start) + S): it pauses at
// closing time and goes on at the next opening. Not thread-safe (it caches
// the last days it converted); each simulation thread has its own.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

#include "yilian/calendar.h"

namespace yilian::detail {

class WorkClock {
 public:
  WorkClock() = default;
  /// Office hours [opens, closes) in minutes since midnight on the working
  /// days of `calendar` (the continuous calendar: pass 0 and 1440).
  WorkClock(const Calendar& calendar, int opens_minutes, int closes_minutes)
      : cal_(&calendar), open_(opens_minutes * 60.0), len_((closes_minutes - opens_minutes) * 60.0),
        every_day_(calendar.is_continuous()) {}

  /// Working days before moment `t`: the working days strictly before its
  /// date, plus the share of that day's office hours already past.
  [[nodiscard]] double to_work(double t) const {
    if (t == last_t_) return last_w_;  // several questions about one moment
    last_t_ = t;
    return last_w_ = convert(t);
  }
  /// The earliest moment whose working time is `w` (an integer w is the
  /// closing time of the w-th working day: work done by then is done that day).
  [[nodiscard]] double to_real(double w) const {
    const double k = std::floor(w);
    const double frac = w - k;
    if (every_day_ && k >= kFirstDay && k < kLastDay) {  // date_of_ordinal(k) is day k
      if (frac == 0) return k * 86400.0 + open_ + len_;
      return (k + 1) * 86400.0 + open_ + frac * len_;
    }
    if (frac == 0) return static_cast<double>(date_of(static_cast<std::int64_t>(k))) * 86400.0 + open_ + len_;
    return static_cast<double>(date_of(static_cast<std::int64_t>(k) + 1)) * 86400.0 + open_ + frac * len_;
  }

 private:
  double convert(double t) const {
    const double day = std::floor(t / 86400.0);
    const auto d = static_cast<std::int64_t>(day);
    if (every_day_) {
      // The continuous calendar: day d is working day d (Calendar's
      // ordinal()), the same numbers without the lookups.
      const double frac = (t - day * 86400.0 - open_) / len_;
      return static_cast<double>(d - 1) + (frac < 0 ? 0 : frac > 1 ? 1 : frac);
    }
    // Most moments fall on one of the last few days asked about.
    DayEntry& e = days_[static_cast<std::size_t>(d) & (kCache - 1)];
    if (e.day != d) {
      e.day = d;
      e.ord = cal_->ordinal(Date::from_days(d));
      e.before = cal_->ordinal(Date::from_days(d - 1));
    }
    const std::int64_t ord = e.ord, before = e.before;
    if (ord == before) return static_cast<double>(ord);  // a rest day: time stands still
    double frac = (t - day * 86400.0 - open_) / len_;
    frac = frac < 0 ? 0 : frac > 1 ? 1 : frac;
    return static_cast<double>(before) + frac;
  }

  // Days a Date holds (date_of_ordinal() saturates outside them).
  static constexpr double kFirstDay = Date::min().days(), kLastDay = Date::max().days();
  const Calendar* cal_ = nullptr;
  double open_ = 9 * 3600.0, len_ = 8 * 3600.0;
  bool every_day_ = false;  ///< Calendar::continuous(): every day a working day
  /// Calendar::date_of_ordinal(k) as days, through the cache.
  std::int32_t date_of(std::int64_t k) const {
    OrdinalEntry& e = ordinals_[static_cast<std::size_t>(k) & (kCache - 1)];
    if (e.ordinal != k) {
      e.ordinal = k;
      e.days = cal_->date_of_ordinal(k).days();
    }
    return e.days;
  }

  // The days and ordinals converted last, by their low bits (a cache: a
  // WorkClock belongs to one thread).
  static constexpr std::size_t kCache = 8;
  static constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::min();
  struct DayEntry {
    std::int64_t day = kNone, ord = 0, before = 0;
  };
  struct OrdinalEntry {
    std::int64_t ordinal = kNone;
    std::int32_t days = 0;
  };
  mutable std::array<DayEntry, kCache> days_{};
  mutable std::array<OrdinalEntry, kCache> ordinals_{};
  mutable double last_t_ = std::numeric_limits<double>::quiet_NaN(), last_w_ = 0;  ///< the last to_work()
};

}  // namespace yilian::detail
