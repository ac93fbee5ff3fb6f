// Helpers shared by the calendar commands (calendar, deadline, and plan's
// --start): where calendars are looked up, and opening one by name or path.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "yilian/calendar.h"

namespace yilian::cli {

/// The options every calendar-using command takes.
struct CalendarOptions {
  std::string calendar = "cn-mainland";  ///< a name, or a path to a .yaml file
  std::string dir;                       ///< --calendars DIR
  std::string chain_file;                ///< the chain being worked on: its folder's calendars/ is searched too
};

/// Adds --calendar and --calendars to `cmd`.
void add_calendar_options(CLI::App& cmd, CalendarOptions& options);

/// Directories searched for calendars: yilian::calendar_search_dirs() with
/// --calendars DIR first and calendars/ beside `chain_file` (so a chain
/// finds its calendar from any working directory); the built-in
/// cn-mainland answers when none has the file.
std::vector<std::string> calendar_dirs(const std::string& option_dir, const std::string& chain_file = "");

/// Loads the calendar; prints every diagnostic to stderr. On failure sets
/// the exit code (2 when it cannot be found or read, 1 when its data is
/// invalid) and returns nothing.
std::optional<Calendar> open_calendar(const CalendarOptions& options);

/// Today's date (UTC+8, China Standard Time): the imperative shell's one clock read.
Date today();

}  // namespace yilian::cli
