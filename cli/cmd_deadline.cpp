// yilian deadline: the date a limit (N working days, N days or N months)
// ends, counted from an acceptance date (the start day not counted), over
// clock stops.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>

#include "calendar_support.h"
#include "commands.h"
#include "yilian/time_limit.h"

namespace yilian::cli {
namespace cmd_deadline {

struct Options {
  CalendarOptions calendar;
  std::string from;
  long long days = -1;
  std::string limit;
  std::vector<std::string> suspend;
  std::string at;
  std::string closes = "17:00";
  bool json = false;
};

void usage_error(const std::string& message) {
  std::fprintf(stderr, "yilian deadline: error: %s\n", message.c_str());
  set_exit_code(exit_usage);
}

// "FROM..TO" or a single date.
std::optional<Suspension> parse_suspension(const std::string& text) {
  const auto dots = text.find("..");
  const auto from = Date::parse(std::string_view(text).substr(0, dots));
  const auto to = dots == std::string::npos ? from : Date::parse(std::string_view(text).substr(dots + 2));
  if (!from || !to) {
    usage_error(fmt::format("--suspend `{}`: expected FROM..TO (two dates YYYY-MM-DD) or one date", text));
    return std::nullopt;
  }
  if (*to < *from) {
    usage_error(fmt::format("--suspend `{}`: the range ends before it starts; write the earlier date first", text));
    return std::nullopt;
  }
  return Suspension{*from, *to, SuspensionReason::other, std::nullopt, "from the command line"};
}

void run(const Options& o) {
  const auto from = Date::parse(o.from);
  if (!from) return usage_error(fmt::format("--from `{}` is not a date; expected YYYY-MM-DD, e.g. 2025-09-26", o.from));
  std::optional<TimeOfDay> at;
  if (!o.at.empty() && !(at = TimeOfDay::parse(o.at)))
    return usage_error(fmt::format("--at `{}` is not a time; expected HH:MM, e.g. 17:30", o.at));
  const auto closes = TimeOfDay::parse(o.closes);
  if (!closes) return usage_error(fmt::format("--closes `{}` is not a time; expected HH:MM", o.closes));
  SuspensionLedger ledger;
  for (const std::string& s : o.suspend) {
    auto sus = parse_suspension(s);
    if (!sus) return;
    if (Status st = ledger.add(*sus); !st) return usage_error(st.message());
  }
  if (o.days < 0 && o.limit.empty())
    return usage_error("give the limit: --days N (working days) or --limit \"3 months\"");
  Limit limit{static_cast<int>(o.days)};
  if (!o.limit.empty()) {
    auto l = parse_limit(o.limit);
    if (!l)
      return usage_error(fmt::format("--limit `{}` is not a time limit; expected \"N working days\", \"N days\" or "
                                     "\"N months\", e.g. \"3 months\" (or 20个工作日, 60日, 3个月)",
                                     o.limit));
    limit = *l;
  }
  const auto cal = open_calendar(o.calendar);
  if (!cal) return;

  // The acceptance date: --from itself, or the next working day for a
  // receipt after closing time or on a rest day.
  WorkingDayResult accepted{*from, false, {}};
  if (at) accepted = acceptance_date(*cal, *from, *at, OfficeHours{*closes});
  const Deadline d = compute_deadline(*cal, accepted.date, TimeLimit(limit), ledger);
  if (d.date == Date::max() || (limit.in_working_days() && counted_days(*cal, accepted.date, d.date, ledger) < limit.count)) {
    std::fprintf(stderr, "yilian deadline: error: the deadline lies after %s, the last date yilian represents\n",
                 Date::max().to_string().c_str());
    return set_exit_code(exit_invalid);
  }
  std::vector<int> years = d.provisional_years;
  for (int y : accepted.provisional_years)
    if (std::find(years.begin(), years.end(), y) == years.end()) years.push_back(y);
  std::sort(years.begin(), years.end());
  std::vector<std::string> warnings = d.warnings;
  if (!years.empty())
    warnings.insert(warnings.begin(),
                    fmt::format("provisional: {} has no holiday data for {}; those days were counted on weekends "
                                "alone and the deadline may move when the notice is published",
                                cal->name(), describe_years(years)));
  for (const std::string& w : warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());

  if (o.json) {
    nlohmann::json out = {{"from", from->to_string()},
                          {"days", d.limit_days},
                          {"limit", to_string(limit)},
                          {"unit", to_string(limit.unit)},
                          {"deadline", d.date.to_string()},
                          {"provisional", !years.empty()},
                          {"suspended_days", d.suspended_days},
                          {"provisional_years", years},
                          {"accepted", accepted.date.to_string()},
                          {"calendar", cal->name()},
                          {"warnings", warnings}};
    if (at) out["at"] = at->to_string();
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    if (at && accepted.date != *from)
      std::printf("%s\n", fmt::format("Received {} {} at {} ({}): accepted on the next working day, {} {}",
                                      from->to_string(), to_string(from->weekday()), at->to_string(),
                                      cal->is_working_day(*from) ? "at or after " + closes->to_string() : "a rest day",
                                      accepted.date.to_string(), to_string(accepted.date.weekday())).c_str());
    std::printf("%s\n", fmt::format("Accepted {} {}, {} ({}) → deadline {} {}{}", accepted.date.to_string(),
                                    to_string(accepted.date.weekday()), to_string(limit), label(limit),
                                    d.date.to_string(), to_string(d.date.weekday()),
                                    years.empty() ? "" : " (provisional)").c_str());
    if (limit.count == 0 && limit.in_working_days())
      std::printf("  0 days: on the spot, the same day\n");
    else if (!limit.in_working_days())
      std::printf("%s\n", fmt::format("  the acceptance day is not counted; the period ends on {} by the calendar, moved to "
                                      "the next working day if that is a rest day (民法典 Arts. 201–203); {} working "
                                      "days are counted",
                                      limit.unit == LimitUnit::months ? "the corresponding day (or the month's last day)"
                                                                      : "its last day",
                                      d.limit_days).c_str());
    else
      std::printf("%s\n", fmt::format("  the acceptance day is not counted; day 1 is {}", cal->next_working_day(accepted.date).date.to_string()).c_str());
    if (d.suspended_days > 0)
      std::printf("%s\n", fmt::format("  the clock stood still for {} working day{} before the deadline",
                                      d.suspended_days, d.suspended_days == 1 ? "" : "s").c_str());
    std::printf("%s\n", fmt::format("  calendar: {}", cal->name()).c_str());
  }
  set_exit_code(exit_ok);
}

}  // namespace cmd_deadline

void add_deadline(CLI::App& app) {
  using namespace cmd_deadline;  // this command's options and helpers
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("deadline", "Compute the date a limit (working days, days or months) ends");
  cmd->add_option("--from", o->from, "acceptance date, YYYY-MM-DD (not counted itself)")->required();
  auto* days = cmd->add_option("--days", o->days, "the limit in working days; 0 means on the spot")
                   ->check(CLI::Range(0LL, 100000LL));
  auto* limit = cmd->add_option("--limit", o->limit,
                                "the limit with its unit: \"20 working days\", \"60 days\" (calendar days), \"3 months\"");
  days->excludes(limit);
  cmd->add_option("--suspend", o->suspend,
                  "FROM..TO: days the clock stops (both included; repeatable), e.g. waiting for supplements or "
                  "expert review");
  cmd->add_option("--at", o->at,
                  "time of receipt, HH:MM: at or after closing time, or on a rest day, the application counts as "
                  "accepted on the next working day");
  cmd->add_option("--closes", o->closes, "office closing time for --at")->capture_default_str();
  add_calendar_options(*cmd, o->calendar);
  cmd->add_flag("--json", o->json,
                "print {\"from\", \"limit\", \"unit\", \"days\" (working days counted), \"deadline\", \"provisional\", \"suspended_days\", \"provisional_years\", "
                "\"warnings\", ...}");
  cmd->footer(
      "Counting: the acceptance day is not counted (民法典 Art. 201); the deadline is the N-th\n"
      "working day after it. Rest days and adjusted working days follow the calendar's notices.\n"
      "Days and months (--limit \"60 days\", \"3 months\") count on the calendar (民法典 Arts. 200–203):\n"
      "a month ends on the corresponding day, or the month's last day; a period ending on a rest\n"
      "day ends on the next working day; days of a --suspend range are added to the period.\n"
      "Years without a notice are counted on weekends alone and reported as provisional.\n\n"
      "Examples:\n"
      "  yilian deadline --from 2025-09-26 --days 5                 # → 2025-10-10\n"
      "  yilian deadline --from 2025-09-26 --days 5 --at 17:30      # received after hours\n"
      "  yilian deadline --from 2025-09-26 --days 20 --suspend 2025-10-09..2025-10-15\n"
      "  yilian deadline --from 2026-12-10 --days 20 --json         # reaches 2027: provisional\n"
      "  yilian deadline --from 2025-11-30 --limit \"3 months\"       # → 2026-02-28, a Saturday worked (调休)\n"
      "Exit codes: 0 ok, 1 invalid calendar data or a deadline past 9999-12-31, 2 bad arguments or unreadable files.");
  cmd->callback([o] { run(*o); });
}

}  // namespace yilian::cli
