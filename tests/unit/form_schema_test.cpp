// The JSON Schema of an application agrees with the check: on every
// fixture application, and on every application made by dropping one field
// or one material from a complete one (so each if/then, each translated
// condition and the three-valued rules are exercised).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <filesystem>

#include "analysis/value_rules.h"
#include "json_schema_mini.h"
#include "yilian/application.h"
#include "yilian/check.h"
#include "yilian/form_export.h"
#include "yilian/load.h"

using namespace yilian;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace form_schema_test {

namespace {

json to_json(const Value& v) {
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* s = std::get_if<ValueSet>(&v)) return *s;
  return nullptr;
}

json to_json(const Application& a) {
  json fields = json::object();
  for (const auto& [k, v] : a.fields) fields[k] = to_json(v);
  json j = {{"chain", a.chain}, {"fields", fields}, {"materials", a.materials}};
  if (a.version) j["version"] = *a.version;
  return j;
}

std::shared_ptr<const Chain> load(const std::string& rel) {
  Loaded<ValidChain> r = load_chain(std::string(YILIAN_SOURCE_DIR) + "/" + rel);
  REQUIRE(r.ok());
  return r.value();
}

/// Codes the schema cannot decide (check characters, calendar dates,
/// province codes): the schema may accept what the check rejects.
bool schema_blind(const CheckResult& r) {
  for (const auto& i : r.invalid)
    if (i.code != "id-card" && i.code != "uscc" && i.code != "date") return false;
  return !r.invalid.empty();
}

void agree(const test::MiniSchema& schema, const FormChecker& checker, const Application& app, const std::string& what) {
  const CheckResult r = checker.check(app);
  const bool valid = schema.valid(to_json(app));
  INFO(what << ": check complete=" << r.complete << ", missing=" << r.missing.size() << ", invalid=" << r.invalid.size());
  if (schema_blind(r)) return;
  if (r.invalid.empty()) CHECK(valid == r.complete);
  else CHECK_FALSE(valid);
}

std::vector<Application> fixture_applications(const std::string& chain_id) {
  std::vector<Application> out;
  for (const auto& e : fs::directory_iterator(fs::path(YILIAN_SOURCE_DIR) / "tests/applications")) {
    const std::string name = e.path().filename().string();
    if (name.ends_with(".expect.yaml") || name.starts_with("load-")) continue;
    Loaded<Application> a = load_application(e.path().string());
    if (a.ok() && a->chain == chain_id) out.push_back(a.value());
  }
  return out;
}

}  // namespace

TEST_CASE("form.schema.structure") {
  const Form f = merge_form(*load("tests/form/chains/form-check.yaml"));
  const json s = json::parse(form_to_json_schema(f));
  CHECK(s["$schema"] == "https://json-schema.org/draft/2020-12/schema");
  CHECK(s["required"] == json({"chain", "fields", "materials"}));
  CHECK(s["properties"]["chain"]["const"] == "form-check");
  CHECK(s["properties"]["version"]["const"] == 2);
  const json& fields = s["properties"]["fields"];
  CHECK(fields["additionalProperties"] == false);
  CHECK(fields["required"] == json({"applicant.registered", "applicant.name", "applicant.phone", "venue.serves_food"}));
  const json& p = fields["properties"];
  CHECK(p["applicant.name"]["title"] == "企业名称");
  CHECK(p["applicant.name"]["minLength"] == 4);
  CHECK(p["site.area"]["type"] == "number");
  CHECK(p["site.area"]["minimum"] == 5);
  CHECK(p["food.seats"]["type"] == "integer");
  // An enum is `oneOf` of `const` + `title` (the label), no `enum`: form
  // renderers show the titles and submit the consts.
  CHECK_FALSE(p["venue.type"].contains("enum"));
  CHECK(p["venue.type"]["oneOf"].size() == 3);
  CHECK(p["venue.type"]["oneOf"][0]["const"] == "restaurant");
  CHECK(p["venue.type"]["oneOf"][0]["title"].is_string());
  CHECK(p["applicant.phone"]["pattern"] == detail::kPhonePattern);
  CHECK(p["applicant.legal_rep_id"]["pattern"] == detail::kResidentIdPattern);
  CHECK(p["site.lease_end"]["format"] == "date");
  CHECK(p["food.licence_no"]["readOnly"] == true);
  CHECK(s["properties"]["materials"]["uniqueItems"] == true);
  // One if/then per condition, plus the undecided rules and the
  // asked-unless-produced ones.
  int when = 0, decide = 0, unless = 0;
  for (const auto& r : s["allOf"]) {
    const std::string c = r["$comment"];
    when += c.rfind("when: ", 0) == 0;
    decide += c.rfind("decide ", 0) == 0;
    unless += c.find("unless") != std::string::npos;
    CHECK(r.contains("if"));
    CHECK(r.contains("then"));
  }
  CHECK(when == 4);    // the four conditions of the conditional matters
  CHECK(decide == 2);  // fire-check and hotel-permit read two fields each
  CHECK(unless == 1);  // applicant.uscc (prefer: produced, produced only when not registered)
}

