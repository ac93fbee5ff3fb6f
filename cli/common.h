// Helpers shared by the commands: finding and loading chains, printing
// diagnostics, JSON output.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "yilian/chain.h"
#include "yilian/load.h"
#include "yilian/valid_chain.h"
#include "yilian/status.h"

namespace yilian::cli {

/// Where chain ids are looked up: $YILIAN_CHAINS, ./chains, the installed
/// share folder.
std::vector<std::string> chain_search_path();

/// Load options whose chain_dirs is the search path: the base of a
/// locality overlay (`extends: ID`) is found as ID.yaml beside the overlay
/// or in these folders.
LoadOptions chain_load_options();

/// Resolves a CHAIN argument: a file path, or a chain id found as
/// <dir>/<id>.yaml on the search path. Empty when nothing matches.
std::string resolve_chain(const std::string& arg);

/// Loads the chain named by `arg`, printing diagnostics to stderr (warnings
/// too unless `quiet`). On failure sets the exit code (1 invalid, 2 not
/// found) and returns null.
std::optional<ValidChain> load_chain_or_report(const std::string& arg, bool quiet = false);

/// Prints diagnostics to stderr, coloured when stderr is a terminal.
void print_diagnostics(const Diagnostics& diags);

/// A diagnostic as JSON: severity, code, message, file, line, column, path, hint.
nlohmann::json to_json(const Diagnostic& d);
nlohmann::json to_json(const Diagnostics& d);

/// Prints a JSON document on stdout (two-space indent, UTF-8 kept).
void print_json(const nlohmann::json& j);

/// Reports a usage or I/O error on stderr and sets exit code 2.
void usage_error(const std::string& message);

/// Writes text to `path`, or to stdout when `path` is empty or "-". On
/// failure reports a usage/I-O error (exit 2) and returns false.
bool write_output(const std::string& path, const std::string& text);

/// True when the stream is a terminal (for colour and progress bars).
bool is_terminal(int fd);

/// Display width of UTF-8 text in a terminal (CJK characters count 2).
std::size_t display_width(std::string_view s);
/// Pads (or truncates with …) UTF-8 text to a display width. The text is
/// made printable first (text.h): a table cell never carries control
/// characters or escape sequences to the terminal.
std::string pad(std::string_view s, std::size_t width);

/// "1 working day", "3 working days": a count with its noun (`many`
/// defaults to `one` + "s").
std::string plural(long long n, std::string_view one, std::string_view many = {});

}  // namespace yilian::cli
