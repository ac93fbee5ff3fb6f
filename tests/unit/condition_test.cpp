#include <doctest/doctest.h>

#include <string>

#include "yilian/chain.h"
#include "yilian/condition.h"

using namespace yilian;

namespace condition_test {

namespace {

Condition parse(const char* text) {
  auto r = parse_condition(text);
  REQUIRE_MESSAGE(r.is_ok(), text << ": " << r.status().to_string());
  return *r;
}

Truth eval(const char* text, const FieldValues& v) { return parse(text).evaluate(v); }

struct Catalogue {
  std::vector<Field> fields;
  std::vector<std::string> keys;
  Catalogue() {
    auto add = [&](const char* key, FieldType t, std::vector<std::string> values = {}) {
      Field f;
      f.key = key;
      f.type = t;
      f.values = std::move(values);
      fields.push_back(f);
      keys.push_back(key);
    };
    add("site.area", FieldType::area);
    add("school.capacity", FieldType::integer);
    add("school.serves_meals", FieldType::boolean);
    add("school.kind", FieldType::enumeration, {"private", "public"});
    add("applicant.name", FieldType::string);
    add("site.opened", FieldType::date);
  }
  std::vector<ConditionIssue> check(const char* text) const {
    return type_check(parse(text), [this](std::string_view k) -> const Field* {
      for (const auto& f : fields)
        if (f.key == k) return &f;
      return nullptr;
    }, keys);
  }
};

}  // namespace

TEST_CASE("condition.parse.precedence") {
  // `and` binds tighter than `or`; `not` tighter than both.
  CHECK(to_string(parse("a == 1 or b == 2 and c == 3").root()) == "a == 1 or b == 2 and c == 3");
  CHECK(to_string(parse("(a == 1 or b == 2) and c == 3").root()) == "(a == 1 or b == 2) and c == 3");
  CHECK(parse("not x and y").root().kind == Expr::Kind::all_of);
  CHECK(parse("x in ['a', \"b\"]").root().list.size() == 2);
  CHECK(parse("x not in [1, 2.5, -3]").root().negated);
  CHECK(parse("site.area >= 50").fields() == std::vector<std::string>{"site.area"});
}

TEST_CASE("condition.parse.errors_are_located") {
  struct Case {
    const char* text;
    int column;
    const char* message;
  } cases[] = {
      {"site.area >=", 13, "expected a field or a value"},
      {"a = 1", 3, "write `==`"},
      {"a == 1 &&  b", 8, "write `and`"},
      {"(a == 1", 8, "expected `)`"},
      {"a in 1, 2", 6, "expected `[`"},
      {"a in [b]", 7, "expected a literal"},
      {"a == 'open", 6, "not closed"},
      {"a == 1 b", 8, "after a complete condition"},
      {"a not b", 7, "expected `in` after `not`"},
      {"and", 1, "keyword `and`"},
      {"a == 1 #", 8, "unexpected character"},
      {"k == '中文' && b", 11, "write `and`"},  // columns count characters, not bytes
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto r = parse_condition(c.text);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().where().column == c.column);
    CHECK(r.status().message().find(c.message) != std::string::npos);
  }
}

TEST_CASE("condition.parse.nesting_is_limited") {
  auto nested = [](int n, const std::string& open, const std::string& close) {
    std::string s;
    for (int i = 0; i < n; ++i) s += open;
    s += "site.area >= 1";
    for (int i = 0; i < n; ++i) s += close;
    return s;
  };
  // As deep as allowed: parses and evaluates.
  CHECK(parse(nested(kMaxConditionNesting, "(", ")").c_str()).evaluate({{"site.area", 2.0}}) == Truth::yes);
  CHECK(parse(nested(kMaxConditionNesting, "not ", "").c_str()).evaluate({{"site.area", 2.0}}) == Truth::yes);
  CHECK(parse(nested(kMaxConditionNesting / 2, "not (", ")").c_str()).evaluate({{"site.area", 2.0}}) == Truth::yes);
  // One level deeper fails at the `(` or `not` that goes too deep; thousands
  // of levels (which overflowed the stack) fail the same way.
  struct Case {
    std::string text;
    int column;
  } cases[] = {
      {nested(kMaxConditionNesting + 1, "(", ")"), kMaxConditionNesting + 1},
      {nested(5000, "(", ")"), kMaxConditionNesting + 1},
      {nested(kMaxConditionNesting + 1, "not ", ""), 4 * kMaxConditionNesting + 1},
      {nested(15000, "not ", ""), 4 * kMaxConditionNesting + 1},
      {nested(3000, "not (", ")"), 5 * (kMaxConditionNesting / 2) + 1},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text.size());
    auto r = parse_condition(c.text);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().where().column == c.column);
    CHECK(r.status().message().find("deeper than 32 levels") != std::string::npos);
  }
}

TEST_CASE("condition.evaluate.three_valued") {
  FieldValues v{{"n", std::int64_t{60}}, {"b", true}, {"k", std::string("private")}};
  CHECK(eval("n >= 50", v) == Truth::yes);
  CHECK(eval("n < 50", v) == Truth::no);
  CHECK(eval("n == 60.0", v) == Truth::yes);
  CHECK(eval("b", v) == Truth::yes);
  CHECK(eval("not b", v) == Truth::no);
  CHECK(eval("k in ['public', 'private']", v) == Truth::yes);
  CHECK(eval("k not in ['public']", v) == Truth::yes);
  // A missing value is unknown, and Kleene logic keeps what can be decided.
  CHECK(eval("missing == 1", v) == Truth::unknown);
  CHECK(eval("missing == 1 and n < 50", v) == Truth::no);
  CHECK(eval("missing == 1 or n >= 50", v) == Truth::yes);
  CHECK(eval("missing == 1 or n < 50", v) == Truth::unknown);
  CHECK(eval("not (missing == 1)", v) == Truth::unknown);
  CHECK(eval("missing in [1]", v) == Truth::unknown);
  // An empty condition always holds.
  CHECK(Condition().evaluate(v) == Truth::yes);
}

TEST_CASE("condition.type_check") {
  Catalogue cat;
  CHECK(cat.check("site.area >= 50 and school.serves_meals == true").empty());
  CHECK(cat.check("school.kind in ['private'] or site.opened < '2020-01-01'").empty());
  CHECK(cat.check("school.serves_meals").empty());

  auto one = [&](const char* text, const char* message, int column) {
    CAPTURE(text);
    auto issues = cat.check(text);
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].message.find(message) != std::string::npos);
    CHECK(issues[0].column == column);
    return issues[0];
  };
  CHECK(one("site.aera > 1", "unknown field `site.aera`", 1).hint == "did you mean `site.area`?");
  one("school.serves_meals == 1", "but `1` is a number", 24);
  one("school.capacity == 2.5", "is a whole number", 20);
  CHECK(one("school.kind == 'privat'", "not a value of `school.kind`", 16).hint == "did you mean 'private'?");
  one("school.serves_meals > false", "compare only with == and !=", 1);
  one("applicant.name > 'x'", "order comparisons", 1);
  one("site.opened < '2020'", "not a date", 15);
  one("site.area", "not true or false", 1);
  one("1 == 1", "always the same", 1);
}

}  // namespace condition_test
