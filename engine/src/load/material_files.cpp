#include "load/material_files.h"

#include <fmt/format.h>

#include <filesystem>

namespace yilian::detail {

void check_material_files(const Chain& chain, const std::string& chain_path, Diagnostics& out) {
  namespace fs = std::filesystem;
  const fs::path folder = fs::path(chain_path).parent_path();
  auto check = [&](const Material& m, const std::string& file, const SourceLocation& where, std::string_view key,
                   std::string_view what) {
    if (file.empty()) return;
    const fs::path full = folder / fs::path(file);
    std::error_code ec;
    if (fs::is_regular_file(full, ec)) return;
    out.add({Severity::warning, "missing-file",
             fmt::format("the {} of material `{}` ({}) is not found: {}", what, m.id, m.name, full.string()),
             where, fmt::format("materials.{}.{}", m.id, key),
             "paths are relative to the folder of the chain file"});
  };
  for (const auto& m : chain.materials) {
    check(m, m.blank_form, m.blank_form_where, "blank_form", "blank form (空表)");
    check(m, m.sample, m.sample_where, "sample", "sample (示范样本)");
  }
}

}  // namespace yilian::detail
