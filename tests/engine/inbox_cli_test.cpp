// Many `yilian case submit` at once, with no engine running: each waits for
// the others and applies its own request; none is queued, none is lost,
// none is applied twice — on a store that exists and on one that does not.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "../unit/cli_support.h"
#include "../unit/engine_fixture.h"
#include "cli_env.h"
#include "process.h"

using namespace yilian;
using namespace yilian::test;

namespace inbox_cli_test {

TEST_CASE("engine.inbox.parallel_commands_without_an_engine_each_apply_once") {
  for (const bool fresh : {true, false}) {
    CAPTURE(fresh);
    ScratchDir dir(fresh ? "parallel-fresh" : "parallel-existing");
    const std::string db = dir.file("cases.db");
    Env now("YILIAN_NOW", "2025-03-03T09:00");
    if (!fresh)
      REQUIRE(run_cli("case submit kindergarten-setup examples/applications/kindergarten-setup-complete.yaml --db " + db)
                  .exit_code == 0);
    constexpr int n = 12;
    std::vector<pid_t> pids;
    for (int i = 0; i < n; ++i) {
      const std::string cmd = "cd '" + std::string(YILIAN_SOURCE_DIR) + "' && exec '" + YILIAN_CLI +
                              "' case submit kindergarten-setup examples/applications/kindergarten-setup-complete.yaml "
                              "--db '" + db + "'";
      pids.push_back(spawn({"/bin/sh", "-c", cmd}, dir.file("submit-" + std::to_string(i) + ".out")));
      REQUIRE(pids.back() > 0);
    }
    int ok = 0;
    for (int i = 0; i < n; ++i) {
      const int rc = wait_for(pids[static_cast<std::size_t>(i)], std::chrono::seconds(120));
      if (rc == -1000) kill_hard(pids[static_cast<std::size_t>(i)]);
      CHECK_MESSAGE(rc == 0, read_file(dir.file("submit-" + std::to_string(i) + ".out")));
      ok += rc == 0;
    }
    CHECK(ok == n);
    const auto list = parse(run_cli("case list --json --db " + db));
    CHECK(list["cases"].size() == static_cast<std::size_t>(n + (fresh ? 0 : 1)));
    // Nothing was left in the inbox to be applied later by someone else.
    CHECK(parse(run_cli("audit verify --json --db " + db))["ok"] == true);
    const auto again = parse(run_cli("case list --json --db " + db));
    CHECK(again["cases"].size() == list["cases"].size());
  }
}

}  // namespace inbox_cli_test
