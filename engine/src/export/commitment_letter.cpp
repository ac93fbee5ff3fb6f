// commitment_letters_to_markdown(): the 告知承诺书 an applicant signs for each
// matter decided on a commitment (国办发〔2020〕42号: the organ informs of the
// basis, the conditions, the materials, the verification and the
// consequences of an untrue commitment; the applicant commits in writing).
#include <fmt/format.h>

#include "export/form_text.h"
#include "yilian/application.h"
#include "yilian/form_export.h"
#include "yilian/limit.h"

namespace yilian {
namespace {

std::string letter(const Chain& chain, const Matter& m, const Application* app) {
  using namespace detail;
  const Department* d = chain.find_department(m.department);
  const std::string dept = d ? d->name : m.department;
  std::string out = "# 告知承诺书\n\n";
  out += fmt::format("- 事项名称：{}\n", m.name);
  out += fmt::format("- 实施部门：{}\n", dept);
  out += fmt::format("- 所属链条：{}（`{}` 第 {} 版）\n\n", chain.name, chain.id, chain.version);

  out += "## 一、部门告知\n\n";
  int n = 0;
  out += fmt::format("{}. 设定依据：{}。\n", ++n, m.basis.empty() ? "未载明" : m.basis);
  if (!m.description.empty()) out += fmt::format("{}. 事项说明：{}\n", ++n, m.description);
  std::vector<std::string> fields;
  for (const Ref& f : m.fields)
    if (const Field* def = chain.find_field(f.id)) fields.push_back(def->label);
  for (const Field& f : m.field_defs) fields.push_back(f.label);
  if (!fields.empty())
    out += fmt::format("{}. 需填报的信息：{}。\n", ++n, fmt::join(fields, "、"));
  if (!m.materials.empty()) {
    out += fmt::format("{}. 应当具备的材料（依承诺作出决定，核查时应当能够出示）：\n\n", ++n);
    out += "   | 序号 | 材料名称 | 要求 |\n   |---:|---|---|\n";
    int k = 0;
    for (const Ref& r : m.materials) {
      const Material* mt = chain.find_material(r.id);
      out += fmt::format("   | {} | {} | {} |\n", ++k, md_cell(mt ? mt->name : r.id),
                         mt ? md_cell(zh_material_requirement(*mt)) : std::string());
    }
    out += "\n";
  }
  out += fmt::format(
      "{}. 办理方式：申请人书面承诺已经符合上述条件、标准和要求，部门依承诺作出决定，"
      "不再要求申请人在决定前提交证明或者等待现场核查。\n",
      ++n);
  out += fmt::format("{}. 核查：部门自作出决定之日起{}内，对承诺内容进行核查（现场核查或者信息核验）。\n", ++n,
                     label(m.verify_within));
  out += fmt::format(
      "{}. 不实承诺的后果：经核查，申请人不符合所承诺的条件或者承诺不实的，部门依法撤销已作出的决定，"
      "并记录依赖该决定办理的后续事项；申请人依法承担相应的法律责任，不实承诺记入其信用记录。\n\n",
      ++n);

  out += "## 二、申请人承诺\n\n本人（本单位）郑重承诺：\n\n";
  out += "1. 已经知晓部门告知的全部内容；\n";
  out += "2. 已经符合部门告知的条件、标准和要求；\n";
  out += "3. 填报的信息和具备的材料真实、准确、完整，核查时能够提供；\n";
  out += "4. 愿意接受部门的核查，愿意承担不实承诺的法律责任；\n";
  out += "5. 以上承诺是本人（本单位）真实意思的表示。\n\n";
  out += "申请人（签字或者盖章）：__________　　日期：____年__月__日\n\n";
  if (app && app->agent)
    out += fmt::format("代办人：{}（受申请人委托，凭授权委托书代为签署）　签字：__________\n\n", app->agent->name);
  out += fmt::format("{}（盖章）　　日期：____年__月__日\n\n", dept);
  out += "本告知承诺书一式两份，部门和申请人各执一份。\n";
  return out;
}

}  // namespace

std::string commitment_letters_to_markdown(const Chain& chain, const CheckResult& result, const Application* app) {
  std::string out;
  for (const std::string& id : result.committed_matters) {
    const Matter* m = chain.find_matter(id);
    if (!m) continue;
    if (!out.empty()) out += "\n---\n\n";
    out += letter(chain, *m, app);
  }
  return out;
}

}  // namespace yilian
