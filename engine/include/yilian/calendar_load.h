// Loading working-day calendars from YAML (chains/calendars/*.yaml; the
// format is schemas/calendar.schema.json and docs/calendar.md).
//
// A file lists, per year, the weekday rest days and the weekend working
// days of the national notice, then amendments (later notices that change
// single days). It may `extends:` another calendar by name and add local
// closure days as amendments. Every problem is reported, located
// (file:line:column and key path), in one pass. Thread-safe: the functions
// share no state.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "yilian/calendar.h"
#include "yilian/status.h"

namespace yilian {

/// What loading produced: the calendar when there is no error, and every
/// diagnostic in reading order.
struct CalendarLoadResult {
  std::optional<Calendar> calendar;  ///< empty when diagnostics has errors
  Diagnostics diagnostics;
  std::vector<std::string> files;    ///< files read, the requested one first, then its bases
};

/// The file `dir/name.yaml` (or `.yml`) in the first directory of `dirs`
/// that has one, or nothing.
[[nodiscard]] std::optional<std::string> find_calendar_file(std::string_view name,
                                                            const std::vector<std::string>& dirs);

/// Where a chain's calendars are looked for besides the configured
/// directories: the folder `calendars/` next to the chain file (as
/// `chains/calendars/` is next to `chains/*.yaml`).
[[nodiscard]] std::string calendars_beside(const std::string& chain_file);

/// The names of the calendar files in `dirs` (for suggestions), sorted.
[[nodiscard]] std::vector<std::string> calendar_names(const std::vector<std::string>& dirs);

/// Loads one calendar file. A base named by `extends` is looked up in the
/// file's own directory first, then in `dirs`.
[[nodiscard]] CalendarLoadResult load_calendar_file(const std::string& path,
                                                    const std::vector<std::string>& dirs = {});

/// Loads the calendar `name` from the first of `dirs` that has it; the
/// file's `name:` must match.
[[nodiscard]] CalendarLoadResult load_calendar(std::string_view name, const std::vector<std::string>& dirs);

/// Loads a calendar from text held in memory; `file_name` is used in
/// messages, bases are looked up in `dirs`.
[[nodiscard]] CalendarLoadResult load_calendar_text(std::string_view yaml, const std::string& file_name,
                                                    const std::vector<std::string>& dirs = {});

}  // namespace yilian
