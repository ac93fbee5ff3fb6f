// Limits in days and months (民法典 Arts. 200–203): the start day not
// counted, a month ending on the corresponding day or the month's last day,
// a period ending on a rest day ending on the next working day. Every date
// below is counted by hand on the cn-mainland calendar in the comments.
#include <doctest/doctest.h>

#include "calendar_fixture.h"
#include "yilian/time_limit.h"

namespace calendar_periods_test {

namespace {
using namespace yilian;
using test::D;

Date end_of(const char* start, const char* limit) {
  const auto l = parse_limit(limit);
  REQUIRE_MESSAGE(l.has_value(), limit);
  return period_end(test::cn_mainland(), D(start), *l).date;
}
}  // namespace

TEST_CASE("calendar.period.limits_parse_print_and_refuse") {
  CHECK(parse_limit("20 working days") == Limit{20, LimitUnit::working_days});
  CHECK(parse_limit("1 working day") == Limit{1, LimitUnit::working_days});
  CHECK(parse_limit(" 60 days ") == Limit{60, LimitUnit::days});
  CHECK(parse_limit("3 months") == Limit{3, LimitUnit::months});
  CHECK(parse_limit("1 month") == Limit{1, LimitUnit::months});
  CHECK(parse_limit("20个工作日") == Limit{20, LimitUnit::working_days});
  CHECK(parse_limit("60日") == Limit{60, LimitUnit::days});
  CHECK(parse_limit("60天") == Limit{60, LimitUnit::days});
  CHECK(parse_limit("3个月") == Limit{3, LimitUnit::months});
  for (const char* bad : {"", "3", "months", "3 weeks", "-1 days", "3.5 months", "1201 months", "100001 days",
                          "3 months later", "三个月"})
    CHECK_FALSE_MESSAGE(parse_limit(bad).has_value(), bad);

  CHECK(to_string(Limit{20}) == "20 working days");
  CHECK(to_string(Limit{1}) == "1 working day");
  CHECK(to_string(Limit{1, LimitUnit::months}) == "1 month");
  CHECK(to_string(Limit{60, LimitUnit::days}) == "60 days");
  CHECK(label(Limit{20}) == "20个工作日");
  CHECK(label(Limit{0}) == "即办");
  CHECK(label(Limit{60, LimitUnit::days}) == "60日");
  CHECK(label(Limit{3, LimitUnit::months}) == "3个月");
  // 250 working days a year, rounded up.
  CHECK(nominal_working_days(Limit{20}) == 20);
  CHECK(nominal_working_days(Limit{60, LimitUnit::days}) == 42);   // 41.1
  CHECK(nominal_working_days(Limit{3, LimitUnit::months}) == 63);  // 62.5
}

TEST_CASE("calendar.period.months_end_on_the_corresponding_day_or_the_months_last") {
  CHECK(end_of("2025-03-15", "3 months") == D("2025-06-16"));  // 06-15 is a Sunday → Mon 06-16
  CHECK(end_of("2025-01-31", "1 month") == D("2025-02-28"));   // no 02-31: the month's last day, a Friday
  CHECK(end_of("2024-01-31", "1 month") == D("2024-02-29"));   // a leap year's last day of February, a Thursday
  CHECK(end_of("2024-02-29", "12 months") == D("2025-02-28")); // from Feb 29 into a common year
  CHECK(end_of("2024-02-29", "1 month") == D("2024-03-29"));   // the corresponding day, a Friday
  CHECK(end_of("2025-03-31", "2 months") == D("2025-06-03"));  // 05-31 Sat, 06-01 Sun, 06-02 端午节 → Tue 06-03
  CHECK(end_of("2025-11-30", "3 months") == D("2026-02-28"));  // a Saturday worked after 春节 (调休): it ends there
  CHECK(end_of("2025-12-10", "0 months") == D("2025-12-10"));
}

TEST_CASE("calendar.period.days_and_the_next_working_day") {
  CHECK(end_of("2025-03-03", "10 days") == D("2025-03-13"));   // Mon + 10 = Thu
  CHECK(end_of("2025-02-14", "15 days") == D("2025-03-03"));   // Sat 03-01 → Mon 03-03
  CHECK(end_of("2025-01-01", "30 days") == D("2025-02-05"));   // 01-31 in 春节 (01-28..02-04 off, 02-01/02 weekend)
  CHECK(end_of("2024-12-27", "30 days") == D("2025-01-26"));   // a Sunday worked before 春节: it ends there
  CHECK(end_of("2025-09-21", "10 days") == D("2025-10-09"));   // 10-01 in 国庆中秋 (10-01..08 off) → Thu 10-09
  CHECK(end_of("2025-09-20", "10 days") == D("2025-09-30"));   // a Tuesday, worked
  // Working days count as before.
  CHECK(end_of("2025-09-26", "5 working days") == D("2025-10-10"));
}

TEST_CASE("calendar.period.stops_extensions_and_alerts") {
  const Calendar& cal = test::cn_mainland();
  SuspensionLedger ledger;
  REQUIRE(ledger.add({D("2025-03-05"), D("2025-03-07"), SuspensionReason::supplement, std::nullopt, ""}).is_ok());
  // Mon 03-03 + 10 days = 03-13, plus the 3 stopped days = Sun 03-16 → Mon 03-17.
  Deadline d = compute_deadline(cal, D("2025-03-03"), TimeLimit(Limit{10, LimitUnit::days}), ledger);
  CHECK(d.date == D("2025-03-17"));
  CHECK(d.limit == Limit{10, LimitUnit::days});
  CHECK(d.suspended_days == 3);
  // Working days counted to it: 03-04, 03-10..14, 03-17 = 7 (03-05..07 stopped).
  CHECK(d.limit_days == 7);

  // An Art. 42 extension adds working days after the period: 2025-02-28 (1
  // month from 01-31), then 03-03..07 and 03-10..14 = 10 → Fri 03-14.
  TimeLimit month(Limit{1, LimitUnit::months});
  REQUIRE(month.extend({ExtensionBasis::department_head, 10, "局长 张三", D("2025-02-20"), "现场核查"}).is_ok());
  d = compute_deadline(cal, D("2025-01-31"), month);
  CHECK(d.date == D("2025-03-14"));
  CHECK(d.warnings.empty());
  TimeLimit late(Limit{1, LimitUnit::months});
  REQUIRE(late.extend({ExtensionBasis::department_head, 10, "局长 张三", D("2025-03-01"), ""}).is_ok());
  d = compute_deadline(cal, D("2025-01-31"), late);
  REQUIRE(d.warnings.size() == 1);
  CHECK(d.warnings[0].find("after the limit ran out on 2025-02-28") != std::string::npos);

  // Alerts count working days to the calendar's deadline: Mon 03-03 + 1
  // month = Thu 04-03; (03-03, 04-03] holds 23 working days, so yellow at 5
  // remaining (ceil(23/5)).
  const TimeLimit one(Limit{1, LimitUnit::months});
  AlertStatus s = alert_status(cal, D("2025-03-03"), one, {}, D("2025-03-26"), {});
  CHECK(s.deadline.date == D("2025-04-03"));
  CHECK(s.deadline.limit_days == 23);
  CHECK(s.yellow_threshold == 5);
  CHECK(s.remaining_days == 6);
  CHECK(s.level == AlertLevel::green);
  s = alert_status(cal, D("2025-03-03"), one, {}, D("2025-03-27"), {});
  CHECK(s.level == AlertLevel::yellow);
  s = alert_status(cal, D("2025-03-03"), one, {}, D("2025-04-07"), {});  // 04-04..06 清明 off
  CHECK(s.level == AlertLevel::red);
  CHECK(s.overdue_days == 1);
}

}  // namespace calendar_periods_test