// A pattern is matched only on values of at most 1,000 characters
// (model/pattern.h): the schema says so where the field's own maximum
// does not already.
TEST_CASE("form.schema.a_pattern_field_is_at_most_as_long_as_the_checker_matches") {
  Form f = merge_form(*load("chains/vehicle-registration.yaml"));
  const json vin = json::parse(form_to_json_schema(f))["properties"]["fields"]["properties"]["vehicle.vin"];
  CHECK(vin["maxLength"] == 17);  // its own maximum is shorter
  for (auto& d : f.fields)
    if (d.field.key == "vehicle.vin") d.field.max.reset();
  const json open = json::parse(form_to_json_schema(f))["properties"]["fields"]["properties"]["vehicle.vin"];
  CHECK(open["maxLength"] == 1000);
  CHECK(open["allOf"][0]["pattern"] == "^[A-HJ-NPR-Z0-9]{17}$");
}

TEST_CASE("form.schema.agrees_with_check_on_fixtures") {
  const auto chain = load("tests/form/chains/form-check.yaml");
  const FormChecker checker(*chain);
  const test::MiniSchema schema(json::parse(form_to_json_schema(checker.form())));
  const auto apps = fixture_applications("form-check");
  CHECK(apps.size() >= 30);
  for (const auto& a : apps) agree(schema, checker, a, a.source);
}

TEST_CASE("form.schema.agrees_with_check_when_one_item_is_dropped") {
  const auto chain = load("tests/form/chains/form-check.yaml");
  const FormChecker checker(*chain);
  const test::MiniSchema schema(json::parse(form_to_json_schema(checker.form())));
  int variants = 0, incomplete = 0;
  for (const auto& base : fixture_applications("form-check")) {
    if (!checker.check(base).complete) continue;
    for (const auto& [key, v] : base.fields) {
      Application a = base;
      a.fields.erase(key);
      ++variants;
      incomplete += checker.check(a).complete ? 0 : 1;
      agree(schema, checker, a, base.source + " without " + key);
    }
    for (std::size_t i = 0; i < base.materials.size(); ++i) {
      Application a = base;
      a.materials.erase(a.materials.begin() + static_cast<std::ptrdiff_t>(i));
      ++variants;
      incomplete += checker.check(a).complete ? 0 : 1;
      agree(schema, checker, a, base.source + " without " + base.materials[i]);
    }
  }
  CHECK(variants > 100);
  CHECK(incomplete > 50);  // most drops make an application incomplete: the test has teeth
}

TEST_CASE("form.schema.real_chains_agree_with_examples") {
  for (const auto& e : fs::directory_iterator(fs::path(YILIAN_SOURCE_DIR) / "examples/applications")) {
    Loaded<Application> a = load_application(e.path().string());
    REQUIRE(a.ok());
    const auto chain = load("chains/" + a->chain + ".yaml");
    const FormChecker checker(*chain);
    const test::MiniSchema schema(json::parse(form_to_json_schema(checker.form())));
    agree(schema, checker, a.value(), a->source);
    for (const auto& [key, v] : a->fields) {
      Application drop = a.value();
      drop.fields.erase(key);
      agree(schema, checker, drop, drop.source + " without " + key);
    }
  }
}

}  // namespace form_schema_test
