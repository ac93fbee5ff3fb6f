#include "analysis/graph.h"

#include <algorithm>
#include <set>
#include <utility>

namespace yilian::detail {

DependencyGraph build_graph(const Chain& chain) {
  const std::size_t n = chain.matters.size();
  DependencyGraph dg;
  dg.preds.resize(n);
  dg.succs.resize(n);
  for (std::size_t m = 0; m < n; ++m) {
    for (const auto& ref : chain.matters[m].after) {
      auto p = chain.matter_index(ref.id);
      // Unknown references and self-dependencies are reported by validate();
      // the graph leaves them out.
      if (!p || *p == m) continue;
      dg.preds[m].push_back(static_cast<int>(*p));
      dg.succs[*p].push_back(static_cast<int>(m));
    }
  }

  // One depth-first search gives both the cycles and the topological
  // order. It visits as boost::depth_first_search and boost::topological_sort
  // visited before (graph_test.cpp compares them): roots in matter order,
  // each matter's successors in the order their `after` were read. A back
  // edge u -> v closes the cycle v -> ... -> u -> v along the search tree;
  // the reverse of the finishing order is a topological order.
  enum : char { white, gray, black };
  std::vector<char> color(n, white);
  std::vector<int> parent(n);
  for (std::size_t i = 0; i < n; ++i) parent[i] = static_cast<int>(i);
  std::vector<int> finished;
  finished.reserve(n);
  std::vector<std::pair<int, std::size_t>> stack;  // a matter and its next successor to look at
  for (std::size_t root = 0; root < n; ++root) {
    if (color[root] != white) continue;
    color[root] = gray;
    stack.emplace_back(static_cast<int>(root), 0);
    while (!stack.empty()) {
      const int u = stack.back().first;
      const auto& next = dg.succs[static_cast<std::size_t>(u)];
      const std::size_t i = stack.back().second;
      if (i == next.size()) {
        color[static_cast<std::size_t>(u)] = black;
        finished.push_back(u);
        stack.pop_back();
        continue;
      }
      ++stack.back().second;
      const int v = next[i];
      if (color[static_cast<std::size_t>(v)] == white) {
        parent[static_cast<std::size_t>(v)] = u;
        color[static_cast<std::size_t>(v)] = gray;
        stack.emplace_back(v, 0);
      } else if (color[static_cast<std::size_t>(v)] == gray) {
        std::vector<int> cycle;
        for (int x = u;; x = parent[static_cast<std::size_t>(x)]) {
          cycle.push_back(x);
          if (x == v) break;
        }
        std::reverse(cycle.begin(), cycle.end());
        dg.cycles.push_back(std::move(cycle));
      }
    }
  }
  if (!dg.cycles.empty()) {
    // Report each cycle once, starting from the matter written first.
    std::set<std::vector<int>> seen;
    std::vector<std::vector<int>> unique;
    for (auto& c : dg.cycles) {
      std::rotate(c.begin(), std::min_element(c.begin(), c.end()), c.end());
      if (seen.insert(c).second) unique.push_back(c);
    }
    dg.cycles = std::move(unique);
    return dg;
  }
  dg.topo.assign(finished.rbegin(), finished.rend());
  return dg;
}

Ancestry::Ancestry(const DependencyGraph& g) {
  const std::size_t n = g.preds.size(), words = (n + 63) / 64;
  rows_.assign(n, std::vector<std::uint64_t>(words, 0));
  for (int m : g.topo) {
    auto& row = rows_[static_cast<std::size_t>(m)];
    for (int p : g.preds[static_cast<std::size_t>(m)]) {
      const auto& prow = rows_[static_cast<std::size_t>(p)];
      for (std::size_t w = 0; w < words; ++w) row[w] |= prow[w];
      row[static_cast<std::size_t>(p) / 64] |= std::uint64_t{1} << (static_cast<std::size_t>(p) % 64);
    }
  }
}

}  // namespace yilian::detail
