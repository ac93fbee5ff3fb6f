// The chain's flow chart as SVG: a layered layout by topological stage
// (analyse()), nodes ordered within a column by the mean position of their
// predecessors, dependencies as curves. No layout library, no script.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "analysis/graph.h"
#include "export/bpmn_model.h"
#include "export/svg.h"
#include "yilian/analysis.h"
#include "yilian/report.h"

namespace yilian {
namespace {

using detail::svg::esc;
using detail::svg::num;

constexpr double kBoxW = 150, kBoxH = 78, kGapX = 44, kGapY = 24, kEndW = 92, kMargin = 16;

struct Node {
  std::string id;  ///< matter id, or "" for the two ends
  double x = 0, y = 0, w = kBoxW;
};

}  // namespace

std::string flowchart_svg(const Chain& chain) {
  const Analysis a = detail::analyse(chain, detail::build_graph(chain), nullptr, std::nullopt);
  // A matter's condition as people read it: field and value labels.
  auto when_words = [&](const Matter& m) { return detail::bpmn::condition_label(chain, m.when.root()); };
  std::map<std::string, std::size_t> dept_index;
  for (std::size_t i = 0; i < chain.departments.size(); ++i) dept_index[chain.departments[i].id] = i;

  // Columns: acceptance, one per stage, delivery. Within a column, order by
  // the mean row of the predecessors (file order for the first stage).
  std::vector<std::vector<std::string>> cols;
  std::map<std::string, double> row_of;
  for (const auto& stage : a.stages) {
    std::vector<std::string> col = stage;
    std::vector<std::pair<double, std::size_t>> key;
    for (const auto& id : col) {
      const Matter* m = chain.find_matter(id);
      double sum = 0;
      int n = 0;
      for (const auto& p : m->after)
        if (row_of.count(p.id)) {
          sum += row_of[p.id];
          ++n;
        }
      key.emplace_back(n ? sum / n : -1.0, *chain.matter_index(id));
    }
    std::vector<std::size_t> order(col.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return key[x] < key[y]; });
    std::vector<std::string> sorted;
    for (std::size_t i : order) sorted.push_back(col[i]);
    for (std::size_t r = 0; r < sorted.size(); ++r) row_of[sorted[r]] = static_cast<double>(r);
    cols.push_back(std::move(sorted));
  }
  std::size_t rows = 1;
  for (const auto& c : cols) rows = std::max(rows, c.size());
  const double height = kMargin * 2 + static_cast<double>(rows) * kBoxH + static_cast<double>(rows - 1) * kGapY + 20;
  const double width = kMargin * 2 + 2 * kEndW + static_cast<double>(cols.size()) * (kBoxW + kGapX) + kGapX;

  std::map<std::string, Node> nodes;
  const double mid = height / 2 - 10;
  Node start{"", kMargin, mid - kBoxH / 2 + 8, kEndW};
  Node end{"", width - kMargin - kEndW, mid - kBoxH / 2 + 8, kEndW};
  for (std::size_t c = 0; c < cols.size(); ++c) {
    const double x = kMargin + kEndW + kGapX + static_cast<double>(c) * (kBoxW + kGapX);
    const double col_h = static_cast<double>(cols[c].size()) * kBoxH + static_cast<double>(cols[c].size() - 1) * kGapY;
    for (std::size_t r = 0; r < cols[c].size(); ++r)
      nodes[cols[c][r]] = Node{cols[c][r], x, mid - col_h / 2 + static_cast<double>(r) * (kBoxH + kGapY)};
  }

