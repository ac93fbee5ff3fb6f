// build_guide(): the service guide's content, from the chain and its merged
// form (labels and units for conditions in words).
#include "export/guide_model.h"

#include <fmt/format.h>

#include "export/form_text.h"
#include "yilian/form.h"
#include "yilian/form_export.h"
#include "yilian/matter_code.h"

namespace yilian::detail {
namespace {

std::string_view zh_phase(PhaseKind k) {
  switch (k) {
    case PhaseKind::review: return "审查";
    case PhaseKind::site_inspection: return "现场核查";
    case PhaseKind::decision: return "决定";
    case PhaseKind::certificate: return "制证发证";
    case PhaseKind::publicity: return "公示";
    case PhaseKind::hearing: return "听证";
    case PhaseKind::tendering: return "招标";
    case PhaseKind::auction: return "拍卖";
    case PhaseKind::inspection: return "检验";
    case PhaseKind::testing: return "检测";
    case PhaseKind::quarantine: return "检疫";
    case PhaseKind::appraisal: return "鉴定";
    case PhaseKind::expert_review: return "专家评审";
    case PhaseKind::other: break;
  }
  return "其他";
}

std::string department_name(const Chain& c, const std::string& id) {
  const Department* d = c.find_department(id);
  return d && !d->name.empty() ? d->name : id;
}

std::string matter_name(const Chain& c, const std::string& id) {
  const Matter* m = c.find_matter(id);
  return m && !m->name.empty() ? m->name : id;
}

GuideMaterial material_of(const Chain& c, const Form& form, const Material& mat) {
  GuideMaterial g;
  g.id = mat.id;
  g.name = mat.name;
  const FormMaterial* fm = form.find_material(mat.id);
  const MaterialSource channel = fm ? fm->channel()
                                    : (mat.source == MaterialSource::unspecified ? MaterialSource::applicant : mat.source);
  g.source = std::string(zh_source(channel));
  const std::vector<const Matter*> issuers = c.issuers_of(mat.id);
  if (!issuers.empty()) {
    g.handed_in = false;
    std::vector<std::string> names;
    for (const Matter* m : issuers) names.push_back("“" + m->name + "”");
    g.notes.push_back(fmt::format("由本链条{}出具，无需提交", fmt::join(names, "或")));
  } else if (channel == MaterialSource::shared) {
    g.handed_in = false;
    g.notes.emplace_back("部门通过数据共享获取，无需提交");
  } else {
    g.form = mat.original ? "原件" : "复印件";
    g.copies = mat.copies;
    g.blank_form = mat.blank_form;
    g.sample = mat.sample;
    if (mat.conditional()) g.when = "当" + describe_condition(form, mat.when) + "时提交";
    if (mat.deferrable) g.notes.emplace_back("可容缺受理，受理后补交");
  }
  if (!mat.description.empty()) g.notes.push_back(mat.description);
  if (!mat.catch_all_reason.empty()) g.notes.push_back("兜底条款依据：" + mat.catch_all_reason);
  return g;
}

GuideMatter matter_of(const Chain& c, const Form& form, const Matter& m) {
  GuideMatter g;
  g.id = m.id;
  g.name = m.name;
  g.kind = std::string(zh_kind(m.kind));
  if (m.code.empty()) {
    g.code = std::string(kNotStated);
  } else {
    g.code = m.code;
    g.code_shape = std::string(zh_code_shape(parse_matter_code(m.code).shape));
  }
  g.basis = m.basis.empty() ? std::string(kNotStated) : m.basis;
  g.department = department_name(c, m.department);
  g.statutory = zh_limit(m.statutory());
  g.promised = zh_limit(m.promised());
  g.applies = m.conditional() ? "当" + describe_condition(form, m.when) + "时办理" : "本链条的每件申请均需办理";
  for (const auto& a : m.after) g.after.push_back(matter_name(c, a.id));
  g.visits = m.visits;
  g.fee = std::string(kNotStated);
  for (const auto& r : m.results) {
    const Material* mat = c.find_material(r.id);
    g.results.push_back(mat && !mat->name.empty() ? mat->name : r.id);
  }
  g.description = m.description;
  for (const auto& r : m.materials)
    if (const Material* mat = c.find_material(r.id)) g.materials.push_back(material_of(c, form, *mat));
  // Art. 45 rules the uncounted time of licences (行政许可法 applies to
  // licensing only); another matter's time is set by its own basis.
  const std::string uncounted = m.kind == MatterKind::licensing ? "不计入（行政许可法第四十五条）"
                                : m.basis.empty()                 ? "不计入"
                                                                  : fmt::format("不计入（{}）", m.basis);
  for (const auto& ph : m.phases)
    g.phases.push_back({ph.name.empty() ? std::string(zh_phase(ph.kind)) : ph.name, std::string(zh_phase(ph.kind)),
                        zh_limit(Limit{ph.days}), ph.counted, ph.counted ? std::string("计入") : uncounted});
  return g;
}

}  // namespace

std::string zh_limit(const Limit& limit) {
  if (limit.count == 0 && limit.in_working_days()) return "即办（当场办结）";
  return label(limit);
}

std::string_view zh_kind(MatterKind kind) {
  switch (kind) {
    case MatterKind::licensing: return "行政许可";
    case MatterKind::confirmation: return "行政确认";
    case MatterKind::filing: return "备案";
    case MatterKind::public_service: return "公共服务";
    case MatterKind::registration: return "登记";
    case MatterKind::other: break;
  }
  return "其他";
}

Guide build_guide(const Chain& chain, const GuideOptions& options) {
  const Form form = merge_form(chain);
  Guide g;
  g.id = chain.id;
  g.version = chain.version;
  g.name = chain.name;
  g.description = chain.description;
  g.lead = department_name(chain, chain.lead);
  g.promised = zh_limit(chain.promised());
  if (auto stat = chain.statutory()) g.statutory = zh_limit(*stat);
  for (const auto& d : chain.departments) g.departments.push_back(d.name);
  g.only = options.matter;
  g.total_matters = chain.matters.size();
  for (const auto& m : chain.matters)
    if (options.matter.empty() || m.id == options.matter) g.matters.push_back(matter_of(chain, form, m));
  return g;
}

}  // namespace yilian::detail
