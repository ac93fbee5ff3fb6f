// The statutory holidays of 全国年节及纪念日放假办法 for years without a
// notice, and the lunar calendar they stand on. Dates checked by hand
// against published calendars (春节, 端午, 中秋 of 2025–2030) and against the
// State Council's own notices for the years in chains/calendars.
#include <doctest/doctest.h>

#include <algorithm>

#include "calendar_fixture.h"
#include "yilian/calendar_statutory.h"

namespace calendar_statutory_test {

namespace {

using namespace yilian;
using test::D;

std::vector<Date> days_of(int year, std::string_view name) {
  for (const StatutoryHoliday& h : cn_statutory_holidays(year))
    if (h.name == name) return h.days;
  return {};
}

}  // namespace

TEST_CASE("calendar.statutory.lunar_new_years_and_festivals") {
  // 正月初一 of lunar years, as published in almanacs.
  CHECK(from_lunar({2025, 1, 1, false}) == D("2025-01-29"));
  CHECK(from_lunar({2026, 1, 1, false}) == D("2026-02-17"));
  CHECK(from_lunar({2027, 1, 1, false}) == D("2027-02-06"));
  CHECK(from_lunar({2028, 1, 1, false}) == D("2028-01-26"));
  CHECK(from_lunar({2030, 1, 1, false}) == D("2030-02-03"));
  // 端午 and 中秋.
  CHECK(from_lunar({2025, 5, 5, false}) == D("2025-05-31"));
  CHECK(from_lunar({2025, 8, 15, false}) == D("2025-10-06"));
  CHECK(from_lunar({2027, 5, 5, false}) == D("2027-06-09"));
  CHECK(from_lunar({2027, 8, 15, false}) == D("2027-09-15"));
  // 2025 has a leap sixth month (闰六月), 2026 none.
  auto months = lunar_months(2025);
  CHECK(months.size() == 13);
  CHECK(std::count_if(months.begin(), months.end(), [](const LunarMonth& m) { return m.leap && m.month == 6; }) == 1);
  CHECK(lunar_months(2026).size() == 12);
  CHECK_FALSE(from_lunar({2026, 6, 1, true}).has_value());  // no leap month that year
  CHECK_FALSE(from_lunar({1899, 1, 1, false}).has_value());
  CHECK_FALSE(to_lunar(D("1900-01-30")).has_value());
  CHECK(to_lunar(D("1900-01-31")) == LunarDate{1900, 1, 1, false});
  // 清明: April 4 or 5.
  CHECK(qingming(2025) == D("2025-04-04"));
  CHECK(qingming(2026) == D("2026-04-05"));
  CHECK(qingming(2020) == D("2020-04-04"));
  CHECK_FALSE(qingming(1999).has_value());
}

TEST_CASE("calendar.statutory.lunar_round_trip") {
  // Every day the table covers maps to a lunar date and back, and
  // consecutive days have consecutive lunar dates.
  std::optional<LunarDate> prev;
  for (Date d = D("1900-01-31"); d <= D("2101-01-28"); d += 1) {
    auto l = to_lunar(d);
    REQUIRE_MESSAGE(l.has_value(), d.to_string());
    REQUIRE_MESSAGE(from_lunar(*l) == d, d.to_string());
    if (prev && l->day != 1) REQUIRE_MESSAGE(l->day == prev->day + 1, d.to_string());
    prev = l;
  }
}

TEST_CASE("calendar.statutory.holidays_of_a_year") {
  CHECK(days_of(2027, "元旦") == std::vector<Date>{D("2027-01-01")});
  CHECK(days_of(2027, "春节") ==
        std::vector<Date>{D("2027-02-05"), D("2027-02-06"), D("2027-02-07"), D("2027-02-08")});  // 除夕 to 初三
  CHECK(days_of(2027, "清明节") == std::vector<Date>{D("2027-04-05")});
  CHECK(days_of(2027, "劳动节") == std::vector<Date>{D("2027-05-01"), D("2027-05-02")});
  CHECK(days_of(2027, "国庆节") == std::vector<Date>{D("2027-10-01"), D("2027-10-02"), D("2027-10-03")});
  CHECK(cn_statutory_holidays(2024).empty());  // before the 2025 revision
  CHECK(cn_statutory_holidays(2101).empty());
}

TEST_CASE("calendar.statutory.published_years_agree") {
  // Every statutory holiday day on a weekday is a rest day in each year the
  // State Council has published since the rule took effect: the rule and the
  // data cannot drift apart unnoticed.
  const Calendar& cal = test::cn_mainland();
  int checked = 0;
  for (int year : cal.years()) {
    if (year < kCnStatutoryFirstYear) continue;
    for (const StatutoryHoliday& h : cn_statutory_holidays(year))
      for (Date d : h.days) {
        if (d.is_weekend()) continue;
        CHECK_MESSAGE(!cal.is_working_day(d), h.name, " ", d.to_string());
        ++checked;
      }
  }
  CHECK(checked >= 20);  // 2025 and 2026 at least
}

TEST_CASE("calendar.statutory.beyond_the_data") {
  const Calendar& cal = test::cn_mainland();
  REQUIRE(cal.beyond_data() == BeyondData::cn_statutory);
  CHECK_FALSE(cal.covers(2027));
  CHECK(cal.computed(2027));
  CHECK_FALSE(cal.computed(2026));  // a published year is never computed
  // 2027: 元旦 on a Friday; 除夕 Friday 02-05, 初一 to 初三 Sat–Mon, so the
  // weekend days are made up on Tuesday and Wednesday.
  CHECK_FALSE(cal.is_working_day(D("2027-01-01")));
  CHECK(cal.is_working_day(D("2027-01-04")));
  CHECK_FALSE(cal.is_working_day(D("2027-02-05")));
  CHECK_FALSE(cal.is_working_day(D("2027-02-08")));
  CHECK_FALSE(cal.is_working_day(D("2027-02-09")));
  CHECK_FALSE(cal.is_working_day(D("2027-02-10")));
  CHECK(cal.is_working_day(D("2027-02-11")));
  // 劳动节 on Saturday and Sunday: Monday and Tuesday off.
  CHECK_FALSE(cal.is_working_day(D("2027-05-03")));
  CHECK_FALSE(cal.is_working_day(D("2027-05-04")));
  CHECK(cal.is_working_day(D("2027-05-05")));
  // Counting across the new year is provisional and skips 元旦.
  WorkingDayResult r = cal.add_working_days(D("2026-12-31"), 1);
  CHECK(r.date == D("2027-01-04"));
  CHECK(r.provisional);
  CHECK(cal.describe_without_data(2027).find("全国年节及纪念日放假办法") != std::string::npos);
  // A calendar that keeps weekends alone still does.
  auto plain = load_calendar_text("name: plain\nbeyond_data: weekends\n", "plain.yaml", {});
  REQUIRE(plain.ok());
  CHECK(plain->is_working_day(D("2027-02-05")));
  CHECK_FALSE(plain->computed(2027));
}

}  // namespace calendar_statutory_test