  std::string s = fmt::format(
      R"~(<svg id="chart-flow" class="flowchart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" role="img" aria-label="{}">)~",
      num(width), num(height), num(width), num(height), esc(chain.name + " 办理流程图"));
  s += R"~(<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">)~"
       R"~(<path d="M 0 0 L 10 5 L 0 10 z" fill="#55606e"/></marker></defs>)~";
  auto edge = [&](const Node& from, const Node& to, bool conditional) {
    const double x1 = from.x + from.w, y1 = from.y + kBoxH / 2, x2 = to.x - 2, y2 = to.y + kBoxH / 2;
    const double dx = std::max(24.0, (x2 - x1) / 2);
    s += fmt::format(R"~(<path class="edge{}" d="M {} {} C {} {}, {} {}, {} {}" marker-end="url(#arrow)"/>)~",
                     conditional ? " conditional" : "", num(x1), num(y1), num(x1 + dx), num(y1), num(x2 - dx), num(y2),
                     num(x2), num(y2));
  };
  std::set<std::string> has_successor;
  for (const auto& m : chain.matters)
    for (const auto& p : m.after) has_successor.insert(p.id);
  for (const auto& m : chain.matters) {
    if (!nodes.count(m.id)) continue;
    if (m.after.empty()) edge(start, nodes[m.id], m.conditional());
    for (const auto& p : m.after)
      if (nodes.count(p.id)) edge(nodes[p.id], nodes[m.id], m.conditional());
    if (!has_successor.count(m.id)) edge(nodes[m.id], end, m.conditional());
  }

  const Department* lead = chain.find_department(chain.lead);
  auto terminal = [&](const Node& n, const std::string& title, const std::string& sub) {
    s += fmt::format(R"~(<g class="node terminal"><rect x="{}" y="{}" width="{}" height="{}" rx="30"/>)~", num(n.x), num(n.y),
                     num(n.w), num(kBoxH));
    s += fmt::format(R"~(<text class="node-title" x="{}" y="{}" text-anchor="middle">{}</text>)~", num(n.x + n.w / 2),
                     num(n.y + 34), esc(title));
    s += fmt::format(R"~(<text class="node-sub" x="{}" y="{}" text-anchor="middle">{}</text></g>)~", num(n.x + n.w / 2),
                     num(n.y + 54), esc(detail::svg::fit(sub, 11, n.w - 12)));
  };
  const std::string lead_name = lead ? lead->name : chain.lead;
  terminal(start, "一窗受理", lead_name);
  terminal(end, "统一出件", "承诺 " + label(chain.promised()));

  for (const auto& [id, n] : nodes) {
    const Matter& m = *chain.find_matter(id);
    const Department* d = chain.find_department(m.department);
    const char* colour = detail::svg::palette(dept_index[m.department]);
    const bool critical =
        std::find(a.critical_path.matters.begin(), a.critical_path.matters.end(), id) != a.critical_path.matters.end();
    s += fmt::format(R"~(<g class="node matter{}{}" data-matter="{}"><title>{}</title>)~", m.conditional() ? " conditional" : "",
                     critical ? " critical" : "", esc(id),
                     esc(m.name + (m.conditional() ? "（条件：" + when_words(m) + "）" : "")));
    s += fmt::format(R"~(<rect x="{}" y="{}" width="{}" height="{}" rx="6"/>)~", num(n.x), num(n.y), num(n.w), num(kBoxH));
    s += fmt::format(R"~(<rect class="stripe" x="{}" y="{}" width="6" height="{}" rx="3" fill="{}"/>)~", num(n.x), num(n.y),
                     num(kBoxH), colour);
    s += fmt::format(R"~(<text class="node-title" x="{}" y="{}">{}</text>)~", num(n.x + 14), num(n.y + 22),
                     esc(detail::svg::fit(m.name, 13, n.w - 20)));
    s += fmt::format(R"~(<text class="node-sub" x="{}" y="{}">{}</text>)~", num(n.x + 14), num(n.y + 42),
                     esc(detail::svg::fit(d ? d->name : m.department, 11, n.w - 20)));
    s += fmt::format(R"~(<text class="node-sub" x="{}" y="{}">{}</text>)~", num(n.x + 14), num(n.y + 60),
                     esc(limits_label(m)));
    if (m.conditional())
      s += fmt::format(R"~(<text class="node-when" x="{}" y="{}">{}</text>)~", num(n.x + 4), num(n.y + kBoxH + 13),
                       esc(detail::svg::fit("◇ " + when_words(m), 10, n.w + kGapX - 8)));
    s += "</g>";
  }
  return s + "</svg>";
}

}  // namespace yilian
