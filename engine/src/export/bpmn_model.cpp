// The process graph of a chain: which matters are exported, their
// dependencies after transitive reduction, and the nodes and flows of the
// pattern in docs/bpmn.md (parallel forks and joins for `after`; for
// `when`, an embedded sub-process whose exclusive split leads to the task
// or, by default, straight to its end).
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "analysis/graph.h"
#include "export/bpmn_model.h"
#include "yilian/bpmn.h"

namespace yilian::detail::bpmn {
namespace {

using Bits = std::vector<std::uint64_t>;

void set_bit(Bits& b, int i) { b[static_cast<std::size_t>(i) / 64] |= std::uint64_t{1} << (static_cast<std::size_t>(i) % 64); }
bool has_bit(const Bits& b, int i) {
  return (b[static_cast<std::size_t>(i) / 64] >> (static_cast<std::size_t>(i) % 64)) & 1u;
}

/// Which matters are exported and which keep their condition.
struct Selection {
  std::vector<char> included, conditional;
};

Selection select(const Chain& c, const BpmnOptions& o, Model& m) {
  const std::size_t n = c.matters.size();
  Selection s{std::vector<char>(n, 1), std::vector<char>(n, 0)};
  for (std::size_t i = 0; i < n; ++i) {
    const Matter& mt = c.matters[i];
    if (!mt.conditional()) continue;
    if (!o.scenario) {
      s.conditional[i] = 1;
      continue;
    }
    switch (mt.when.evaluate(*o.scenario)) {
      case Truth::yes: m.decided.push_back(static_cast<int>(i)); break;
      case Truth::no:
        s.included[i] = 0;
        m.skipped.push_back(static_cast<int>(i));
        break;
      case Truth::unknown: s.conditional[i] = 1; break;
    }
  }
  return s;
}

/// Dependencies among the included matters: through a left-out matter to
/// its own dependencies, then transitively reduced (a matter that waits for
/// B, which waits for A, need not wait for A directly: every matter's node
/// completes exactly once, task or conditional sub-process, so the order is
/// kept).
std::vector<std::vector<int>> reduced_preds(const Chain& c, const DependencyGraph& g, const Selection& s) {
  const std::size_t n = c.matters.size();
  std::vector<std::vector<int>> eff(n);
  for (int m : g.topo) {
    auto& e = eff[static_cast<std::size_t>(m)];
    for (int p : g.preds[static_cast<std::size_t>(m)]) {
      if (s.included[static_cast<std::size_t>(p)]) e.push_back(p);
      else e.insert(e.end(), eff[static_cast<std::size_t>(p)].begin(), eff[static_cast<std::size_t>(p)].end());
    }
    std::sort(e.begin(), e.end());
    e.erase(std::unique(e.begin(), e.end()), e.end());
  }
  const std::size_t words = (n + 63) / 64;
  std::vector<Bits> anc(n, Bits(words, 0));
  std::vector<std::vector<int>> out(n);
  for (int m : g.topo) {
    const auto mi = static_cast<std::size_t>(m);
    if (!s.included[mi]) continue;
    for (int p : eff[mi]) {
      const auto pi = static_cast<std::size_t>(p);
      set_bit(anc[mi], p);
      for (std::size_t w = 0; w < words; ++w) anc[mi][w] |= anc[pi][w];
    }
    for (int p : eff[mi]) {
      const bool implied = std::any_of(eff[mi].begin(), eff[mi].end(), [&](int q) {
        return q != p && has_bit(anc[static_cast<std::size_t>(q)], p);
      });
      if (!implied) out[mi].push_back(p);
    }
  }
  return out;
}

class Builder {
 public:
  Builder(const Chain& c, Model& m) : c_(c), m_(m) {}

  int node(std::string id, NodeKind kind, Role role, std::string name, const std::string& dept, int matter,
           int item, Column col) {
    Node n;
    n.id = std::move(id);
    n.kind = kind;
    n.role = role;
    n.name = std::move(name);
    n.department = dept;
    n.matter = matter;
    n.item = item;
    n.column = col;
    m_.nodes.push_back(std::move(n));
    const int idx = static_cast<int>(m_.nodes.size()) - 1;
    if (item >= 0) m_.items[static_cast<std::size_t>(item)].nodes.push_back(idx);
    return idx;
  }

