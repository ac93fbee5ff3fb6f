// The BPMN process graph: every matter is a task, ids are unique, gateways
// are balanced, and a token game (Zeebe's semantics: no dead-path
// elimination) runs every combination of conditional matters to the end,
// each applicable task once and after the tasks it depends on.
#include <doctest/doctest.h>

#include <algorithm>
#include <deque>
#include <set>

#include "../../bench/gen_chain.h"  // the benchmarks' generated chain
#include "bpmn_support.h"
#include "export/bpmn_model.h"
#include "yilian/bpmn.h"

namespace bpmn_structure_test {

namespace {

using namespace yilian::detail::bpmn;

const std::string kFixtures[] = {"branching.yaml", "diamond.yaml", "escaping.yaml", "single.yaml"};

/// Zeebe-like token game over the model. `applies[m]` decides each
/// conditional matter's split. Records task order; fails on a join that
/// receives two tokens on one flow, on tokens left over, or on no end.
struct TokenGame {
  const Model& m;
  std::vector<char> applies;  // by chain matter index
  std::vector<int> executed;  // chain matter indices of tasks, in order
  int delivered = 0, done = 0;
  std::string problem;

  void run_scope(int scope) {
    // Tokens waiting on flows; a join fires when every incoming flow holds one.
    std::vector<int> tokens(m.flows.size(), 0);
    std::deque<int> ready;  // nodes to fire
    for (std::size_t i = 0; i < m.nodes.size(); ++i)
      if (m.nodes[i].parent == scope && m.nodes[i].kind == NodeKind::start_event) ready.push_back(static_cast<int>(i));
    if (ready.size() != 1) problem = "scope without exactly one start event";
    int steps = 0;
    while (!ready.empty() && problem.empty() && ++steps < 100000) {
      const int n = ready.front();
      ready.pop_front();
      const Node& node = m.nodes[static_cast<std::size_t>(n)];
      if (node.kind == NodeKind::parallel_gateway && node.incoming.size() > 1)
        for (int f : node.incoming) --tokens[static_cast<std::size_t>(f)];
      std::vector<int> out;
      switch (node.kind) {
        case NodeKind::service_task:
          if (node.role == Role::delivery) ++delivered;
          else executed.push_back(node.matter);
          out = node.outgoing;
          break;
        case NodeKind::sub_process: run_scope(n); out = node.outgoing; break;
        case NodeKind::exclusive_gateway:
          for (int f : node.outgoing) {
            const Flow& fl = m.flows[static_cast<std::size_t>(f)];
            if (fl.is_default != static_cast<bool>(applies[static_cast<std::size_t>(node.matter)])) out.push_back(f);
          }
          if (out.size() != 1) problem = "exclusive split does not choose exactly one flow";
          break;
        case NodeKind::end_event:
          if (node.role == Role::done) ++done;
          break;
        default: out = node.outgoing;
      }
      for (int f : out) {
        const int t = m.flows[static_cast<std::size_t>(f)].target;
        const Node& target = m.nodes[static_cast<std::size_t>(t)];
        if (target.kind != NodeKind::parallel_gateway || target.incoming.size() == 1) {
          ready.push_back(t);
          continue;
        }
        if (++tokens[static_cast<std::size_t>(f)] > 1) problem = "a join received two tokens on " + m.flows[static_cast<std::size_t>(f)].id;
        const bool all = std::all_of(target.incoming.begin(), target.incoming.end(),
                                     [&](int in) { return tokens[static_cast<std::size_t>(in)] > 0; });
        if (all) ready.push_back(t);
      }
    }
    for (int t : tokens)
      if (t != 0 && problem.empty()) problem = "tokens left waiting at a join";
  }
};

/// Matter indices that `m` depends on, transitively (declared `after`).
std::set<int> ancestors_of(const yilian::Chain& c, int m) {
  std::set<int> out;
  std::vector<int> todo{m};
  while (!todo.empty()) {
    const int x = todo.back();
    todo.pop_back();
    for (const auto& a : c.matters[static_cast<std::size_t>(x)].after) {
      const int p = static_cast<int>(*c.matter_index(a.id));
      if (out.insert(p).second) todo.push_back(p);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("export.bpmn.structure.every_matter_one_task_in_its_lane") {
  for (const std::string& f : kFixtures) {
    CAPTURE(f);
    const auto chain = bpmn_test::fixture(f);
    const Model m = build_model(*chain, {});
    for (std::size_t i = 0; i < chain->matters.size(); ++i) {
      const auto& mt = chain->matters[i];
      const auto tasks = std::count_if(m.nodes.begin(), m.nodes.end(), [&](const Node& n) {
        return n.role == Role::task && n.matter == static_cast<int>(i);
      });
      CHECK(tasks == 1);
      const auto it = std::find_if(m.nodes.begin(), m.nodes.end(), [&](const Node& n) { return n.id == "Task_" + mt.id; });
      REQUIRE(it != m.nodes.end());
      CHECK(it->name == mt.name);
      CHECK(it->department == mt.department);
      CHECK((it->parent >= 0) == mt.conditional());
    }
    CHECK(std::count_if(m.nodes.begin(), m.nodes.end(), [](const Node& n) { return n.role == Role::delivery; }) == 1);
    CHECK(std::count_if(m.nodes.begin(), m.nodes.end(), [](const Node& n) { return n.role == Role::accept; }) == 1);
    // Lanes: the lead's first; each top-level node in exactly the lane of its department.
    REQUIRE(!m.lanes.empty());
    CHECK(m.lanes.front().department == chain->lead);
    std::multiset<int> laned;
    for (const auto& lane : m.lanes)
      for (int n : lane.nodes) {
        CHECK(m.nodes[static_cast<std::size_t>(n)].department == lane.department);
        laned.insert(n);
      }
    for (std::size_t i = 0; i < m.nodes.size(); ++i)
      CHECK(laned.count(static_cast<int>(i)) == (m.nodes[i].parent < 0 ? 1u : 0u));
  }
}

TEST_CASE("export.bpmn.structure.ids_unique") {
  for (const std::string& f : kFixtures) {
    CAPTURE(f);
    const auto chain = bpmn_test::fixture(f);
    const Model m = build_model(*chain, {});
    std::set<std::string> ids{m.process_id};
    for (const auto& n : m.nodes) CHECK_MESSAGE(ids.insert(n.id).second, n.id);
    for (const auto& fl : m.flows) CHECK_MESSAGE(ids.insert(fl.id).second, fl.id);
    for (const auto& l : m.lanes) CHECK_MESSAGE(ids.insert(l.id).second, l.id);
    // And in the document: every id attribute once.
    auto root = bpmn_test::XmlReader(yilian::to_bpmn(*chain)).parse();
    std::vector<const bpmn_test::Element*> all;
    root->all(all);
    std::set<std::string> doc_ids;
    for (const auto* e : all)
      if (!e->attr("id").empty()) CHECK_MESSAGE(doc_ids.insert(e->attr("id")).second, e->attr("id"));
  }
}

TEST_CASE("export.bpmn.structure.gateways_balanced") {
  for (const std::string& f : kFixtures) {
    CAPTURE(f);
    const auto chain = bpmn_test::fixture(f);
    const Model m = build_model(*chain, {});
    for (const auto& n : m.nodes) {
      CAPTURE(n.id);
      const auto in = n.incoming.size(), out = n.outgoing.size();
      switch (n.kind) {
        case NodeKind::parallel_gateway:
          // A gateway either splits or joins, and does something.
          CHECK(((in == 1 && out >= 2) || (in >= 2 && out == 1)));
          break;
        case NodeKind::exclusive_gateway: {
          CHECK(n.role == Role::applies);
          CHECK(in == 1);
          REQUIRE(out == 2);
          const Flow& a = m.flows[static_cast<std::size_t>(n.outgoing[0])];
          const Flow& b = m.flows[static_cast<std::size_t>(n.outgoing[1])];
          CHECK((a.condition != nullptr) != (b.condition != nullptr));
          CHECK(a.is_default != b.is_default);
          CHECK(n.default_flow >= 0);
          CHECK(m.flows[static_cast<std::size_t>(n.default_flow)].condition == nullptr);
          break;
        }
        case NodeKind::start_event: CHECK(in == 0); CHECK(out == 1); break;
        case NodeKind::end_event: CHECK(in == 1); CHECK(out == 0); break;
        case NodeKind::boundary_timer: CHECK(in == 0); CHECK(out == 1); CHECK(n.attached_to >= 0); break;
        case NodeKind::service_task:
        case NodeKind::sub_process: CHECK(in == 1); CHECK(out == 1); break;
      }
      // Flows stay inside one scope.
      for (int fl : n.outgoing)
        CHECK(m.nodes[static_cast<std::size_t>(m.flows[static_cast<std::size_t>(fl)].target)].parent == n.parent);
    }
  }
}

TEST_CASE("export.bpmn.structure.token_game_every_combination") {
  for (const std::string& f : kFixtures) {
    CAPTURE(f);
    const auto chain = bpmn_test::fixture(f);
    const Model m = build_model(*chain, {});
    std::vector<int> conditional;
    for (std::size_t i = 0; i < chain->matters.size(); ++i)
      if (chain->matters[i].conditional()) conditional.push_back(static_cast<int>(i));
    REQUIRE(conditional.size() < 16);
    // Every combination, even ones no form could produce: the structure must
    // be sound whatever the conditions say.
    for (unsigned mask = 0; mask < (1u << conditional.size()); ++mask) {
      CAPTURE(mask);
      TokenGame g{m, std::vector<char>(chain->matters.size(), 1), {}, 0, 0, {}};
      for (std::size_t k = 0; k < conditional.size(); ++k)
        g.applies[static_cast<std::size_t>(conditional[k])] = (mask >> k) & 1u;
      g.run_scope(-1);
      CHECK(g.problem == "");
      CHECK(g.delivered == 1);
      CHECK(g.done == 1);
      for (std::size_t i = 0; i < chain->matters.size(); ++i) {
        const auto runs = std::count(g.executed.begin(), g.executed.end(), static_cast<int>(i));
        CHECK(runs == (g.applies[i] ? 1 : 0));
      }
      for (std::size_t k = 0; k < g.executed.size(); ++k)
        for (int a : ancestors_of(*chain, g.executed[k])) {
          if (!g.applies[static_cast<std::size_t>(a)]) continue;
          const auto pos = std::find(g.executed.begin(), g.executed.end(), a) - g.executed.begin();
          CHECK(static_cast<std::size_t>(pos) < k);
        }
    }
  }
}

TEST_CASE("export.bpmn.structure.redundant_after_is_reduced") {
  // diamond: e after [c, d, a] with c after a: no flow from a's fork to e's join.
  const auto chain = bpmn_test::fixture("diamond.yaml");
  const Model m = build_model(*chain, {});
  for (const auto& fl : m.flows) {
    const Node& s = m.nodes[static_cast<std::size_t>(fl.source)];
    const Node& t = m.nodes[static_cast<std::size_t>(fl.target)];
    CHECK_FALSE((s.id == "Fork_a" && t.id == "Join_e"));
  }
  const auto join = std::find_if(m.nodes.begin(), m.nodes.end(), [](const Node& n) { return n.id == "Join_e"; });
  REQUIRE(join != m.nodes.end());
  CHECK(join->incoming.size() == 2);
}

TEST_CASE("export.bpmn.scenario.decided_conditions_are_removed") {
  const auto chain = bpmn_test::fixture("branching.yaml");
  yilian::BpmnOptions o;
  o.scenario = yilian::FieldValues{{"site.children_area", 1200.0}, {"school.nature", std::string("for-profit")}};
  const Model m = build_model(*chain, o);
  auto has = [&](const std::string& id) {
    return std::any_of(m.nodes.begin(), m.nodes.end(), [&](const Node& n) { return n.id == id; });
  };
  CHECK(has("Task_fire-acceptance"));
  CHECK_FALSE(has("Matter_fire-acceptance"));  // decided: no gateway left
  CHECK_FALSE(has("Task_fire-filing"));        // false: left out
  CHECK_FALSE(has("Task_nonprofit-registration"));
  CHECK(has("Task_company-registration"));
  CHECK(has("Matter_food-permit"));            // school.serves_meals unknown: kept conditional
  // seal-engraving waited for nonprofit and company; only company remains,
  // so no join: company's task leads to a fork or straight to seal.
  CHECK_FALSE(has("Join_seal-engraving"));
  CHECK(m.skipped.size() == 2);
  CHECK(m.decided.size() == 2);
  const std::string xml = yilian::to_bpmn(*chain, o);
  CHECK(xml.find("不适用（已略去）：fire-filing, nonprofit-registration") != std::string::npos);
}

TEST_CASE("export.bpmn.scenario.nothing_left") {
  // Every matter ruled out: acceptance leads straight to delivery.
  const auto r = yilian::load_chain_text(R"(id: only-conditional
version: 1
name: 条件链
lead: office
promised_days: 5
departments:
  office: { name: 行政审批局 }
  other: { name: 其他局 }
fields:
  x.flag: { label: 开关, type: boolean }
matters:
  - { id: a, name: 事项甲, department: other, statutory_days: 5, promised_days: 2, when: "x.flag == true", fields: [x.flag] }
)", "only-conditional.yaml");
  REQUIRE(r.ok());
  yilian::BpmnOptions o;
  o.scenario = yilian::FieldValues{{"x.flag", false}};
  Model m = build_model(*r.value(), o);
  layout(m);
  CHECK(m.exported.empty());
  REQUIRE(m.lanes.size() == 1);  // the other department has nothing left
  TokenGame g{m, std::vector<char>(1, 0), {}, 0, 0, {}};
  g.run_scope(-1);
  CHECK(g.problem == "");
  CHECK(g.delivered == 1);
  CHECK(g.done == 1);
  CHECK_NOTHROW(bpmn_test::XmlReader(yilian::to_bpmn(*r.value(), o)).parse());
}


TEST_CASE("export.bpmn.generated_chain_2000_matters") {
  // The benchmark's chain: 2,000 matters, 5,000 `after` edges, 20 lanes,
  // about 200 conditional matters. Random combinations of them run through
  // the token game, and the layout keeps every shape apart.
  const auto r = yilian::load_chain_text(yilian::bench::generate_chain({}), "generated.yaml");
  REQUIRE(r.ok());
  const yilian::Chain& c = *r.value();
  Model m = build_model(c, {});
  layout(m);
  CHECK(m.exported.size() == 2000);
  std::vector<int> conditional;
  for (std::size_t i = 0; i < c.matters.size(); ++i)
    if (c.matters[i].conditional()) conditional.push_back(static_cast<int>(i));
  CHECK(conditional.size() > 100);
  std::uint64_t seed = 7;
  for (int round = 0; round < 4; ++round) {
    TokenGame g{m, std::vector<char>(c.matters.size(), 1), {}, 0, 0, {}};
    for (int k : conditional) {
      seed = seed * 6364136223846793005ull + 1442695040888963407ull;
      g.applies[static_cast<std::size_t>(k)] = (seed >> 33) & 1u;
    }
    g.run_scope(-1);
    CHECK(g.problem == "");
    CHECK(g.done == 1);
    std::size_t expected = 0;
    for (char a : g.applies) expected += a ? 1 : 0;
    CHECK(g.executed.size() == expected);
  }
  // No two top-level shapes overlap (sorted sweep over x).
  std::vector<const Node*> top;
  for (const auto& n : m.nodes)
    if (n.parent < 0 && n.kind != NodeKind::boundary_timer) top.push_back(&n);
  std::sort(top.begin(), top.end(), [](const Node* a, const Node* b) { return a->bounds.x < b->bounds.x; });
  std::size_t overlaps = 0;
  for (std::size_t i = 0; i < top.size(); ++i)
    for (std::size_t j = i + 1; j < top.size() && top[j]->bounds.x < top[i]->bounds.right(); ++j) {
      const Bounds& a = top[i]->bounds;
      const Bounds& b = top[j]->bounds;
      if (a.y < b.bottom() && b.y < a.bottom()) ++overlaps;
    }
  CHECK(overlaps == 0);
}

}  // namespace bpmn_structure_test
