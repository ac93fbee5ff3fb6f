// What the harnesses share: the repository's chains (loaded once, as the
// command loads them), and the checks every harness makes on what the
// library answers. Each harness is one translation unit, so these are inline.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "yilian/chain.h"
#include "yilian/load.h"
#include "yilian/status.h"

namespace yilian::fuzz {

/// A file of the source tree (YILIAN_SOURCE_DIR is set by fuzz/CMakeLists.txt).
inline std::string source_path(std::string_view relative) {
  return (std::filesystem::path(YILIAN_SOURCE_DIR) / relative).string();
}

/// A broken promise of the library: a finding, reported like a crash.
[[noreturn]] inline void violated(const char* what) {
  std::fprintf(stderr, "fuzz: contract violated: %s\n", what);
  std::abort();
}

/// The load options the command uses for chains: bases of overlays are
/// looked for among the repository's chains.
inline LoadOptions chain_options() {
  LoadOptions o;
  o.chain_dirs = {source_path("chains")};
  return o;
}

/// Every chain of chains/, loaded once; a chain that no longer loads is a
/// broken source tree, not a finding, and stops the harness at once.
inline const std::vector<ValidChain>& repository_chains() {
  static const std::vector<ValidChain> chains = [] {
    std::vector<ValidChain> out;
    auto files = chain_files(source_path("chains"));
    if (!files) violated("chains/ cannot be listed");
    for (const auto& f : *files) {
      Loaded<ValidChain> r = load_chain(f, chain_options());
      if (!r.ok()) {
        std::fprintf(stderr, "fuzz: %s does not load\n", f.c_str());
        std::abort();
      }
      out.push_back(r.value());
    }
    if (out.empty()) violated("no chains in chains/");
    return out;
  }();
  return chains;
}

/// The value of a top-level `chain: ID` line of a YAML text (applications
/// and scenarios name their chain so), or "".
inline std::string_view chain_id_in(std::string_view text) {
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    if (line.starts_with("chain:")) {
      line.remove_prefix(6);
      while (!line.empty() && (line.front() == ' ' || line.front() == '"' || line.front() == '\'')) line.remove_prefix(1);
      while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '"' || line.back() == '\''))
        line.remove_suffix(1);
      return line;
    }
    at = end + 1;
  }
  return {};
}

/// The repository chain whose id the text names, else hotel-restaurant (the
/// chain with the most kinds of field, commitments and deferrable materials).
inline const ValidChain& chain_for(std::string_view text) {
  const auto& chains = repository_chains();
  const std::string_view id = chain_id_in(text);
  const ValidChain* fallback = &chains.front();
  for (const auto& c : chains) {
    if (c->id == id) return c;
    if (c->id == "hotel-restaurant") fallback = &c;
  }
  return *fallback;
}

/// What the command does with diagnostics: formats every one. An error
/// must leave no result behind (checked by the caller) and every message
/// must be non-empty.
inline void print_all(const Diagnostics& diagnostics) {
  for (const Diagnostic& d : diagnostics) {
    if (d.message.empty()) violated("a diagnostic without a message");
    if (d.to_string().empty()) violated("a diagnostic formats to nothing");
  }
}

/// The input as text (the library takes any bytes).
inline std::string_view text_of(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace yilian::fuzz
