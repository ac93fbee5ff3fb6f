// Reading applications: every error located, values typed as YAML 1.2's
// core schema types them, JSON read as YAML; and the check on edge inputs.
#include <doctest/doctest.h>

#include <set>

#include "form_fixture.h"
#include "yilian/application.h"
#include "yilian/check.h"
#include "yilian/form.h"

using namespace yilian;

namespace form_application_load_test {

namespace {

/// "code line:col" of every error.
std::multiset<std::string> errors(const std::string& text, const LoadOptions& o = {}) {
  Loaded<Application> a = parse_application_text(text, "app.yaml", o);
  std::multiset<std::string> out;
  for (const auto& d : a.diagnostics) {
    if (d.severity != Severity::error) continue;
    CHECK(d.where.file == "app.yaml");
    out.insert(d.code + " " + std::to_string(d.where.line) + ":" + std::to_string(d.where.column));
  }
  CHECK(a.ok() == out.empty());
  return out;
}

}  // namespace

TEST_CASE("form.application.values_and_locations") {
  Loaded<Application> a = parse_application_text(
      "chain: form-check\nversion: 2\nfields:\n  a.text: 好\n  a.int: 42\n  a.num: 2.5\n  a.bool: true\n"
      "  a.quoted: \"0533\"\n  a.none: null\n  a.yes: yes\nmaterials: [x, y]\n",
      "app.yaml");
  REQUIRE(a.ok());
  const Application& app = a.value();
  CHECK(app.chain == "form-check");
  CHECK(app.version == 2);
  CHECK(std::get<std::string>(app.fields.at("a.text")) == "好");
  CHECK(std::get<std::int64_t>(app.fields.at("a.int")) == 42);
  CHECK(std::get<double>(app.fields.at("a.num")) == 2.5);
  CHECK(std::get<bool>(app.fields.at("a.bool")) == true);
  CHECK(std::get<std::string>(app.fields.at("a.quoted")) == "0533");  // quoted: text, the zero kept
  CHECK(std::holds_alternative<std::monostate>(app.fields.at("a.none")));
  CHECK(std::get<std::string>(app.fields.at("a.yes")) == "yes");  // YAML 1.2: yes is text
  CHECK(app.field_where.at("a.int").line == 5);
  CHECK(app.field_where.at("a.int").column == 10);
  CHECK(app.materials == std::vector<std::string>{"x", "y"});
  REQUIRE(app.material_where.size() == 2);
  CHECK(app.material_where[1].column == 16);
  CHECK(app.source == "app.yaml");

  Loaded<Application> j = parse_application_text(R"({"chain": "c", "fields": {"a.b": 1}, "materials": []})", "app.json");
  REQUIRE(j.ok());
  CHECK(std::get<std::int64_t>(j->fields.at("a.b")) == 1);
  // fields and materials may be left out or null: nothing given.
  CHECK(errors("chain: c\nfields: null\nmaterials: null\n").empty());
  CHECK(errors("chain: c\n").empty());
}

TEST_CASE("form.application.every_error_located") {
  CHECK(errors("") == std::multiset<std::string>{"empty 0:0"});  // no line in an empty file: the file is named
  CHECK(errors("- a\n- b\n") == std::multiset<std::string>{"type 1:1"});
  CHECK(errors("chain: [a\n").size() == 1);  // YAML syntax
  CHECK(errors("chain: c\nmaterial: [x]\n") == std::multiset<std::string>{"unknown-key 2:1"});
  CHECK(errors("fields: {}\n") == std::multiset<std::string>{"missing-key 1:1"});
  CHECK(errors("chain: Kinder Garten\n") == std::multiset<std::string>{"identifier 1:8"});
  CHECK(errors("chain: c\nversion: 0\n") == std::multiset<std::string>{"range 2:10"});
  CHECK(errors("chain: c\nversion: '1'\n") == std::multiset<std::string>{"type 2:10"});
  CHECK(errors("chain: c\nfields: [a]\n") == std::multiset<std::string>{"type 2:9"});
  CHECK(errors("chain: c\nfields:\n  a.b: {x: 1}\n") == std::multiset<std::string>{"type 3:8"});
  CHECK(errors("chain: c\nfields:\n  a.b: 123456789012345678901234\n") == std::multiset<std::string>{"range 3:8"});
  CHECK(errors("chain: c\nfields:\n  A.b: 1\n  a.b: 1\n  a.b: 2\n") ==
        std::multiset<std::string>{"identifier 3:3", "duplicate-key 5:3"});
  CHECK(errors("chain: c\nmaterials: x\n") == std::multiset<std::string>{"type 2:12"});
  CHECK(errors("chain: c\nmaterials: [x, X, x]\n") == std::multiset<std::string>{"identifier 2:16", "duplicate-ref 2:19"});
  // Input limits apply as to chains.
  LoadOptions small;
  small.max_file_bytes = 16;
  CHECK(!errors("chain: c\nfields: {a.b: 1}\n", small).empty());
  // A missing file is an I/O error, which the CLI turns into exit code 2.
  Loaded<Application> missing = load_application("/nonexistent/app.yaml");
  REQUIRE(!missing.ok());
  CHECK(missing.diagnostics.items().front().code == "io");
}

TEST_CASE("form.check.hand_built_and_broken_chains") {
  // A chain built by hand, not loaded: the checker works from the Form.
  auto chain = test::parse_only(test::chain_text(
      "  a.name: { label: 名称, type: string }\n",
      "  - { id: m1, name: 甲, department: a, statutory_days: 5, promised_days: 3, fields: [a.name, a.ghost],\n"
      "      materials: [nowhere] }\n"));
  // Unknown references are validate()'s errors; the merge skips them.
  const Form f = merge_form(*chain);
  CHECK(f.fields.size() == 1);
  CHECK(f.materials.empty());
  CHECK(f.stats.fields_before == 2);
  const FormChecker checker(f);
  const CheckResult r = checker.check(FieldValues{{"a.name", Value{std::string("甲")}}}, {});
  CHECK(r.complete);
  CHECK(r.applicable_matters == std::vector<std::string>{"m1"});
  // check_application() is the one-off form of the same.
  Application app;
  app.chain = "fixture";
  app.fields = {{"a.name", Value{std::string("甲")}}};
  CHECK(check_application(*chain, app).complete);
  app.chain = "other";
  const CheckResult wrong = check_application(*chain, app);
  REQUIRE(wrong.invalid.size() == 1);
  CHECK(wrong.invalid[0].key == "chain");
}

}  // namespace form_application_load_test
