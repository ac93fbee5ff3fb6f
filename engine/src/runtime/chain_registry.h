// The chain versions an engine (or a reader) works with: each stored text
// parsed, validated and compiled for the flow once, with its calendar, and
// kept by (id, version). A case always looks up the version it started on.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/store.h"
#include "yilian/calendar.h"
#include "yilian/check.h"
#include "yilian/flow.h"
#include "yilian/form.h"
#include "yilian/records.h"

namespace yilian::detail {

struct ChainEntry {
  StoredChain stored;
  std::shared_ptr<const FlowChain> flow;
  /// The chain's one form, compiled for checking applications.
  std::shared_ptr<const FormChecker> checker;
  /// What each department may see of a case (data minimisation), from that form.
  std::shared_ptr<const DepartmentViews> views;
  /// For each matter, for each material it needs: the index of the matter
  /// that issues the material, or -1 (a delivery's materials held, without
  /// looking names up).
  std::vector<std::vector<int>> issuers;
  /// The materials the matters need, sorted, each once; and for each matter,
  /// for each material it needs, its place in that list (a case's materials
  /// are matched against the chain once, not by name per delivery).
  std::vector<std::string> materials;
  std::vector<std::vector<std::uint32_t>> material_places;
};

/// A chain as the store keeps it: its text, the text's SHA-256, the file name.
[[nodiscard]] StoredChain stored_chain(std::string text, std::string file_name);

/// Reads a chain file (at most 4 MiB). It is stored under its absolute
/// path, so that the calendars beside it are found again from any working
/// directory.
[[nodiscard]] Result<StoredChain> read_chain_file(const std::string& path);

/// Thread-safe.
class ChainRegistry {
 public:
  /// `calendar_dirs` are searched first; then the rest of
  /// calendar_search_dirs() ($YILIAN_CALENDARS, ./chains/calendars, the
  /// calendars/ folder beside each chain file compiled, the installation)
  /// and the built-in calendars.
  explicit ChainRegistry(std::vector<std::string> calendar_dirs);

  /// Parses, validates and compiles a chain text (the calendar it names is
  /// loaded from the calendar directories). invalid_input with every error
  /// diagnostic in the message, or not_found for a missing calendar.
  Result<std::shared_ptr<const ChainEntry>> compile(StoredChain stored);
  void add(std::shared_ptr<const ChainEntry> entry);
  [[nodiscard]] std::shared_ptr<const ChainEntry> find(std::string_view id, int version) const;
  /// The entry in memory, else the one in the store (compiled and added).
  /// Without a version: the store's latest version of the id.
  Result<std::shared_ptr<const ChainEntry>> get(Store& store, std::string_view id, std::optional<int> version);

 private:
  Result<Calendar> calendar(const std::string& name);

  /// A chain file whose calendars/ folder is searched. compile() adds the
  /// chain's file (loaders store the file's absolute path, so a later
  /// process finds the calendar from any working directory).
  void add_chain_file(const std::string& file);

  mutable std::mutex mu_;
  std::vector<std::string> dirs_;         // the explicit folders
  std::vector<std::string> chain_files_;  // chains compiled, for calendars_beside()
  std::map<std::string, Calendar, std::less<>> calendars_;
  std::map<std::pair<std::string, int>, std::shared_ptr<const ChainEntry>, std::less<>> entries_;
};

/// A reader (records.h) of the store at `path` that shares `registry`: the
/// engine's own, which finds the chains the engine compiled (records.cpp).
[[nodiscard]] Result<std::unique_ptr<Records>> open_records(const std::string& path,
                                                            std::shared_ptr<ChainRegistry> registry,
                                                            std::function<Instant()> clock);

}  // namespace yilian::detail
