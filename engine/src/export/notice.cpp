// notice_to_markdown(): the one notice (一次性告知书) a window officer prints.
#include <fmt/format.h>

#include "export/form_text.h"
#include "yilian/form_export.h"
#include "yilian/limit.h"

namespace yilian {

std::string notice_to_markdown(const Form& form, const CheckResult& r) {
  using namespace detail;
  std::string out;
  const Department* lead = form.find_department(form.lead);
  const std::string lead_name = lead ? lead->name : form.lead;
  out += r.complete ? "# 受理通知（申请材料齐全）\n\n" : "# 一次性告知书\n\n";
  out += fmt::format("- 申请事项：{}（`{}` 第 {} 版）\n", form.name, form.chain, form.version);
  out += fmt::format("- 受理部门：{}（一窗受理、统一出件）\n\n", lead_name);

  std::vector<std::string> applicable;
  for (const auto& id : r.applicable_matters) {
    const FormMatter* m = nullptr;
    for (const auto& x : form.matters)
      if (x.id == id) m = &x;
    const Department* d = m ? form.find_department(m->department) : nullptr;
    const bool undecided =
        std::find(r.undetermined_matters.begin(), r.undetermined_matters.end(), id) != r.undetermined_matters.end();
    applicable.push_back(fmt::format("{}（{}）{}", m ? m->name : id, d ? d->name : (m ? m->department : ""),
                                     undecided ? "：是否办理视补充的信息而定" : ""));
  }

  auto needed = [&](const MissingItem& m) {
    std::string s = m.needed_by.empty() ? std::string("代办人代为申请") : matter_names(form, m.needed_by);
    if (m.if_applicable) s += "（如需办理）";
    return md_cell(s);
  };
  auto material_table = [&](const std::vector<const MissingItem*>& items) {
    std::string t = "| 序号 | 材料名称 | 要求 | 用于办理 |\n|---:|---|---|---|\n";
    int n = 0;
    for (const MissingItem* m : items) {
      const FormMaterial* fm = form.find_material(m->key);
      std::string want;
      if (fm) {
        want = zh_material_requirement(fm->material);
        if (fm->channel() == MaterialSource::issued) want += "（部门核发）";
        if (const std::string files = zh_material_files(fm->material); !files.empty()) want += "；" + files;
      }
      t += fmt::format("| {} | {} | {} | {} |\n", ++n, md_cell(m->label), md_cell(want), needed(*m));
    }
    return t + "\n";
  };
  int section = 0;
  // 容缺受理 and 告知承诺: what an accepted case still owes, and on what terms.
  auto reform_sections = [&] {
    std::string t;
    if (!r.deferred.empty()) {
      std::vector<const MissingItem*> items;
      for (const auto& m : r.deferred) items.push_back(&m);
      t += fmt::format("## {}、容缺受理：需要后补的材料（{} 份）\n\n", zh_numeral(++section), items.size());
      t += fmt::format("以下材料暂缺不影响受理。请自受理之日起{}内补交；补齐之前，办理结果暂不出件。\n\n",
                       label(form.defer_within));
      t += material_table(items);
    }
    if (!r.committed_matters.empty()) {
      t += fmt::format("## {}、以告知承诺方式办理的事项（{} 项）\n\n", zh_numeral(++section), r.committed_matters.size());
      t += "申请人签署《告知承诺书》后，以下事项依承诺作出决定；部门在决定后的核查时限内核查承诺内容，"
           "发现承诺不实的，依法撤销已作出的决定（国办发〔2020〕42号）。\n\n";
      t += "| 序号 | 事项 | 核查时限 |\n|---:|---|---|\n";
      int n = 0;
      for (const auto& id : r.committed_matters) {
        const auto it = std::find_if(form.matters.begin(), form.matters.end(), [&](const FormMatter& m) { return m.id == id; });
        t += fmt::format("| {} | {} | {} |\n", ++n, md_cell(it == form.matters.end() ? id : it->name),
                         it == form.matters.end() ? std::string("未载明") : label(it->verify_within));
      }
      t += "\n";
    }
    return t;
  };

  if (r.complete) {
    out += "经审查，您提交的申请信息和材料齐全、符合法定形式，予以受理。本次一并办理以下事项：\n\n";
    for (const auto& a : applicable) out += "- " + a + "\n";
    out += "\n办理时限自受理之日起计算，办结后统一出件。\n";
    if (const std::string more = reform_sections(); !more.empty()) out += "\n" + more;
    return out;
  }

  // 行政许可法 Art. 32 rules licences; other matters are told at once all the same.
  const bool licensing = std::any_of(form.matters.begin(), form.matters.end(), [&](const FormMatter& m) {
    return m.kind == MatterKind::licensing &&
           std::find(r.applicable_matters.begin(), r.applicable_matters.end(), m.id) != r.applicable_matters.end();
  });
  out += licensing ? "经审查，您的申请尚不齐全或不符合法定形式。根据《中华人民共和国行政许可法》第三十二条，"
                   : "经审查，您的申请尚不齐全或不符合法定形式。";
  out += "现将需要补正的全部内容一次性告知如下。请补齐后一并提交，补正期间不计入办理时限。\n\n";
  std::vector<const MissingItem*> fields, materials;
  for (const auto& m : r.missing) (m.kind == MissingItem::Kind::field ? fields : materials).push_back(&m);
  if (!fields.empty()) {
    out += fmt::format("## {}、需要补充填写的信息（{} 项）\n\n", zh_numeral(++section), fields.size());
    out += "| 序号 | 项目 | 填写要求 | 用于办理 |\n|---:|---|---|---|\n";
    int n = 0;
    for (const MissingItem* m : fields) {
      const FormField* f = form.find_field(m->key);
      std::string want = f ? zh_type(f->field.type) : "";
      if (f && !zh_constraints(f->field).empty()) want += "，" + zh_constraints(f->field);
      out += fmt::format("| {} | {} | {} | {} |\n", ++n, md_cell(m->label), md_cell(want), needed(*m));
    }
    out += "\n";
  }
  if (!r.invalid.empty()) {
    out += fmt::format("## {}、需要更正的内容（{} 项）\n\n", zh_numeral(++section), r.invalid.size());
    out += "| 序号 | 项目 | 问题 |\n|---:|---|---|\n";
    int n = 0;
    for (const auto& i : r.invalid) {
      std::string item = i.key;
      if (const FormField* f = form.find_field(i.key)) item = f->field.label;
      else if (const FormMaterial* mt = form.find_material(i.key)) item = mt->material.name;
      else if (i.key == "chain") item = "申请事项";
      else if (i.key == "version") item = "表单版本";
      out += fmt::format("| {} | {} | {} |\n", ++n, md_cell(item), md_cell(i.reason_zh.empty() ? i.reason : i.reason_zh));
    }
    out += "\n";
  }
  if (!materials.empty()) {
    out += fmt::format("## {}、需要补交的材料（{} 份）\n\n", zh_numeral(++section), materials.size());
    out += material_table(materials);
  }
  out += reform_sections();
  if (!applicable.empty()) {
    out += fmt::format("## {}、本次申请涉及的事项\n\n", zh_numeral(++section));
    for (const auto& a : applicable) out += "- " + a + "\n";
    out += "\n";
  }
  out += fmt::format("{}（盖章）\n\n窗口工作人员：__________　　告知日期：____年__月__日\n\n"
                     "申请人（签收）：__________　　联系电话：__________\n",
                     lead_name);
  return out;
}

}  // namespace yilian
