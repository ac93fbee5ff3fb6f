// The calendars built into the library: the text of chains/calendars/
// cn-mainland.yaml as it was at build time (engine/cmake/embed_calendars.cmake
// generates the definition). load_calendar() parses one on demand when no
// folder searched has a file of that name, so the national calendar is found
// wherever the program runs from and wherever it is installed.
#pragma once

#include <span>
#include <string_view>

namespace yilian::detail {

struct BuiltinCalendar {
  std::string_view name;  ///< e.g. cn-mainland
  std::string_view text;  ///< the YAML file's bytes
};

[[nodiscard]] std::span<const BuiltinCalendar> builtin_calendars();

}  // namespace yilian::detail
