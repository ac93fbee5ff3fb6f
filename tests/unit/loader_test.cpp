#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "yilian/analysis.h"
#include "yilian/load.h"

using namespace yilian;

namespace loader_test {

namespace {

const char* kChain = R"(id: demo
version: 2
name: 演示
lead: a
promised_days: 12
office_close: "16:30"
alerts: { yellow_days: 2, second_level_after: 3 }
departments:
  a: { name: 甲局, sees: [site.area] }
  b: { name: 乙局 }
fields:
  applicant.name: { label: 申请人, type: string, max: 50 }
  site.area: { label: 面积, type: area, min: 0, unit: m² }
materials:
  lease: { name: 租赁合同, original: true, copies: 2 }
  licence: { name: 许可证 }
matters:
  - id: first
    name: 第一
    department: a
    kind: registration
    statutory_days: 20
    promised_days: 5
    visits: 0
    fields:
      - applicant.name
      - site.floor: { label: 楼层, type: integer, required: false }
    materials: [lease]
    results: [licence]
    produces:
      permit.no: { label: 许可证号, type: string }
    phases:
      - { id: check, kind: site-inspection, days: 2 }
      - { id: expert, kind: expert-review, days: 7 }
  - id: second
    name: 第二
    department: b
    after: [first]
    when: site.area >= 50
    statutory_days: 10
    promised_days: 7
    fields: [permit.no, site.area]
    materials: [licence]
)";

}  // namespace

TEST_CASE("load.chain.reads_every_key") {
  Loaded<ValidChain> r = load_chain_text(kChain, "demo.yaml");
  for (const auto& d : r.diagnostics) FAIL_CHECK(d.to_string());
  REQUIRE(r.ok());
  const Chain& c = *r.value();
  CHECK(c.id == "demo");
  CHECK(c.version == 2);
  CHECK(c.office_close == "16:30");
  CHECK(c.alerts.yellow_days == 2);
  CHECK(c.alerts.second_level_after == 3);
  CHECK(c.find_department("a")->sees.front().id == "site.area");
  CHECK(c.find_material("lease")->original);
  CHECK(c.find_material("lease")->copies == 2);
  const Matter& first = *c.find_matter("first");
  CHECK(first.kind == MatterKind::registration);
  CHECK(first.visits == 0);
  CHECK(first.fields.size() == 2);
  CHECK(first.field_defs.size() == 1);
  CHECK_FALSE(first.field_defs[0].required);
  CHECK(first.phases[0].counted);        // site inspection counts
  CHECK_FALSE(first.phases[1].counted);  // expert review is Art. 45
  CHECK(first.uncounted_days() == 7);
  CHECK(c.producer_of("permit.no") == &first);
  CHECK(c.issuer_of("licence") == &first);
  CHECK(c.find_field("site.floor")->type == FieldType::integer);
  CHECK(c.find_field("site.area")->unit == "m²");
  const Matter& second = *c.find_matter("second");
  CHECK(second.conditional());
  CHECK(second.when.text() == "site.area >= 50");
  CHECK(second.when_where.line == 39);
  CHECK(second.when_where.column == 11);
}

TEST_CASE("load.chain.copy_keeps_lookups") {
  Loaded<ValidChain> r = load_chain_text(kChain, "demo.yaml");
  REQUIRE(r.ok());
  Chain copy = *r.value();  // positions, not pointers: the copy looks up its own data
  CHECK(copy.find_field("permit.no") == &copy.matters[0].produces[0]);
  CHECK(copy.find_matter("second") == &copy.matters[1]);
}

TEST_CASE("load.chain.limits") {
  SUBCASE("file size") {
    LoadOptions o;
    o.max_file_bytes = 100;
    Loaded<ValidChain> r = load_chain_text(kChain, "big.yaml", o);
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics.items()[0].code == "limit-size");
  }
  SUBCASE("string length") {
    LoadOptions o;
    o.max_string_bytes = 8;
    Loaded<ValidChain> r = load_chain_text(kChain, "long.yaml", o);
    CHECK(r.diagnostics.items()[0].code == "limit-string");
  }
  SUBCASE("alias expansion fails fast") {
    // Nine levels of ten aliases each would expand to 10^9 nodes.
    std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i < 10; ++i) {
      text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
      for (int k = 0; k < 10; ++k) text += (k ? ", *a" : "*a") + std::to_string(i - 1);
      text += "]\n";
    }
    const auto t0 = std::chrono::steady_clock::now();
    Loaded<ValidChain> r = load_chain_text(text, "laughs.yaml");
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics.items()[0].code == "limit-nodes");
    MESSAGE("billion laughs rejected in " << ms << " ms");
  }
  SUBCASE("small aliases are fine") {
    std::string text = kChain;
    text.replace(text.find("{ id: check,"), 0, "&chk ");
    // Reuse the anchored phase in the second matter.
    text.replace(text.find("    fields: [permit.no"), 0, "    phases: [*chk]\n");
    Loaded<ValidChain> r = load_chain_text(text, "alias.yaml");
    for (const auto& d : r.diagnostics) FAIL_CHECK(d.to_string());
    REQUIRE(r.ok());
    CHECK(r.value()->find_matter("second")->phases.size() == 1);
  }
}

TEST_CASE("load.chain.missing_file_is_io") {
  Loaded<ValidChain> r = load_chain("/nonexistent/chain.yaml");
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics.items()[0].code == "io");
  CHECK(!r.ok());
}

TEST_CASE("load.chain.every_error_reported") {
  // Three independent mistakes in one file: all three come back, in order.
  std::string text = kChain;
  text.replace(text.find("version: 2"), 10, "version: two");
  text.replace(text.find("kind: registration"), 18, "kind: registrat");
  text.replace(text.find("after: [first]"), 14, "after: [frist]");
  Loaded<ValidChain> r = load_chain_text(text, "three.yaml");
  REQUIRE(r.diagnostics.error_count() == 3);
  CHECK(r.diagnostics.items()[0].code == "type");
  CHECK(r.diagnostics.items()[1].code == "matter-kind");
  CHECK(r.diagnostics.items()[1].hint == "did you mean `registration`?");
  CHECK(r.diagnostics.items()[2].code == "unknown-matter");
  CHECK(r.diagnostics.items()[2].hint == "did you mean `first`?");
  CHECK(r.diagnostics.items()[0].where.line < r.diagnostics.items()[2].where.line);
}

TEST_CASE("load.chain_files.folder") {
  auto files = chain_files(std::string(YILIAN_SOURCE_DIR) + "/tests/chains/invalid");
  REQUIRE(files.is_ok());
  CHECK(files->size() >= 30);
  CHECK(std::is_sorted(files->begin(), files->end()));
  CHECK_FALSE(chain_files("/nonexistent").is_ok());
}

TEST_CASE("load.chain_files.skips_calendars_and_scenarios") {
  auto files = chain_files(std::string(YILIAN_SOURCE_DIR) + "/chains");
  REQUIRE(files.is_ok());
  CHECK(files->size() >= 7);
  for (const auto& f : *files) {
    CAPTURE(f);
    CHECK(f.find("/calendars/") == std::string::npos);
    CHECK(f.find("/scenarios/") == std::string::npos);
  }
}

}  // namespace loader_test
