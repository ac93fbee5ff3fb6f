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
#include <utility>
#include <vector>

#include "yilian/adapter.h"
#include "yilian/analysis.h"
#include "yilian/application.h"
#include "yilian/calendar_load.h"
#include "yilian/deployment.h"
#include "yilian/field_values.h"
#include "yilian/check.h"
#include "yilian/flow.h"
#include "yilian/load.h"
#include "yilian/records.h"
#include "yilian/scenario.h"
#include "yilian/simulate.h"

namespace public_surface_test {

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

// What needs a validated chain takes a ValidChain, and nothing else.
template <class C>
concept compilable = requires(const C& c, yilian::Calendar cal) { yilian::FlowChain::compile(c, cal); };
template <class C>
concept analysable = requires(const C& c) { yilian::analyse(c); };
template <class C>
concept dated = requires(const C& c, yilian::Date d) { yilian::chain_as_on(c, d); };
template <class C>
concept simulable = requires(const C& c, const yilian::Calendar& cal, const yilian::Scenario& s) {
  yilian::simulate(c, cal, s);
};

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

TEST_CASE("surface.valid_chain.only_validation_makes_one") {
  using namespace yilian;
  static_assert(!std::is_constructible_v<ValidChain, std::shared_ptr<const Chain>>);
  static_assert(!std::is_constructible_v<ValidChain, const Chain&>);
  static_assert(!std::is_default_constructible_v<ValidChain>);
  static_assert(std::is_copy_constructible_v<ValidChain>);
  static_assert(compilable<ValidChain> && !compilable<std::shared_ptr<const Chain>> && !compilable<Chain>);
  static_assert(analysable<ValidChain> && !analysable<Chain> && !analysable<std::shared_ptr<const Chain>>);
  static_assert(dated<ValidChain> && !dated<Chain>);
  static_assert(simulable<ValidChain> && !simulable<std::shared_ptr<const Chain>>);

  // A chain with a cycle is refused by validated(), with the validator's
  // error, and so never compiled.
  auto cyclic = std::make_shared<Chain>();
  cyclic->id = "loop";
  cyclic->name = "环";
  cyclic->lead = "x";
  cyclic->promised_days = 5;
  cyclic->departments.push_back(Department{"x", "甲", {}});
  for (const char* id : {"a", "b"}) {
    Matter m;
    m.id = id;
    m.name = id;
    m.department = "x";
    m.statutory_days = 5;
    m.promised_days = 2;
    m.after.push_back(Ref{std::string(id) == "a" ? "b" : "a", {}});
    cyclic->matters.push_back(std::move(m));
  }
  cyclic->build_index();
  Loaded<ValidChain> refused = validated(cyclic);
  CHECK_FALSE(refused.has_value());
  bool cycle = false;
  for (const auto& d : refused.diagnostics) cycle = cycle || d.code == "cycle";
  CHECK_MESSAGE(cycle, "no cycle error");
  CHECK_FALSE(validated(nullptr).has_value());

  // Broken apart, the same matters pass, and the chain compiles.
  cyclic->matters[0].after.clear();
  cyclic->build_index();
  Loaded<ValidChain> accepted = validated(cyclic);
  for (const auto& d : accepted.diagnostics) MESSAGE(d.to_string());
  REQUIRE(accepted.ok());
  CHECK(accepted.value().ptr() == cyclic);
  CHECK(FlowChain::compile(accepted.value(), Calendar())->matter_count() == 2);
  CHECK(analyse(accepted.value()).stages.size() == 2);
}

TEST_CASE("surface.valid_chain.reader_errors_leave_no_chain") {
  // The part of the file that could be read is valid, but the reader found
  // an error (an unknown key): loading gives diagnostics and no chain.
  const char* text = R"(id: one
version: 1
name: 一件事
lead: x
promised_days: 5
departments: { x: { name: 甲 } }
matters:
  - { id: a, name: 甲事项, department: x, statutory_days: 5, promised_days: 2, colour: red }
)";
  yilian::Loaded<yilian::ValidChain> r = yilian::load_chain_text(text, "one.yaml");
  CHECK_FALSE(r.has_value());
  CHECK(r.diagnostics.has_errors());
  const std::string fixed = std::string(text).replace(std::string(text).find(", colour: red"), 13, "");
  yilian::Loaded<yilian::ValidChain> ok = yilian::load_chain_text(fixed, "one.yaml");
  for (const auto& d : ok.diagnostics) MESSAGE(d.to_string());
  CHECK(ok.ok());
}

