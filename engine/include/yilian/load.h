// Loading chains from YAML files: the usual entry point is load_chain(),
// which reads, checks and validates one file and reports every problem.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "yilian/chain.h"
#include "yilian/status.h"
#include "yilian/valid_chain.h"

namespace yilian {

/// Limits that keep a hostile or broken file from eating time or memory.
struct LoadOptions {
  std::size_t max_file_bytes = 4u << 20;  ///< larger files are refused before reading
  int max_depth = 32;                     ///< nesting of maps and lists
  /// YAML nodes after alias expansion. A chain of 10,000 matters (five
  /// fields, three materials and a few edges each) is about 300,000 nodes;
  /// real chains have under 100 matters. Raised from 200,000 so that such a
  /// chain loads (bench/bench_validate measures it); a billion-laughs file
  /// still stops here.
  std::size_t max_nodes = 1'000'000;
  std::size_t max_string_bytes = 64u << 10;  ///< one text value
  /// Where the base of a locality overlay (`extends: ID`) is looked for, as
  /// ID.yaml or ID.yml, after the overlay's own folder. The command line
  /// passes its chain search path ($YILIAN_CHAINS, ./chains, the installed
  /// chains).
  std::vector<std::string> chain_dirs;
  /// Bases held in memory as (file name, text), found by the file name's
  /// stem (ID for ID.yaml) before any folder is searched: the engine keeps
  /// an overlay's bases in its store with it, so that a case keeps the chain
  /// it started on when a base file changes later.
  std::vector<std::pair<std::string, std::string>> base_texts;
};

/// Reads a chain file: YAML syntax, the shape of every key (types, ranges,
/// unknown keys, duplicates) and the syntax of `when` conditions. A
/// locality overlay (`extends:`) is merged onto its base here: the result is
/// the merged chain, each element located in the file it came from, with
/// Chain::overlay listing the changes (docs/chain-format.md, "Localities"). Returns the
/// chain as far as it could be read (possibly partial) and its diagnostics;
/// does not check references between elements (see validate()). The chain
/// is always there (has_value()), partial when there are errors.
[[nodiscard]] Loaded<std::shared_ptr<Chain>> parse_chain_text(std::string_view yaml, const std::string& file_name,
                                                              const LoadOptions& options = {});
[[nodiscard]] Loaded<std::shared_ptr<Chain>> parse_chain_file(const std::string& path, const LoadOptions& options = {});

/// Reads and validates (validate() in analysis.h) one chain file, and warns
/// (`missing-file`) about each material's `blank_form` or `sample` that is
/// not a file beside it. The chain when there is no error (warnings may
/// remain), and every diagnostic in reading order. Thread-safe.
[[nodiscard]] Loaded<ValidChain> load_chain(const std::string& path, const LoadOptions& options = {});
/// The same for text held in memory; `file_name` is used in messages. The
/// files that materials name are not looked for (there is no folder).
[[nodiscard]] Loaded<ValidChain> load_chain_text(std::string_view yaml, const std::string& file_name,
                                                const LoadOptions& options = {});

/// The chain files under `path`: the file itself, or every *.yaml / *.yml
/// file of a folder (not recursing into `calendars/` or `scenarios/`),
/// sorted by name.
[[nodiscard]] Result<std::vector<std::string>> chain_files(const std::string& path);

}  // namespace yilian
