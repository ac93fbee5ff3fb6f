// Helpers shared by the engine commands (run, case, task, overdue, audit):
// the --db option, opening the store for reading or for one-off requests,
// exit codes from a Status, form values from KEY=VALUE.
#pragma once

#include <CLI/CLI.hpp>
#include <signal.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <optional>

#include "yilian/analysis.h"
#include "yilian/engine.h"
#include "yilian/flow.h"
#include "yilian/form.h"
#include "yilian/records.h"
#include "yilian/schedule.h"

namespace yilian::cli {

/// Adds --db FILE (default $YILIAN_DB) to `cmd`.
void add_db_option(CLI::App& cmd, std::string& db);

/// Adds --officer NAME to a command that changes a case or task: who does
/// it, written into the log entry (default $YILIAN_OFFICER, else the
/// operating-system user).
void add_officer_option(CLI::App& cmd, std::string& officer);
/// The CLI's actor: `officer` with role admin (whoever holds the store file
/// may do everything) and channel cli.
Actor cli_actor(const std::string& officer);

/// Blocks SIGINT and SIGTERM in this thread, before any engine or server
/// thread starts (threads inherit the mask), so that only this thread takes
/// them, with sigwaitinfo or sigtimedwait on the set returned.
sigset_t block_stop_signals();

/// The local clock of the engine commands: $YILIAN_NOW ("2025-03-12T08:00",
/// for demos and tests) or the system clock in UTC+8.
std::function<Instant()> engine_clock();

/// Opens the store for reading; on failure reports and sets the exit code.
std::unique_ptr<Records> open_records(const std::string& db);
/// Opens a client (own recording engine, or the running engine's inbox).
std::unique_ptr<Client> open_client(const std::string& db);

/// Opens this process's engine on `db`. On a PostgreSQL store where another
/// engine is active it stands by (DESIGN.md "Stores"): `say`s so once, then
/// tries again after each `pause` (one second; false when a stop signal
/// came: null, `stopped` set) until it takes over, and says that (also at
/// once when `standing_by`: an engine that lost its store). Any other
/// failure is reported (null).
std::unique_ptr<Engine> open_active(const std::string& db, EngineOptions options, const std::function<bool()>& pause,
                                    const std::function<void(const std::string&)>& say, bool& stopped,
                                    bool standing_by = false);

/// Reports a failed Status on stderr and sets the exit code: 1 for input
/// that is wrong (invalid, not found, conflict), 2 for I/O and the rest.
void report(const Status& s);

/// "true"/"false", integers, numbers, "[a, b]" a set of values, otherwise text.
Value parse_value(const std::string& s);
/// KEY=VALUE pairs as form values; reports a malformed one (exit 2).
std::optional<FieldValues> parse_assignments(const std::vector<std::string>& pairs, const char* option);

/// Prints what a request did (JSON with --json).
void print_receipt(const Receipt& r, const std::string& what, bool json);

/// "2025-03-03 09:00".
std::string format_instant(Instant i);

nlohmann::json to_json(const Actor& a);
/// A material file (`case files --json`, the HTTP API's file lists).
nlohmann::json file_json(const MaterialFile& f);
/// {"files": [...]}.
nlohmann::json files_json(const std::vector<MaterialFile>& files);
/// The receipt document of every command that changes a case or task
/// (`--json`), and of the HTTP API's writes.
nlohmann::json receipt_json(const Receipt& r);
/// `case submit --json`: the new case and what the 一次告知 lists.
/// 容缺受理: the deferred materials still to bring and their due day.
nlohmann::json submit_document(const Receipt& r, const std::string& chain, int version,
                               const std::vector<FlowChain::Missing>& missing,
                               const std::vector<DeferredView>& deferred = {}, const std::optional<Date>& due = {});
/// `ratings --json` and GET /api/v1/ratings: 好差评 statistics.
nlohmann::json ratings_document(const RatingStats& s);
/// `overdue --json`: the yellow and red limits by department.
/// The 督办 board: yellow and red limits by department, and the revocations
/// (告知承诺) since `since`.
nlohmann::json overdue_document(const std::vector<OverdueEntry>& late, const std::vector<Revocation>& revoked,
                                Date since, Date today);
/// The revocations the board shows by default: those of the last 30 days.
inline Date default_revoked_since(Date today) { return today - 30; }
/// `task list --json`.
nlohmann::json tasks_document(const std::vector<WorkItem>& items);
/// `audit verify --json`.
nlohmann::json audit_document(const AuditReport& r);
/// `plan --json` (cmd_plan.cpp), also served by GET /api/v1/chains/{id}.
nlohmann::json plan_document(const Chain& chain, const Analysis& a, const FormStats& stats,
                             const std::optional<Schedule>& dates);
nlohmann::json to_json(const TaskView& t);
nlohmann::json to_json(const CaseView& v);
nlohmann::json to_json(const RatingView& r);
nlohmann::json to_json(const CaseSummary& c);

}  // namespace yilian::cli
