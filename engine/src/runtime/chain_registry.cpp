// Compiling stored chain texts once per version.
#include "runtime/chain_registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "yilian/calendar_load.h"
#include "yilian/load.h"

namespace yilian::detail {

namespace {

/// Before each base text kept with an overlay: "\n#@yilian-base FILE\n". A
/// YAML comment, so the overlay's own text and line numbers stay as written.
constexpr std::string_view kBaseMarker = "\n#@yilian-base ";

/// An overlay's text and the bases kept after it (file name, text).
std::pair<std::string_view, std::vector<std::pair<std::string, std::string>>> split_bundle(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> bases;
  std::size_t at = text.find(kBaseMarker);
  const std::string_view own = text.substr(0, at == std::string_view::npos ? text.size() : at + 1);
  while (at != std::string_view::npos) {
    const std::size_t name_at = at + kBaseMarker.size();
    const std::size_t eol = text.find('\n', name_at);
    if (eol == std::string_view::npos) break;
    const std::size_t next = text.find(kBaseMarker, eol);
    const std::size_t end = next == std::string_view::npos ? text.size() : next + 1;
    bases.emplace_back(std::string(text.substr(name_at, eol - name_at)), std::string(text.substr(eol + 1, end - eol - 1)));
    at = next;
  }
  return {own, std::move(bases)};
}

}  // namespace

StoredChain stored_chain(std::string text, std::string file_name) {
  // A locality overlay (`extends:`) is kept with the texts of its bases, so
  // that the chain a case started on does not change when a base file does
  // (and a changed base under the same id and version is refused by the
  // store as a different text).
  if (text.find("extends") != std::string::npos && text.find(kBaseMarker) == std::string::npos) {
    const Loaded<std::shared_ptr<Chain>> parsed = parse_chain_text(text, file_name);
    if (!parsed.diagnostics.has_errors() && !parsed.value()->extends.empty())
      for (const std::string& base : parsed.value()->base_files) {
        std::ifstream in(base, std::ios::binary);
        std::ostringstream ss;
        ss << in.rdbuf();
        if (!text.ends_with('\n')) text += '\n';
        text += fmt::format("{}{}\n{}", kBaseMarker.substr(1), base, ss.str());
      }
  }
  StoredChain sc;
  sc.sha256 = sha256_hex(text);
  sc.text = std::move(text);
  sc.file_name = std::move(file_name);
  return sc;
}

Result<StoredChain> read_chain_file(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return Status::io(fmt::format("{}: cannot read: {}", path, ec.message()));
  if (size > (4u << 20)) return Status::invalid(fmt::format("{}: larger than 4 MiB", path));
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (!in && !in.eof()) return Status::io(fmt::format("{}: cannot read", path));
  const std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  return stored_chain(ss.str(), ec ? path : absolute.lexically_normal().string());
}

ChainRegistry::ChainRegistry(std::vector<std::string> calendar_dirs) : dirs_(std::move(calendar_dirs)) {}

void ChainRegistry::add_chain_file(const std::string& file) {
  std::lock_guard lock(mu_);
  if (std::find(chain_files_.begin(), chain_files_.end(), file) == chain_files_.end()) chain_files_.push_back(file);
}

Result<Calendar> ChainRegistry::calendar(const std::string& name) {
  std::vector<std::string> dirs;
  {
    std::lock_guard lock(mu_);
    if (auto it = calendars_.find(name); it != calendars_.end()) return it->second;
    dirs = calendar_search_dirs(dirs_, chain_files_);
  }
  Loaded<Calendar> r = load_calendar(name, dirs);
  if (!r.ok()) {
    // The diagnostics name the folders searched and how to fix it.
    std::string msg = fmt::format("calendar `{}` could not be loaded", name);
    for (const auto& d : r.diagnostics)
      if (d.severity == Severity::error) msg += "\n  " + d.to_string();
    return Status::not_found(msg);
  }
  std::lock_guard lock(mu_);
  return calendars_.emplace(name, r.value()).first->second;
}

Result<std::shared_ptr<const ChainEntry>> ChainRegistry::compile(StoredChain stored) {
  auto [own, bases] = split_bundle(stored.text);
  LoadOptions options;
  options.base_texts = std::move(bases);
  Loaded<ValidChain> loaded = load_chain_text(own, stored.file_name, options);
  if (!loaded.ok()) {
    std::string msg = fmt::format("{}: the chain is not valid", stored.file_name);
    for (const auto& d : loaded.diagnostics)
      if (d.severity == Severity::error) msg += "\n  " + d.to_string();
    return Status::invalid(msg);
  }
  if (!stored.file_name.empty()) add_chain_file(stored.file_name);
  const Chain& chain = *loaded.value();
  auto cal = calendar(chain.calendar);
  if (!cal) return Status::error(cal.status().code(), fmt::format("chain {}: {}", chain.id, cal.status().message()));
  auto entry = std::make_shared<ChainEntry>();
  stored.id = chain.id;
  stored.version = chain.version;
  entry->stored = std::move(stored);
  entry->flow = FlowChain::compile(loaded.value(), *cal);
  // The flow's own checker: one merged form per chain version.
  entry->checker = std::shared_ptr<const FormChecker>(entry->flow, &entry->flow->checker());
  entry->views = std::make_shared<const DepartmentViews>(entry->checker->form());
  for (const Matter& m : chain.matters) {
    auto& issued_by = entry->issuers.emplace_back();
    for (const Ref& r : m.materials) {
      const Matter* issuer = chain.issuer_of(r.id);
      issued_by.push_back(issuer ? entry->flow->matter_index(issuer->id) : -1);
      entry->materials.push_back(r.id);
    }
  }
  std::sort(entry->materials.begin(), entry->materials.end());
  entry->materials.erase(std::unique(entry->materials.begin(), entry->materials.end()), entry->materials.end());
  for (const Matter& m : chain.matters) {
    auto& places = entry->material_places.emplace_back();
    for (const Ref& r : m.materials)
      places.push_back(static_cast<std::uint32_t>(
          std::lower_bound(entry->materials.begin(), entry->materials.end(), r.id) - entry->materials.begin()));
  }
  return std::shared_ptr<const ChainEntry>(std::move(entry));
}

void ChainRegistry::add(std::shared_ptr<const ChainEntry> entry) {
  std::lock_guard lock(mu_);
  entries_[{entry->stored.id, entry->stored.version}] = std::move(entry);
}

std::shared_ptr<const ChainEntry> ChainRegistry::find(std::string_view id, int version) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(std::make_pair(std::string(id), version));
  return it == entries_.end() ? nullptr : it->second;
}

Result<std::shared_ptr<const ChainEntry>> ChainRegistry::get(Store& store, std::string_view id,
                                                            std::optional<int> version) {
  if (!version) {
    auto latest = store.latest_chain_version(id);
    if (!latest) return latest.status();
    if (!*latest) return Status::not_found(fmt::format("chain {} is not loaded in this store", id));
    version = *latest;
  }
  if (auto e = find(id, *version)) return e;
  auto stored = store.chain(id, *version);
  if (!stored) return stored.status();
  if (!*stored) return Status::not_found(fmt::format("chain {} version {} is not loaded in this store", id, *version));
  auto compiled = compile(std::move(**stored));
  if (!compiled) return compiled.status();
  add(*compiled);
  return compiled;
}

}  // namespace yilian::detail
