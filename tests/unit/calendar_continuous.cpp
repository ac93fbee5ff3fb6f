// Calendar::continuous(): every day counts, nothing is provisional — the
// calendar simulations use to compare with queueing theory.
#include <doctest/doctest.h>

#include "calendar_fixture.h"
#include "yilian/calendar.h"
#include "yilian/time_limit.h"

using namespace yilian;
using namespace yilian::test;

namespace calendar_continuous_test {

TEST_CASE("calendar.continuous.every_day_counts") {
  const Calendar c = Calendar::continuous();
  CHECK(c.name() == "continuous");
  CHECK(c.is_continuous());
  CHECK_FALSE(cn_mainland().is_continuous());
  // A Saturday, Spring Festival, and a year no notice covers: all working days.
  for (const char* d : {"2025-01-04", "2025-01-29", "2031-10-01", "1999-12-31"}) {
    CAPTURE(d);
    CHECK(c.is_working_day(D(d)));
    CHECK(c.covers(D(d).year()));
  }
  const Date from = D("2025-09-26");
  for (std::int64_t n : {0, 1, 5, 30, 365, -1, -10}) {
    CAPTURE(n);
    const WorkingDayResult r = c.add_working_days(from, n);
    CHECK(r.date == from + n);
    CHECK_FALSE(r.provisional);
  }
  const WorkingDayCount k = c.working_days_between(D("2025-01-01"), D("2026-01-01"));
  CHECK(k.days == 365);
  CHECK_FALSE(k.provisional);
  CHECK(c.ordinal(from) - c.ordinal(from - 7) == 7);
  CHECK(c.date_of_ordinal(c.ordinal(from)) == from);
  CHECK(c.missing_years(D("2030-01-01"), D("2040-01-01")).empty());
}

TEST_CASE("calendar.continuous.limits_and_acceptance") {
  const Calendar c = Calendar::continuous();
  // A receipt after closing counts from the next day, a weekend one from itself.
  CHECK(acceptance_date(c, D("2025-10-01"), TimeOfDay::at(18, 0)).date == D("2025-10-02"));
  CHECK(acceptance_date(c, D("2025-10-04"), TimeOfDay::at(9, 0)).date == D("2025-10-04"));
  // 10 days with a 3-day clock stop: 13 calendar days.
  SuspensionLedger l;
  REQUIRE(l.add({D("2025-10-03"), D("2025-10-05"), SuspensionReason::supplement, std::nullopt, ""}));
  const Deadline dl = compute_deadline(c, D("2025-10-01"), TimeLimit(10), l);
  CHECK(dl.date == D("2025-10-14"));
  CHECK(dl.suspended_days == 3);
  CHECK_FALSE(dl.provisional);
}

}  // namespace calendar_continuous_test
