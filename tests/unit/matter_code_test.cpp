// Matter codes (GB/T 39554.1 shapes, docs/chain-reference.md "Matter codes")
// and 三级四同: one 基本编码 means one name, kind and basis in every chain.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "cli_support.h"
#include "form_fixture.h"
#include "yilian/load.h"
#include "yilian/matter_code.h"

using namespace yilian;
using namespace yilian::test;

namespace matter_code_test {

namespace {

// A made-up credit code with the right GB 32100 check character.
constexpr const char* kSubject = "11371311004334829N";

std::string matter(const std::string& id, const std::string& name, const std::string& code,
                   const std::string& extra = "") {
  return "  - id: " + id + "\n    name: " + name + "\n    department: a\n    code: '" + code + "'\n" + extra +
         "    statutory_days: 20\n    promised_days: 5\n";
}

const Diagnostic* find_code(const Diagnostics& d, std::string_view code) {
  for (const auto& x : d)
    if (x.code == code) return &x;
  return nullptr;
}

}  // namespace

TEST_CASE("code.shapes") {
  MatterCode c = parse_matter_code("000117003000");
  CHECK(c.shape == MatterCode::Shape::basic);
  CHECK(c.basic == "000117003000");
  c = parse_matter_code(std::string(kSubject) + "4000117003000");
  CHECK(c.shape == MatterCode::Shape::implementation);
  CHECK(c.subject == kSubject);
  CHECK(c.basic == "000117003000");
  c = parse_matter_code(std::string(kSubject) + "400011700300001");
  CHECK(c.shape == MatterCode::Shape::handling);
  CHECK(c.basic == "000117003000");
  CHECK(zh_code_shape(MatterCode::Shape::implementation) == "实施编码");

  // Wrong shapes, each with what is wrong.
  auto problem = [](std::string_view code) {
    const MatterCode x = parse_matter_code(code);
    CHECK(x.shape == MatterCode::Shape::unknown);
    CHECK(x.basic == code);  // compared as written
    return x.problem;
  };
  CHECK(problem("00011700300").find("11 characters") != std::string::npos);
  CHECK(problem("0001-1700-3000").find("separators") != std::string::npos);
  CHECK(problem("11371311004334829n4000117003000").find("lower-case") != std::string::npos);
  CHECK(problem("11371311004334829X4000117003000").find("check character") != std::string::npos);
  CHECK(problem("1137131100433482IN4000117003000").find("not a unified social credit code") != std::string::npos);
  CHECK(problem(std::string(kSubject) + "A000117003000").find("digits only") != std::string::npos);
  CHECK(problem("11330100MB0000000X").find("18 characters") != std::string::npos);
}

TEST_CASE("code.validate.shape_is_a_located_warning") {
  const std::string fields = "  applicant.name: { label: 申请人, type: string }\n";
  const Loaded<ValidChain> r = load_chain_text(
      chain_text(fields, matter("m1", "事项一", "0001-1700-3000", "    fields: [applicant.name]\n")), "fixture.yaml");
  REQUIRE(r.ok());  // a warning: a chain with a local code still loads
  const Diagnostic* w = find_code(r.diagnostics, "code-shape");
  REQUIRE(w);
  CHECK(w->severity == Severity::warning);
  CHECK(w->path == "matters[0].code");
  CHECK(w->where.line == 15);
  CHECK(w->where.column == 11);
  CHECK(w->message.find("`0001-1700-3000`") != std::string::npos);
  CHECK(w->hint.find("12 digits") != std::string::npos);
  // Good shapes are silent.
  const Loaded<ValidChain> ok = load_chain_text(
      chain_text(fields, matter("m1", "事项一", std::string(kSubject) + "4000117003000", "    fields: [applicant.name]\n")),
      "fixture.yaml");
  CHECK(!find_code(ok.diagnostics, "code-shape"));
}

TEST_CASE("code.three_levels_four_same.across_chains") {
  auto load = [](const std::string& id, const std::string& matters) {
    std::string text = chain_text("  applicant.name: { label: 申请人, type: string }\n", matters);
    text.replace(text.find("id: fixture"), 11, "id: " + id);
    Loaded<ValidChain> r = load_chain_text(text, id + ".yaml");
    REQUIRE(r.ok());
    return r.value();
  };
  auto city = load("city", matter("permit", "民办学校办学许可", "000117003000",
                                   "    basis: 民办教育促进法第十三条\n    fields: [applicant.name]\n"));
  auto county = load("county", matter("permit", "民办学校设立", std::string(kSubject) + "4000117003000",
                                       "    kind: filing\n    basis: 《民办教育促进法》第十三条\n    fields: [applicant.name]\n"));
  auto same = load("same", matter("permit", "民办学校办学许可", std::string(kSubject) + "4000117003000",
                                   "    basis: 民办教育促进法 第十三条。\n    fields: [applicant.name]\n"));
  Diagnostics d = check_codes({city.ptr().get(), county.ptr().get(), same.ptr().get()});
  REQUIRE(d.error_count() == 1);
  const Diagnostic& e = *d.begin();
  CHECK(e.code == "code-conflict");
  CHECK(e.where.file == "county.yaml");
  CHECK(e.path == "matters[0].code");
  CHECK(e.message.find("(基本编码 `000117003000`)") != std::string::npos);
  CHECK(e.message.find("at city.yaml:15:11") != std::string::npos);
  CHECK(e.message.find("a different name, kind (") != std::string::npos);  // the bases agree
  CHECK(check_codes({city.ptr().get(), same.ptr().get()}).error_count() == 0);
}

TEST_CASE("cli.validate.codes_across_a_folder") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "yilian-codes-folder";
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& id, const std::string& matter_name) {
    std::string text = chain_text("  applicant.name: { label: 申请人, type: string }\n",
                                  matter("permit", matter_name, "000117003000", "    fields: [applicant.name]\n"));
    text.replace(text.find("id: fixture"), 11, "id: " + id);
    std::ofstream(dir / name) << text;
  };
  write("a.yaml", "city", "民办学校办学许可");
  write("b.yaml", "county", "民办学校设立");
  const auto r = run_cli("validate " + dir.string(), true);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find((dir / "b.yaml").string() + ":15:11: error: matters[0].code: code `000117003000` means 民办学校办学许可 "
                   "(licensing) at " + (dir / "a.yaml").string() + ":15:11, but 民办学校设立 (licensing) here") !=
        std::string::npos);
  CHECK(r.out.find("ok   " + (dir / "a.yaml").string()) != std::string::npos);
  CHECK(r.out.find("FAIL " + (dir / "b.yaml").string() + ": 1 error") != std::string::npos);
  // Each file alone is valid.
  CHECK(run_cli("validate " + (dir / "b.yaml").string()).exit_code == 0);
  // --json carries the error in the later file.
  const auto j = run_cli("validate --json " + dir.string());
  CHECK(j.out.find("\"code\": \"code-conflict\"") != std::string::npos);
  fs::remove_all(dir);
}

}  // namespace matter_code_test