  int flow(int from, int to, std::string name = {}, const Condition* cond = nullptr, bool is_default = false,
           bool between = false) {
    Flow f;
    f.id = fmt::format("Flow_{}__{}", m_.nodes[static_cast<std::size_t>(from)].id,
                       m_.nodes[static_cast<std::size_t>(to)].id);
    f.source = from;
    f.target = to;
    f.name = std::move(name);
    f.condition = cond;
    f.is_default = is_default;
    f.between_items = between;
    m_.flows.push_back(std::move(f));
    const int idx = static_cast<int>(m_.flows.size()) - 1;
    m_.nodes[static_cast<std::size_t>(from)].outgoing.push_back(idx);
    m_.nodes[static_cast<std::size_t>(to)].incoming.push_back(idx);
    return idx;
  }

  int item(int matter, const std::string& dept, int block) {
    Item it;
    it.matter = matter;
    it.department = dept;
    it.block = block;
    it.reach = block;
    m_.items.push_back(std::move(it));
    return static_cast<int>(m_.items.size()) - 1;
  }

 private:
  const Chain& c_;
  Model& m_;
};

std::string timer_name(const Limit& l) { return l.count == 0 && l.in_working_days() ? "即办" : "承诺" + label(l); }

void add_lanes(const Chain& c, Model& m) {
  std::vector<std::string> order{c.lead};
  for (const auto& d : c.departments)
    if (d.id != c.lead) order.push_back(d.id);
  for (const auto& dept : order) {
    Lane lane;
    lane.department = dept;
    lane.id = "Lane_" + dept;
    const Department* d = c.find_department(dept);
    lane.name = d ? d->name : dept;
    for (std::size_t i = 0; i < m.nodes.size(); ++i)
      if (m.nodes[i].department == dept && m.nodes[i].parent < 0) lane.nodes.push_back(static_cast<int>(i));
    if (!lane.nodes.empty()) m.lanes.push_back(std::move(lane));
  }
}

}  // namespace

Model build_model(const Chain& c, const BpmnOptions& o) {
  Model m;
  m.chain = &c;
  m.process_id = !c.id.empty() && c.id[0] >= 'a' && c.id[0] <= 'z' ? c.id : "chain_" + c.id;
  const DependencyGraph g = build_graph(c);
  const Selection sel = select(c, o, m);
  const auto preds = reduced_preds(c, g, sel);
  const std::size_t n = c.matters.size();

  // Stages (longest path) and the export order: by stage, then file order.
  std::vector<int> stage(n, 0);
  int stages = 0;
  for (int mi : g.topo) {
    const auto i = static_cast<std::size_t>(mi);
    if (!sel.included[i]) continue;
    for (int p : preds[i]) stage[i] = std::max(stage[i], stage[static_cast<std::size_t>(p)] + 1);
    stages = std::max(stages, stage[i] + 1);
    m.exported.push_back(mi);
  }
  std::stable_sort(m.exported.begin(), m.exported.end(), [&](int a, int b) {
    return stage[static_cast<std::size_t>(a)] != stage[static_cast<std::size_t>(b)]
               ? stage[static_cast<std::size_t>(a)] < stage[static_cast<std::size_t>(b)]
               : a < b;
  });
  std::vector<int> successors(n, 0);
  for (int mi : m.exported)
    for (int p : preds[static_cast<std::size_t>(mi)]) ++successors[static_cast<std::size_t>(p)];

  Builder b(c, m);
  std::vector<int> in_port(n, -1), out_port(n, -1), item_of(n, -1);

  // Acceptance.
  const int accept_item = b.item(-1, c.lead, 0);
  const int accept = b.node("Accept", NodeKind::start_event, Role::accept, "一窗受理", c.lead, -1, accept_item, col_task);
  int roots = 0;
  for (int mi : m.exported) roots += preds[static_cast<std::size_t>(mi)].empty() ? 1 : 0;
  int accept_out = accept;
  if (roots > 1) {
    accept_out = b.node("AcceptFork", NodeKind::parallel_gateway, Role::accept_fork, "", c.lead, -1, accept_item, col_fork);
    b.flow(accept, accept_out);
  }

  // Matters: nodes and the flows inside each matter's row. A conditional
  // matter is an embedded sub-process: start -> applies? -> task -> end,
  // or by default straight to a second end. It completes exactly once on
  // either path, so whatever follows receives one token, and no discarded
  // branch leaks out of it (docs/bpmn.md, "Conditions").
  for (int mi : m.exported) {
    const auto i = static_cast<std::size_t>(mi);
    const Matter& mt = c.matters[i];
    const int it = b.item(mi, mt.department, 1 + stage[i]);
    item_of[i] = it;
    const std::string& d = mt.department;
    int prev = -1;
    auto chain_to = [&](int node) {
      if (prev >= 0) b.flow(prev, node);
      else in_port[i] = node;
      prev = node;
    };
    if (preds[i].size() >= 2)
      chain_to(b.node("Join_" + mt.id, NodeKind::parallel_gateway, Role::join, "", d, mi, it, col_join));
    int scope = -1;
    if (sel.conditional[i]) {
      scope = b.node("Matter_" + mt.id, NodeKind::sub_process, Role::scope, mt.name + "（条件事项）", d, mi, it,
                     col_task);
      chain_to(scope);
    }
    auto inner = [&](int node) {
      m.nodes[static_cast<std::size_t>(node)].parent = scope;
      return node;
    };
    int applies = -1;
    if (scope >= 0) {
      const int start = inner(b.node("Start_" + mt.id, NodeKind::start_event, Role::scope_start, "开始", d, mi, it, col_start));
      applies = inner(b.node("Applies_" + mt.id, NodeKind::exclusive_gateway, Role::applies,
                             condition_label(c, mt.when.root()) + "？", d, mi, it, col_applies));
      b.flow(start, applies);
    }
    const int task = inner(b.node("Task_" + mt.id, NodeKind::service_task, Role::task, mt.name, d, mi, it, col_task));
    if (applies >= 0) b.flow(applies, task, "适用", &mt.when);
    else chain_to(task);
    const int timer = inner(b.node("Timer_" + mt.id, NodeKind::boundary_timer, Role::timer,
                                   timer_name(mt.promised()), d, mi, it, col_task));
    m.nodes[static_cast<std::size_t>(timer)].attached_to = task;
    const int overdue = inner(b.node("Overdue_" + mt.id, NodeKind::end_event, Role::overdue, "超期督办", d, mi, it, col_task));
    b.flow(timer, overdue);
    if (scope >= 0) {
      const int applied = inner(b.node("Applied_" + mt.id, NodeKind::end_event, Role::applied, "已办理", d, mi, it, col_end));
      const int skipped = inner(b.node("Skipped_" + mt.id, NodeKind::end_event, Role::skipped, "不适用", d, mi, it, col_end));
      b.flow(task, applied);
      m.nodes[static_cast<std::size_t>(applies)].default_flow = b.flow(applies, skipped, "不适用", nullptr, true);
      prev = scope;
    } else {
      prev = task;
    }
    const int outs = successors[i] + (successors[i] == 0 ? 1 : 0);  // a sink goes to delivery
    if (outs >= 2) {
      const int fork = b.node("Fork_" + mt.id, NodeKind::parallel_gateway, Role::fork, "", d, mi, it, col_fork);
      b.flow(prev, fork);
      prev = fork;
    }
    out_port[i] = prev;
  }

  // Delivery.
  std::vector<int> sinks;
  for (int mi : m.exported)
    if (successors[static_cast<std::size_t>(mi)] == 0) sinks.push_back(mi);
  const int deliver_item = b.item(-1, c.lead, 1 + stages);
  int deliver_in = -1;
  if (sinks.size() >= 2)
    deliver_in = b.node("DeliverJoin", NodeKind::parallel_gateway, Role::delivery_join, "", c.lead, -1, deliver_item, col_join);
  const int deliver = b.node("Deliver", NodeKind::service_task, Role::delivery, "统一出件", c.lead, -1, deliver_item, col_task);
  if (deliver_in >= 0) b.flow(deliver_in, deliver);
  else deliver_in = deliver;
  const int done = b.node("Done", NodeKind::end_event, Role::done, "办结", c.lead, -1, deliver_item, col_end);
  b.flow(deliver, done);

  // Flows between rows: dependencies, acceptance to the first matters, the
  // last matters to delivery.
  for (int mi : m.exported) {
    const auto i = static_cast<std::size_t>(mi);
    auto& it = m.items[static_cast<std::size_t>(item_of[i])];
    if (preds[i].empty()) {
      b.flow(accept_out, in_port[i], {}, nullptr, false, true);
      it.preds.push_back(accept_item);
    }
    for (int p : preds[i]) {
      b.flow(out_port[static_cast<std::size_t>(p)], in_port[i], {}, nullptr, false, true);
      it.preds.push_back(item_of[static_cast<std::size_t>(p)]);
    }
  }
  for (int mi : sinks) {
    b.flow(out_port[static_cast<std::size_t>(mi)], deliver_in, {}, nullptr, false, true);
    m.items[static_cast<std::size_t>(deliver_item)].preds.push_back(item_of[static_cast<std::size_t>(mi)]);
  }
  if (m.exported.empty()) {
    b.flow(accept_out, deliver_in, {}, nullptr, false, true);
    m.items[static_cast<std::size_t>(deliver_item)].preds.push_back(accept_item);
  }
  m.blocks = stages + 2;
  add_lanes(c, m);
  return m;
}

std::string condition_label(const Chain& c, const Expr& e) {
  // A literal compared with field `f` shows the value's label (`f` may be null).
  auto lit = [](const Value& v, const Field* f = nullptr) -> std::string {
    if (const auto* bv = std::get_if<bool>(&v)) return *bv ? "是" : "否";
    if (const auto* s = std::get_if<std::string>(&v)) return fmt::format("“{}”", f ? f->label_of(*s) : *s);
    return to_display(v);
  };
  auto field_of = [&](const Expr& x) { return x.kind == Expr::Kind::field ? c.find_field(x.field) : nullptr; };
  auto sub = [&](const Expr& x, const Field* other = nullptr) {
    if (x.kind == Expr::Kind::literal) return lit(x.literal, other);
    const bool list = x.kind == Expr::Kind::all_of || x.kind == Expr::Kind::any_of;
    return list ? "（" + condition_label(c, x) + "）" : condition_label(c, x);
  };
  switch (e.kind) {
    case Expr::Kind::literal: return lit(e.literal);
    case Expr::Kind::field: {
      const Field* f = c.find_field(e.field);
      return f && !f->label.empty() ? f->label : e.field;
    }
    case Expr::Kind::compare: {
      static constexpr std::string_view ops[] = {"=", "≠", "<", "≤", ">", "≥"};
      return fmt::format("{} {} {}", sub(e.operands[0], field_of(e.operands[1])), ops[static_cast<int>(e.op)],
                         sub(e.operands[1], field_of(e.operands[0])));
    }
    case Expr::Kind::in: {
      std::string vals;
      const Field* f = field_of(e.operands[0]);
      for (std::size_t i = 0; i < e.list.size(); ++i) vals += (i ? "、" : "") + lit(e.list[i], f);
      return fmt::format("{}{}为{}之一", sub(e.operands[0]), e.negated ? "不" : "", vals);
    }
    case Expr::Kind::member:
      return fmt::format("{}{}{}", sub(e.operands[1]), e.negated ? "不含" : "含",
                         sub(e.operands[0], field_of(e.operands[1])));
    case Expr::Kind::negate: return "非" + sub(e.operands[0]);
    case Expr::Kind::all_of:
    case Expr::Kind::any_of: {
      std::string out;
      for (std::size_t i = 0; i < e.operands.size(); ++i) {
        if (i) out += e.kind == Expr::Kind::all_of ? " 且 " : " 或 ";
        out += sub(e.operands[i]);
      }
      return out;
    }
  }
  return {};
}

}  // namespace yilian::detail::bpmn
