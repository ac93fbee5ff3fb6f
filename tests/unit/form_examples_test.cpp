// examples/applications: each <chain>-complete.* checks as complete and each
// <chain>-incomplete.* as incomplete against the real chain, through the
// library and through the command line (exit codes 0 and 1). An incomplete
// example states in comments what the check must find, exactly and in order:
//   # expect-missing: field:KEY material:ID ...   (several lines add up)
//   # expect-invalid: KEY:CODE ...
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "cli_support.h"
#include "yilian/application.h"
#include "yilian/check.h"
#include "yilian/load.h"

using namespace yilian;
namespace fs = std::filesystem;

namespace form_examples_test {

namespace {

/// The items after every "# TAG:" comment line of the file, in order.
std::vector<std::string> expected(const fs::path& file, const std::string& tag) {
  std::ifstream in(file);
  std::vector<std::string> out;
  const std::string head = "# " + tag + ":";
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(head, 0) != 0) continue;
    std::istringstream words(line.substr(head.size()));
    for (std::string w; words >> w;) out.push_back(w);
  }
  return out;
}

}  // namespace

TEST_CASE("form.examples.complete_and_incomplete") {
  const fs::path dir = fs::path(YILIAN_SOURCE_DIR) / "examples/applications";
  std::set<std::string> complete_chains, incomplete_chains;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    CAPTURE(name);
    Loaded<Application> a = load_application(e.path().string());
    REQUIRE(a.ok());
    Loaded<ValidChain> chain = load_chain(std::string(YILIAN_SOURCE_DIR) + "/chains/" + a->chain + ".yaml");
    REQUIRE(chain.ok());
    const CheckResult r = check_application(*chain.value(), a.value());
    const bool want_complete = name.find("-complete.") != std::string::npos;
    REQUIRE((want_complete || name.find("-incomplete.") != std::string::npos));
    CHECK(name.rfind(a->chain + "-", 0) == 0);
    CHECK(r.complete == want_complete);
    if (want_complete) {
      CHECK(r.ignored.empty());  // an example carries nothing the chain does not use
      complete_chains.insert(a->chain);
    } else {
      std::vector<std::string> missing, invalid;
      for (const auto& m : r.missing) missing.push_back((m.kind == MissingItem::Kind::field ? "field:" : "material:") + m.key);
      for (const auto& i : r.invalid) invalid.push_back(i.key + ":" + i.code);
      const auto want_missing = expected(e.path(), "expect-missing");
      CHECK_MESSAGE(!(want_missing.empty() && expected(e.path(), "expect-invalid").empty()),
                    "an incomplete example says what it lacks (# expect-missing: / # expect-invalid:)");
      CHECK(missing == want_missing);
      CHECK(invalid == expected(e.path(), "expect-invalid"));
      incomplete_chains.insert(a->chain);
    }
    const auto cli = test::run_cli("check " + a->chain + " 'examples/applications/" + name + "'");
    CHECK(cli.exit_code == (want_complete ? 0 : 1));
  }
  CHECK(complete_chains.size() >= 3);
  CHECK(complete_chains == incomplete_chains);
}

}  // namespace form_examples_test
