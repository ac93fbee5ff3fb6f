// The matters of a chain as a dependency graph (internal).
#pragma once

#include <cstdint>
#include <vector>

#include "yilian/analysis.h"
#include "yilian/chain.h"

namespace yilian::detail {

struct DependencyGraph {
  std::vector<std::vector<int>> preds;  ///< by matter index: the matters it comes after
  std::vector<std::vector<int>> succs;  ///< by matter index: the matters after it
  std::vector<int> topo;                ///< topological order; empty when there is a cycle
  std::vector<std::vector<int>> cycles; ///< each cycle in order, first matter not repeated

  [[nodiscard]] bool acyclic() const { return cycles.empty(); }
};

/// Builds the graph of `after` edges (unknown references are left out).
[[nodiscard]] DependencyGraph build_graph(const Chain& chain);

/// analyse() on the chain's graph, built once by a caller that has it.
[[nodiscard]] Analysis analyse(const Chain& c, const DependencyGraph& g, const FieldValues* scenario,
                               std::optional<Date> on);

/// Ancestor sets (transitive `after`) as bit rows, computed on demand.
class Ancestry {
 public:
  explicit Ancestry(const DependencyGraph& g);
  [[nodiscard]] bool is_ancestor(int ancestor, int of) const {
    return (rows_[static_cast<std::size_t>(of)][static_cast<std::size_t>(ancestor) / 64] >>
            (static_cast<std::size_t>(ancestor) % 64)) & 1u;
  }

 private:
  std::vector<std::vector<std::uint64_t>> rows_;
};

}  // namespace yilian::detail
