// Date and TimeOfDay: parsing, printing, fields, weekdays, arithmetic.
#include <doctest/doctest.h>

#include "yilian/date.h"

using yilian::Date;
using yilian::TimeOfDay;
using yilian::Weekday;

namespace calendar_date_test {

TEST_CASE("calendar.date.parse_and_print") {
  CHECK(Date::parse("1970-01-01")->days() == 0);
  CHECK(Date::parse("2025-09-26")->to_string() == "2025-09-26");
  CHECK(Date::parse("2024-02-29").has_value());
  CHECK_FALSE(Date::parse("2023-02-29").has_value());
  CHECK_FALSE(Date::parse("2025-13-01").has_value());
  CHECK_FALSE(Date::parse("2025-00-10").has_value());
  CHECK_FALSE(Date::parse("2025-9-26").has_value());
  CHECK_FALSE(Date::parse("2025/09/26").has_value());
  CHECK_FALSE(Date::parse("2025-09-26x").has_value());
  CHECK_FALSE(Date::parse("").has_value());
  CHECK_FALSE(Date::parse("0000-01-01").has_value());
  CHECK(Date::parse("0001-01-01") == Date::min());
  CHECK(Date::parse("9999-12-31") == Date::max());
  CHECK(Date::min().to_string() == "0001-01-01");
  CHECK(Date::max().to_string() == "9999-12-31");
}

TEST_CASE("calendar.date.fields_and_weekday") {
  const Date d = *Date::from_ymd(2025, 9, 26);
  CHECK(d.year() == 2025);
  CHECK(d.month() == 9);
  CHECK(d.day() == 26);
  CHECK(d.weekday() == Weekday::friday);
  CHECK(Date{}.weekday() == Weekday::thursday);  // 1970-01-01
  CHECK(Date::parse("1969-12-29")->weekday() == Weekday::monday);
  CHECK(Date::parse("2024-02-04")->is_weekend());
  CHECK_FALSE(Date::parse("2024-02-05")->is_weekend());
  CHECK(Date::parse("0001-01-01")->weekday() == Weekday::monday);
  CHECK(Date::parse("9999-12-31")->weekday() == Weekday::friday);
}

TEST_CASE("calendar.date.arithmetic") {
  const Date d = *Date::parse("2024-02-28");
  CHECK((d + 1).to_string() == "2024-02-29");
  CHECK((d + 2).to_string() == "2024-03-01");
  CHECK((d - 59).to_string() == "2023-12-31");
  CHECK(*Date::parse("2025-01-01") - *Date::parse("2024-01-01") == 366);
  CHECK(d < d + 1);
  // Saturates instead of overflowing.
  CHECK(Date::max() + 10 == Date::max());
  CHECK(Date::min() - 10 == Date::min());
  CHECK(Date::from_days(-10'000'000) == Date::min());
}

TEST_CASE("calendar.date.time_of_day") {
  CHECK(TimeOfDay::parse("17:00")->minutes == 17 * 60);
  CHECK(TimeOfDay::parse("9:05")->minutes == 9 * 60 + 5);
  CHECK(TimeOfDay::parse("00:00")->minutes == 0);
  CHECK(TimeOfDay::parse("23:59")->to_string() == "23:59");
  CHECK_FALSE(TimeOfDay::parse("24:00").has_value());
  CHECK_FALSE(TimeOfDay::parse("12:60").has_value());
  CHECK_FALSE(TimeOfDay::parse("1730").has_value());
  CHECK_FALSE(TimeOfDay::parse("17:3").has_value());
  CHECK_FALSE(TimeOfDay::parse("").has_value());
  CHECK(TimeOfDay::at(16, 59) < TimeOfDay::at(17, 0));
}

}  // namespace calendar_date_test
