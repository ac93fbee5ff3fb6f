// Generates large synthetic chains for the benchmarks: layered DAGs with a
// chosen number of matters and `after` edges, departments, a field catalogue,
// materials and some conditional matters. Deterministic for a seed.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace yilian::bench {

struct GenOptions {
  int matters = 2000;
  int edges = 5000;
  int departments = 20;
  int catalogue = 200;         ///< catalogue fields
  int fields_per_matter = 5;
  int materials = 100;
  int materials_per_matter = 3;
  int layer_width = 40;        ///< matters per layer
  double conditional_share = 0.1;
  std::uint64_t seed = 42;
};

/// The chain as YAML text (id `generated`).
inline std::string generate_chain(const GenOptions& o) {
  std::mt19937_64 rng(o.seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::string y = fmt::format(
      "id: generated\nversion: 1\nname: 生成链\nlead: d0\npromised_days: 1000\ndepartments:\n");
  for (int d = 0; d < o.departments; ++d) y += fmt::format("  d{}: {{ name: 部门{} }}\n", d, d);
  y += "fields:\n  gen.flag: { label: 条件开关, type: boolean }\n  gen.size: { label: 规模, type: integer, min: 0 }\n";
  for (int f = 0; f < o.catalogue; ++f)
    y += fmt::format("  f.k{}: {{ label: 字段{}, type: {} }}\n", f, f, f % 3 == 0 ? "integer" : "string");
  y += "materials:\n";
  for (int m = 0; m < o.materials; ++m) y += fmt::format("  mat{}: {{ name: 材料{} }}\n", m, m);

  // Edges only from earlier layers to later ones keep the graph acyclic.
  std::vector<std::set<int>> after(static_cast<std::size_t>(o.matters));
  const int width = std::max(1, o.layer_width);
  int placed = 0, guard = 0;
  while (placed < o.edges && guard++ < o.edges * 20) {
    const int m = uniform(width, o.matters - 1);
    const int layer = m / width;
    const int p = uniform(std::max(0, (layer - 3) * width), layer * width - 1);
    if (after[static_cast<std::size_t>(m)].insert(p).second) ++placed;
  }
  y += "matters:\n";
  for (int m = 0; m < o.matters; ++m) {
    const int statutory = uniform(5, 30);
    y += fmt::format("  - id: m{}\n    name: 事项{}\n    department: d{}\n    statutory_days: {}\n    promised_days: {}\n",
                     m, m, uniform(0, o.departments - 1), statutory, uniform(1, statutory));
    std::set<int> fields;
    while (static_cast<int>(fields.size()) < std::min(o.fields_per_matter, o.catalogue)) fields.insert(uniform(0, o.catalogue - 1));
    y += "    fields: [";
    bool first = true;
    for (int f : fields) {
      y += fmt::format("{}f.k{}", first ? "" : ", ", f);
      first = false;
    }
    y += "]\n    materials: [";
    std::set<int> mats;
    while (static_cast<int>(mats.size()) < std::min(o.materials_per_matter, o.materials)) mats.insert(uniform(0, o.materials - 1));
    first = true;
    for (int x : mats) {
      y += fmt::format("{}mat{}", first ? "" : ", ", x);
      first = false;
    }
    y += "]\n";
    const auto& a = after[static_cast<std::size_t>(m)];
    if (!a.empty()) {
      y += "    after: [";
      first = true;
      for (int p : a) {
        y += fmt::format("{}m{}", first ? "" : ", ", p);
        first = false;
      }
      y += "]\n";
    }
    if (std::uniform_real_distribution<double>(0, 1)(rng) < o.conditional_share)
      y += m % 2 ? "    when: gen.flag == true\n" : fmt::format("    when: gen.size >= {}\n", uniform(1, 100));
  }
  return y;
}

}  // namespace yilian::bench
