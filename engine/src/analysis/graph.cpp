#include "analysis/graph.h"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/topological_sort.hpp>

#include <algorithm>
#include <iterator>
#include <set>

namespace yilian::detail {
namespace {

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
using Vertex = boost::graph_traits<Graph>::vertex_descriptor;
using Edge = boost::graph_traits<Graph>::edge_descriptor;

/// Records the DFS tree and, for each back edge, the cycle it closes.
class CycleFinder : public boost::default_dfs_visitor {
 public:
  CycleFinder(std::vector<Vertex>& parent, std::vector<std::vector<int>>& cycles)
      : parent_(parent), cycles_(cycles) {}

  void tree_edge(Edge e, const Graph& g) { parent_[boost::target(e, g)] = boost::source(e, g); }

  void back_edge(Edge e, const Graph& g) {
    // The edge u -> v closes a cycle v -> ... -> u -> v along the DFS tree.
    const Vertex u = boost::source(e, g), v = boost::target(e, g);
    std::vector<int> cycle;
    for (Vertex x = u;; x = parent_[x]) {
      cycle.push_back(static_cast<int>(x));
      if (x == v) break;
    }
    std::reverse(cycle.begin(), cycle.end());
    cycles_.push_back(std::move(cycle));
  }

 private:
  std::vector<Vertex>& parent_;
  std::vector<std::vector<int>>& cycles_;
};

}  // namespace

DependencyGraph build_graph(const Chain& chain) {
  const std::size_t n = chain.matters.size();
  DependencyGraph dg;
  dg.preds.resize(n);
  dg.succs.resize(n);
  Graph g(n);
  for (std::size_t m = 0; m < n; ++m) {
    for (const auto& ref : chain.matters[m].after) {
      auto p = chain.matter_index(ref.id);
      // Unknown references and self-dependencies are reported by validate();
      // the graph leaves them out.
      if (!p || *p == m) continue;
      dg.preds[m].push_back(static_cast<int>(*p));
      dg.succs[*p].push_back(static_cast<int>(m));
      boost::add_edge(*p, m, g);
    }
  }

  std::vector<Vertex> parent(n);
  for (std::size_t i = 0; i < n; ++i) parent[i] = i;
  CycleFinder finder(parent, dg.cycles);
  std::vector<boost::default_color_type> colors(n);
  boost::depth_first_search(g, boost::visitor(finder).color_map(
                                   boost::make_iterator_property_map(colors.begin(), boost::get(boost::vertex_index, g))));
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

  std::vector<Vertex> order;
  order.reserve(n);
  boost::topological_sort(g, std::back_inserter(order));  // reverse topological order
  dg.topo.reserve(n);
  for (auto it = order.rbegin(); it != order.rend(); ++it) dg.topo.push_back(static_cast<int>(*it));
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
