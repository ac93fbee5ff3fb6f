// Working time: the office hours of working days laid end to end. A
// WorkClock maps a real moment (seconds since 1970-01-01 00:00, local) to
// working days elapsed since a fixed origin and back. Outside office hours
// and on rest days the working time stands still, so an officer's service
// of S working days ends at to_real(to_work(start) + S): it pauses at
// closing time and goes on at the next opening. Not thread-safe (it caches
// the last day it converted); each simulation run has its own.
#pragma once

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
      : cal_(&calendar), open_(opens_minutes * 60.0), len_((closes_minutes - opens_minutes) * 60.0) {}

  /// Working days before moment `t`: the working days strictly before its
  /// date, plus the share of that day's office hours already past.
  [[nodiscard]] double to_work(double t) const {
    const double day = std::floor(t / 86400.0);
    const auto d = static_cast<std::int64_t>(day);
    if (d != day_) {  // most moments fall on the day asked about last
      day_ = d;
      ord_ = cal_->ordinal(Date::from_days(d));
      before_ = cal_->ordinal(Date::from_days(d - 1));
    }
    const std::int64_t ord = ord_, before = before_;
    if (ord == before) return static_cast<double>(ord);  // a rest day: time stands still
    double frac = (t - day * 86400.0 - open_) / len_;
    frac = frac < 0 ? 0 : frac > 1 ? 1 : frac;
    return static_cast<double>(before) + frac;
  }
  /// The earliest moment whose working time is `w` (an integer w is the
  /// closing time of the w-th working day: work done by then is done that day).
  [[nodiscard]] double to_real(double w) const {
    const double k = std::floor(w);
    const double frac = w - k;
    if (frac == 0) {
      const Date d = cal_->date_of_ordinal(static_cast<std::int64_t>(k));
      return static_cast<double>(d.days()) * 86400.0 + open_ + len_;
    }
    const Date d = cal_->date_of_ordinal(static_cast<std::int64_t>(k) + 1);
    return static_cast<double>(d.days()) * 86400.0 + open_ + frac * len_;
  }

 private:
  const Calendar* cal_ = nullptr;
  double open_ = 9 * 3600.0, len_ = 8 * 3600.0;
  // The last day converted (a cache: a WorkClock belongs to one thread).
  mutable std::int64_t day_ = std::numeric_limits<std::int64_t>::min(), ord_ = 0, before_ = 0;
};

}  // namespace yilian::detail
