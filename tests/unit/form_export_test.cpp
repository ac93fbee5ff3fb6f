// The form and the notice as documents: conditions in Chinese words, the
// Markdown grouping, CSV quoting, the notice's sections.
#include <doctest/doctest.h>

#include "form_fixture.h"
#include "yilian/application.h"
#include "yilian/check.h"
#include "yilian/form_export.h"

using namespace yilian;

namespace form_export_test {

namespace {

std::shared_ptr<const Chain> load(const std::string& rel) {
  Loaded<ValidChain> r = load_chain(std::string(YILIAN_SOURCE_DIR) + "/" + rel);
  REQUIRE(r.ok());
  return r.value();
}

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + what.size())) ++n;
  return n;
}

}  // namespace

TEST_CASE("form.export.conditions_in_words") {
  auto chain = test::load_ok(test::chain_text(
      "  a.kind: { label: 类型, type: enum, values: [x, y, z] }\n"
      "  a.area: { label: 面积, type: area, unit: m² }\n"
      "  a.meals: { label: 是否供餐, type: boolean }\n",
      "  - { id: m1, name: 甲, department: a, statutory_days: 5, promised_days: 3,\n"
      "      when: \"not (a.kind in ['x', 'y'] and 100 < a.area) or a.meals\" }\n"));
  const Form f = merge_form(*chain);
  CHECK(describe_condition(f, f.matters[0].when) ==
        "并非（类型为“x”、“y”之一，且面积大于 100 m²），或是否供餐为“是”");
  CHECK(describe_condition(f, Condition{}).empty());
}

TEST_CASE("form.export.markdown_groups_by_condition") {
  const Form f = merge_form(*load("tests/form/chains/form-check.yaml"));
  const std::string md = form_to_markdown(f);
  CHECK(md.rfind("# 餐饮旅馆开办（测试） · 一表申请", 0) == 0);
  // site.address is needed under four conditions; the lodging permit's
  // (`venue.type in ['hotel'] and hotel.rooms >= 1`) implies the fire
  // check's, so a reader is shown three.
  CHECK(md.find("### 当是否已领取营业执照为“否”；或是否提供餐饮为“是”；或经营场所面积不小于 300 m²，或经营类型为“hotel”时\n") !=
        std::string::npos);
  // A field that only decides conditions together with others.
  CHECK(md.find("### 用于判断是否办理消防安全检查、旅馆业特种行业许可") != std::string::npos);
  CHECK(md.find("| 食品经营许可证编号 | `food.licence_no` | 食品经营许可 |") != std::string::npos);
  CHECK(md.find("| 填报信息 | 34 | 20 | 41.2% |") != std::string::npos);
  CHECK(md.find("2018 年底目标：材料减少 30% —— 已达到") != std::string::npos);
  // Two conditions that together cover every case are marked as such.
  const std::string kg = form_to_markdown(merge_form(*load("chains/kindergarten-setup.yaml")));
  CHECK(kg.find("### 当儿童用房建筑面积大于 1000 m²；或儿童用房建筑面积不大于 1000 m²时（必居其一，均需填写）") !=
        std::string::npos);
}

TEST_CASE("form.export.csv") {
  auto chain = test::load_ok(test::chain_text(
      "  a.note: { label: \"说明, 备注\", type: text, description: '含\"引号\"' }\n",
      "  - { id: m1, name: 甲, department: a, statutory_days: 5, promised_days: 3, fields: [a.note], materials: [x] }\n",
      "  x: { name: 材料 }\n"));
  const std::string csv = form_to_csv(merge_form(*chain));
  CHECK(csv.find("field,a.note,\"说明, 备注\",text,always,,,,,,,,applicant,m1,a,\"含\"\"引号\"\"\"\r\n") !=
        std::string::npos);
  CHECK(csv.find("material,x,材料,,always,,,,,,,,applicant,m1,a,\r\n") != std::string::npos);
  // Every row has the header's 16 columns (no comma inside these cells but the quoted ones).
  CHECK(count(csv, "\r\n") == 3);
  // A UTF-8 byte order mark first, so that Excel reads the Chinese as UTF-8.
  CHECK(csv.rfind("\xEF\xBB\xBF" "kind,key,label,", 0) == 0);
}

TEST_CASE("form.export.notice") {
  const auto chain = load("chains/elderly-care.yaml");
  const FormChecker checker(*chain);
  Loaded<Application> bad = load_application(std::string(YILIAN_SOURCE_DIR) + "/examples/applications/elderly-care-incomplete.yaml");
  REQUIRE(bad.ok());
  const CheckResult r = checker.check(bad.value());
  const std::string notice = notice_to_markdown(checker.form(), r);
  CHECK(notice.rfind("# 一次性告知书", 0) == 0);
  CHECK(notice.find("根据《中华人民共和国行政许可法》第三十二条") != std::string::npos);
  CHECK(notice.find("## 一、需要补充填写的信息（9 项）") != std::string::npos);
  CHECK(notice.find("## 二、需要更正的内容（1 项）") != std::string::npos);
  CHECK(notice.find("## 三、需要补交的材料（8 份）") != std::string::npos);
  // Needed only if the undecided registration applies.
  CHECK(notice.find("| 民办非企业单位章程 | 复印件 | 民办非企业单位（养老机构）成立登记（如需办理） |") != std::string::npos);
  CHECK(notice.find("| 机构性质 |") != std::string::npos);
  CHECK(notice.find("是否办理视补充的信息而定") != std::string::npos);
  CHECK(notice.find("区民政局（盖章）") != std::string::npos);  // the lead department (civil affairs) signs
  // A chain of no licence (social assistance) does not cite the licensing
  // law's Art. 32; it still tells everything at once.
  const auto relief = load("chains/social-assistance.yaml");
  const FormChecker relief_checker(*relief);
  Loaded<Application> asked =
      load_application(std::string(YILIAN_SOURCE_DIR) + "/examples/applications/social-assistance-incomplete.yaml");
  REQUIRE(asked.ok());
  const std::string relief_notice = notice_to_markdown(relief_checker.form(), relief_checker.check(asked.value()));
  CHECK(relief_notice.find("行政许可法") == std::string::npos);
  CHECK(relief_notice.find("现将需要补正的全部内容一次性告知如下") != std::string::npos);
  Loaded<Application> good = load_application(std::string(YILIAN_SOURCE_DIR) + "/examples/applications/elderly-care-complete.yaml");
  REQUIRE(good.ok());
  const std::string accepted = notice_to_markdown(checker.form(), checker.check(good.value()));
  CHECK(accepted.rfind("# 受理通知（申请材料齐全）", 0) == 0);
  CHECK(accepted.find("一次性告知") == std::string::npos);
}

}  // namespace form_export_test
