// The hand-checked deadlines of tests/calendar/deadlines.csv, one subcase
// per line. Adding a case needs no C++.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <fstream>
#include <map>
#include <sstream>

#include "calendar_fixture.h"
#include "yilian/time_limit.h"

namespace calendar_deadlines_test {

namespace {

using namespace yilian;

std::vector<std::string> split(const std::string& s, char sep, std::size_t max_fields) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (out.size() + 1 < max_fields) {
    const auto pos = s.find(sep, start);
    if (pos == std::string::npos) break;
    out.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
  out.push_back(s.substr(start));
  return out;
}

const Calendar& calendar_named(const std::string& name) {
  static std::map<std::string, Calendar> cache;
  auto it = cache.find(name);
  if (it == cache.end()) it = cache.emplace(name, test::load_project_calendar(name)).first;
  return it->second;
}

}  // namespace

TEST_CASE("calendar.deadline.hand_checked_table") {
  std::ifstream in(std::string(YILIAN_SOURCE_DIR) + "/tests/calendar/deadlines.csv");
  REQUIRE(in.good());
  std::string line;
  int lineno = 0, cases = 0;
  bool header = true;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    const auto f = split(line, ',', 9);
    REQUIRE_MESSAGE(f.size() == 9, "deadlines.csv:", lineno, ": expected 9 fields");
    const std::string where = fmt::format("deadlines.csv:{}: {}", lineno, f[8]);
    CAPTURE(where);
    const Calendar& cal = calendar_named(f[6].empty() ? "cn-mainland" : f[6]);
    Date start = test::D(f[0].c_str());
    if (!f[5].empty()) {
      auto at = TimeOfDay::parse(f[5]);
      REQUIRE(at.has_value());
      start = acceptance_date(cal, start, *at).date;
    }
    SuspensionLedger ledger;
    if (!f[3].empty())
      for (const std::string& range : split(f[3], ';', 100)) {
        const auto parts = split(range, '.', 3);  // FROM..TO -> FROM, "", TO
        REQUIRE(parts.size() == 3);
        REQUIRE(ledger.add({test::D(parts[0].c_str()), test::D(parts[2].c_str())}).is_ok());
      }
    const Deadline d = compute_deadline(cal, start, TimeLimit(std::stoi(f[1])), ledger);
    CHECK(d.date == test::D(f[2].c_str()));
    if (!f[4].empty()) CHECK(d.suspended_days == std::stoi(f[4]));
    std::string years;
    for (int y : d.provisional_years) years += (years.empty() ? "" : ";") + std::to_string(y);
    CHECK(years == f[7]);
    CHECK(d.provisional == !f[7].empty());
    // Without suspensions the plain arithmetic must agree.
    if (f[3].empty()) CHECK(cal.add_working_days(start, std::stoi(f[1])).date == d.date);
    ++cases;
  }
  CHECK(cases >= 40);
}

}  // namespace calendar_deadlines_test
