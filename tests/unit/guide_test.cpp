// The service guide (办事指南): every element a guide carries, taken from
// the chain and never made up; HTML self-contained and escaped; Markdown
// with the same content; `yilian guide` on the command line.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "cli_support.h"
#include "form_fixture.h"
#include "yilian/guide.h"
#include "yilian/load.h"

using namespace yilian;
using namespace yilian::test;

namespace guide_test {

namespace {

const std::string kFields =
    "  applicant.name: { label: 申请人名称, type: string }\n"
    "  applicant.form: { label: 市场主体类型, type: enum, values: [company, individual] }\n"
    "  site.area: { label: 经营面积, type: area, unit: m² }\n";
const std::string kMaterials =
    "  articles: { name: 公司章程, when: \"applicant.form == 'company'\" }\n"
    "  credit-report: { name: 信用报告, source: shared }\n"
    "  id-card: { name: 法定代表人身份证, source: issued, original: true }\n"
    "  lease: { name: 租赁合同<附件>, copies: 2, blank_form: forms/lease.docx, sample: samples/lease.pdf, deferrable: true }\n"
    "  licence: { name: 营业执照 }\n";
const std::string kMatters =
    "  - id: register\n    name: 设立登记\n    department: a\n    kind: registration\n"
    "    code: '000117003000'\n    basis: 市场主体登记管理条例第十九条\n    statutory_days: 3\n    promised_days: 0\n"
    "    visits: 1\n    fields: [applicant.name, applicant.form, site.area]\n"
    "    materials: [articles, credit-report, id-card, lease]\n    results: [licence]\n"
    "  - id: permit\n    name: 经营许可\n    department: b\n    statutory_days: 20\n    promised_days: 5\n    visits: 2\n"
    "    after: [register]\n    when: 'site.area >= 50'\n    materials: [licence]\n"
    "    phases:\n      - { id: check, name: 现场核查, kind: site-inspection, days: 2 }\n"
    "      - { id: expert, kind: expert-review, days: 5 }\n";

std::shared_ptr<const Chain> fixture() { return load_ok(chain_text(kFields, kMatters, kMaterials)); }

bool has(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

std::string read(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("guide.html.every_element_of_a_matter") {
  const std::string h = guide_html(*fixture());
  CHECK(h.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(has(h, "<html lang=\"zh-CN\">"));
  CHECK(has(h, "<h1>测试链条</h1>"));
  // Name, kind in Chinese, code and its shape, basis, department, limits.
  CHECK(has(h, "<h2>1. 设立登记</h2>"));
  CHECK(has(h, "<td>登记</td>"));
  CHECK(has(h, "<code>000117003000</code>（基本编码）"));
  CHECK(has(h, "市场主体登记管理条例第十九条"));
  CHECK(has(h, "<td>甲局</td>"));
  CHECK(has(h, "即办（当场办结）"));
  CHECK(has(h, "20个工作日"));
  CHECK(has(h, "5个工作日"));
  // When it applies, in words; what comes first; visits; results.
  CHECK(has(h, "本链条的每件申请均需办理"));
  CHECK(has(h, "当经营面积不小于 50 m²时办理"));
  CHECK(has(h, "在“设立登记”办结后办理"));
  CHECK(has(h, "2 次（单独申请本事项时）"));
  CHECK(has(h, "营业执照（统一出件）"));
  // What the chain does not say is not invented.
  CHECK(has(h, "<th scope=\"row\">收费标准</th><td class=\"none\">未载明</td>"));
  CHECK(has(h, "<th scope=\"row\">设定依据</th><td class=\"none\">未载明</td>"));  // permit has no basis
  CHECK(!has(h, "不收费"));
  // Phases, with Art. 45 time not counted.
  CHECK(has(h, "现场核查"));
  CHECK(has(h, "不计入（行政许可法第四十五条）"));
}

TEST_CASE("guide.html.materials") {
  const std::string h = guide_html(*fixture());
  // Source, original or copy, copies, blank form and sample, when, 容缺.
  CHECK(has(h, "<span class=\"tag\">部门核发</span></td><td>原件</td><td class=\"n\">1</td>"));
  CHECK(has(h, "<td>复印件</td><td class=\"n\">2</td><td>空表：<code>forms/lease.docx</code><br>示范样本：<code>samples/lease.pdf</code></td>"));
  CHECK(has(h, "当市场主体类型为“company”时提交"));
  CHECK(has(h, "可容缺受理，受理后补交"));
  CHECK(has(h, "<span class=\"tag shared\">共享获取</span>"));
  CHECK(has(h, "部门通过数据共享获取，无需提交"));
  // The licence the first matter issues: the second matter does not ask for it.
  CHECK(has(h, "由本链条“设立登记”出具，无需提交"));
  // Names are escaped.
  CHECK(has(h, "租赁合同&lt;附件&gt;"));
  CHECK(!has(h, "租赁合同<附件>"));
}

TEST_CASE("guide.html.self_contained_and_printable") {
  const std::string h = guide_html(*fixture());
  CHECK(!has(h, "<script"));
  CHECK(!has(h, "<link"));
  CHECK(!has(h, "@import"));
  CHECK(!std::regex_search(h, std::regex(R"((src|href)\s*=\s*["']?(https?:)?//)", std::regex::icase)));
  CHECK(!std::regex_search(h, std::regex(R"(url\(\s*["']?https?:)", std::regex::icase)));
  CHECK(has(h, "@page { size: A4;"));
  CHECK(has(h, "@media print"));
  CHECK(has(h, "section.matter { break-before: page; }"));
  // The chain's flow chart, inline.
  CHECK(has(h, "<svg id=\"chart-flow\" class=\"flowchart\""));
  CHECK(has(h, "data-matter=\"permit\""));
  // A contents list with in-page links only.
  CHECK(has(h, "<a href=\"#matter-register\">设立登记</a>"));
}

TEST_CASE("guide.html.one_matter") {
  const std::string h = guide_html(*fixture(), GuideOptions{"permit"});
  CHECK(has(h, "<h2>经营许可</h2>"));
  CHECK(!has(h, "<h2>1. 设立登记</h2>"));
  CHECK(has(h, "本页为其中一个事项（共 2 个）"));
  CHECK(has(h, "<svg id=\"chart-flow\""));  // the whole chain's chart stays
  CHECK(has(h, "svg .node[data-matter=\"permit\"]"));  // with the matter marked
  CHECK(!has(h, "id=\"contents\""));
}

TEST_CASE("guide.markdown.same_content") {
  const std::string md = guide_markdown(*fixture());
  CHECK(md.rfind("# 测试链条 · 办事指南", 0) == 0);
  CHECK(has(md, "```mermaid\n"));
  CHECK(has(md, "flowchart LR"));
  CHECK(has(md, "## 1. 设立登记"));
  CHECK(has(md, "| 事项编码 | `000117003000`（基本编码） |"));
  CHECK(has(md, "| 收费标准 | 未载明 |"));
  CHECK(has(md, "| 法定办结时限 | 20个工作日 |"));
  CHECK(has(md, "| 3 | 法定代表人身份证 | 部门核发 | 原件 | 1 | — | 随本事项提交 |"));
  CHECK(has(md, "| 4 | 租赁合同<附件> | 申请人自备 | 复印件 | 2 | 空表：`forms/lease.docx`；示范样本：`samples/lease.pdf` | 可容缺受理，受理后补交 |"));
  CHECK(has(md, "| 2 | 信用报告 | 共享获取 | — | — | — | 部门通过数据共享获取，无需提交 |"));
  CHECK(has(md, "不计入（行政许可法第四十五条）"));
  const std::string one = guide_markdown(*fixture(), GuideOptions{"register"});
  CHECK(has(one, "## 设立登记"));
  CHECK(!has(one, "## 经营许可"));
}

TEST_CASE("guide.shipped_chains") {
  for (const char* id : {"kindergarten-setup", "second-hand-housing", "retail-pharmacy", "community-clinic",
                         "elderly-care", "hotel-restaurant", "provident-fund"}) {
    CAPTURE(id);
    const Loaded<ValidChain> r = load_chain(std::string(YILIAN_SOURCE_DIR) + "/chains/" + id + ".yaml");
    REQUIRE(r.ok());
    const std::string h = guide_html(*r.value());
    for (const auto& m : r.value()->matters) CHECK(has(h, "data-matter=\"" + m.id + "\""));
    CHECK(has(h, r.value()->name));
    const std::string md = guide_markdown(*r.value());
    for (const auto& m : r.value()->matters) CHECK(has(md, m.name));
  }
}

TEST_CASE("guide.uncounted_time_cites_the_law_that_rules_the_matter") {
  // 行政许可法 Art. 45 rules the uncounted time of a licence; a registration
  // with an uncounted phase cites its own basis.
  std::string matters = kMatters;
  matters.replace(matters.find("    materials: [articles, credit-report, id-card, lease]\n    results: [licence]\n"),
                  std::string("    materials: [articles, credit-report, id-card, lease]\n    results: [licence]\n").size(),
                  "    materials: [articles, credit-report, id-card, lease]\n    results: [licence]\n"
                  "    phases:\n      - { id: notice, name: 公示, kind: publicity, days: 2, counted: false }\n");
  const auto c = load_ok(chain_text(kFields, matters, kMaterials));
  for (const std::string& text : {guide_html(*c), guide_markdown(*c)}) {
    CHECK(has(text, "不计入（市场主体登记管理条例第十九条）"));
    CHECK(has(text, "不计入（行政许可法第四十五条）"));  // the permit's expert review
  }
}

TEST_CASE("cli.guide.writes_html_and_markdown") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "yilian-guide-cli";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto html = run_cli("guide kindergarten-setup -o " + (dir / "guide.html").string());
  CHECK(html.exit_code == 0);
  const std::string page = read(dir / "guide.html");
  CHECK(has(page, "<h1>幼儿园设立</h1>"));
  CHECK(has(page, "民办学校办学许可"));
  // The format follows the file name, or --format.
  CHECK(run_cli("guide kindergarten-setup -o " + (dir / "guide.md").string()).exit_code == 0);
  CHECK(read(dir / "guide.md").rfind("# 幼儿园设立 · 办事指南", 0) == 0);
  const auto md = run_cli("guide kindergarten-setup --format md --matter school-permit");
  CHECK(md.exit_code == 0);
  CHECK(has(md.out, "## 民办幼儿园办学许可"));
  // An unknown matter is a usage error that names the matters.
  const auto bad = run_cli("guide kindergarten-setup --matter no-such-matter", true);
  CHECK(bad.exit_code == 2);
  CHECK(has(bad.out, "no such matter"));
  CHECK(has(bad.out, "school-permit"));
  const auto help = run_cli("guide --help");
  CHECK(help.exit_code == 0);
  CHECK(has(help.out, "办事指南"));
  CHECK(has(help.out, "未载明"));
  CHECK(has(help.out, "Examples:"));
  fs::remove_all(dir);
}

}  // namespace guide_test
