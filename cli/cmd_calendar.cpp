// yilian calendar: a year's rest days and adjusted working days, with the
// notices they come from.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>
#include <memory>

#include "calendar_support.h"
#include "commands.h"

namespace yilian::cli {
namespace cmd_calendar {

struct Options {
  CalendarOptions calendar;
  int year = 0;
  bool json = false;
};

// Footnote numbers for the notices, in order of first use.
class Notices {
 public:
  int number(const std::string& notice) {
    auto [it, fresh] = numbers_.emplace(notice, static_cast<int>(order_.size()) + 1);
    if (fresh) order_.push_back(notice);
    return it->second;
  }
  [[nodiscard]] const std::vector<std::string>& order() const { return order_; }

 private:
  std::map<std::string, int> numbers_;
  std::vector<std::string> order_;
};

void print_human(const Calendar& cal, int year, const std::vector<DayEntry>& entries) {
  Notices notices;
  std::vector<const DayEntry*> off, work, restored;
  for (const DayEntry& e : entries) {
    if (!e.working && !e.date.is_weekend()) off.push_back(&e);
    else if (e.working && e.date.is_weekend()) work.push_back(&e);
    else restored.push_back(&e);
  }
  std::printf("%s", fmt::format("{} {}: {} weekday rest days, {} weekend working days\n", cal.name(), year,
                                off.size(), work.size()).c_str());
  auto line = [&](const DayEntry* e, std::string_view what = "") {
    std::string s = fmt::format("  {} {}  {}{} [{}]", e->date.to_string(), to_string(e->date.weekday()), what,
                                e->holiday, notices.number(e->notice));
    if (!e->overrides_notice.empty()) s += fmt::format(", replacing [{}]", notices.number(e->overrides_notice));
    std::printf("%s\n", s.c_str());
  };
  if (!off.empty()) std::printf("Rest days (weekdays off):\n");
  for (const DayEntry* e : off) line(e);
  if (!work.empty()) std::printf("Working days (weekend days on, 调休上班):\n");
  for (const DayEntry* e : work) line(e);
  if (!restored.empty()) std::printf("Back to the weekday rule by a later notice:\n");
  for (const DayEntry* e : restored) line(e, e->working ? "working day, " : "rest day, ");
  if (!notices.order().empty()) std::printf("Notices:\n");
  for (std::size_t i = 0; i < notices.order().size(); ++i)
    std::printf("  [%zu] %s\n", i + 1, notices.order()[i].c_str());
}

void print_json(const Calendar& cal, int year, const std::vector<DayEntry>& entries) {
  nlohmann::json off = nlohmann::json::array(), work = nlohmann::json::array(), days = nlohmann::json::array();
  for (const DayEntry& e : entries) {
    if (!e.working && !e.date.is_weekend()) off.push_back(e.date.to_string());
    if (e.working && e.date.is_weekend()) work.push_back(e.date.to_string());
    nlohmann::json d = {{"date", e.date.to_string()},
                        {"weekday", to_string(e.date.weekday())},
                        {"working", e.working},
                        {"holiday", e.holiday},
                        {"notice", e.notice}};
    if (!e.overrides_notice.empty()) d["overrides"] = e.overrides_notice;
    days.push_back(std::move(d));
  }
  const nlohmann::json out = {{"calendar", cal.name()}, {"year", year},   {"off", off},
                              {"work", work},           {"covered", cal.covers(year)}, {"days", days}};
  std::printf("%s\n", out.dump(2).c_str());
}

void run(const Options& o) {
  const auto cal = open_calendar(o.calendar);
  if (!cal) return;
  const int year = o.year != 0 ? o.year : today().year();
  const std::vector<DayEntry> entries = cal->entries(year);
  if (!cal->covers(year))
    std::fprintf(stderr, "%s\n",
                 fmt::format("warning: {} has no notice for {}: every weekday counts as a working day there, and "
                             "results that reach into {} are provisional",
                             cal->name(), year, year).c_str());
  if (o.json) print_json(*cal, year, entries);
  else print_human(*cal, year, entries);
  set_exit_code(exit_ok);
}

}  // namespace cmd_calendar

void add_calendar(CLI::App& app) {
  using namespace cmd_calendar;  // this command's options and helpers
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("calendar", "List a year's rest days and adjusted working days, with their notices");
  cmd->add_option("--year", o->year, "the year (default: this year)")->check(CLI::Range(1, 9999));
  add_calendar_options(*cmd, o->calendar);
  cmd->add_flag("--json", o->json,
                "print {\"calendar\", \"year\", \"off\": [weekday rest days], \"work\": [weekend working days], ...}");
  cmd->footer(
      "Weekdays are working days and weekends rest days, except the days listed: `off` are\n"
      "weekdays made rest days, `work` weekend days made working days (调休上班).\n\n"
      "Examples:\n"
      "  yilian calendar --year 2025\n"
      "  yilian calendar --year 2020 --json            # includes the 2020 Spring Festival extension\n"
      "  yilian calendar --year 2025 --calendar example-city\n"
      "  yilian calendar --calendar ./my-city.yaml --year 2026");
  cmd->callback([o] { run(*o); });
}

}  // namespace yilian::cli
