// The commands of `yilian`: each cmd_<name>.cpp adds one subcommand.
#pragma once

#include <CLI/CLI.hpp>

namespace yilian::cli {

// Each adds its subcommand to `app`; the subcommand's callback stores its
// exit code with set_exit_code().
void add_validate(CLI::App& app);
void add_plan(CLI::App& app);
void add_graph(CLI::App& app);
void add_calendar(CLI::App& app);
void add_deadline(CLI::App& app);
void add_form(CLI::App& app);
void add_guide(CLI::App& app);
void add_check(CLI::App& app);
void add_simulate(CLI::App& app);
void add_run(CLI::App& app);
void add_case(CLI::App& app);
/// `case attach` and `case files` (cmd_case_files.cpp), under the `case` command.
void add_case_files(CLI::App& case_cmd);
void add_task(CLI::App& app);
void add_overdue(CLI::App& app);
void add_ratings(CLI::App& app);
void add_audit(CLI::App& app);
void add_account(CLI::App& app);
void add_serve(CLI::App& app);

/// Exit codes of the command-line contract.
enum ExitCode : int { exit_ok = 0, exit_invalid = 1, exit_usage = 2 };

void set_exit_code(int code);
int exit_code();

}  // namespace yilian::cli
