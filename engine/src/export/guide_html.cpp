// guide_html(): the service guide as one printable HTML page. Inline CSS and
// the chain's SVG flow chart (flowchart_svg), no script, nothing fetched:
// it opens from a USB stick, an e-mail or an intranet without internet.
#include <fmt/format.h>

#include "export/guide_model.h"
#include "export/xml_escape.h"
#include "yilian/guide.h"
#include "yilian/report.h"

namespace yilian {
namespace {

using detail::xml_attr;
using detail::xml_text;

constexpr const char* kGuideStyle = R"~(
:root { --ink: #1f2933; --muted: #5f6b7a; --line: #d3d9e0; --accent: #2f6db5; --soft: #eef3f9; --late: #c2410c; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #f6f8fa;
  font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "Helvetica Neue", Arial, sans-serif;
  font-size: 15px; line-height: 1.6; }
main { max-width: 980px; margin: 0 auto; padding: 28px 24px 48px; }
header h1 { font-size: 28px; margin: 0 0 2px; letter-spacing: 0.04em; }
header .sub { margin: 0 0 14px; color: var(--muted); }
h2 { font-size: 20px; margin: 0 0 10px; }
h3 { font-size: 16px; margin: 18px 0 8px; padding-left: 8px; border-left: 4px solid var(--accent); }
section, nav { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px; margin: 18px 0; }
p.lead { margin: 0 0 10px; color: var(--muted); }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; vertical-align: top; padding: 6px 9px; border: 1px solid var(--line); }
thead th { background: var(--soft); font-weight: 700; white-space: nowrap; }
table.facts th { width: 9.5em; background: var(--soft); font-weight: 700; white-space: nowrap; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.none { color: var(--muted); }
.tag { display: inline-block; padding: 0 6px; border-radius: 4px; font-size: 12px; background: var(--soft); color: var(--accent); white-space: nowrap; }
.tag.shared, .tag.issued-here { background: #eaf6ee; color: #2d7a4a; }
.note { color: var(--muted); font-size: 13px; }
code { font-family: "Noto Sans Mono CJK SC", "DejaVu Sans Mono", monospace; font-size: 13px; word-break: break-all; }
nav ol { margin: 0; padding-left: 1.6em; columns: 2; }
figure { margin: 0; overflow-x: auto; }
figure svg { display: block; max-width: 100%; height: auto; }
svg text { font-family: inherit; fill: var(--ink); }
svg .node rect { fill: #fff; stroke: #8795a5; stroke-width: 1.2; }
svg .node.terminal rect { fill: #e8f0fa; stroke: var(--accent); }
svg .node.critical > rect:first-of-type { stroke: var(--late); stroke-width: 2.2; }
svg .node.conditional > rect:first-of-type { stroke-dasharray: 6 4; }
svg .node-title { font-size: 13px; font-weight: 700; }
svg .node-sub { font-size: 11px; fill: var(--muted); }
svg .node-when { font-size: 10px; fill: var(--muted); }
svg .edge { fill: none; stroke: #55606e; stroke-width: 1.4; }
svg .edge.conditional { stroke-dasharray: 5 4; }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; }
@page { size: A4; margin: 16mm 14mm 16mm 14mm; }
@media print {
  body { background: #fff; font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  section, nav { border: none; border-radius: 0; padding: 0; margin: 0 0 12pt; }
  nav { display: none; }
  section.matter { break-before: page; }
  table { font-size: 9.5pt; }
  tr, figure { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
)~";

std::string row(std::string_view label, const std::string& html_value, bool none = false) {
  return fmt::format("<tr><th scope=\"row\">{}</th><td{}>{}</td></tr>", xml_text(label), none ? " class=\"none\"" : "",
                     html_value);
}

std::string text_row(std::string_view label, const std::string& value) {
  return row(label, xml_text(value), value == detail::kNotStated);
}

std::string join_html(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? std::string(sep) : "") + xml_text(items[i]);
  return out;
}

std::string materials_table(const detail::GuideMatter& m) {
  if (m.materials.empty()) return "<p class=\"note\">本事项无需提交申请材料。</p>";
  std::string s =
      "<table class=\"materials\"><thead><tr><th class=\"n\">序号</th><th>材料名称</th><th>来源渠道</th>"
      "<th>原件/复印件</th><th class=\"n\">份数</th><th>空表和示范样本</th><th>提交情形及说明</th></tr></thead><tbody>";
  int n = 0;
  for (const auto& mat : m.materials) {
    std::string files;
    if (!mat.blank_form.empty()) files += "空表：<code>" + xml_text(mat.blank_form) + "</code>";
    if (!mat.sample.empty()) files += std::string(files.empty() ? "" : "<br>") + "示范样本：<code>" + xml_text(mat.sample) + "</code>";
    std::vector<std::string> notes;
    if (!mat.when.empty()) notes.push_back(mat.when);
    notes.insert(notes.end(), mat.notes.begin(), mat.notes.end());
    const char* tag = !mat.handed_in ? (mat.source == "共享获取" ? "tag shared" : "tag issued-here") : "tag";
    s += fmt::format(
        "<tr class=\"material{}\" data-material=\"{}\"><td class=\"n\">{}</td><td>{}</td><td><span class=\"{}\">{}</span></td>"
        "<td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
        mat.handed_in ? "" : " not-handed-in", xml_attr(mat.id), ++n, xml_text(mat.name), tag, xml_text(mat.source),
        mat.handed_in ? xml_text(mat.form) : "—", mat.handed_in ? std::to_string(mat.copies) : "—",
        files.empty() ? "—" : files, notes.empty() ? "随本事项提交" : join_html(notes, "；"));
  }
  return s + "</tbody></table>";
}

std::string phases_table(const detail::GuideMatter& m) {
  if (m.phases.empty()) return "";
  std::string s =
      "<h3>办理环节</h3><table class=\"phases\"><thead><tr><th>环节</th><th>类型</th><th>时限</th><th>计入办结时限</th>"
      "</tr></thead><tbody>";
  for (const auto& p : m.phases)
    s += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", xml_text(p.name), xml_text(p.kind),
                     xml_text(p.limit), xml_text(p.counting));
  return s + "</tbody></table>";
}

std::string matter_section(const detail::GuideMatter& m, std::size_t index, bool numbered) {
  std::string s = fmt::format("<section class=\"matter\" id=\"matter-{}\" data-matter=\"{}\"><h2>{}{}</h2>", xml_attr(m.id),
                              xml_attr(m.id), numbered ? fmt::format("{}. ", index + 1) : "", xml_text(m.name));
  if (!m.description.empty()) s += "<p class=\"lead\">" + xml_text(m.description) + "</p>";
  s += "<h3>基本信息</h3><table class=\"facts\"><tbody>";
  s += text_row("事项名称", m.name);
  s += text_row("事项类型", m.kind);
  s += row("事项编码",
           m.code_shape.empty() ? xml_text(m.code)
                                : fmt::format("<code>{}</code>（{}）", xml_text(m.code), xml_text(m.code_shape)),
           m.code_shape.empty());
  s += text_row("设定依据", m.basis);
  s += text_row("实施主体", m.department);
  s += text_row("法定办结时限", m.statutory);
  s += text_row("承诺办结时限", m.promised);
  s += text_row("适用情形", m.applies);
  s += text_row("前置事项", m.after.empty() ? "无（受理后即可办理）" : "在" + [&] {
    std::string names;
    for (const auto& a : m.after) names += (names.empty() ? "“" : "、“") + a + "”";
    return names;
  }() + "办结后办理");
  s += text_row("到现场次数", fmt::format("{} 次（单独申请本事项时）", m.visits));
  s += text_row("收费标准", m.fee);
  s += row("办理结果", m.results.empty() ? xml_text(detail::kNotStated) : join_html(m.results, "、") + "（统一出件）",
           m.results.empty());
  s += "</tbody></table><h3>申请材料</h3>" + materials_table(m) + phases_table(m);
  return s + "</section>";
}

}  // namespace

std::string guide_html(const Chain& chain, const GuideOptions& options) {
  const detail::Guide g = detail::build_guide(chain, options);
  const std::string title = g.name + " · 办事指南";
  std::string h = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
      "content=\"width=device-width, initial-scale=1\"><title>{}</title><style>{}",
      xml_text(title), kGuideStyle);
  if (!g.only.empty())
    h += fmt::format("svg .node[data-matter=\"{}\"] > rect:first-of-type {{ stroke: var(--accent); stroke-width: 3; }}\n",
                     xml_attr(g.only));
  h += "</style></head><body><main>";
  h += fmt::format("<header><h1>{}</h1><p class=\"sub\">办事指南 · Service guide — 链条 <code>{}</code> 第 {} 版{}</p></header>",
                   xml_text(g.name), xml_text(g.id), g.version,
                   g.only.empty() ? "" : fmt::format(" · 本页为其中一个事项（共 {} 个）", g.total_matters));

  h += "<section id=\"overview\"><h2>一链办理概况</h2>";
  if (!g.description.empty()) h += "<p class=\"lead\">" + xml_text(g.description) + "</p>";
  h += "<table class=\"facts\"><tbody>";
  h += text_row("牵头部门", g.lead + "（一窗受理、统一出件）");
  h += text_row("整链承诺时限", g.promised);
  if (!g.statutory.empty()) h += text_row("整链法定时限", g.statutory);
  h += text_row("包含事项", fmt::format("{} 个", g.total_matters));
  h += row("参与部门", join_html(g.departments, "、"));
  h += "</tbody></table></section>";

  h += "<section id=\"flow\"><h2>办理流程图</h2><p class=\"lead\">一窗受理后，各事项在前置事项办结后并联办理；"
       "虚线框为视情况办理的事项，红框为关键路径，最后统一出件。</p><figure>" +
       flowchart_svg(chain) + "</figure></section>";

  if (g.only.empty()) {
    h += "<nav id=\"contents\"><h2>事项目录</h2><ol>";
    for (const auto& m : g.matters)
      h += fmt::format("<li><a href=\"#matter-{}\">{}</a></li>", xml_attr(m.id), xml_text(m.name));
    h += "</ol></nav>";
  }
  for (std::size_t i = 0; i < g.matters.size(); ++i) h += matter_section(g.matters[i], i, g.only.empty());

  h += "<footer>本指南由 yilian 根据链条文件生成。标注“未载明”的内容链条文件未作规定，以实施机关公布的信息为准。</footer>";
  return h + "</main></body></html>\n";
}

}  // namespace yilian