TEST_CASE("surface.architecture_lists_every_public_header") {
  // docs/architecture.md names each public header in the layer that defines it.
  const std::string doc = read(std::filesystem::path(YILIAN_SOURCE_DIR) / "docs/architecture.md");
  REQUIRE(!doc.empty());
  std::size_t headers = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kHeaders)) {
    if (entry.path().extension() != ".h") continue;
    ++headers;
    const std::string name = "`" + entry.path().filename().string() + "`";
    CHECK_MESSAGE(doc.find(name) != std::string::npos, "docs/architecture.md does not list ", name);
  }
  CHECK(headers > 30);
}

TEST_CASE("surface.loaded.every_reader_gives_one_result_type") {
  using namespace yilian;
  static_assert(std::is_same_v<decltype(load_chain("")), Loaded<ValidChain>>);
  static_assert(std::is_same_v<decltype(load_chain_text("", "")), Loaded<ValidChain>>);
  static_assert(std::is_same_v<decltype(parse_chain_text("", "")), Loaded<std::shared_ptr<Chain>>>);
  static_assert(std::is_same_v<decltype(load_application("")), Loaded<Application>>);
  static_assert(std::is_same_v<decltype(parse_field_values("", "")), Loaded<FieldValues>>);
  static_assert(std::is_same_v<decltype(load_calendar("", {})), Loaded<Calendar>>);
  static_assert(std::is_same_v<decltype(load_deployment("")), Loaded<Deployment>>);
  static_assert(std::is_same_v<decltype(load_scenario_text("", "", std::declval<const Chain&>())), Loaded<Scenario>>);
  // An application with an error gives no application, and says why.
  Loaded<Application> bad = parse_application_text("chain: x\nfields: [1, 2]\n", "a.yaml");
  CHECK_FALSE(bad.ok());
  CHECK_FALSE(bad.has_value());
  CHECK(bad.diagnostics.has_errors());
}

TEST_CASE("surface.loaded.every_reader_takes_the_caller_s_limits") {
  // One conversion of LoadOptions into the YAML reader's limits serves
  // every input; the scenario loader's limits were hard-coded before.
  using namespace yilian;
  const std::string deep = "a: {b: {c: {d: {e: 1}}}}\n";
  LoadOptions shallow;
  shallow.max_depth = 2;
  auto has_depth_error = [](const Diagnostics& diags) {
    for (const auto& d : diags)
      if (d.code == "limit-depth") return true;
    return false;
  };
  auto chain = load_chain_text("id: x\nversion: 1\nname: 甲\nlead: x\npromised_days: 1\n"
                               "departments: { x: { name: 甲 } }\n"
                               "matters:\n  - { id: a, name: 甲, department: x, statutory_days: 1, promised_days: 1 }\n",
                               "x.yaml");
  REQUIRE(chain.ok());
  CHECK(has_depth_error(load_scenario_text(deep, "s.yaml", *chain.value(), shallow).diagnostics));
  CHECK_FALSE(has_depth_error(load_scenario_text(deep, "s.yaml", *chain.value()).diagnostics));
  CHECK(has_depth_error(parse_application_text(deep, "a.yaml", shallow).diagnostics));
  CHECK(has_depth_error(parse_field_values(deep, "v.yaml", nullptr, shallow).diagnostics));
  CHECK(has_depth_error(parse_deployment_text(deep, "d.yaml", ".", shallow).diagnostics));
  CHECK(has_depth_error(load_chain_text(deep, "c.yaml", shallow).diagnostics));
}

TEST_CASE("surface.layers.load_includes_no_runtime_header") {
  // The load layer sits above the runtime (docs/architecture.md): the
  // deployment reader, which fills the engine's settings, lives in runtime/.
  static const std::regex include(R"re(#include\s+"([a-z_/]+\.h)")re");
  const std::set<std::string> runtime{"yilian/engine.h", "yilian/engine_options.h", "yilian/adapter.h",
                                      "yilian/request.h", "yilian/records.h", "yilian/deployment.h"};
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(YILIAN_SOURCE_DIR) / "engine/src/load")) {
    ++files;
    const std::string text = read(entry.path());
    for (std::sregex_iterator it(text.begin(), text.end(), include), end; it != end; ++it) {
      const std::string h = (*it)[1];
      CHECK_MESSAGE(runtime.count(h) == 0, entry.path().filename().string(), " includes ", h);
      CHECK_MESSAGE(!h.starts_with("runtime/"), entry.path().filename().string(), " includes ", h);
    }
  }
  CHECK(files > 5);
}

}  // namespace public_surface_test
