// yilian: the command line. `yilian <command> --help` teaches each command.
#include <fmt/format.h>

#include <cstdio>
#include <exception>

#include "allocator.h"
#include "commands.h"

namespace yilian::cli {
namespace {
int g_exit_code = exit_ok;
}
void set_exit_code(int code) { g_exit_code = code; }
int exit_code() { return g_exit_code; }
}  // namespace yilian::cli

int main(int argc, char** argv) {
  using namespace yilian::cli;
  CLI::App app{
      "yilian (一链): government service matters across departments, handled as one chain.\n"
      "Load and check chain definitions, plan them in working days, merge their forms,\n"
      "run cases on a durable store, and simulate a year of applications.",
      "yilian"};
  app.require_subcommand(1);
  app.fallthrough(false);
  app.set_version_flag("--version", "yilian 0.1.0 (" + yilian::programs::allocator_name() + ")");
  app.footer(
      "Exit codes: 0 success, 1 invalid input or failed check, 2 usage or I/O error.\n"
      "Run `yilian <command> --help` for the options of a command.");

  add_validate(app);
  add_plan(app);
  add_graph(app);
  add_calendar(app);
  add_deadline(app);
  add_form(app);
  add_guide(app);
  add_check(app);
  add_simulate(app);
  add_run(app);
  add_case(app);
  add_task(app);
  add_overdue(app);
  add_ratings(app);
  add_audit(app);
  add_account(app);
  add_serve(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? exit_ok : exit_usage;
  } catch (const std::exception& e) {
    // Commands report expected failures themselves; anything else is a bug
    // or an I/O failure, never a crash.
    std::fprintf(stderr, "yilian: error: %s\n", e.what());
    return exit_usage;
  }
  return exit_code();
}
