#include "yilian/time_limit.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace yilian {
namespace {

using Range = std::pair<Date, Date>;

constexpr std::array<std::string_view, 10> kReasonNames = {
    "supplement", "hearing", "tendering", "auction", "inspection",
    "testing", "quarantine", "appraisal", "expert-review", "other"};

constexpr std::array<std::string_view, 3> kBasisNames = {"department-head", "government-head", "other"};

constexpr int kMaxExtensionDays = 10'000;

struct Advance {
  Date date;
  std::int64_t suspended = 0;
};

// The n-th working day after `start` that lies in no range of `merged`
// (ascending, disjoint). Ranges that end on or before `start` are skipped by
// binary search; each later range is looked at once, in order, until the
// target falls before it.
Advance advance(const Calendar& cal, Date start, std::int64_t n, const std::vector<Range>& merged) {
  if (n <= 0) return {start, 0};
  std::int64_t k = cal.ordinal(start) + n;
  std::int64_t suspended = 0;
  auto it = std::upper_bound(merged.begin(), merged.end(), start,
                             [](Date d, const Range& r) { return d < r.second; });
  for (; it != merged.end(); ++it) {
    const Date from = std::max(it->first, start + 1);
    const std::int64_t before = cal.ordinal(from - 1);
    if (k <= before) break;  // the target working day comes before this stop
    const std::int64_t stopped = cal.ordinal(it->second) - before;
    k += stopped;
    suspended += stopped;
  }
  return {cal.date_of_ordinal(k), suspended};
}

// The corresponding day `months` months after `d`, or that month's last
// day (民法典 Art. 202).
Date add_months(Date d, int months) {
  const int total = d.year() * 12 + (d.month() - 1) + months;
  const int year = total / 12, month = total % 12 + 1;
  for (int day = d.day(); day >= 28; --day)
    if (auto r = Date::from_ymd(year, month, day)) return *r;
  return Date::from_ymd(year, month, d.day()).value_or(Date::max());
}

// The end of a period in days or months from `start`, every day of a
// suspension that falls inside it added, moved off rest days and stops
// (Arts. 201–203).
Advance advance_calendar(const Calendar& cal, Date start, const Limit& limit, const std::vector<Range>& merged) {
  Date end = limit.unit == LimitUnit::months ? add_months(start, limit.count) : start + limit.count;
  std::int64_t stopped = 0;
  auto it = std::upper_bound(merged.begin(), merged.end(), start,
                             [](Date d, const Range& r) { return d < r.second; });
  for (; it != merged.end() && it->first <= end; ++it) {
    const Date from = std::max(it->first, start + 1);
    end += (it->second - from) + 1;
    stopped += cal.ordinal(it->second) - cal.ordinal(from - 1);  // working days, as Deadline reports
  }
  // The last day of a period is a working day outside every stop.
  for (;;) {
    while (it != merged.end() && it->second < end) ++it;
    if (it != merged.end() && it->first <= end)
      end = it->second + 1;
    else if (!cal.is_working_day(end))
      end += 1;
    else
      break;
  }
  return {end, stopped};
}

// The deadline of a base limit plus `extra` working days (Art. 42
// extensions count in working days whatever the base's unit).
Advance reach(const Calendar& cal, Date start, const Limit& base, int extra, const std::vector<Range>& merged) {
  if (base.in_working_days()) return advance(cal, start, static_cast<std::int64_t>(base.count) + extra, merged);
  const Advance a = advance_calendar(cal, start, base, merged);
  const Advance b = advance(cal, a.date, extra, merged);
  return {b.date, a.suspended + b.suspended};
}

void merge_years(std::vector<int>& into, const std::vector<int>& more) {
  std::vector<int> out;
  std::set_union(into.begin(), into.end(), more.begin(), more.end(), std::back_inserter(out));
  into = std::move(out);
}

void add_missing(const Calendar& cal, std::vector<int>& years, Date first, Date last) {
  if (first <= last) merge_years(years, cal.missing_years(first, last));
}

}  // namespace

std::string_view to_string(SuspensionReason r) { return kReasonNames[static_cast<std::size_t>(r)]; }

std::optional<SuspensionReason> parse_suspension_reason(std::string_view s) {
  for (std::size_t i = 0; i < kReasonNames.size(); ++i)
    if (kReasonNames[i] == s) return static_cast<SuspensionReason>(i);
  return std::nullopt;
}

bool is_article45(SuspensionReason r) {
  return r != SuspensionReason::supplement && r != SuspensionReason::other;
}

