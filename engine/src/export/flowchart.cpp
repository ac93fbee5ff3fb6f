// Mermaid and DOT flow charts: one walk of the chain, two notations.
#include <fmt/format.h>

#include <set>
#include <vector>

#include "export/bpmn_model.h"
#include "yilian/export.h"

namespace yilian {
namespace {

std::string node_id(std::string_view matter_id) {
  std::string s = "m_";
  for (char c : matter_id) s += c == '-' ? '_' : c;
  return s;
}

std::string mermaid_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"': out += "#quot;"; break;
      case '<': out += "#lt;"; break;
      case '>': out += "#gt;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string dot_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}


/// Matters grouped by department, departments in declaration order.
std::vector<std::pair<const Department*, std::vector<const Matter*>>> lanes(const Chain& c) {
  std::vector<std::pair<const Department*, std::vector<const Matter*>>> out;
  for (const auto& d : c.departments) {
    std::vector<const Matter*> ms;
    for (const auto& m : c.matters)
      if (m.department == d.id) ms.push_back(&m);
    if (!ms.empty()) out.emplace_back(&d, std::move(ms));
  }
  return out;
}

/// Ids of the matters some other matter comes after.
std::set<std::string, std::less<>> with_successors(const Chain& c) {
  std::set<std::string, std::less<>> out;
  for (const auto& m : c.matters)
    for (const auto& a : m.after) out.insert(a.id);
  return out;
}

std::string lead_name(const Chain& c) {
  const Department* d = c.find_department(c.lead);
  return d ? d->name : c.lead;
}

}  // namespace

std::string to_mermaid(const Chain& c) {
  std::string out = fmt::format("---\ntitle: {} ({} v{})\n---\nflowchart LR\n", mermaid_escape(c.name), c.id, c.version);
  out += fmt::format("  accept([\"一窗受理<br/>{}\"])\n", mermaid_escape(lead_name(c)));
  for (const auto& [dep, ms] : lanes(c)) {
    out += fmt::format("  subgraph d_{}[\"{}\"]\n    direction TB\n", node_id(dep->id).substr(2), mermaid_escape(dep->name));
    for (const Matter* m : ms) {
      std::string label = fmt::format("{}<br/><small>{}</small>", mermaid_escape(m->name), limits_label(*m));
      if (m->conditional())
        label += fmt::format("<br/><i>条件: {}</i>", mermaid_escape(detail::bpmn::condition_label(c, m->when.root())));
      out += fmt::format("    {}[\"{}\"]\n", node_id(m->id), label);
    }
    out += "  end\n";
  }
  out += fmt::format("  deliver([\"统一出件<br/>{}\"])\n", mermaid_escape(lead_name(c)));
  const auto preceding = with_successors(c);
  for (const auto& m : c.matters) {
    const std::string arrow = m.conditional() ? "-.->" : "-->";
    if (m.after.empty()) out += fmt::format("  accept {} {}\n", arrow, node_id(m.id));
    for (const auto& a : m.after) out += fmt::format("  {} {} {}\n", node_id(a.id), arrow, node_id(m.id));
    if (!preceding.count(m.id)) out += fmt::format("  {} --> deliver\n", node_id(m.id));
  }
  out += "  classDef conditional stroke-dasharray: 5 5,fill:#fff8e1\n";
  out += "  classDef terminal fill:#e3f2fd\n";
  out += "  class accept,deliver terminal\n";
  for (const auto& m : c.matters)
    if (m.conditional()) out += fmt::format("  class {} conditional\n", node_id(m.id));
  return out;
}

std::string to_dot(const Chain& c) {
  std::string out = fmt::format("digraph \"{}\" {{\n", dot_escape(c.id));
  out += fmt::format("  label=\"{} ({} v{})\";\n  labelloc=t;\n  rankdir=LR;\n", dot_escape(c.name), dot_escape(c.id), c.version);
  out += "  node [shape=box, style=\"rounded,filled\", fillcolor=white, fontname=\"Noto Sans CJK SC\"];\n";
  out += "  edge [fontname=\"Noto Sans CJK SC\"];\n";
  out += fmt::format("  accept [label=\"一窗受理\\n{}\", shape=oval, fillcolor=\"#e3f2fd\"];\n", dot_escape(lead_name(c)));
  for (const auto& [dep, ms] : lanes(c)) {
    out += fmt::format("  subgraph \"cluster_{}\" {{\n    label=\"{}\";\n    style=dashed;\n", dot_escape(dep->id),
                       dot_escape(dep->name));
    for (const Matter* m : ms) {
      std::string label = fmt::format("{}\\n{}", dot_escape(m->name), limits_label(*m));
      if (m->conditional())
        label += fmt::format("\\n条件: {}", dot_escape(detail::bpmn::condition_label(c, m->when.root())));
      out += fmt::format("    {} [label=\"{}\"{}];\n", node_id(m->id), label,
                         m->conditional() ? ", style=\"rounded,dashed,filled\", fillcolor=\"#fff8e1\"" : "");
    }
    out += "  }\n";
  }
  out += fmt::format("  deliver [label=\"统一出件\\n{}\", shape=oval, fillcolor=\"#e3f2fd\"];\n", dot_escape(lead_name(c)));
  const auto preceding = with_successors(c);
  for (const auto& m : c.matters) {
    const std::string style = m.conditional() ? " [style=dashed]" : "";
    if (m.after.empty()) out += fmt::format("  accept -> {}{};\n", node_id(m.id), style);
    for (const auto& a : m.after) out += fmt::format("  {} -> {}{};\n", node_id(a.id), node_id(m.id), style);
    if (!preceding.count(m.id)) out += fmt::format("  {} -> deliver;\n", node_id(m.id));
  }
  out += "}\n";
  return out;
}

}  // namespace yilian
