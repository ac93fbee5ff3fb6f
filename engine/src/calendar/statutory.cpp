// The lunar calendar table, Qingming, and the statutory holidays computed
// from them (see yilian/calendar_statutory.h).
#include "yilian/calendar_statutory.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>

namespace yilian {
namespace {

// One entry per lunar year 1900..2100. Bits 0–3: the leap month (0: none);
// bit 16 - m (m = 1..12, i.e. 0x8000 for month 1 down to 0x10 for month 12):
// month m has 30 days, else 29; bit 16 (0x10000): the leap month has 30
// days, else 29. Compared month by month (start and length of every month,
// leap months) with an astronomical computation for 1900–2100; see
// tests/unit/calendar_statutory.cpp for the dates it is checked against.
constexpr std::array<std::uint32_t, kLunarLastYear - kLunarFirstYear + 1> kLunarInfo = {
    0x04bd8, 0x04ae0, 0x0a570, 0x054d5, 0x0d260, 0x0d950, 0x16554, 0x056a0, 0x09ad0, 0x055d2,  // 1900
    0x04ae0, 0x0a5b6, 0x0a4d0, 0x0d250, 0x1d255, 0x0b540, 0x0d6a0, 0x0ada2, 0x095b0, 0x14977,  // 1910
    0x04970, 0x0a4b0, 0x0b4b5, 0x06a50, 0x06d40, 0x1ab54, 0x02b60, 0x09570, 0x052f2, 0x04970,  // 1920
    0x06566, 0x0d4a0, 0x0ea50, 0x16a95, 0x05ad0, 0x02b60, 0x186e3, 0x092e0, 0x1c8d7, 0x0c950,  // 1930
    0x0d4a0, 0x1d8a6, 0x0b550, 0x056a0, 0x1a5b4, 0x025d0, 0x092d0, 0x0d2b2, 0x0a950, 0x0b557,  // 1940
    0x06ca0, 0x0b550, 0x15355, 0x04da0, 0x0a5b0, 0x14573, 0x052b0, 0x0a9a8, 0x0e950, 0x06aa0,  // 1950
    0x0aea6, 0x0ab50, 0x04b60, 0x0aae4, 0x0a570, 0x05260, 0x0f263, 0x0d950, 0x05b57, 0x056a0,  // 1960
    0x096d0, 0x04dd5, 0x04ad0, 0x0a4d0, 0x0d4d4, 0x0d250, 0x0d558, 0x0b540, 0x0b6a0, 0x195a6,  // 1970
    0x095b0, 0x049b0, 0x0a974, 0x0a4b0, 0x0b27a, 0x06a50, 0x06d40, 0x0af46, 0x0ab60, 0x09570,  // 1980
    0x04af5, 0x04970, 0x064b0, 0x074a3, 0x0ea50, 0x06b58, 0x05ac0, 0x0ab60, 0x096d5, 0x092e0,  // 1990
    0x0c960, 0x0d954, 0x0d4a0, 0x0da50, 0x07552, 0x056a0, 0x0abb7, 0x025d0, 0x092d0, 0x0cab5,  // 2000
    0x0a950, 0x0b4a0, 0x0baa4, 0x0ad50, 0x055d9, 0x04ba0, 0x0a5b0, 0x15176, 0x052b0, 0x0a930,  // 2010
    0x07954, 0x06aa0, 0x0ad50, 0x05b52, 0x04b60, 0x0a6e6, 0x0a4e0, 0x0d260, 0x0ea65, 0x0d530,  // 2020
    0x05aa0, 0x076a3, 0x096d0, 0x04afb, 0x04ad0, 0x0a4d0, 0x1d0b6, 0x0d250, 0x0d520, 0x0dd45,  // 2030
    0x0b5a0, 0x056d0, 0x055b2, 0x049b0, 0x0a577, 0x0a4b0, 0x0aa50, 0x1b255, 0x06d20, 0x0ada0,  // 2040
    0x14b63, 0x09370, 0x049f8, 0x04970, 0x064b0, 0x168a6, 0x0ea50, 0x06b20, 0x1a6c4, 0x0aae0,  // 2050
    0x092e0, 0x0d2e3, 0x0c960, 0x0d557, 0x0d4a0, 0x0da50, 0x05d55, 0x056a0, 0x0a6d0, 0x055d4,  // 2060
    0x052d0, 0x0a9b8, 0x0a950, 0x0b4a0, 0x0b6a6, 0x0ad50, 0x055a0, 0x0aba4, 0x0a5b0, 0x052b0,  // 2070
    0x0b273, 0x06930, 0x07337, 0x06aa0, 0x0ad50, 0x14b55, 0x04b60, 0x0a570, 0x054e4, 0x0d160,  // 2080
    0x0e968, 0x0d520, 0x0daa0, 0x16aa6, 0x056d0, 0x04ae0, 0x0a9d4, 0x0a2d0, 0x0d150, 0x0f252,  // 2090
    0x0d520,                                                                                    // 2100
};

constexpr int leap_month(std::uint32_t info) { return static_cast<int>(info & 0xf); }
constexpr int month_days(std::uint32_t info, int m) { return (info & (0x10000u >> m)) ? 30 : 29; }
constexpr int leap_days(std::uint32_t info) { return leap_month(info) == 0 ? 0 : (info & 0x10000u) ? 30 : 29; }
constexpr int year_days(std::uint32_t info) {
  int n = leap_days(info);
  for (int m = 1; m <= 12; ++m) n += month_days(info, m);
  return n;
}

// 正月初一 of 1900 is 1900-01-31: 25,537 days before 1970-01-01.
constexpr std::int32_t kFirstNewYear = -25537;

// start[i]: days since 1970-01-01 of 正月初一 of lunar year 1900 + i; the
// last entry is the day after the table.
constexpr auto kYearStart = [] {
  std::array<std::int32_t, kLunarInfo.size() + 1> s{};
  s[0] = kFirstNewYear;
  for (std::size_t i = 0; i < kLunarInfo.size(); ++i) s[i + 1] = s[i] + year_days(kLunarInfo[i]);
  return s;
}();
// A lunar year has 12 or 13 months of 29 or 30 days.
static_assert([] {
  for (std::size_t i = 0; i < kLunarInfo.size(); ++i) {
    const int n = year_days(kLunarInfo[i]);
    if (leap_month(kLunarInfo[i]) > 12 || (leap_month(kLunarInfo[i]) ? n < 383 || n > 385 : n < 353 || n > 355))
      return false;
  }
  return true;
}());

bool in_table(int year) { return year >= kLunarFirstYear && year <= kLunarLastYear; }

Date on(int year, int month, int day) { return *Date::from_ymd(year, month, day); }

}  // namespace

std::vector<LunarMonth> lunar_months(int year) {
  std::vector<LunarMonth> out;
  if (!in_table(year)) return out;
  const std::uint32_t info = kLunarInfo[static_cast<std::size_t>(year - kLunarFirstYear)];
  for (int m = 1; m <= 12; ++m) {
    out.push_back({m, false, month_days(info, m)});
    if (leap_month(info) == m) out.push_back({m, true, leap_days(info)});
  }
  return out;
}

std::optional<Date> from_lunar(const LunarDate& d) {
  if (!in_table(d.year) || d.month < 1 || d.month > 12 || d.day < 1 || d.day > 30) return std::nullopt;
  const std::uint32_t info = kLunarInfo[static_cast<std::size_t>(d.year - kLunarFirstYear)];
  if (d.leap && leap_month(info) != d.month) return std::nullopt;
  std::int64_t day = kYearStart[static_cast<std::size_t>(d.year - kLunarFirstYear)];
  for (int m = 1; m <= 12; ++m) {
    if (m == d.month && !d.leap) {
      if (d.day > month_days(info, m)) return std::nullopt;
      return Date::from_days(day + d.day - 1);
    }
    day += month_days(info, m);
    if (leap_month(info) == m) {
      if (m == d.month) {  // d.leap
        if (d.day > leap_days(info)) return std::nullopt;
        return Date::from_days(day + d.day - 1);
      }
      day += leap_days(info);
    }
  }
  return std::nullopt;
}

std::optional<LunarDate> to_lunar(Date d) {
  const std::int32_t x = d.days();
  if (x < kYearStart.front() || x >= kYearStart.back()) return std::nullopt;
  const auto it = std::upper_bound(kYearStart.begin(), kYearStart.end(), x) - 1;
  const int year = kLunarFirstYear + static_cast<int>(it - kYearStart.begin());
  std::int32_t offset = x - *it;
  for (const LunarMonth& m : lunar_months(year)) {
    if (offset < m.days) return LunarDate{year, m.month, offset + 1, m.leap};
    offset -= m.days;
  }
  return std::nullopt;  // not reached: the year's months add up to its length
}

std::optional<Date> qingming(int year) {
  // 寿星通式 for the 21st century: day = [Y·0.2422 + 4.81] − L, with Y the
  // years since 2000 and L the leap days between (2100 is no leap year).
  // Checked against an astronomical computation for every year 2000–2100.
  if (year < 2000 || year > 2100) return std::nullopt;
  const int y = year - 2000;
  const int day = (y * 2422 + 48100) / 10000 - (y / 4 - y / 100);
  return on(year, 4, day);
}

std::vector<StatutoryHoliday> cn_statutory_holidays(int year) {
  std::vector<StatutoryHoliday> out;
  if (year < kCnStatutoryFirstYear || year > kCnStatutoryLastYear) return out;
  const Date new_year = *from_lunar({year, 1, 1, false});
  out.push_back({"元旦", {on(year, 1, 1)}});
  out.push_back({"春节", {new_year - 1, new_year, new_year + 1, new_year + 2}});
  out.push_back({"清明节", {*qingming(year)}});
  out.push_back({"劳动节", {on(year, 5, 1), on(year, 5, 2)}});
  out.push_back({"端午节", {*from_lunar({year, 5, 5, false})}});
  out.push_back({"中秋节", {*from_lunar({year, 8, 15, false})}});
  out.push_back({"国庆节", {on(year, 10, 1), on(year, 10, 2), on(year, 10, 3)}});
  std::stable_sort(out.begin(), out.end(),
                   [](const StatutoryHoliday& a, const StatutoryHoliday& b) { return a.days.front() < b.days.front(); });
  return out;
}

std::vector<DayRule> cn_statutory_rest_days(int year) {
  // Each holiday day with its name(s); a day two holidays share counts once.
  std::map<std::int32_t, std::string> holiday;
  for (const StatutoryHoliday& h : cn_statutory_holidays(year))
    for (Date d : h.days) {
      std::string& name = holiday[d.days()];
      if (name.empty()) name = h.name;
      else if (name != h.name) name += "、" + h.name;
    }
  std::map<std::int32_t, std::string> rest;  // weekday rest days
  for (const auto& [x, name] : holiday) {
    const Date d = Date::from_days(x);
    if (!d.is_weekend()) {
      rest.emplace(x, name);
      continue;
    }
    // 补假: the first weekday after it that is not a rest day already.
    Date m = d + 1;
    while (m.is_weekend() || holiday.count(m.days()) || rest.count(m.days())) m += 1;
    rest.emplace(m.days(), name + "（补假）");
  }
  std::vector<DayRule> out;
  out.reserve(rest.size());
  for (auto& [x, name] : rest) out.push_back(DayRule{Date::from_days(x), false, std::move(name),
                                                     std::string(kCnStatutoryNotice), {}});
  return out;
}

}  // namespace yilian
