// What the CLI end-to-end tests share: an environment variable set for a
// scope, and the JSON a command printed.
#pragma once

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <string>

#include "../unit/cli_support.h"

namespace yilian::test {

/// Sets an environment variable for the life of the object.
struct Env {
  std::string name;
  Env(const char* n, const std::string& value) : name(n) { ::setenv(n, value.c_str(), 1); }
  ~Env() { ::unsetenv(name.c_str()); }
};

/// The command's standard output as JSON (the test fails when it is not).
inline nlohmann::json parse(const CliRun& r) {
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  REQUIRE_MESSAGE(!j.is_discarded(), r.out);
  return j;
}

/// A shell word in single quotes.
inline std::string q(const std::string& s) { return "'" + s + "'"; }

}  // namespace yilian::test
