// Suspension ledgers, recorded extensions, alert and supervision levels.
// Dates are counted by hand in the comments.
#include <doctest/doctest.h>

#include <random>
#include <set>

#include "calendar_fixture.h"
#include "yilian/time_limit.h"

namespace calendar_time_limit_test {

namespace {
using namespace yilian;
using test::D;

Extension head(int days, const char* on = "2025-03-10") {
  return Extension{ExtensionBasis::department_head, days, "局长 张三", D(on), "现场核查需补充"};
}
}  // namespace

TEST_CASE("calendar.ledger.records_and_merges") {
  SuspensionLedger ledger;
  CHECK_FALSE(ledger.add({D("2025-03-10"), D("2025-03-07")}).is_ok());  // reversed
  CHECK(ledger.empty());
  Suspension told{D("2025-03-10"), D("2025-03-12"), SuspensionReason::testing, -1, ""};
  CHECK_FALSE(ledger.add(told).is_ok());
  CHECK(ledger.add({D("2025-03-10"), D("2025-03-12"), SuspensionReason::testing, 3, "检测"}).is_ok());
  CHECK(ledger.add({D("2025-03-20"), D("2025-03-21")}).is_ok());
  CHECK(ledger.add({D("2025-03-13"), D("2025-03-14")}).is_ok());  // adjacent: joins the first
  REQUIRE(ledger.merged().size() == 2);
  CHECK(ledger.merged()[0] == std::pair{D("2025-03-10"), D("2025-03-14")});
  CHECK(ledger.merged()[1] == std::pair{D("2025-03-20"), D("2025-03-21")});
  CHECK(ledger.entries().size() == 3);
  CHECK(ledger.suspended_on(D("2025-03-14")));
  CHECK_FALSE(ledger.suspended_on(D("2025-03-15")));
  CHECK(ledger.add({D("2025-03-01"), D("2025-03-31")}).is_ok());  // swallows both
  CHECK(ledger.merged().size() == 1);
}

TEST_CASE("calendar.ledger.merged_ranges_are_the_suspended_days") {
  // Random stops, overlapping, adjacent, nested, in any order: merged() is
  // exactly the set of days some stop covers, as disjoint ascending ranges
  // with a free day between neighbours.
  std::mt19937 rng(11);
  const Date base = D("2025-01-01");
  for (int round = 0; round < 2000; ++round) {
    SuspensionLedger ledger;
    std::set<Date> days;
    const int stops = static_cast<int>(rng() % 8);
    for (int i = 0; i < stops; ++i) {
      const Date from = base + static_cast<int>(rng() % 60);
      const Date to = from + static_cast<int>(rng() % 6);
      REQUIRE(ledger.add({from, to}).is_ok());
      for (Date d = from; d <= to; d += 1) days.insert(d);
    }
    std::set<Date> covered;
    const auto& merged = ledger.merged();
    for (std::size_t i = 0; i < merged.size(); ++i) {
      REQUIRE(merged[i].first <= merged[i].second);
      if (i > 0) CHECK(merged[i - 1].second + 1 < merged[i].first);
      for (Date d = merged[i].first; d <= merged[i].second; d += 1) covered.insert(d);
    }
    CHECK(covered == days);
    CHECK(ledger.entries().size() == static_cast<std::size_t>(stops));
  }
}

TEST_CASE("calendar.ledger.reasons") {
  CHECK(parse_suspension_reason("expert-review") == SuspensionReason::expert_review);
  CHECK_FALSE(parse_suspension_reason("lunch").has_value());
  CHECK(is_article45(SuspensionReason::quarantine));
  CHECK_FALSE(is_article45(SuspensionReason::supplement));
  for (auto r : {SuspensionReason::supplement, SuspensionReason::hearing, SuspensionReason::other})
    CHECK(parse_suspension_reason(to_string(r)) == r);
}

TEST_CASE("calendar.ledger.article45_warnings") {
  const Calendar& cal = test::cn_mainland();
  SuspensionLedger ledger;
  // Mon 03-10 .. Fri 03-14 is 5 working days; the applicant was told 3.
  REQUIRE(ledger.add({D("2025-03-10"), D("2025-03-14"), SuspensionReason::expert_review, 3, ""}).is_ok());
  REQUIRE(ledger.add({D("2025-03-17"), D("2025-03-17"), SuspensionReason::testing, std::nullopt, ""}).is_ok());
  REQUIRE(ledger.add({D("2025-03-18"), D("2025-03-18"), SuspensionReason::supplement, std::nullopt, ""}).is_ok());
  const Deadline d = compute_deadline(cal, D("2025-03-07"), 2, ledger);
  // 03-10..14, 17, 18 stopped (7 days); 03-19 = 1, 03-20 = 2.
  CHECK(d.date == D("2025-03-20"));
  CHECK(d.suspended_days == 7);
  REQUIRE(d.warnings.size() == 2);
  CHECK(d.warnings[0].find("lasted 5 working days; the applicant was told 3") != std::string::npos);
  CHECK(d.warnings[1].find("no told length") != std::string::npos);
}

TEST_CASE("calendar.extension.recorded_events") {
  TimeLimit limit(20);
  CHECK(limit.total_days() == 20);
  CHECK_FALSE(limit.extend(head(0)).is_ok());
  CHECK_FALSE(limit.extend(head(11)).is_ok());  // Art. 42: at most 10
  Extension nobody = head(10);
  nobody.approver.clear();
  CHECK_FALSE(limit.extend(nobody).is_ok());
  CHECK(limit.total_days() == 20);  // rejected events change nothing
  CHECK(limit.extend(head(10)).is_ok());
  CHECK_FALSE(limit.extend(head(5)).is_ok());  // one Art. 42 ¶1 extension
  CHECK(limit.total_days() == 30);
  REQUIRE(limit.extensions().size() == 1);
  CHECK(limit.extensions()[0].approver == "局长 张三");

  TimeLimit joint(45);
  CHECK_FALSE(joint.extend({ExtensionBasis::government_head, 16, "区长", D("2025-03-10"), ""}).is_ok());
  CHECK(joint.extend({ExtensionBasis::government_head, 15, "区长", D("2025-03-10"), "联合办理"}).is_ok());
  CHECK(joint.total_days() == 60);
  CHECK(joint.extend({ExtensionBasis::other, 30, "专家委员会", D("2025-03-11"), "行业规定"}).is_ok());
  CHECK(joint.total_days() == 90);
  CHECK(extension_cap(ExtensionBasis::department_head) == 10);
  CHECK_FALSE(extension_cap(ExtensionBasis::other).has_value());
}

TEST_CASE("calendar.extension.moves_the_deadline_and_flags_late_approval") {
  const Calendar& cal = test::cn_mainland();
  // From Fri 2025-09-26, 5 days: 10-10. +10: 10-11 Sat(work)=6, 10-13..17=7..11, 10-20..23=12..15.
  TimeLimit limit(5);
  REQUIRE(limit.extend(head(10, "2025-10-09")).is_ok());
  Deadline d = compute_deadline(cal, D("2025-09-26"), limit);
  CHECK(d.date == D("2025-10-23"));
  CHECK(d.limit_days == 15);
  CHECK(d.warnings.empty());
  TimeLimit late(5);
  REQUIRE(late.extend(head(10, "2025-10-11")).is_ok());
  d = compute_deadline(cal, D("2025-09-26"), late);
  CHECK(d.date == D("2025-10-23"));
  REQUIRE(d.warnings.size() == 1);
  CHECK(d.warnings[0].find("after the limit ran out on 2025-10-10") != std::string::npos);
}

TEST_CASE("calendar.alert.thresholds") {
  CHECK(yellow_threshold(10, {}) == 2);
  CHECK(yellow_threshold(20, {}) == 4);
  CHECK(yellow_threshold(6, {}) == 2);   // ceil(6/5)
  CHECK(yellow_threshold(3, {}) == 1);
  CHECK(yellow_threshold(2, {}) == 1);   // at least 1 …
  CHECK(yellow_threshold(1, {}) == 0);   // … but below the limit
  CHECK(yellow_threshold(0, {}) == 0);
  AlertPolicy p;
  p.yellow_days = 4;
  CHECK(yellow_threshold(10, p) == 4);
  CHECK(yellow_threshold(3, p) == 2);    // a policy too: below the limit
}

TEST_CASE("calendar.alert.short_limits_do_not_alarm_at_once") {
  const Calendar& cal = test::cn_mainland();
  const Date start = D("2025-03-03");  // Monday
  const SuspensionLedger none;
  // 1 working day: green on its first day, yellow on its deadline day
  // (03-04), red after it.
  auto one = [&](const char* now, const AlertPolicy& p = {}) { return alert_status(cal, start, 1, none, D(now), p); };
  CHECK(one("2025-03-03").level == AlertLevel::green);
  CHECK(one("2025-03-03").remaining_days == 1);
  CHECK(one("2025-03-04").level == AlertLevel::yellow);
  CHECK(one("2025-03-05").level == AlertLevel::red);
  AlertPolicy eager;
  eager.yellow_days = 3;
  CHECK(one("2025-03-03", eager).level == AlertLevel::green);
  // 0 working days (即办件): due the day it starts; green that day, red after.
  auto zero = [&](const char* now) { return alert_status(cal, start, 0, none, D(now)); };
  CHECK(zero("2025-03-03").deadline.date == start);
  CHECK(zero("2025-03-03").level == AlertLevel::green);
  CHECK(zero("2025-03-04").level == AlertLevel::red);
  // 2 working days: green, then yellow with 1 left (as before).
  auto two = [&](const char* now) { return alert_status(cal, start, 2, none, D(now)); };
  CHECK(two("2025-03-03").level == AlertLevel::green);
  CHECK(two("2025-03-04").level == AlertLevel::yellow);
  // Over a weekend: a 1-day limit started on Friday is green until Monday.
  auto friday = [&](const char* now) { return alert_status(cal, D("2025-03-07"), 1, none, D(now)); };
  CHECK(friday("2025-03-08").level == AlertLevel::green);
  CHECK(friday("2025-03-10").level == AlertLevel::yellow);
}

TEST_CASE("calendar.alert.levels_and_supervision") {
  const Calendar& cal = test::cn_mainland();
  // From Mon 2025-03-03, 10 days: 03-04..07 = 1..4, 03-10..14 = 5..9, 03-17 = 10.
  const Date start = D("2025-03-03");
  const SuspensionLedger none;
  auto at = [&](const char* now, const AlertPolicy& p = {}) { return alert_status(cal, start, 10, none, D(now), p); };
  AlertStatus s = at("2025-03-12");
  CHECK(s.deadline.date == D("2025-03-17"));
  CHECK(s.yellow_threshold == 2);
  CHECK(s.elapsed_days == 7);
  CHECK(s.remaining_days == 3);
  CHECK(s.level == AlertLevel::green);
  CHECK(s.supervision == Supervision::none);
  CHECK(at("2025-03-13").level == AlertLevel::yellow);  // 2 left
  CHECK(at("2025-03-15").remaining_days == 1);          // Saturday: still 1 left
  CHECK(at("2025-03-17").level == AlertLevel::yellow);  // the last day
  CHECK(at("2025-03-17").remaining_days == 0);
  CHECK(at("2025-03-02").level == AlertLevel::green);   // before the start
  CHECK(at("2025-03-02").elapsed_days == 0);
  AlertPolicy early;
  early.yellow_days = 4;
  CHECK(at("2025-03-11", early).level == AlertLevel::yellow);

  s = at("2025-03-18");
  CHECK(s.level == AlertLevel::red);
  CHECK(s.overdue_days == 1);
  CHECK(s.supervision == Supervision::first_level);
  // 二级督办 after 5 more working days: 03-18..21, 03-24.
  CHECK(s.second_level_after == D("2025-03-24"));
  CHECK(at("2025-03-22").overdue_days == 4);
  CHECK(at("2025-03-24").supervision == Supervision::first_level);
  CHECK(at("2025-03-25").supervision == Supervision::second_level);
  CHECK(at("2025-03-25").overdue_days == 6);
  AlertPolicy strict;
  strict.second_level_after = 0;
  CHECK(at("2025-03-18", strict).supervision == Supervision::second_level);
  CHECK(to_string(Supervision::second_level) == "second-level");
  CHECK(to_string(AlertLevel::yellow) == "yellow");
}

TEST_CASE("calendar.alert.holidays_and_clock_stops") {
  const Calendar& cal = test::cn_mainland();
  const SuspensionLedger none;
  // 5 days from Fri 2025-09-26: 09-28, 29, 30, then 10-09, 10-10.
  AlertStatus s = alert_status(cal, D("2025-09-26"), 5, none, D("2025-10-08"));
  CHECK(s.elapsed_days == 3);   // the holiday does not count
  CHECK(s.level == AlertLevel::green);
  CHECK(alert_status(cal, D("2025-09-26"), 5, none, D("2025-10-09")).level == AlertLevel::yellow);
  CHECK(alert_status(cal, D("2025-09-26"), 5, none, D("2025-10-11")).level == AlertLevel::red);
  // A clock stop still running on `now` (recorded as ending on now) holds
  // the case: Mon 10-13 is past the plain deadline, not past the stopped one.
  SuspensionLedger waiting;
  REQUIRE(waiting.add({D("2025-10-09"), D("2025-10-13"), SuspensionReason::supplement, std::nullopt, ""}).is_ok());
  s = alert_status(cal, D("2025-09-26"), 5, waiting, D("2025-10-13"));
  CHECK(s.clock_stopped);
  CHECK(s.level == AlertLevel::green);
  CHECK(s.elapsed_days == 3);
  CHECK(s.remaining_days == 2);
  // Stopped: 10-09, 10-10, Sat 10-11 (a working day), 10-13; then 10-14, 10-15.
  CHECK(s.deadline.date == D("2025-10-15"));
  CHECK(s.deadline.suspended_days == 4);
}

TEST_CASE("calendar.alert.provisional_years_are_named") {
  const Calendar& cal = test::cn_mainland();
  const AlertStatus s = alert_status(cal, D("2026-12-21"), 10, {}, D("2027-01-02"));
  // 12-22..25 = 4, 12-28..31 = 8, 2027-01-01 rests (元旦 by the statutory
  // rule), 01-04 = 9, 01-05 = 10.
  CHECK(s.deadline.date == D("2027-01-05"));
  CHECK(s.provisional);
  CHECK(s.provisional_years == std::vector<int>{2027});
  CHECK(s.level == AlertLevel::yellow);
}

TEST_CASE("calendar.acceptance.office_hours") {
  const Calendar& cal = test::cn_mainland();
  CHECK(acceptance_date(cal, D("2025-09-26"), TimeOfDay::at(16, 59)).date == D("2025-09-26"));
  CHECK(acceptance_date(cal, D("2025-09-26"), TimeOfDay::at(17, 0)).date == D("2025-09-28"));
  CHECK(acceptance_date(cal, D("2025-10-01"), TimeOfDay::at(9, 0)).date == D("2025-10-09"));
  // A configurable closing time.
  CHECK(acceptance_date(cal, D("2025-09-26"), TimeOfDay::at(17, 30), OfficeHours{TimeOfDay::at(18, 0)}).date ==
        D("2025-09-26"));
  // Received in a year without data: provisional, that year named.
  // 2027-01-01 is 元旦 by the statutory rule: accepted on Monday 01-04.
  const auto r = acceptance_date(cal, D("2027-01-01"), TimeOfDay::at(9, 0));
  CHECK(r.date == D("2027-01-04"));
  CHECK(r.provisional_years == std::vector<int>{2027});
  const auto eve = acceptance_date(cal, D("2026-12-31"), TimeOfDay::at(18, 0));
  CHECK(eve.date == D("2027-01-04"));
  CHECK(eve.provisional);
}

TEST_CASE("calendar.deadline_date.equals_compute_deadline") {
  // The lean date-only call gives compute_deadline's date for every start,
  // limit, extension and set of clock stops (the simulator relies on it).
  const Calendar& cal = test::cn_mainland();
  std::uint64_t x = 7;
  auto next = [&](int lo, int hi) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return lo + static_cast<int>((x >> 33) % static_cast<std::uint64_t>(hi - lo + 1));
  };
  for (int i = 0; i < 3000; ++i) {
    const Date start = test::D("2018-01-01") + next(0, 3400);
    TimeLimit limit(next(0, 60));
    if (next(0, 4) == 0) (void)limit.extend({ExtensionBasis::department_head, next(1, 10), "局长", start + 5, ""});
    SuspensionLedger ledger;
    for (int k = next(0, 3); k > 0; --k) {
      const Date from = start + next(0, 60);
      (void)ledger.add({from, from + next(0, 12), SuspensionReason::supplement, std::nullopt, ""});
    }
    CHECK(deadline_date(cal, start, limit, ledger) == compute_deadline(cal, start, limit, ledger).date);
  }
  CHECK(deadline_date(Calendar::continuous(), test::D("2025-10-01"), TimeLimit(3)) == test::D("2025-10-04"));
}

}  // namespace calendar_time_limit_test
