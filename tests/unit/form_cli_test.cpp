// `yilian form`, `yilian check` and plan's form statistics: exit codes,
// JSON keys of DESIGN.md's contracts, output files.
#include <doctest/doctest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli_support.h"

using yilian::test::run_cli;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace form_cli_test {

namespace {

fs::path temp_dir() {
  fs::path p = fs::temp_directory_path() / ("yilian-form-cli-" + std::to_string(::getpid()));
  fs::create_directories(p);
  return p;
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("form.cli.help") {
  for (const char* cmd : {"form", "check"}) {
    CAPTURE(cmd);
    auto r = run_cli(std::string(cmd) + " --help");
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("Examples") != std::string::npos);
  }
}

TEST_CASE("form.cli.form_json_contract") {
  auto r = run_cli("form kindergarten-setup --json");
  REQUIRE(r.exit_code == 0);
  const json j = json::parse(r.out);
  REQUIRE(j["fields"].is_array());
  REQUIRE(!j["fields"].empty());
  for (const auto& f : j["fields"]) {
    for (const char* k : {"key", "label", "type", "required", "matters", "departments", "source"})
      CHECK_MESSAGE(f.contains(k), k);
    CHECK(f["required"].is_boolean());
    const std::string source = f["source"];
    CHECK((source == "applicant" || source.rfind("matter:", 0) == 0));
  }
  for (const auto& m : j["materials"])
    for (const char* k : {"id", "name", "matters", "source"}) CHECK_MESSAGE(m.contains(k), k);
  for (const char* k : {"fields_before", "fields_after", "materials_before", "materials_after", "materials_reduction"})
    CHECK_MESSAGE(j["stats"].contains(k), k);
  // Once-only: the permit number the school permit produces is not asked.
  bool found = false;
  for (const auto& f : j["fields"])
    if (f["key"] == "school.permit_no") {
      found = true;
      CHECK(f["source"] == "matter:school-permit");
      CHECK(f["required"] == false);
    }
  CHECK(found);
  CHECK(run_cli("form kindergarten-setup --format json").out == r.out);
  CHECK(j["diagnostics"].is_array());
  CHECK(j["diagnostics"].empty());  // the kindergarten chain has no likely duplicates
}

TEST_CASE("form.cli.form_formats") {
  auto md = run_cli("form kindergarten-setup");
  CHECK(md.exit_code == 0);
  CHECK(md.out.rfind("# 幼儿园设立 · 一表申请", 0) == 0);
  CHECK(md.out.find("## 减少情况") != std::string::npos);

  auto csv = run_cli("form kindergarten-setup --format csv");
  CHECK(csv.exit_code == 0);
  CHECK(csv.out.rfind("\xEF\xBB\xBF" "kind,key,label,type,requirement", 0) == 0);  // with a BOM, for Excel
  CHECK(run_cli("form --help").out.find("byte order mark") != std::string::npos);
  const json j = json::parse(run_cli("form kindergarten-setup --json").out);
  std::size_t lines = 0;
  for (char c : csv.out) lines += c == '\n';
  CHECK(lines == 1 + j["fields"].size() + j["materials"].size());

  auto schema = run_cli("form kindergarten-setup --format schema");
  CHECK(schema.exit_code == 0);
  const json s = json::parse(schema.out);
  CHECK(s["$schema"] == "https://json-schema.org/draft/2020-12/schema");
  CHECK(s["properties"]["chain"]["const"] == "kindergarten-setup");
}

TEST_CASE("form.cli.form_department_and_errors") {
  auto r = run_cli("form kindergarten-setup --json --department civil");
  REQUIRE(r.exit_code == 0);
  const json j = json::parse(r.out);
  REQUIRE(!j["fields"].empty());
  for (const auto& f : j["fields"]) {
    bool civil = false;
    for (const auto& d : f["departments"]) civil = civil || d == "civil";
    CHECK_MESSAGE(civil, f["key"].get<std::string>());
  }
  for (const auto& m : j["matters"]) CHECK(m["department"] == "civil");
  // The counts are the department's, not the whole chain's.
  const json whole = json::parse(run_cli("form kindergarten-setup --json").out);
  CHECK(j["stats"]["fields_before"] < whole["stats"]["fields_before"]);
  int listed = 0;
  for (const auto& m : j["matters"]) listed += static_cast<int>(m["fields"].size());
  CHECK(j["stats"]["fields_before"] == listed);
  auto md = run_cli("form kindergarten-setup --department civil");
  REQUIRE(md.exit_code == 0);
  CHECK(md.out.find(std::to_string(whole["stats"]["fields_before"].get<int>()) + " 项") == std::string::npos);

  auto unknown = run_cli("form kindergarten-setup --department nosuch", true);
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.out.find("departments: education") != std::string::npos);
  CHECK(run_cli("form no-such-chain").exit_code == 2);
  CHECK(run_cli("form kindergarten-setup --format xml").exit_code == 2);
  CHECK(run_cli("form tests/chains/invalid/015-cycle-three.yaml").exit_code == 1);
  CHECK(run_cli("form kindergarten-setup -o /nonexistent-dir/form.md").exit_code == 2);

  const fs::path out = temp_dir() / "form.json";
  auto written = run_cli("form kindergarten-setup --json -o '" + out.string() + "'");
  CHECK(written.exit_code == 0);
  CHECK(written.out.empty());
  CHECK(json::parse(read(out))["chain"] == "kindergarten-setup");
}

TEST_CASE("form.cli.check_exit_codes_and_json") {
  auto ok = run_cli("check kindergarten-setup examples/applications/kindergarten-setup-complete.yaml --json");
  CHECK(ok.exit_code == 0);
  const json c = json::parse(ok.out);
  for (const char* k : {"complete", "missing", "invalid", "applicable_matters"}) CHECK_MESSAGE(c.contains(k), k);
  CHECK(c["complete"] == true);
  CHECK(c["missing"].empty());

  auto bad = run_cli("check kindergarten-setup examples/applications/kindergarten-setup-incomplete.yaml --json");
  CHECK(bad.exit_code == 1);
  const json b = json::parse(bad.out);
  CHECK(b["complete"] == false);
  REQUIRE(!b["missing"].empty());
  for (const auto& m : b["missing"]) {
    for (const char* k : {"kind", "key", "label", "needed_by"}) CHECK_MESSAGE(m.contains(k), k);
    CHECK((m["kind"] == "field" || m["kind"] == "material"));
    CHECK(!m["needed_by"].empty());
  }
  REQUIRE(b["invalid"].size() == 1);
  CHECK(b["invalid"][0]["key"] == "school.principal_id");
  CHECK(b["invalid"][0].contains("reason"));
  CHECK(b["invalid"][0]["line"] == 31);

  auto human = run_cli("check kindergarten-setup examples/applications/kindergarten-setup-incomplete.yaml");
  CHECK(human.exit_code == 1);
  CHECK(human.out.find("kindergarten-setup-incomplete.yaml:31:24: school.principal_id") != std::string::npos);
  CHECK(human.out.find("school.capacity") != std::string::npos);
}

TEST_CASE("form.cli.check_errors_and_notice") {
  CHECK(run_cli("check kindergarten-setup /nonexistent/app.yaml").exit_code == 2);
  CHECK(run_cli("check no-such-chain tests/applications/complete-restaurant.yaml").exit_code == 2);
  CHECK(run_cli("check tests/chains/invalid/015-cycle-three.yaml tests/applications/complete-restaurant.yaml").exit_code == 1);
  CHECK(run_cli("check kindergarten-setup").exit_code == 2);

  auto malformed = run_cli("check tests/form/chains/form-check.yaml tests/applications/load-unknown-key.yaml", true);
  CHECK(malformed.exit_code == 1);
  CHECK(malformed.out.find("load-unknown-key.yaml:3:1: error") != std::string::npos);
  CHECK(malformed.out.find("did you mean `fields`?") != std::string::npos);
  auto malformed_json = run_cli("check tests/form/chains/form-check.yaml tests/applications/load-unknown-key.yaml --json");
  CHECK(malformed_json.exit_code == 1);
  const json mj = json::parse(malformed_json.out);
  CHECK(mj["complete"] == false);
  CHECK(mj["diagnostics"][0]["code"] == "unknown-key");

  const fs::path notice = temp_dir() / "notice.md";
  auto r = run_cli("check kindergarten-setup examples/applications/kindergarten-setup-incomplete.yaml --notice '" +
                   notice.string() + "'");
  CHECK(r.exit_code == 1);
  const std::string md = read(notice);
  CHECK(md.rfind("# 一次性告知书", 0) == 0);
  CHECK(md.find("拟招收幼儿数") != std::string::npos);
  CHECK(md.find("园舍产权证明或租赁合同") != std::string::npos);
  CHECK(md.find("身份证号码校验码不正确") != std::string::npos);
  CHECK(md.find("school.capacity") == std::string::npos);  // labels, not keys, for the applicant

  auto accepted = run_cli("check kindergarten-setup examples/applications/kindergarten-setup-complete.yaml --notice '" +
                          notice.string() + "'");
  CHECK(accepted.exit_code == 0);
  CHECK(read(notice).rfind("# 受理通知", 0) == 0);
  CHECK(run_cli("check kindergarten-setup examples/applications/kindergarten-setup-complete.yaml --notice "
                "/nonexistent-dir/n.md")
            .exit_code == 2);
}

TEST_CASE("form.cli.plan_shows_form_stats") {
  auto r = run_cli("plan kindergarten-setup --json");
  REQUIRE(r.exit_code == 0);
  const json j = json::parse(r.out);
  for (const char* k : {"chain", "version", "stages", "critical_path", "serial_promised_days", "compression"})
    CHECK_MESSAGE(j.contains(k), k);
  const json f = json::parse(run_cli("form kindergarten-setup --json").out)["stats"];
  for (const char* k : {"fields_before", "fields_after", "materials_before", "materials_after", "materials_reduction"})
    CHECK(j["form"][k] == f[k]);
  CHECK(j["form"]["targets"].size() == 2);
  auto human = run_cli("plan kindergarten-setup");
  CHECK(human.out.find("One form (一表申请)") != std::string::npos);
  CHECK(human.out.find("Plan targets for materials: 30% by end 2018") != std::string::npos);
}

TEST_CASE("form.cli.duplicate_warnings") {
  auto r = run_cli("form tests/form/chains/form-duplicates.yaml --json");
  CHECK(r.exit_code == 0);  // warnings do not stop the form
  const json j = json::parse(r.out);
  REQUIRE(j["diagnostics"].size() == 2);
  CHECK(j["diagnostics"][0]["code"] == "likely-duplicate-format");
  CHECK(j["diagnostics"][1]["code"] == "likely-duplicate-label");
  CHECK(j["diagnostics"][1]["line"] == 30);
  auto human = run_cli("form tests/form/chains/form-duplicates.yaml", true);
  CHECK(human.exit_code == 0);
  CHECK(human.out.find("form-duplicates.yaml:30:9: warning: permit.rep: fields `applicant.legal_rep` (法定代表人) and "
                       "`permit.rep` (法人代表) have the same label") != std::string::npos);
}

}  // namespace form_cli_test
