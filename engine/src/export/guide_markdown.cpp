// guide_markdown(): the service guide in Markdown (the same content as the
// HTML page; the flow chart as a Mermaid block).
#include <fmt/format.h>

#include "export/form_text.h"
#include "export/guide_model.h"
#include "yilian/export.h"
#include "yilian/guide.h"

namespace yilian {
namespace {

using detail::md_cell;

std::string quoted_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "“" : "、“") + n + "”";
  return out;
}

void matter_section(const detail::GuideMatter& m, std::size_t index, bool numbered, std::string& out) {
  out += fmt::format("## {}{}\n\n", numbered ? fmt::format("{}. ", index + 1) : "", m.name);
  if (!m.description.empty()) out += m.description + "\n\n";
  out += "### 基本信息\n\n| 项目 | 内容 |\n|---|---|\n";
  auto row = [&](std::string_view label, const std::string& value) {
    out += fmt::format("| {} | {} |\n", label, md_cell(value));
  };
  row("事项名称", m.name);
  row("事项类型", m.kind);
  row("事项编码", m.code_shape.empty() ? m.code : fmt::format("`{}`（{}）", m.code, m.code_shape));
  row("设定依据", m.basis);
  row("实施主体", m.department);
  row("法定办结时限", m.statutory);
  row("承诺办结时限", m.promised);
  row("适用情形", m.applies);
  row("前置事项", m.after.empty() ? "无（受理后即可办理）" : "在" + quoted_names(m.after) + "办结后办理");
  row("到现场次数", fmt::format("{} 次（单独申请本事项时）", m.visits));
  row("收费标准", m.fee);
  row("办理结果", m.results.empty() ? std::string(detail::kNotStated)
                                    : fmt::format("{}（统一出件）", fmt::join(m.results, "、")));
  out += "\n### 申请材料\n\n";
  if (m.materials.empty()) {
    out += "本事项无需提交申请材料。\n\n";
  } else {
    out += "| 序号 | 材料名称 | 来源渠道 | 原件/复印件 | 份数 | 空表和示范样本 | 提交情形及说明 |\n"
           "|---:|---|---|---|---:|---|---|\n";
    int n = 0;
    for (const auto& mat : m.materials) {
      std::vector<std::string> files, notes;
      if (!mat.blank_form.empty()) files.push_back(fmt::format("空表：`{}`", mat.blank_form));
      if (!mat.sample.empty()) files.push_back(fmt::format("示范样本：`{}`", mat.sample));
      if (!mat.when.empty()) notes.push_back(mat.when);
      notes.insert(notes.end(), mat.notes.begin(), mat.notes.end());
      out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", ++n, md_cell(mat.name), mat.source,
                         mat.handed_in ? mat.form : "—", mat.handed_in ? std::to_string(mat.copies) : "—",
                         files.empty() ? "—" : md_cell(fmt::format("{}", fmt::join(files, "；"))),
                         notes.empty() ? "随本事项提交" : md_cell(fmt::format("{}", fmt::join(notes, "；"))));
    }
    out += "\n";
  }
  if (!m.phases.empty()) {
    out += "### 办理环节\n\n| 环节 | 类型 | 时限 | 计入办结时限 |\n|---|---|---|---|\n";
    for (const auto& p : m.phases)
      out += fmt::format("| {} | {} | {} | {} |\n", md_cell(p.name), p.kind, p.limit, md_cell(p.counting));
    out += "\n";
  }
}

}  // namespace

std::string guide_markdown(const Chain& chain, const GuideOptions& options) {
  const detail::Guide g = detail::build_guide(chain, options);
  std::string out = fmt::format("# {} · 办事指南\n\n链条 `{}` 第 {} 版{}\n\n", g.name, g.id, g.version,
                                g.only.empty() ? "" : fmt::format(" · 本文为其中一个事项（共 {} 个）", g.total_matters));
  out += "## 一链办理概况\n\n";
  if (!g.description.empty()) out += g.description + "\n\n";
  out += "| 项目 | 内容 |\n|---|---|\n";
  out += fmt::format("| 牵头部门 | {}（一窗受理、统一出件） |\n", md_cell(g.lead));
  out += fmt::format("| 整链承诺时限 | {} |\n", g.promised);
  if (!g.statutory.empty()) out += fmt::format("| 整链法定时限 | {} |\n", g.statutory);
  out += fmt::format("| 包含事项 | {} 个 |\n", g.total_matters);
  out += fmt::format("| 参与部门 | {} |\n\n", md_cell(fmt::format("{}", fmt::join(g.departments, "、"))));
  out += "## 办理流程图\n\n一窗受理后，各事项在前置事项办结后并联办理；虚线为视情况办理的事项，最后统一出件。\n\n";
  out += "```mermaid\n" + to_mermaid(chain) + "```\n\n";
  for (std::size_t i = 0; i < g.matters.size(); ++i) matter_section(g.matters[i], i, g.only.empty(), out);
  out += "---\n\n本指南由 yilian 根据链条文件生成。标注“未载明”的内容链条文件未作规定，以实施机关公布的信息为准。\n";
  return out;
}

}  // namespace yilian
