// The index against a naive day-by-day reference built from an independent
// transcription of DOMAIN.md's holiday table, and the algebra of the
// arithmetic (inverses, associativity), over deterministic pseudo-random
// dates.
#include <doctest/doctest.h>

#include <cstdint>
#include <set>

#include "calendar_fixture.h"
#include "yilian/calendar_statutory.h"
#include "yilian/time_limit.h"

namespace calendar_properties_test {

namespace {

using namespace yilian;
using test::D;

// DOMAIN.md, "Official holidays, 2018–2026", copied as written (month-day,
// ranges with ..), plus the two amendments.
struct YearRow {
  int year;
  const char* off;
  const char* work;
};
constexpr YearRow kTable[] = {
    {2018, "01-01 02-15 02-16 02-19 02-20 02-21 04-05 04-06 04-30 05-01 06-18 09-24 10-01..10-05 12-31",
     "02-11 02-24 04-08 04-28 09-29 09-30 12-29"},
    {2019, "01-01 02-04..02-08 04-05 05-01..05-03 06-07 09-13 10-01..10-04 10-07", "02-02 02-03 04-28 05-05 09-29 10-12"},
    {2020, "01-01 01-24 01-27..01-30 04-06 05-01 05-04 05-05 06-25 06-26 10-01 10-02 10-05..10-08",
     "01-19 02-01 04-26 05-09 06-28 09-27 10-10"},
    {2021, "01-01 02-11 02-12 02-15..02-17 04-05 05-03..05-05 06-14 09-20 09-21 10-01 10-04..10-07",
     "02-07 02-20 04-25 05-08 09-18 09-26 10-09"},
    {2022, "01-03 01-31 02-01..02-04 04-04 04-05 05-02..05-04 06-03 09-12 10-03..10-07",
     "01-29 01-30 04-02 04-24 05-07 10-08 10-09"},
    {2023, "01-02 01-23..01-27 04-05 05-01..05-03 06-22 06-23 09-29 10-02..10-06",
     "01-28 01-29 04-23 05-06 06-25 10-07 10-08"},
    {2024, "01-01 02-12..02-16 04-04 04-05 05-01..05-03 06-10 09-16 09-17 10-01..10-04 10-07",
     "02-04 02-18 04-07 04-28 05-11 09-14 09-29 10-12"},
    {2025, "01-01 01-28..01-31 02-03 02-04 04-04 05-01 05-02 05-05 06-02 10-01..10-03 10-06..10-08",
     "01-26 02-08 04-27 09-28 10-11"},
    {2026, "01-01 01-02 02-16..02-20 02-23 04-06 05-01 05-04 05-05 06-19 09-25 10-01 10-02 10-05..10-07",
     "01-04 02-14 02-28 05-09 09-20 10-10"},
};

std::set<std::int32_t> expand(int year, const char* list) {
  std::set<std::int32_t> out;
  std::string s(list);
  std::size_t pos = 0;
  while (pos < s.size()) {
    auto end = s.find(' ', pos);
    if (end == std::string::npos) end = s.size();
    const std::string tok = s.substr(pos, end - pos);
    pos = end + 1;
    const auto dots = tok.find("..");
    const Date first = D((std::to_string(year) + "-" + tok.substr(0, 5)).c_str());
    const Date last = dots == std::string::npos ? first : D((std::to_string(year) + "-" + tok.substr(dots + 2)).c_str());
    for (Date d = first; d <= last; d += 1) out.insert(d.days());
  }
  return out;
}

// Day by day, the way one would count on a paper calendar.
struct Reference {
  std::set<std::int32_t> off, work;
  Reference() {
    for (const YearRow& row : kTable) {
      auto o = expand(row.year, row.off), w = expand(row.year, row.work);
      off.insert(o.begin(), o.end());
      work.insert(w.begin(), w.end());
    }
    // 国办发明电〔2020〕1号: 01-31 and 02-01 became rest days.
    off.insert(D("2020-01-31").days());
    work.erase(D("2020-02-01").days());
    // Years after the data: the statutory holiday days, and for each one on
    // a weekend the first later weekday that is neither a holiday nor made
    // up already (补假), counted here day by day.
    for (int year = 2027; year <= kCnStatutoryLastYear; ++year) {
      std::set<std::int32_t> holiday;
      for (const StatutoryHoliday& h : cn_statutory_holidays(year))
        for (Date d : h.days) holiday.insert(d.days());
      for (std::int32_t x : holiday) {
        Date d = Date::from_days(x);
        if (!d.is_weekend()) {
          off.insert(x);
          continue;
        }
        do d += 1;
        while (d.is_weekend() || holiday.count(d.days()) || off.count(d.days()));
        off.insert(d.days());
      }
    }
  }
  [[nodiscard]] bool working(Date d) const {
    if (off.count(d.days())) return false;
    if (work.count(d.days())) return true;
    return !d.is_weekend();
  }
  [[nodiscard]] Date add(Date d, int n) const {
    while (n > 0) {
      d += 1;
      if (working(d)) --n;
    }
    return d;
  }
  [[nodiscard]] int between(Date a, Date b) const {
    int n = 0;
    for (Date d = a + 1; d <= b; d += 1) n += working(d) ? 1 : 0;
    return n;
  }
};

const Reference& reference() {
  static const Reference r;
  return r;
}

// SplitMix64: the same sequence on every platform.
struct Random {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  int uniform(int lo, int hi) { return lo + static_cast<int>(next() % static_cast<std::uint64_t>(hi - lo + 1)); }
  Date date(Date lo, Date hi) { return lo + uniform(0, hi - lo); }
};

}  // namespace

TEST_CASE("calendar.index.matches_reference_every_day") {
  const Calendar& cal = test::cn_mainland();
  int mismatches = 0;
  for (Date d = D("2016-01-01"); d <= D("2029-12-31"); d += 1) {
    if (cal.is_working_day(d) != reference().working(d)) {
      ++mismatches;
      MESSAGE(d.to_string(), " differs: index says ", cal.is_working_day(d));
    }
  }
  CHECK(mismatches == 0);
  // 2025: 261 weekdays - 18 weekday rest days + 5 weekend working days.
  CHECK(cal.working_days_between(D("2024-12-31"), D("2025-12-31")).days == 248);
}

TEST_CASE("calendar.index.add_matches_reference") {
  const Calendar& cal = test::cn_mainland();
  Random rng{42};
  for (int i = 0; i < 20000; ++i) {
    const Date d = rng.date(D("2017-06-01"), D("2027-06-30"));
    const int n = rng.uniform(0, 300);
    const WorkingDayResult r = cal.add_working_days(d, n);
    const Date expected = reference().add(d, n);
    if (r.date != expected) FAIL_CHECK(d, " + ", n, " gave ", r.date, ", reference ", expected);
    // Provisional exactly when a day examined lies outside 2018..2026.
    const bool outside = n > 0 && ((d + 1).year() < 2018 || r.date.year() > 2026);
    if (r.provisional != outside) FAIL_CHECK(d, " + ", n, ": provisional ", r.provisional);
  }
}

TEST_CASE("calendar.index.between_inverts_add") {
  const Calendar& cal = test::cn_mainland();
  Random rng{7};
  for (int i = 0; i < 20000; ++i) {
    const Date a = rng.date(D("2010-01-01"), D("2035-12-31"));
    const int n = rng.uniform(0, 400);
    const Date b = cal.add_working_days(a, n).date;
    if (cal.working_days_between(a, b).days != n) FAIL_CHECK(a, " + ", n, " = ", b, " but between says otherwise");
    // The other way round: from a count back to the date, for working days.
    const Date c = rng.date(a, a + 500);
    const auto k = cal.working_days_between(a, c).days;
    if (cal.is_working_day(c) && c > a && cal.add_working_days(a, k).date != c)
      FAIL_CHECK(a, " + between(", a, ", ", c, ") != ", c);
    if (cal.working_days_between(c, a).days != -k) FAIL_CHECK("between is not antisymmetric at ", a, ", ", c);
    // Backwards from b by n returns to a working day a.
    if (n > 0 && cal.is_working_day(a) && cal.add_working_days(b, -n).date != a) FAIL_CHECK(b, " - ", n, " should be ", a);
  }
}

TEST_CASE("calendar.index.add_is_associative") {
  const Calendar& cal = test::cn_mainland();
  Random rng{2024};
  for (int i = 0; i < 20000; ++i) {
    const Date d = rng.date(D("2012-01-01"), D("2032-12-31"));
    const int m = rng.uniform(0, 120), n = rng.uniform(0, 120);
    const Date two_steps = cal.add_working_days(cal.add_working_days(d, m).date, n).date;
    if (two_steps != cal.add_working_days(d, m + n).date) FAIL_CHECK(d, " + ", m, " + ", n, " != ", d, " + ", m + n);
  }
}

TEST_CASE("calendar.index.between_matches_reference") {
  const Calendar& cal = test::cn_mainland();
  Random rng{99};
  for (int i = 0; i < 3000; ++i) {
    const Date a = rng.date(D("2017-01-01"), D("2027-12-31"));
    const Date b = rng.date(a, a + 400);
    if (cal.working_days_between(a, b).days != reference().between(a, b)) FAIL_CHECK("between(", a, ", ", b, ")");
  }
}

TEST_CASE("calendar.index.suspensions_match_reference") {
  const Calendar& cal = test::cn_mainland();
  Random rng{5};
  for (int i = 0; i < 3000; ++i) {
    const Date start = rng.date(D("2018-01-01"), D("2026-06-30"));
    SuspensionLedger ledger;
    const int stops = rng.uniform(0, 5);
    for (int s = 0; s < stops; ++s) {
      const Date from = rng.date(start - 20, start + 120);
      REQUIRE(ledger.add({from, from + rng.uniform(0, 25)}).is_ok());
    }
    const int n = rng.uniform(0, 60);
    // Naive: walk day by day, count working days outside every stop.
    Date d = start;
    int left = n, stopped = 0;
    while (left > 0) {
      d += 1;
      if (!reference().working(d)) continue;
      bool in_stop = false;
      for (const Suspension& s : ledger.entries()) in_stop = in_stop || (s.from <= d && d <= s.to);
      if (in_stop) ++stopped;
      else --left;
    }
    const Deadline got = compute_deadline(cal, start, TimeLimit(n), ledger);
    if (got.date != d || got.suspended_days != stopped)
      FAIL_CHECK(start, " + ", n, " over ", stops, " stops: got ", got.date, " (", got.suspended_days,
                 " stopped), reference ", d, " (", stopped, ")");
    // counted_days inverts the deadline.
    if (counted_days(cal, start, got.date, ledger) != n) FAIL_CHECK("counted_days(", start, ", ", got.date, ")");
  }
}

TEST_CASE("calendar.index.outside_the_data") {
  const Calendar& cal = test::cn_mainland();
  CHECK(cal.index_first() == D("2018-01-01"));
  CHECK(cal.index_last() == D("2100-12-31"));  // the statutory rule runs to 2100
  // Far outside the index the weekday rule still holds, in O(1).
  CHECK(cal.add_working_days(D("1990-01-05"), 1).date == D("1990-01-08"));
  CHECK(cal.add_working_days(D("3000-01-01"), 5).date == reference().add(D("3000-01-01"), 5));
  // 1990 began on a Monday: 52 weeks and one Monday, 261 weekdays.
  const auto y1990 = cal.working_days_between(D("1989-12-31"), D("1990-12-31"));
  CHECK(y1990.days == 261);
  CHECK(y1990.provisional_years == std::vector<int>{1990});
  // Across the whole index and beyond on both sides.
  CHECK(cal.working_days_between(D("2010-03-03"), D("2031-07-07")).days ==
        reference().between(D("2010-03-03"), D("2031-07-07")));
  // Saturation at the end of the representable range, named as provisional.
  const auto far = cal.add_working_days(D("9999-12-01"), 1000);
  CHECK(far.date == Date::max());
  CHECK(far.provisional);
  CHECK(far.provisional_years == std::vector<int>{9999});
  const auto back = cal.add_working_days(D("0001-01-10"), -1000);
  CHECK(back.date == Date::min());
}

TEST_CASE("calendar.index.negative_counts_go_back") {
  const Calendar& cal = test::cn_mainland();
  // The working day before Thu 2025-10-09 is Tue 09-30 (10-01..08 rest).
  CHECK(cal.add_working_days(D("2025-10-09"), -1).date == D("2025-09-30"));
  CHECK(cal.add_working_days(D("2025-10-09"), -4).date == D("2025-09-26"));
  CHECK(cal.add_working_days(D("2025-10-05"), -1).date == D("2025-09-30"));
}

TEST_CASE("calendar.index.weekends_only_calendar") {
  const Calendar plain;
  CHECK(plain.name() == "weekends");
  CHECK(plain.is_working_day(D("2025-10-01")));  // no holiday data at all
  const auto r = plain.add_working_days(D("2025-09-26"), 5);
  CHECK(r.date == D("2025-10-03"));
  CHECK(r.provisional);
  CHECK(r.provisional_years == std::vector<int>{2025});
  CHECK(describe_years({2025, 2027, 2028, 2029, 2031}) == "2025, 2027–2029, 2031");
}

}  // namespace calendar_properties_test
