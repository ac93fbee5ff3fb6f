#include "calendar_support.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>

#include "commands.h"
#include "yilian/calendar_load.h"

namespace yilian::cli {

void add_calendar_options(CLI::App& cmd, CalendarOptions& options) {
  cmd.add_option("--calendar", options.calendar,
                 "calendar name (looked up in the calendar directories) or path to a calendar .yaml file")
      ->capture_default_str();
  cmd.add_option("--calendars", options.dir,
                 "directory of calendar files, searched before $YILIAN_CALENDARS, ./chains/calendars, the chain's "
                 "calendars/ folder, the installed ones and the built-in cn-mainland");
}

std::vector<std::string> calendar_dirs(const std::string& option_dir, const std::string& chain_file) {
  // The one search order, shared with the engine (yilian/calendar_load.h).
  std::vector<std::string> dirs, chains;
  if (!option_dir.empty()) dirs.push_back(option_dir);
  if (!chain_file.empty()) chains.push_back(chain_file);
  return calendar_search_dirs(dirs, chains);
}

std::optional<Calendar> open_calendar(const CalendarOptions& options) {
  const std::vector<std::string> dirs = calendar_dirs(options.dir, options.chain_file);
  const std::string& c = options.calendar;
  const bool is_path = c.find('/') != std::string::npos || c.ends_with(".yaml") || c.ends_with(".yml");
  Loaded<Calendar> r = is_path ? load_calendar_file(c, dirs) : load_calendar(c, dirs);
  bool unreadable = false;
  for (const Diagnostic& d : r.diagnostics) {
    std::fprintf(stderr, "%s\n", d.to_string().c_str());
    // The calendar asked for is missing or unreadable: a usage / I/O error.
    if (d.severity == Severity::error && (d.code == "io" || (d.code == "unknown-calendar" && !d.where.known())))
      unreadable = true;
  }
  if (!r.ok()) {
    set_exit_code(unreadable ? exit_usage : exit_invalid);
    return std::nullopt;
  }
  return std::move(r.value());
}

Date today() {
  using namespace std::chrono;
  const auto now = floor<days>(system_clock::now() + hours(8));
  return Date::from_days(now.time_since_epoch().count());
}

}  // namespace yilian::cli
