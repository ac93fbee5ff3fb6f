// `yilian graph --format bpmn [--scenario FILE] [-o FILE]`: output, the
// scenario's errors and exit codes.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli_support.h"

using yilian::test::run_cli;

namespace bpmn_cli_test {

namespace {
std::string temp_file(const std::string& name, const std::string& text) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("yilian-bpmn-cli-" + std::to_string(::getpid()) + "-" + name)).string();
  std::ofstream(path) << text;
  return path;
}
}  // namespace

TEST_CASE("cli.graph.bpmn") {
  auto r = run_cli("graph kindergarten-setup --format bpmn");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<bpmn:definitions", 0) == 0);
  CHECK(r.out.find("<bpmn:process id=\"kindergarten-setup\"") != std::string::npos);
  CHECK(r.out.find("zeebe:taskDefinition type=\"dept-") != std::string::npos);

  // -o writes the same document.
  const std::string out = temp_file("out.bpmn", "");
  REQUIRE(run_cli("graph tests/bpmn/branching.yaml --format bpmn -o '" + out + "'").exit_code == 0);
  std::stringstream written;
  written << std::ifstream(out).rdbuf();
  CHECK(written.str() == run_cli("graph tests/bpmn/branching.yaml --format bpmn").out);
  std::remove(out.c_str());

  // --scenario: decided conditions, bad values, wrong format.
  const std::string good = temp_file("good.json", R"({"fields": {"site.children_area": 500, "school.nature": "nonprofit",
                                                      "school.serves_meals": false}})");
  auto s = run_cli("graph tests/bpmn/branching.yaml --format bpmn --scenario '" + good + "'");
  REQUIRE(s.exit_code == 0);
  CHECK(s.out.find("Task_fire-acceptance") == std::string::npos);
  CHECK(s.out.find("Task_food-permit") == std::string::npos);
  CHECK(s.out.find("<bpmn:serviceTask id=\"Task_fire-filing\"") != std::string::npos);
  CHECK(s.out.find("<bpmn:conditionExpression") == std::string::npos);
  const std::string bad = temp_file("bad.yaml", "site.children_area: many\nno.such: 1\n");
  auto b = run_cli("graph tests/bpmn/branching.yaml --format bpmn --scenario '" + bad + "'", true);
  CHECK(b.exit_code == 1);
  CHECK(b.out.find(":1:") != std::string::npos);
  CHECK(b.out.find("unknown-field") != std::string::npos);
  CHECK(run_cli("graph tests/bpmn/branching.yaml --format bpmn --scenario /nonexistent.yaml").exit_code == 2);
  CHECK(run_cli("graph tests/bpmn/branching.yaml --format dot --scenario '" + good + "'").exit_code == 2);
  std::remove(good.c_str());
  std::remove(bad.c_str());
}

}  // namespace bpmn_cli_test
