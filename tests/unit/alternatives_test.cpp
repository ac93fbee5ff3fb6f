// Alternative matters: two registrations of which exactly one applies may
// both produce the credit code (once-only across branches).
#include <doctest/doctest.h>

#include <string>

#include "analysis/condition_sets.h"
#include "yilian/load.h"

using namespace yilian;

namespace alternatives_test {

namespace {

std::string chain_with(const std::string& when_a, const std::string& when_b, const std::string& type_b = "uscc",
                       const std::string& consumer_after = "[reg-a, reg-b]") {
  return "id: alt\nversion: 1\nname: 分支\nlead: d\npromised_days: 20\ndepartments:\n  d: { name: 甲 }\n"
         "fields:\n  org.nature: { label: 性质, type: enum, values: [nonprofit, forprofit] }\n"
         "  org.size: { label: 规模, type: integer }\n"
         "materials:\n  cert: { name: 登记证书 }\n"
         "matters:\n"
         "  - id: reg-a\n    name: 民非登记\n    department: d\n    statutory_days: 10\n    promised_days: 5\n"
         "    fields: [org.nature, org.size]\n    when: \"" + when_a + "\"\n    results: [cert]\n"
         "    produces:\n      org.uscc: { label: 统一社会信用代码, type: uscc }\n"
         "  - id: reg-b\n    name: 公司登记\n    department: d\n    statutory_days: 10\n    promised_days: 3\n"
         "    when: \"" + when_b + "\"\n    results: [cert]\n"
         "    produces:\n      org.uscc: { label: 统一社会信用代码, type: " + type_b + " }\n"
         "  - id: seal\n    name: 刻章\n    department: d\n    statutory_days: 1\n    promised_days: 1\n"
         "    after: " + consumer_after + "\n    fields: [org.uscc]\n    materials: [cert]\n";
}

std::vector<std::string> codes(const Loaded<ValidChain>& r) {
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics) out.push_back(d.code);
  return out;
}

}  // namespace

TEST_CASE("alternatives.disjoint_producers_are_allowed") {
  for (auto [a, b] : {std::pair{"org.nature == 'nonprofit'", "org.nature == 'forprofit'"},
                      std::pair{"org.nature in ['nonprofit']", "org.nature != 'nonprofit'"},
                      std::pair{"org.nature == 'nonprofit' and org.size > 10", "org.nature not in ['nonprofit']"}}) {
    CAPTURE(a);
    Loaded<ValidChain> r = load_chain_text(chain_with(a, b), "alt.yaml");
    CHECK(r.ok());
    // The two branches cover the enum: no conditional-supply warning either.
    CHECK(codes(r).empty());
  }
}

TEST_CASE("alternatives.overlapping_producers_are_rejected") {
  Loaded<ValidChain> r = load_chain_text(chain_with("org.nature == 'nonprofit'", "org.size > 10"), "alt.yaml");
  CHECK(!r.ok());
  auto c = codes(r);
  CHECK(std::count(c.begin(), c.end(), "produced-twice") == 1);
  CHECK(std::count(c.begin(), c.end(), "issued-twice") == 1);
}

TEST_CASE("alternatives.must_agree_and_all_come_first") {
  Loaded<ValidChain> r = load_chain_text(chain_with("org.nature == 'nonprofit'", "org.nature == 'forprofit'", "string"), "alt.yaml");
  CHECK(!r.ok());
  CHECK(codes(r) == std::vector<std::string>{"field-conflict"});

  r = load_chain_text(chain_with("org.nature == 'nonprofit'", "org.nature == 'forprofit'", "uscc", "[reg-a]"), "alt.yaml");
  CHECK(!r.ok());
  auto c = codes(r);
  CHECK(std::count(c.begin(), c.end(), "supply-order") == 2);  // the datum and the document
}

TEST_CASE("alternatives.partial_cover_warns") {
  // Only one branch produces: when it does not apply nothing supplies the code.
  std::string text = chain_with("org.nature == 'nonprofit'", "org.nature == 'forprofit'");
  const auto second = text.rfind("    produces:\n      org.uscc");
  text.erase(second, text.find("\n  - id: seal") - second + 1);
  Loaded<ValidChain> r = load_chain_text(text, "alt.yaml");
  REQUIRE(r.ok());
  CHECK(codes(r) == std::vector<std::string>{"conditional-supply"});
}

TEST_CASE("alternatives.field_sets") {
  Loaded<ValidChain> r = load_chain_text(chain_with("org.nature == 'nonprofit'", "org.nature == 'forprofit'"), "alt.yaml");
  REQUIRE(r.ok());
  auto cond = [&](const char* t) { return *parse_condition(t); };
  CHECK(detail::disjoint(cond("org.nature == 'nonprofit'"), cond("org.nature == 'forprofit'"), *r.value()));
  CHECK_FALSE(detail::disjoint(cond("org.nature == 'nonprofit'"), cond("org.size > 3"), *r.value()));
  CHECK_FALSE(detail::disjoint(cond("org.size < 3"), cond("org.size > 3"), *r.value()));  // ranges: unsure, so no
  CHECK(detail::disjoint(cond("org.nature == 'nonprofit' or org.nature == 'forprofit'"), cond("org.nature != 'nonprofit' and org.nature != 'forprofit'"), *r.value()));
}

}  // namespace alternatives_test
