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

/// The folders searched for a calendar by name, in this order, each once
/// (the first place kept):
///  1. `dirs`: `--calendars DIR`, EngineOptions::calendar_dirs,
///     RecordsOptions::calendar_dirs, a deployment's `engine.calendars`;
///  2. the folders of $YILIAN_CALENDARS, separated by ':';
///  3. ./chains/calendars (the source tree, when run from it);
///  4. the folder `calendars/` beside each of `chain_files`;
///  5. installed_calendar_dirs().
/// Behind them all, the calendars built into the library (cn-mainland, as
/// chains/calendars/cn-mainland.yaml was at build time): load_calendar()
/// and `extends` fall back to them. The CLI and the engine both search
/// this list, so that a calendar found by one is found by the other.
[[nodiscard]] std::vector<std::string> calendar_search_dirs(const std::vector<std::string>& dirs,
                                                            const std::vector<std::string>& chain_files = {});

/// The share/yilian folders of an installation, in order: the one of the
/// running program (`../share/yilian` from the folder of /proc/self/exe:
/// /usr/local/bin/yilian → /usr/local/share/yilian, on Linux), then the
/// prefix the library was built for. Existing or not.
[[nodiscard]] std::vector<std::string> installed_share_dirs();
/// installed_share_dirs(), each with /chains/calendars.
[[nodiscard]] std::vector<std::string> installed_calendar_dirs();

/// The names of the calendars built into the library, sorted.
[[nodiscard]] std::vector<std::string> builtin_calendar_names();

/// How to make calendar `name` found, for "not found" messages: the folders
/// searched (`dirs`) and the fixes (--calendars, $YILIAN_CALENDARS, the
/// calendars/ folder beside the chain file).
[[nodiscard]] std::string calendar_not_found_hint(std::string_view name, const std::vector<std::string>& dirs);

/// The file `dir/name.yaml` (or `.yml`) in the first directory of `dirs`
/// that has one, or nothing.
[[nodiscard]] std::optional<std::string> find_calendar_file(std::string_view name,
                                                            const std::vector<std::string>& dirs);

/// Where a chain's calendars are looked for besides the configured
/// directories: the folder `calendars/` next to the chain file (as
/// `chains/calendars/` is next to `chains/*.yaml`).
[[nodiscard]] std::string calendars_beside(const std::string& chain_file);

/// The names of the calendar files in `dirs` and of the built-in
/// calendars (for suggestions), sorted.
[[nodiscard]] std::vector<std::string> calendar_names(const std::vector<std::string>& dirs);

/// Each loader gives the calendar when there is no error, and every
/// diagnostic in reading order (Loaded, status.h).

/// Loads one calendar file. A base named by `extends` is looked up in the
/// file's own directory first, then in `dirs`, then among the built-in ones.
[[nodiscard]] Loaded<Calendar> load_calendar_file(const std::string& path,
                                                  const std::vector<std::string>& dirs = {});

/// Loads the calendar `name` from the first of `dirs` that has it, else the
/// built-in calendar of that name; the file's `name:` must match. Not
/// found: an `unknown-calendar` error whose hint is calendar_not_found_hint().
[[nodiscard]] Loaded<Calendar> load_calendar(std::string_view name, const std::vector<std::string>& dirs);

/// Loads a calendar from text held in memory; `file_name` is used in
/// messages, bases are looked up in `dirs`.
[[nodiscard]] Loaded<Calendar> load_calendar_text(std::string_view yaml, const std::string& file_name,
                                                  const std::vector<std::string>& dirs = {});

}  // namespace yilian
