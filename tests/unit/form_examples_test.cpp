// examples/applications: each <chain>-complete.* checks as complete and each
// <chain>-incomplete.* as incomplete against the real chain, through the
// library and through the command line (exit codes 0 and 1).
#include <doctest/doctest.h>

#include <filesystem>
#include <set>

#include "cli_support.h"
#include "yilian/application.h"
#include "yilian/check.h"
#include "yilian/load.h"

using namespace yilian;
namespace fs = std::filesystem;

TEST_CASE("form.examples.complete_and_incomplete") {
  const fs::path dir = fs::path(YILIAN_SOURCE_DIR) / "examples/applications";
  std::set<std::string> complete_chains, incomplete_chains;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    CAPTURE(name);
    ApplicationLoad a = load_application(e.path().string());
    REQUIRE(a.application);
    LoadResult chain = load_chain(std::string(YILIAN_SOURCE_DIR) + "/chains/" + a.application->chain + ".yaml");
    REQUIRE(chain.chain);
    const CheckResult r = check_application(*chain.chain, *a.application);
    const bool want_complete = name.find("-complete.") != std::string::npos;
    REQUIRE((want_complete || name.find("-incomplete.") != std::string::npos));
    CHECK(name.rfind(a.application->chain + "-", 0) == 0);
    CHECK(r.complete == want_complete);
    if (want_complete) {
      CHECK(r.ignored.empty());  // an example carries nothing the chain does not use
      complete_chains.insert(a.application->chain);
    } else {
      CHECK(!r.missing.empty());
      incomplete_chains.insert(a.application->chain);
    }
    const auto cli = test::run_cli("check " + a.application->chain + " 'examples/applications/" + name + "'");
    CHECK(cli.exit_code == (want_complete ? 0 : 1));
  }
  CHECK(complete_chains.size() >= 3);
  CHECK(complete_chains == incomplete_chains);
}