Status SuspensionLedger::add(Suspension s) {
  if (s.to < s.from)
    return Status::invalid(fmt::format("a suspension from {} to {} ends before it starts", s.from.to_string(),
                                       s.to.to_string()));
  if (s.told_days && *s.told_days < 0)
    return Status::invalid(fmt::format("the told length of a suspension cannot be negative ({})", *s.told_days));
  // Insert into the merged ranges in place, joining the overlapping and
  // adjacent ones: [lo, hi) are the ranges that touch the new one.
  Range r{s.from, s.to};
  const auto lo = std::lower_bound(merged_.begin(), merged_.end(), r.first,
                                   [](const Range& m, Date x) { return m.second + 1 < x; });
  auto hi = lo;
  for (; hi != merged_.end() && !(r.second + 1 < hi->first); ++hi)
    r = {std::min(r.first, hi->first), std::max(r.second, hi->second)};
  if (lo == hi) {
    merged_.insert(lo, r);
  } else {
    *lo = r;
    merged_.erase(lo + 1, hi);
  }
  entries_.push_back(std::move(s));
  return Status::ok();
}

bool SuspensionLedger::suspended_on(Date d) const {
  auto it = std::lower_bound(merged_.begin(), merged_.end(), d,
                             [](const Range& r, Date x) { return r.second < x; });
  return it != merged_.end() && it->first <= d;
}

std::string_view to_string(ExtensionBasis b) { return kBasisNames[static_cast<std::size_t>(b)]; }

std::optional<ExtensionBasis> parse_extension_basis(std::string_view s) {
  for (std::size_t i = 0; i < kBasisNames.size(); ++i)
    if (kBasisNames[i] == s) return static_cast<ExtensionBasis>(i);
  return std::nullopt;
}

std::optional<int> extension_cap(ExtensionBasis b) {
  switch (b) {
    case ExtensionBasis::department_head: return 10;
    case ExtensionBasis::government_head: return 15;
    case ExtensionBasis::other: break;
  }
  return std::nullopt;
}

Status TimeLimit::extend(Extension e) {
  if (e.days < 1) return Status::invalid(fmt::format("an extension must add at least 1 working day, not {}", e.days));
  if (e.days > kMaxExtensionDays)
    return Status::invalid(fmt::format("an extension of {} working days is implausible (at most {})", e.days,
                                       kMaxExtensionDays));
  if (e.approver.empty()) return Status::invalid("an extension needs the approver (Art. 42: the head who approved it)");
  if (auto cap = extension_cap(e.basis)) {
    if (e.days > *cap)
      return Status::invalid(fmt::format("a {} extension allows at most {} working days, not {}", to_string(e.basis),
                                         *cap, e.days));
    for (const Extension& x : extensions_)
      if (x.basis == e.basis)
        return Status::invalid(fmt::format("a {} extension was already granted on {}; Art. 42 allows one",
                                           to_string(e.basis), x.approved_on.to_string()));
  }
  extensions_.push_back(std::move(e));
  return Status::ok();
}

int TimeLimit::extension_days() const {
  int total = 0;
  for (const Extension& e : extensions_) total += e.days;
  return total;
}

int TimeLimit::total_days() const { return days_ + extension_days(); }

WorkingDayResult period_end(const Calendar& calendar, Date start, const Limit& limit) {
  WorkingDayResult r;
  r.date = reach(calendar, start, limit, 0, {}).date;
  r.provisional_years = calendar.missing_years(start + 1, r.date);
  r.provisional = !r.provisional_years.empty();
  return r;
}

