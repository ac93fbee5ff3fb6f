// merge_form(): counts, requirements, sources, departments and statistics of
// fixture chains; the seven chains merge cleanly.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>

#include "form_fixture.h"
#include "yilian/form.h"
#include "yilian/load.h"

using namespace yilian;
using yilian::test::chain_text;
using yilian::test::load_ok;

namespace form_merge_test {

namespace {

std::shared_ptr<const Chain> load_file(const std::string& rel) {
  Loaded<ValidChain> r = load_chain(std::string(YILIAN_SOURCE_DIR) + "/" + rel);
  for (const auto& d : r.diagnostics) MESSAGE(d.to_string());
  REQUIRE(r.ok());
  return r.value();
}

std::vector<std::string> texts(const std::vector<Condition>& cs) {
  std::vector<std::string> out;
  for (const auto& c : cs) out.push_back(c.text());
  return out;
}

}  // namespace

TEST_CASE("form.merge.fixture_counts_and_stats") {
  const Form f = merge_form(*load_file("tests/form/chains/form-check.yaml"));
  CHECK(f.chain == "form-check");
  CHECK(f.version == 2);
  CHECK(f.diagnostics.empty());
  // 21 catalogue fields, all used, plus one produced key; applicant.uscc is
  // both asked (prefer: produced) and produced, so it appears once.
  CHECK(f.fields.size() == 22);
  CHECK(f.materials.size() == 11);
  CHECK(f.matters.size() == 5);
  // Before: 9 + 8 + 6 + 7 + 4 fields, 3 + 3 + 2 + 3 + 0 materials.
  CHECK(f.stats.fields_before == 34);
  CHECK(f.stats.materials_before == 11);
  // After: every matter applying, the registration produces the credit code,
  // so 20 of the 21 applicant fields are asked; 7 materials are not issued.
  CHECK(f.stats.fields_after == 20);
  CHECK(f.stats.materials_after == 7);
  CHECK(f.stats.fields_reduction == doctest::Approx(1.0 - 20.0 / 34));
  CHECK(f.stats.materials_reduction == doctest::Approx(1.0 - 7.0 / 11));
  REQUIRE(f.stats.targets.size() == 2);
  CHECK(f.stats.targets[0].year == 2018);
  CHECK(f.stats.targets[0].met);  // 36.4% >= 30%
  CHECK(f.stats.targets[1].year == 2019);
  CHECK_FALSE(f.stats.targets[1].met);  // < 60%
}

TEST_CASE("form.merge.requirements_sources_departments") {
  const Form f = merge_form(*load_file("tests/form/chains/form-check.yaml"));
  auto field = [&](const char* key) -> const FormField& {
    const FormField* ff = f.find_field(key);
    REQUIRE_MESSAGE(ff, key);
    return *ff;
  };
  // The one field a condition reads alone is always required.
  CHECK(field("applicant.registered").requirement == Requirement::always);
  CHECK(field("applicant.registered").departments.empty());  // the engine decides; no department needs it
  CHECK(field("venue.serves_food").requirement == Requirement::always);
  // Needed by an unconditional matter.
  CHECK(field("applicant.phone").requirement == Requirement::always);
  CHECK(field("applicant.name").departments == std::vector<std::string>{"fire", "market", "police", "tax"});
  // Needed only by conditional matters: the conditions, each once.
  CHECK(field("applicant.capital").requirement == Requirement::conditional);
  CHECK(texts(field("applicant.capital").required_when) == std::vector<std::string>{"applicant.registered == false"});
  CHECK(texts(field("site.address").required_when).size() == 4);
  CHECK(field("site.address").matters ==
        std::vector<std::string>{"registration", "food-permit", "fire-check", "hotel-permit"});
  // Read by a condition together with another field: needed while undecided.
  CHECK(field("venue.type").requirement == Requirement::conditional);
  CHECK(field("venue.type").required_when.empty());
  CHECK(field("venue.type").deciding == std::vector<std::string>{"fire-check", "hotel-permit"});
  // required: false
  CHECK(field("applicant.email").requirement == Requirement::optional);
  CHECK(field("site.lease_end").requirement == Requirement::optional);
  // Once-only: produced, never asked.
  CHECK(field("food.licence_no").requirement == Requirement::produced);
  CHECK_FALSE(field("food.licence_no").asked);
  CHECK(field("food.licence_no").source() == "matter:food-permit");
  // prefer: produced with a conditional producer: asked unless it applies.
  const FormField& uscc = field("applicant.uscc");
  CHECK(uscc.asked);
  CHECK(uscc.requirement == Requirement::always);
  CHECK(texts(uscc.unless_produced) == std::vector<std::string>{"applicant.registered == false"});
  CHECK(uscc.producers == std::vector<std::string>{"registration"});
  // `sees`: the tax department sees the name beyond its matter's needs.
  CHECK(field("venue.description").departments == std::vector<std::string>{"tax"});

  auto material = [&](const char* id) -> const FormMaterial& {
    const FormMaterial* m = f.find_material(id);
    REQUIRE_MESSAGE(m, id);
    return *m;
  };
  CHECK(material("site-title").requirement == Requirement::conditional);
  CHECK(material("site-title").matters == std::vector<std::string>{"registration", "hotel-permit"});
  CHECK(material("site-title").departments == std::vector<std::string>{"market", "police"});
  CHECK(material("site-title").source() == "applicant");
  // Issued inside the chain (even by a conditional matter): never asked.
  CHECK_FALSE(material("business-licence").asked);
  CHECK(material("business-licence").requirement == Requirement::produced);
  CHECK(material("business-licence").source() == "matter:registration");
  // A final result nobody needs is never asked.
  CHECK_FALSE(material("lodging-licence").asked);
  CHECK(material("lodging-licence").requirement == Requirement::produced);
}

TEST_CASE("form.merge.small_chain_by_hand") {
  // m1 (always) asks a.name, a.phone and material x; m2 (when a.big) asks
  // a.name and a.size and material x, y, and gets the licence m1 issues.
  auto chain = load_ok(chain_text(
      "  a.name: { label: 名称, type: string }\n"
      "  a.phone: { label: 电话, type: phone }\n"
      "  a.big: { label: 是否大型, type: boolean }\n"
      "  a.size: { label: 规模, type: integer, required: false }\n",
      "  - { id: m1, name: 甲, department: a, statutory_days: 5, promised_days: 3,\n"
      "      fields: [a.name, a.phone], materials: [x], results: [lic],\n"
      "      produces: { m1.no: { label: 证号, type: string } } }\n"
      "  - { id: m2, name: 乙, department: b, statutory_days: 5, promised_days: 3, after: [m1], when: a.big == true,\n"
      "      fields: [a.name, a.size, m1.no], materials: [x, y, lic] }\n",
      "  x: { name: 材料甲 }\n  y: { name: 材料乙 }\n  lic: { name: 证照 }\n"));
  const Form f = merge_form(*chain);
  CHECK(f.fields.size() == 5);
  CHECK(f.stats.fields_before == 5);    // 2 + 3
  CHECK(f.stats.fields_after == 4);     // a.name, a.phone, a.big, a.size (m1.no produced)
  CHECK(f.stats.materials_before == 4); // 1 + 3
  CHECK(f.stats.materials_after == 2);  // x, y (lic issued)
  CHECK(f.stats.materials_reduction == doctest::Approx(0.5));
  CHECK(f.find_field("a.size")->requirement == Requirement::optional);
  CHECK(f.find_field("a.big")->requirement == Requirement::always);
  CHECK(f.find_field("m1.no")->departments == std::vector<std::string>{"a", "b"});
  CHECK(f.find_material("y")->requirement == Requirement::conditional);
  CHECK(f.find_material("x")->requirement == Requirement::always);
  CHECK(f.find_material("lic")->source() == "matter:m1");
  CHECK_FALSE(f.find_material("lic")->asked);
  REQUIRE(f.matters.size() == 2);
  CHECK(f.matters[1].fields.size() == 3);
  CHECK(f.fields[f.matters[1].fields[2]].field.key == "m1.no");
}

TEST_CASE("form.merge.prefer_applicant_and_unused") {
  auto chain = load_ok(chain_text(
      "  a.no: { label: 证号, type: string, prefer: applicant }\n"
      "  a.unused: { label: 未使用, type: string }\n",
      "  - { id: m1, name: 甲, department: a, statutory_days: 5, promised_days: 3,\n"
      "      produces: { a.no: { label: 证号, type: string } } }\n"
      "  - { id: m2, name: 乙, department: b, statutory_days: 5, promised_days: 3, after: [m1], fields: [a.no] }\n"));
  const Form f = merge_form(*chain);
  REQUIRE(f.find_field("a.no"));
  CHECK(f.find_field("a.no")->asked);  // the applicant's value wins
  CHECK(f.find_field("a.no")->source() == "applicant");
  CHECK(f.find_field("a.unused") == nullptr);  // no matter, condition or department uses it
  CHECK(f.stats.fields_after == 1);
}

TEST_CASE("form.merge.shipped_chains_clean") {
  namespace fs = std::filesystem;
  int n = 0;
  for (const auto& e : fs::directory_iterator(fs::path(YILIAN_SOURCE_DIR) / "chains")) {
    if (e.path().extension() != ".yaml") continue;
    ++n;
    CAPTURE(e.path().filename().string());
    const Form f = merge_form(*load_file("chains/" + e.path().filename().string()));
    // No conflicts and no likely duplicates: the rule does not flood real chains.
    for (const auto& d : f.diagnostics) MESSAGE(d.to_string());
    CHECK(f.diagnostics.empty());
    CHECK(f.stats.fields_after < f.stats.fields_before);
    CHECK(f.stats.materials_after < f.stats.materials_before);
    // Every asked field and every needed material has a matter or decides one.
    for (const auto& ff : f.fields)
      if (ff.asked) CHECK((!ff.matters.empty() || !ff.deciding.empty() || !ff.departments.empty()));
    // No produced field is required from the applicant.
    for (const auto& ff : f.fields)
      if (!ff.asked) CHECK(ff.requirement == Requirement::produced);
  }
  CHECK(n >= 23);  // every shipped chain: the seven, their overlays, the 2019 chains and the 一件事 bundles
}

}  // namespace form_merge_test
