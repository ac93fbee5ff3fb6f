// The public surface (issue 15): the runtime's headers speak of cases
// through the small vocabulary (case_types.h), not the whole state machine,
// and no public header exposes a library-internal (detail::) type.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "yilian/adapter.h"
#include "yilian/check.h"
#include "yilian/records.h"

namespace {

const std::filesystem::path kHeaders = std::filesystem::path(YILIAN_SOURCE_DIR) / "engine/include/yilian";

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The yilian headers `header` includes, directly or through others.
std::set<std::string> included_by(const std::string& header) {
  static const std::regex include(R"re(#include\s+"yilian/([a-z_]+\.h)")re");
  std::set<std::string> seen;
  std::vector<std::string> todo{header};
  while (!todo.empty()) {
    const std::string h = todo.back();
    todo.pop_back();
    const std::string text = read(kHeaders / h);
    REQUIRE_MESSAGE(!text.empty(), h);
    for (std::sregex_iterator it(text.begin(), text.end(), include), end; it != end; ++it)
      if (seen.insert((*it)[1]).second) todo.push_back((*it)[1]);
  }
  return seen;
}

}  // namespace

TEST_CASE("surface.case_types.runtime_headers_do_not_include_flow") {
  for (const char* h : {"engine.h", "adapter.h", "request.h", "records.h", "engine_options.h"}) {
    const auto inc = included_by(h);
    CHECK_MESSAGE(inc.count("case_types.h") == 1, h);
    CHECK_MESSAGE(inc.count("flow.h") == 0, h, " includes flow.h");
    CHECK_MESSAGE(inc.count("calendar.h") == 0, h, " includes calendar.h");
    CHECK_MESSAGE(inc.count("check.h") == 0, h, " includes check.h");
  }
  // The vocabulary itself needs dates only.
  CHECK(included_by("case_types.h") == std::set<std::string>{"date.h"});
  // flow.h still offers the whole vocabulary to its users.
  CHECK(included_by("flow.h").count("case_types.h") == 1);
}

TEST_CASE("surface.no_detail_types_in_public_headers") {
  // status.h declares the one function Result::value() calls on an error
  // (detail::value_of_failed_result): a declaration, no type.
  static const std::regex detail_use(R"(\bdetail::([A-Za-z_]+))");
  static const std::regex detail_namespace(R"(\bnamespace\s+detail\b)");
  std::size_t headers = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kHeaders)) {
    if (entry.path().extension() != ".h") continue;
    ++headers;
    const std::string name = entry.path().filename().string();
    const std::string text = read(entry.path());
    for (std::sregex_iterator it(text.begin(), text.end(), detail_use), end; it != end; ++it) {
      const bool allowed = name == "status.h" && (*it)[1] == "value_of_failed_result";
      CHECK_MESSAGE(allowed, name, " names ", it->str());
    }
    if (name != "status.h") CHECK_MESSAGE(!std::regex_search(text, detail_namespace), name, " opens namespace detail");
  }
  CHECK(headers > 30);
}

TEST_CASE("surface.handles_are_made_by_the_library_only") {
  // A Completion refers to one of the engine's deliveries: only the engine
  // makes one that reports somewhere (a default one ignores every report).
  static_assert(!std::is_constructible_v<yilian::Completion, std::shared_ptr<yilian::Completion::State>>);
  static_assert(std::is_default_constructible_v<yilian::Completion>);
  // A Records is opened, never assembled from its parts.
  static_assert(!std::is_constructible_v<yilian::Records, std::unique_ptr<yilian::Records::Impl>>);
  // A FormChecker is built from a chain or a form only.
  static_assert(std::is_constructible_v<yilian::FormChecker, const yilian::Chain&>);
  static_assert(!std::is_default_constructible_v<yilian::FormChecker>);
  yilian::Completion none;
  CHECK(none.key().empty());
  none.report(yilian::Outcome::approved());  // reports nowhere, does not crash
}
