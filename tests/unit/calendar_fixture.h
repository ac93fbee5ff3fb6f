// Shared by the calendar tests: the project's calendars, loaded once.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "yilian/calendar.h"
#include "yilian/calendar_load.h"

namespace yilian::test {

inline std::string calendars_dir() { return std::string(YILIAN_SOURCE_DIR) + "/chains/calendars"; }

/// Loads a calendar of chains/calendars by name; fails the test on errors.
inline Calendar load_project_calendar(const std::string& name) {
  Loaded<Calendar> r = load_calendar(name, {calendars_dir()});
  for (const Diagnostic& d : r.diagnostics) MESSAGE(d.to_string());
  REQUIRE(r.ok());
  return r.value();
}

inline const Calendar& cn_mainland() {
  static const Calendar c = load_project_calendar("cn-mainland");
  return c;
}

inline Date D(const char* iso) {
  auto d = Date::parse(iso);
  REQUIRE_MESSAGE(d.has_value(), iso);
  return *d;
}

}  // namespace yilian::test
