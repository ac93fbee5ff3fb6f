// Materials grown up: `when`, `source`, `original`/`copies`, `blank_form`
// and `sample`, `deferrable`, and the catch-all rule. One rule of "which
// materials does this case need" for the check, the notice, the merged set
// and the flow core.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "calendar_fixture.h"
#include "form_fixture.h"
#include "yilian/check.h"
#include "yilian/flow.h"
#include "yilian/form.h"
#include "yilian/form_export.h"
#include "yilian/load.h"

using namespace yilian;
using namespace yilian::test;

namespace material_test {

namespace {

// Companies hand in articles of association, individual businesses do not;
// the credit report is fetched by data sharing; the lease has a blank form
// and a sample; the floor plan may be handed in later (容缺).
const std::string kFields =
    "  applicant.name: { label: 申请人名称, type: string }\n"
    "  applicant.form: { label: 市场主体类型, type: enum, values: [company, individual] }\n"
    "  site.area: { label: 面积, type: area }\n";
const std::string kMaterials =
    "  articles: { name: 公司章程, source: applicant, when: \"applicant.form == 'company'\" }\n"
    "  credit-report: { name: 信用报告, source: shared }\n"
    "  id-card: { name: 法定代表人身份证, source: issued, original: true }\n"
    "  lease: { name: 租赁合同, copies: 2, blank_form: forms/lease.docx, sample: samples/lease.pdf }\n"
    "  floor-plan: { name: 平面图, deferrable: true, when: 'site.area >= 100' }\n"
    "  licence: { name: 营业执照 }\n";
const std::string kMatters =
    "  - id: register\n    name: 设立登记\n    department: a\n    statutory_days: 3\n    promised_days: 1\n"
    "    fields: [applicant.name, applicant.form, site.area]\n"
    "    materials: [articles, credit-report, id-card, lease, floor-plan]\n    results: [licence]\n"
    "  - id: permit\n    name: 经营许可\n    department: b\n    statutory_days: 20\n    promised_days: 5\n"
    "    after: [register]\n    materials: [licence, articles]\n";

ValidChain fixture() { return load_ok(chain_text(kFields, kMatters, kMaterials)); }

const MissingItem* find_missing(const CheckResult& r, std::string_view key) {
  for (const auto& m : r.missing)
    if (m.key == key) return &m;
  return nullptr;
}

Diagnostics diagnostics_of(const std::string& materials, const std::string& matters = kMatters) {
  return load_chain_text(chain_text(kFields, matters, materials), "fixture.yaml").diagnostics;
}

const Diagnostic* find_code(const Diagnostics& d, std::string_view code) {
  for (const auto& x : d)
    if (x.code == code) return &x;
  return nullptr;
}

}  // namespace

TEST_CASE("material.catch_all.rule") {
  for (const char* name : {"其他材料", "其他相关材料", "相关材料", "有关材料", "其它证明", "有关部门要求的其他文件",
                           "相关证明文件", "身份证、户口簿等", "营业执照等材料", "身份证明等证件。", "法律法规规定的其他材料",
                           "审批机关认为需要提交的材料", "确有必要时，审批机关认为必要的", "其他", " 其它 ",
                           "身份证、户口簿……", "身份证、户口簿...", "章程等等", "资质证书等文件；"}) {
    CAPTURE(name);
    CHECK(!catch_all_marker(name).empty());
  }
  for (const char* name : {"公司章程", "其他股东的身份证明", "等级证书", "中等职业学校毕业证书", "相关方签署的协议书",
                           "建筑平面图（标明诊室、治疗室等）", "有关部门出具的消防验收意见书", "其他合伙人名单"}) {
    CAPTURE(name);
    CHECK(catch_all_marker(name).empty());
  }
  CHECK(catch_all_marker("其他相关材料") == "相关材料");
  CHECK(catch_all_marker("营业执照等材料") == "等材料");
  CHECK(catch_all_marker("身份证、户口簿等") == "等");
}

TEST_CASE("material.catch_all.error_unless_reason") {
  const Diagnostics d = diagnostics_of(kMaterials + "  other: { name: 其他相关材料 }\n");
  const Diagnostic* e = find_code(d, "catch-all-material");
  REQUIRE(e);
  CHECK(e->severity == Severity::error);
  CHECK(e->message.find("`其他相关材料`") != std::string::npos);
  CHECK(e->where.line > 0);
  CHECK(e->path == "materials.other.name");
  // With a reason the name stays, without an error.
  const Diagnostics ok = diagnostics_of(kMaterials + "  other: { name: 其他相关材料, catch_all_reason: 条例第九条第（七）项 }\n");
  CHECK(!find_code(ok, "catch-all-material"));
  // A reason on a proper name is a warning.
  const Diagnostics unused = diagnostics_of(kMaterials + "  other: { name: 消防验收意见书, catch_all_reason: 无 }\n");
  const Diagnostic* w = find_code(unused, "catch-all-reason-unused");
  REQUIRE(w);
  CHECK(w->severity == Severity::warning);
}

TEST_CASE("material.load.keys") {
  auto c = fixture();
  const Material* articles = c->find_material("articles");
  REQUIRE(articles);
  CHECK(articles->source == MaterialSource::applicant);
  CHECK(articles->conditional());
  CHECK(articles->when.text() == "applicant.form == 'company'");
  CHECK(articles->when_where.line > 0);
  const Material* id = c->find_material("id-card");
  CHECK(id->source == MaterialSource::issued);
  CHECK(id->original);
  CHECK(id->copies == 1);
  const Material* lease = c->find_material("lease");
  CHECK(lease->source == MaterialSource::unspecified);
  CHECK(lease->copies == 2);
  CHECK(!lease->original);
  CHECK(lease->blank_form == "forms/lease.docx");
  CHECK(lease->sample == "samples/lease.pdf");
  CHECK(c->find_material("floor-plan")->deferrable);
  CHECK(c->find_material("credit-report")->source == MaterialSource::shared);
  CHECK(parse_material_source("shared") == MaterialSource::shared);
  CHECK(!parse_material_source("sharing"));
  CHECK(to_string(MaterialSource::issued) == "issued");
}

TEST_CASE("material.load.errors_and_warnings") {
  // A wrong source, with a suggestion.
  Diagnostics d = diagnostics_of(kMaterials + "  x: { name: 证明书, source: shard }\n");
  const Diagnostic* e = find_code(d, "material-source");
  REQUIRE(e);
  CHECK(e->hint.find("`shared`") != std::string::npos);
  // A document the chain issues cannot be the applicant's or shared.
  std::string mats = kMaterials;
  mats.replace(mats.find("licence: { name: 营业执照 }"), std::string("licence: { name: 营业执照 }").size(),
               "licence: { name: 营业执照, source: shared }");
  d = diagnostics_of(mats);
  e = find_code(d, "material-source");
  REQUIRE(e);
  CHECK(e->severity == Severity::error);
  CHECK(e->message.find("issues material `licence`") != std::string::npos);
  // Paths are relative to the chain file.
  d = diagnostics_of(kMaterials + "  x: { name: 申请书, blank_form: /etc/forms/a.docx, sample: 'https://example.org/a.pdf' }\n");
  int paths = 0;
  for (const auto& x : d) paths += x.code == "file-path";
  CHECK(paths == 2);
  // A shared material is never handed in: paper details have no effect.
  d = diagnostics_of(kMaterials + "  x: { name: 完税证明, source: shared, original: true, copies: 2 }\n");
  int shared = 0;
  for (const auto& x : d) shared += x.code == "shared-material" && x.severity == Severity::warning;
  CHECK(shared == 2);
  // `when` on a document the chain issues has no effect.
  mats = kMaterials;
  mats.replace(mats.find("licence: { name: 营业执照 }"), std::string("licence: { name: 营业执照 }").size(),
               "licence: { name: 营业执照, when: \"applicant.form == 'company'\" }");
  d = diagnostics_of(mats);
  e = find_code(d, "issued-material-when");
  REQUIRE(e);
  CHECK(e->severity == Severity::warning);
  CHECK(e->path == "materials.licence.when");
  // A material condition is typed against the catalogue.
  d = diagnostics_of(kMaterials + "  x: { name: 申请书, when: \"applicant.form == 'limited'\" }\n");
  e = find_code(d, "condition-type");
  REQUIRE(e);
  CHECK(e->path == "materials.x.when");
  d = diagnostics_of(kMaterials + "  x: { name: 申请书, when: 'applicant.froms == 1' }\n");
  e = find_code(d, "condition-type");
  REQUIRE(e);
  CHECK(e->hint.find("applicant.form") != std::string::npos);
}

TEST_CASE("material.files.missing_file_warns_with_location") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "yilian-material-files";
  fs::remove_all(dir);
  fs::create_directories(dir / "forms");
  std::ofstream(dir / "forms" / "lease.docx") << "x";
  const fs::path file = dir / "chain.yaml";
  std::ofstream(file) << chain_text(kFields, kMatters, kMaterials);
  Loaded<ValidChain> r = load_chain(file.string());
  REQUIRE(r.ok());
  std::vector<const Diagnostic*> missing;
  for (const auto& d : r.diagnostics)
    if (d.code == "missing-file") missing.push_back(&d);
  REQUIRE(missing.size() == 1);  // the blank form exists, the sample does not
  CHECK(missing[0]->severity == Severity::warning);
  CHECK(missing[0]->path == "materials.lease.sample");
  CHECK(missing[0]->where.file == file.string());
  CHECK(missing[0]->where.line > 0);
  CHECK(missing[0]->message.find("samples/lease.pdf") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("material.merge.sources_and_stats") {
  const Form f = merge_form(*fixture());
  const FormMaterial* shared = f.find_material("credit-report");
  REQUIRE(shared);
  CHECK(!shared->asked);
  CHECK(shared->requirement == Requirement::shared);
  CHECK(shared->channel() == MaterialSource::shared);
  CHECK(shared->source() == "shared");
  CHECK(f.find_material("licence")->channel() == MaterialSource::issued);  // issued by a matter of the chain
  CHECK(f.find_material("id-card")->channel() == MaterialSource::issued);
  CHECK(f.find_material("lease")->channel() == MaterialSource::applicant);
  // The articles: asked when the matter applies and the applicant is a company.
  const FormMaterial* articles = f.find_material("articles");
  CHECK(articles->requirement == Requirement::conditional);
  REQUIRE(articles->required_when.size() == 1);
  CHECK(articles->required_when[0].text() == "applicant.form == 'company'");
  // before: 5 + 2 listed; after: articles, id-card, lease, floor-plan (the
  // report is shared, the licence issued); the shared one counts as saved.
  CHECK(f.stats.materials_before == 7);
  CHECK(f.stats.materials_after == 4);
  CHECK(f.stats.materials_shared == 1);
  // The field that decides the floor plan knows it.
  const FormField* area = f.find_field("site.area");
  REQUIRE(area);
  CHECK(area->deciding_materials == std::vector<std::string>{"floor-plan"});
}

TEST_CASE("material.merge.conjunction_with_matter_condition") {
  const std::string matters =
      "  - id: register\n    name: 设立登记\n    department: a\n    statutory_days: 3\n    promised_days: 1\n"
      "    fields: [applicant.name, applicant.form, site.area]\n    materials: [id-card]\n    results: [licence]\n"
      "  - id: permit\n    name: 经营许可\n    department: b\n    statutory_days: 20\n    promised_days: 5\n"
      "    when: 'site.area > 50 or applicant.form == \"individual\"'\n    materials: [articles]\n";
  const Form f = merge_form(*load_ok(chain_text(kFields, matters, kMaterials)));
  const FormMaterial* articles = f.find_material("articles");
  REQUIRE(articles->required_when.size() == 1);
  CHECK(articles->required_when[0].text() ==
        "(site.area > 50 or applicant.form == \"individual\") and applicant.form == 'company'");
  const std::string md = form_to_markdown(f);
  CHECK(md.find("公司章程") != std::string::npos);
}

TEST_CASE("material.check.when_and_shared") {
  auto c = fixture();
  const FormChecker checker(*c);
  FieldValues company{{"applicant.name", Value{std::string("某公司")}},
                      {"applicant.form", Value{std::string("company")}},
                      {"site.area", Value{80.0}}};
  CheckResult r = checker.check(company, {"id-card", "lease"});
  CHECK(!r.complete);
  const MissingItem* articles = find_missing(r, "articles");
  REQUIRE(articles);
  CHECK(articles->needed_by == std::vector<std::string>{"register", "permit"});
  CHECK(!articles->if_applicable);
  CHECK(!find_missing(r, "credit-report"));  // shared: never asked
  CHECK(!find_missing(r, "floor-plan"));     // 80 m²: not needed
  CHECK(checker.check(company, {"articles", "id-card", "lease"}).complete);

  FieldValues individual = company;
  individual["applicant.form"] = Value{std::string("individual")};
  individual["site.area"] = Value{120.0};
  r = checker.check(individual, {"id-card", "lease"});
  CHECK(!find_missing(r, "articles"));
  // 120 m²: the floor plan is needed, and deferrable (容缺受理): listed
  // apart, it does not stop acceptance.
  CHECK(!find_missing(r, "floor-plan"));
  REQUIRE(r.deferred.size() == 1);
  CHECK(r.deferred[0].key == "floor-plan");
  CHECK(r.deferred[0].needed_by == std::vector<std::string>{"register"});
  CHECK(r.complete);
  CHECK(checker.complete(individual, {"id-card", "lease"}));
  CHECK(checker.check(individual, {"floor-plan", "id-card", "lease"}).deferred.empty());
  CHECK(checker.check(company, {"articles", "id-card", "lease"}).deferred.empty());  // 80 m²: not needed at all

  // Undecided: the deciding field is asked, the material "if applicable".
  FieldValues undecided{{"applicant.name", Value{std::string("某公司")}}, {"site.area", Value{80.0}}};
  r = checker.check(undecided, {"id-card", "lease"});
  const MissingItem* form_field = find_missing(r, "applicant.form");
  REQUIRE(form_field);
  CHECK(form_field->kind == MissingItem::Kind::field);
  articles = find_missing(r, "articles");
  REQUIRE(articles);
  CHECK(articles->if_applicable);

  // Handing in a shared material is ignored, never an error.
  r = checker.check(company, {"articles", "credit-report", "id-card", "lease"});
  CHECK(r.complete);
  bool ignored = false;
  for (const auto& g : r.ignored) ignored = ignored || (g.key == "credit-report" && g.reason == "shared");
  CHECK(ignored);
}

TEST_CASE("material.flow_core_and_check_agree") {
  auto c = fixture();
  auto fc = FlowChain::compile(c, cn_mainland(), {});
  const FormChecker checker(*c);
  const std::vector<std::string> forms{"company", "individual", ""};
  const std::vector<double> areas{80.0, 120.0, -1};
  const std::vector<std::vector<std::string>> given{{},
                                                    {"id-card", "lease"},
                                                    {"articles", "id-card", "lease"},
                                                    {"floor-plan", "id-card", "lease"},
                                                    {"articles", "floor-plan", "id-card", "lease"}};
  for (const auto& form : forms)
    for (double area : areas)
      for (const auto& mats : given) {
        FieldValues v{{"applicant.name", Value{std::string("某")}}};
        if (!form.empty()) v["applicant.form"] = Value{form};
        if (area >= 0) v["site.area"] = Value{area};
        const CheckResult r = checker.check(v, mats);
        CAPTURE(form);
        CAPTURE(area);
        CHECK(checker.complete(v, mats) == r.complete);
        CHECK(fc->check(v, mats).complete == r.complete);
        std::size_t missing_materials = 0;
        for (const auto& m : r.missing) missing_materials += m.kind == MissingItem::Kind::material;
        std::size_t flow_materials = 0;
        for (const auto& m : fc->missing(v, mats)) flow_materials += m.kind == FlowChain::Missing::Kind::material;
        CHECK(flow_materials == missing_materials);
      }
}

TEST_CASE("material.exports.show_the_new_keys") {
  const Form f = merge_form(*fixture());
  const std::string md = form_to_markdown(f);
  CHECK(md.find("| 序号 | 材料 | 编号 | 来源 | 要求 | 空表和样本 | 用于事项 |") != std::string::npos);
  CHECK(md.find("部门核发") != std::string::npos);
  CHECK(md.find("复印件 2 份") != std::string::npos);
  CHECK(md.find("空表：forms/lease.docx；示范样本：samples/lease.pdf") != std::string::npos);
  CHECK(md.find("可容缺") != std::string::npos);
  CHECK(md.find("共享获取的材料") != std::string::npos);
  CHECK(md.find("其中 1 份材料由部门通过数据共享获取") != std::string::npos);
  const std::string json = form_to_json(f);
  CHECK(json.find("\"channel\": \"shared\"") != std::string::npos);
  CHECK(json.find("\"materials_shared\": 1") != std::string::npos);
  CHECK(json.find("\"when\": \"applicant.form == 'company'\"") != std::string::npos);
  CHECK(json.find("\"blank_form\": \"forms/lease.docx\"") != std::string::npos);
  CHECK(json.find("\"deferrable\": true") != std::string::npos);
  // The notice names what to bring and how.
  FieldValues v{{"applicant.name", Value{std::string("某公司")}},
                {"applicant.form", Value{std::string("company")}},
                {"site.area", Value{80.0}}};
  const std::string notice = notice_to_markdown(f, FormChecker(f).check(v, {}));
  CHECK(notice.find("公司章程") != std::string::npos);
  CHECK(notice.find("原件（部门核发）") != std::string::npos);
  CHECK(notice.find("空表：forms/lease.docx") != std::string::npos);
  CHECK(notice.find("信用报告") == std::string::npos);  // shared: not asked
}

TEST_CASE("material.condition.conjunction") {
  auto a = parse_condition("x == 1 or y == 2");
  auto b = parse_condition("z == true");
  REQUIRE(a);
  REQUIRE(b);
  const Condition both = conjunction(*a, *b);
  CHECK(both.text() == "(x == 1 or y == 2) and z == true");
  CHECK(both.fields() == std::vector<std::string>{"x", "y", "z"});
  CHECK(both.evaluate(FieldValues{{"x", Value{1.0}}, {"z", Value{true}}}) == Truth::yes);
  CHECK(both.evaluate(FieldValues{{"x", Value{1.0}}, {"z", Value{false}}}) == Truth::no);
  CHECK(both.evaluate(FieldValues{{"x", Value{1.0}}}) == Truth::unknown);
  CHECK(conjunction(Condition{}, *b).text() == "z == true");
  CHECK(conjunction(*a, Condition{}).text() == "x == 1 or y == 2");
}

}  // namespace material_test
