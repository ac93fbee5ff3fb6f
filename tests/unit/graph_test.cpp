// build_graph() searches the `after` graph itself (engine/src/analysis/
// graph.cpp); before, Boost.Graph's depth_first_search and topological_sort
// did. The stages, the critical path's ties and the order of cycle reports
// follow from the order of that search, so it must stay Boost's: here the
// same graphs go through both, and the topological orders and the cycles
// must be equal.
#include <doctest/doctest.h>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/topological_sort.hpp>

#include <algorithm>
#include <iterator>
#include <random>
#include <set>

#include "analysis/graph.h"

using namespace yilian;

namespace graph_test {

namespace {

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
using Vertex = boost::graph_traits<Graph>::vertex_descriptor;
using Edge = boost::graph_traits<Graph>::edge_descriptor;

class CycleFinder : public boost::default_dfs_visitor {
 public:
  CycleFinder(std::vector<Vertex>& parent, std::vector<std::vector<int>>& cycles) : parent_(parent), cycles_(cycles) {}
  void tree_edge(Edge e, const Graph& g) { parent_[boost::target(e, g)] = boost::source(e, g); }
  void back_edge(Edge e, const Graph& g) {
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

/// The graph as Boost.Graph saw it: the topological order and the cycles
/// (each once, from its smallest matter).
std::pair<std::vector<int>, std::vector<std::vector<int>>> with_boost(const Chain& chain) {
  const std::size_t n = chain.matters.size();
  Graph g(n);
  for (std::size_t m = 0; m < n; ++m)
    for (const auto& ref : chain.matters[m].after) {
      auto p = chain.matter_index(ref.id);
      if (!p || *p == m) continue;
      boost::add_edge(*p, m, g);
    }
  std::vector<Vertex> parent(n);
  for (std::size_t i = 0; i < n; ++i) parent[i] = i;
  std::vector<std::vector<int>> cycles;
  CycleFinder finder(parent, cycles);
  std::vector<boost::default_color_type> colors(n);
  boost::depth_first_search(
      g, boost::visitor(finder).color_map(boost::make_iterator_property_map(colors.begin(), boost::get(boost::vertex_index, g))));
  if (!cycles.empty()) {
    std::set<std::vector<int>> seen;
    std::vector<std::vector<int>> unique;
    for (auto& c : cycles) {
      std::rotate(c.begin(), std::min_element(c.begin(), c.end()), c.end());
      if (seen.insert(c).second) unique.push_back(c);
    }
    return {{}, unique};
  }
  std::vector<Vertex> order;
  boost::topological_sort(g, std::back_inserter(order));
  std::vector<int> topo;
  for (auto it = order.rbegin(); it != order.rend(); ++it) topo.push_back(static_cast<int>(*it));
  return {topo, {}};
}

}  // namespace

TEST_CASE("analysis.graph.same_order_as_boost") {
  std::mt19937 rng(7);
  for (int round = 0; round < 3000; ++round) {
    const int n = 1 + static_cast<int>(rng() % 40);
    const bool acyclic = rng() % 3 != 0;
    Chain c;
    for (int i = 0; i < n; ++i) {
      Matter m;
      m.id = "m" + std::to_string(i);
      c.matters.push_back(m);
    }
    const int edges = static_cast<int>(rng() % static_cast<unsigned>(3 * n + 1));
    for (int e = 0; e < edges; ++e) {
      int a = static_cast<int>(rng() % static_cast<unsigned>(n)), b = static_cast<int>(rng() % static_cast<unsigned>(n));
      if (acyclic && a > b) std::swap(a, b);  // edges only forward: a DAG
      // b comes after a (an unknown id now and then, left out by both)
      c.matters[static_cast<std::size_t>(b)].after.push_back(Ref{rng() % 17 == 0 ? "nowhere" : "m" + std::to_string(a), {}});
    }
    c.build_index();
    const auto g = detail::build_graph(c);
    const auto [topo, cycles] = with_boost(c);
    CAPTURE(round);
    CHECK(g.topo == topo);
    CHECK(g.cycles == cycles);
    CHECK(g.acyclic() == cycles.empty());
  }
}

}  // namespace graph_test