Deadline compute_deadline(const Calendar& calendar, Date start, const TimeLimit& limit,
                          const SuspensionLedger& ledger) {
  Deadline d;
  d.start = start;
  d.limit = limit.base();
  const Advance a = reach(calendar, start, d.limit, limit.extension_days(), ledger.merged());
  d.date = a.date;
  d.limit_days = d.limit.in_working_days() ? limit.total_days()
                                           : static_cast<int>(counted_days(calendar, start, d.date, ledger));
  d.suspended_days = a.suspended;
  add_missing(calendar, d.provisional_years, start + 1, d.date);
  d.provisional = !d.provisional_years.empty();

  for (const Suspension& s : ledger.entries()) {
    if (!is_article45(s.reason)) continue;
    // Formatted only when there is something to say (this runs per simulated case).
    auto what = [&] {
      return fmt::format("the {} stop {}..{}", to_string(s.reason), s.from.to_string(), s.to.to_string());
    };
    if (!s.told_days) {
      d.warnings.push_back(what() + " has no told length: Art. 45 requires telling the applicant in writing how long it takes");
      continue;
    }
    const std::int64_t lasted = calendar.working_days_between(s.from - 1, s.to).days;
    if (lasted > *s.told_days)
      d.warnings.push_back(fmt::format("{} lasted {} working days; the applicant was told {}", what(), lasted,
                                       *s.told_days));
  }
  // An extension must be approved while the limit still runs.
  std::vector<Extension> by_date = limit.extensions();
  std::stable_sort(by_date.begin(), by_date.end(),
                   [](const Extension& x, const Extension& y) { return x.approved_on < y.approved_on; });
  int days = 0;
  for (const Extension& e : by_date) {
    const Date due = reach(calendar, start, d.limit, days, ledger.merged()).date;
    if (e.approved_on > due)
      d.warnings.push_back(fmt::format("the {} extension approved on {} came after the limit ran out on {}",
                                       to_string(e.basis), e.approved_on.to_string(), due.to_string()));
    days += e.days;
  }
  return d;
}

Date deadline_date(const Calendar& calendar, Date start, const TimeLimit& limit, const SuspensionLedger& ledger) {
  return reach(calendar, start, limit.base(), limit.extension_days(), ledger.merged()).date;
}

std::int64_t counted_days(const Calendar& calendar, Date from, Date to, const SuspensionLedger& ledger) {
  if (to <= from) return 0;
  std::int64_t n = calendar.ordinal(to) - calendar.ordinal(from);
  const auto& merged = ledger.merged();
  auto it = std::upper_bound(merged.begin(), merged.end(), from,
                             [](Date d, const Range& r) { return d < r.second; });
  for (; it != merged.end() && it->first <= to; ++it) {
    const Date lo = std::max(it->first, from + 1), hi = std::min(it->second, to);
    if (lo <= hi) n -= calendar.ordinal(hi) - calendar.ordinal(lo - 1);
  }
  return n;
}

std::string_view to_string(AlertLevel a) {
  switch (a) {
    case AlertLevel::green: return "green";
    case AlertLevel::yellow: return "yellow";
    case AlertLevel::red: return "red";
  }
  return "?";
}

std::string_view to_string(Supervision s) {
  switch (s) {
    case Supervision::none: return "none";
    case Supervision::first_level: return "first-level";
    case Supervision::second_level: return "second-level";
  }
  return "?";
}

int yellow_threshold(int limit_days, const AlertPolicy& policy) {
  const int wanted = policy.yellow_days ? std::max(0, *policy.yellow_days) : std::max(1, (std::max(0, limit_days) + 4) / 5);
  // Below the limit: a limit is never yellow on the day it starts (a 1-day
  // limit turns yellow on its deadline day, not at once).
  return std::min(wanted, std::max(0, limit_days - 1));
}

AlertStatus alert_status(const Calendar& calendar, Date start, const TimeLimit& limit,
                         const SuspensionLedger& ledger, Date now, const AlertPolicy& policy) {
  AlertStatus s;
  s.deadline = compute_deadline(calendar, start, limit, ledger);
  s.yellow_threshold = yellow_threshold(s.deadline.limit_days, policy);
  s.elapsed_days = counted_days(calendar, start, now, ledger);
  s.remaining_days = std::max<std::int64_t>(0, s.deadline.limit_days - s.elapsed_days);
  s.clock_stopped = ledger.suspended_on(now);
  const Advance second = advance(calendar, s.deadline.date, std::max(0, policy.second_level_after), ledger.merged());
  s.second_level_after = second.date;
  s.provisional_years = s.deadline.provisional_years;
  add_missing(calendar, s.provisional_years, start + 1, now);
  if (now > s.deadline.date) {
    s.level = AlertLevel::red;
    s.overdue_days = counted_days(calendar, s.deadline.date, now, ledger);
    s.supervision = now > s.second_level_after ? Supervision::second_level : Supervision::first_level;
  } else {
    // Nothing counted yet is never yellow: a 0-day limit (即办件) is due the
    // day it starts and stays green until it is overdue.
    s.level = s.remaining_days <= s.yellow_threshold && s.elapsed_days > 0 ? AlertLevel::yellow : AlertLevel::green;
  }
  s.provisional = !s.provisional_years.empty();
  return s;
}

}  // namespace yilian
