// Enum labels and multiple choice (`type: set`): the loader's two shapes of
// `values`, membership in conditions (`'x' in field`) and what the analysis
// concludes from it, the check of a set's values, the form outputs, the
// notice and the simulator's draw of sets.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>

#include "analysis/condition_sets.h"
#include "json_schema_mini.h"
#include "runtime/codec.h"
#include "sim_fixture.h"
#include "yilian/bpmn.h"
#include "yilian/check.h"
#include "yilian/export.h"
#include "yilian/field_values.h"
#include "yilian/form_export.h"
#include "yilian/load.h"
#include "yilian/report.h"

using namespace yilian;
using json = nlohmann::json;

namespace choice_fields_test {

namespace {

/// A restaurant chain: an enum with labels, a set of food categories with
/// labels and a cold-room permit when cold food is among them.
const char* kChain = R"(id: eatery
version: 1
name: 餐馆开办
lead: market
promised_days: 11
departments:
  market: { name: 区市场监督管理局 }
  health: { name: 区卫生健康局 }
fields:
  applicant.name: { label: 企业名称, type: string }
  applicant.form:
    label: 市场主体类型
    type: enum
    values: { limited-company: 有限责任公司, individual-business: 个体工商户 }
  site.ownership: { label: 场所权属, type: enum, values: [owned, leased] }
  food.categories:
    label: 餐饮服务项目
    type: set
    values: { hot-food: 热食类, cold-food: 冷食类, raw-food: 生食类, drinks: 自制饮品制售 }
    max: 3
materials:
  cold-room-plan: { name: 冷食专间布局图 }
matters:
  - id: licence
    name: 营业执照
    department: market
    statutory_days: 15
    promised_days: 1
    fields: [applicant.name, applicant.form, site.ownership]
  - id: food-permit
    name: 食品经营许可
    department: market
    after: [licence]
    statutory_days: 10
    promised_days: 5
    fields: [food.categories]
  - id: cold-room
    name: 冷食专间核查
    department: health
    after: [food-permit]
    when: "'cold-food' in food.categories or 'raw-food' in food.categories"
    statutory_days: 10
    promised_days: 5
    materials: [cold-room-plan]
  - id: tea-only
    name: 饮品店简易登记
    department: market
    after: [licence]
    when: "'hot-food' not in food.categories and applicant.form == 'individual-business'"
    statutory_days: 5
    promised_days: 1
)";

ValidChain eatery() {
  static const ValidChain c = [] {
    Loaded<ValidChain> r = load_chain_text(kChain, "eatery.yaml");
    for (const auto& d : r.diagnostics) MESSAGE(d.to_string());
    REQUIRE(r.ok());
    return r.value();
  }();
  return c;
}

std::vector<std::string> codes(const Loaded<ValidChain>& r) {
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics) out.push_back(d.code + " " + std::to_string(d.where.line) + ":" + std::to_string(d.where.column));
  return out;
}

Loaded<ValidChain> load_fields(const std::string& fields) {
  return load_chain_text("id: t\nversion: 1\nname: 测试\nlead: a\npromised_days: 5\ndepartments:\n  a: { name: 甲 }\n"
                         "fields:\n" + fields +
                         "matters:\n  - { id: m, name: 事项, department: a, statutory_days: 5, promised_days: 5, "
                         "fields: [x.f] }\n",
                         "t.yaml");
}

Condition parse(const char* text) {
  auto r = parse_condition(text);
  REQUIRE_MESSAGE(r.is_ok(), text << ": " << r.status().to_string());
  return *r;
}

Condition when(const char* text) {
  Condition c = parse(text);
  const Chain& chain = *eatery();
  auto issues = type_check(c, [&](std::string_view k) { return chain.find_field(k); }, chain.field_keys());
  for (const auto& i : issues) MESSAGE(text << ": " << i.message);
  REQUIRE(issues.empty());
  return c;
}

std::vector<ConditionIssue> issues_of(const char* text) {
  const Chain& chain = *eatery();
  return type_check(parse(text), [&](std::string_view k) { return chain.find_field(k); }, chain.field_keys());
}

FieldValues complete_values(ValueSet categories) {
  return {{"applicant.name", std::string("好味道餐饮有限公司")},
          {"applicant.form", std::string("limited-company")},
          {"site.ownership", std::string("leased")},
          {"food.categories", std::move(categories)}};
}

const InvalidItem* invalid(const CheckResult& r, std::string_view key) {
  for (const auto& i : r.invalid)
    if (i.key == key) return &i;
  return nullptr;
}

bool has(const std::vector<std::string>& v, std::string_view x) { return std::find(v.begin(), v.end(), x) != v.end(); }

}  // namespace

// ---- loader -------------------------------------------------------------------

TEST_CASE("choices.load.values_as_list_or_map") {
  const Chain& c = *eatery();
  const Field* form = c.find_field("applicant.form");
  REQUIRE(form);
  CHECK(form->values == std::vector<std::string>{"limited-company", "individual-business"});
  CHECK(form->value_labels == std::vector<std::string>{"有限责任公司", "个体工商户"});
  CHECK(form->label_of("individual-business") == "个体工商户");
  CHECK(form->label_of("partnership") == "partnership");  // not a value: itself
  const Field* own = c.find_field("site.ownership");
  CHECK(own->value_labels.empty());  // the list form: codes only
  CHECK(own->label_of("leased") == "leased");
  const Field* cats = c.find_field("food.categories");
  CHECK(cats->type == FieldType::set);
  CHECK(to_string(cats->type) == "set");
  CHECK(cats->values.size() == 4);
  CHECK(cats->label_of("drinks") == "自制饮品制售");
  CHECK(cats->allows("raw-food"));
  CHECK_FALSE(cats->allows("pastry"));
}

TEST_CASE("choices.load.errors") {
  // A label that is not text, each located.
  Loaded<ValidChain> r = load_fields("  x.f: { label: 性质, type: enum, values: { a: 甲, b: 2, c: , d: [x] } }\n");
  CHECK(!r.ok());
  CHECK(codes(r) == std::vector<std::string>{"value-label 9:52", "value-label 9:58", "value-label 9:63"});
  // A set without values; `values` on a type that takes none.
  r = load_fields("  x.f: { label: 项目, type: set }\n");
  CHECK(codes(r) == std::vector<std::string>{"enum-values 9:8"});
  CHECK(r.diagnostics.begin()->message.find("a set field needs `values`") != std::string::npos);
  r = load_fields("  x.f: { label: 项目, type: string, values: { a: 甲 } }\n");
  CHECK(codes(r) == std::vector<std::string>{"enum-values 9:43"});
  // A code twice (list and map), an empty map, a scalar.
  r = load_fields("  x.f: { label: 项目, type: set, values: [a, b, a] }\n");
  CHECK(codes(r) == std::vector<std::string>{"duplicate-value 9:47"});
  r = load_fields("  x.f: { label: 项目, type: set, values: {} }\n");
  CHECK(codes(r) == std::vector<std::string>{"empty 9:40"});
  r = load_fields("  x.f: { label: 项目, type: set, values: hot-food }\n");
  CHECK(codes(r) == std::vector<std::string>{"type 9:40"});
  // `set` is a type name the typo guard knows.
  r = load_fields("  x.f: { label: 项目, type: sett, values: [a] }\n");
  REQUIRE_FALSE(r.diagnostics.empty());
  CHECK(r.diagnostics.begin()->hint == "did you mean `set`?");
}

// ---- conditions -----------------------------------------------------------------

TEST_CASE("choices.condition.membership_parses_and_evaluates") {
  Condition c = parse("'cold-food' in food.categories");
  REQUIRE(c.root().kind == Expr::Kind::member);
  CHECK(c.fields() == std::vector<std::string>{"food.categories"});
  CHECK(to_string(c.root()) == "'cold-food' in food.categories");
  CHECK(to_string(parse("'x' not in a.b and c == 1").root()) == "'x' not in a.b and c == 1");
  CHECK(parse("'x' not in a.b").root().negated);
  // The list form stays what it was.
  CHECK(parse("a in ['x', 'y']").root().kind == Expr::Kind::in);

  const FieldValues v{{"food.categories", ValueSet{"hot-food", "drinks"}}};
  CHECK(c.evaluate(v) == Truth::no);
  CHECK(parse("'drinks' in food.categories").evaluate(v) == Truth::yes);
  CHECK(parse("'drinks' not in food.categories").evaluate(v) == Truth::no);
  CHECK(parse("'raw-food' not in food.categories").evaluate(v) == Truth::yes);
  // No value (or an empty set) is unknown; Kleene logic decides what it can.
  CHECK(c.evaluate(FieldValues{}) == Truth::unknown);
  CHECK(c.evaluate(FieldValues{{"food.categories", ValueSet{}}}) == Truth::unknown);
  CHECK(parse("'x' in s or true").evaluate(FieldValues{}) == Truth::yes);

  for (auto [text, column, message] :
       {std::tuple{"'a' in 3", 8, "expected `[` (a list of values) or a set field after `in`"},
        std::tuple{"'a' in (b)", 8, "or a set field after `in`"}, std::tuple{"'a' in true", 8, "set field after `in`"}}) {
    CAPTURE(text);
    auto r = parse_condition(text);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().where().column == column);
    CHECK(r.status().message().find(message) != std::string::npos);
  }
}

TEST_CASE("choices.condition.type_check") {
  CHECK(issues_of("'hot-food' in food.categories and applicant.form == 'limited-company'").empty());
  auto one = [](const char* text, const char* message, int column) {
    CAPTURE(text);
    auto issues = issues_of(text);
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].message.find(message) != std::string::npos);
    CHECK(issues[0].column == column);
    return issues[0];
  };
  // An unknown value of the set, with did-you-mean.
  CHECK(one("'hot-fod' in food.categories", "'hot-fod' is not a value of `food.categories`", 1).hint ==
        "did you mean 'hot-food'?");
  // `in` a field that is not a set.
  one("'owned' in site.ownership", "`site.ownership` is text (enum), not a set", 12);
  one("'x' in applicant.name", "not a set", 8);
  // A set where one value is expected.
  one("food.categories == 'hot-food'", "test whether it holds a value with `'hot-food' in food.categories`", 1);
  one("food.categories in ['hot-food']", "is a set (several values)", 1);
  one("food.categories", "is a set (several values)", 1);
  // The left of `in field` is a value.
  one("applicant.name in food.categories", "write a value on the left of `in food.categories`", 1);
  one("3 in food.categories", "`food.categories` is text (set), but `3` is a number", 1);
  // An enum literal is checked against the codes, not the labels.
  one("applicant.form == '个体工商户'", "is not a value of `applicant.form`", 19);
}

TEST_CASE("choices.condition_sets.membership_is_exact_or_conservative") {
  const Chain& c = *eatery();
  using detail::covers_domain;
  using detail::disjoint;
  // Exact: the same membership yes and no cannot hold together; together
  // they cover every application.
  CHECK(disjoint(when("'raw-food' in food.categories"), when("'raw-food' not in food.categories"), c));
  CHECK(disjoint(when("'raw-food' in food.categories"), when("not ('raw-food' in food.categories)"), c));
  const Condition in = when("'raw-food' in food.categories"), out = when("not ('raw-food' in food.categories)");
  CHECK(covers_domain({&in, &out}, c));
  // Different values can be chosen together: not disjoint.
  CHECK_FALSE(disjoint(when("'raw-food' in food.categories"), when("'hot-food' in food.categories"), c));
  CHECK_FALSE(disjoint(when("'raw-food' not in food.categories"), when("'hot-food' not in food.categories"), c));
  // Conservative: with four values, "none of hot, cold and raw" is still
  // possible (drinks only), so the three memberships do not cover; they
  // would with every value listed, which the analysis does not claim.
  const Condition a = when("'hot-food' in food.categories"), b = when("'cold-food' in food.categories");
  CHECK_FALSE(covers_domain({&a, &b}, c));
  // Combined with other fields as before.
  CHECK(disjoint(when("'raw-food' in food.categories and applicant.form == 'limited-company'"),
                 when("applicant.form == 'individual-business'"), c));
}

TEST_CASE("choices.load.alternatives_by_membership") {
  // Two matters that produce the same key are alternatives when their
  // memberships exclude each other, and a conflict when they do not.
  auto chain = [](const char* when_b) {
    return std::string(
               "id: alt\nversion: 1\nname: 分支\nlead: d\npromised_days: 20\ndepartments:\n  d: { name: 甲 }\n"
               "fields:\n  food.categories: { label: 项目, type: set, values: { hot: 热食类, raw: 生食类 } }\n"
               "matters:\n"
               "  - { id: a, name: 甲, department: d, statutory_days: 5, promised_days: 5, fields: [food.categories],\n"
               "      when: \"'raw' in food.categories\", produces: { x.no: { label: 编号, type: string } } }\n"
               "  - { id: b, name: 乙, department: d, statutory_days: 5, promised_days: 5, fields: [food.categories],\n"
               "      when: \"") + when_b + "\", produces: { x.no: { label: 编号, type: string } } }\n";
  };
  Loaded<ValidChain> ok = load_chain_text(chain("'raw' not in food.categories"), "alt.yaml");
  for (const auto& d : ok.diagnostics) MESSAGE(d.to_string());
  CHECK(ok.ok());
  Loaded<ValidChain> clash = load_chain_text(chain("'hot' in food.categories"), "alt.yaml");
  CHECK(!clash.ok());
}

// ---- the check ---------------------------------------------------------------------

TEST_CASE("choices.check.set_values") {
  const FormChecker checker(*eatery());
  CheckResult r = checker.check(complete_values({"hot-food", "drinks"}), {});
  CHECK(r.invalid.empty());
  CHECK_FALSE(has(r.applicable_matters, "cold-room"));
  CHECK(has(r.skipped_matters, "tea-only"));
  r = checker.check(complete_values({"raw-food"}), {"cold-room-plan"});
  CHECK(r.complete);
  CHECK(has(r.applicable_matters, "cold-room"));

  // An unknown value, located by item, with the labels in Chinese.
  r = checker.check(complete_values({"hot-food", "pastry"}), {});
  const InvalidItem* bad = invalid(r, "food.categories");
  REQUIRE(bad);
  CHECK(bad->code == "set");
  CHECK(bad->reason.find("'pastry' (item 2) is not one of: hot-food (热食类), cold-food (冷食类)") != std::string::npos);
  CHECK(bad->reason_zh == "“pastry”不是可选项，应从以下选项中选择：热食类、冷食类、生食类、自制饮品制售");
  // A duplicate.
  r = checker.check(complete_values({"drinks", "hot-food", "drinks"}), {});
  bad = invalid(r, "food.categories");
  REQUIRE(bad);
  CHECK(bad->code == "duplicate");
  CHECK(bad->reason == "'drinks' is given twice (item 3)");
  CHECK(bad->reason_zh == "“自制饮品制售”重复选择");
  // More than `max`.
  r = checker.check(complete_values({"drinks", "hot-food", "cold-food", "raw-food"}), {});
  REQUIRE(invalid(r, "food.categories"));
  CHECK(invalid(r, "food.categories")->code == "max");
  CHECK(invalid(r, "food.categories")->reason_zh == "应至多选择 3 项");
  // A lone value where a list is expected; a list where one value is expected.
  FieldValues v = complete_values({});
  v["food.categories"] = std::string("hot-food");
  v["applicant.form"] = ValueSet{"limited-company"};
  r = checker.check(v, {});
  REQUIRE(invalid(r, "food.categories"));
  CHECK(invalid(r, "food.categories")->code == "type");
  CHECK(invalid(r, "food.categories")->hint == "write it as a list: [hot-food]");
  REQUIRE(invalid(r, "applicant.form"));
  CHECK(invalid(r, "applicant.form")->reason == "expected one value, got a list");
  // An empty set is not given: missing.
  r = checker.check(complete_values({}), {});
  CHECK(r.invalid.empty());
  CHECK(std::any_of(r.missing.begin(), r.missing.end(), [](const MissingItem& m) { return m.key == "food.categories"; }));
  // An enum's Chinese reason names the labels, not the codes.
  v = complete_values({"hot-food"});
  v["applicant.form"] = std::string("partnership");
  r = checker.check(v, {});
  REQUIRE(invalid(r, "applicant.form"));
  CHECK(invalid(r, "applicant.form")->reason_zh == "应为以下之一：有限责任公司、个体工商户");
  CHECK(invalid(r, "applicant.form")->reason ==
        "'partnership' is not one of: limited-company (有限责任公司), individual-business (个体工商户)");
}

TEST_CASE("choices.application.lists_in_files_and_bodies") {
  const char* yaml = "chain: eatery\nfields:\n  food.categories: [hot-food, drinks]\n  applicant.name: 好味道\n"
                     "materials: []\n";
  Loaded<Application> a = parse_application_text(yaml, "app.yaml");
  REQUIRE(a.ok());
  CHECK(a->fields.at("food.categories") == Value{ValueSet{"hot-food", "drinks"}});
  // JSON (an API body) reads the same.
  a = parse_application_text(R"({"chain": "eatery", "fields": {"food.categories": ["raw-food"]}})", "body");
  REQUIRE(a.ok());
  CHECK(a->fields.at("food.categories") == Value{ValueSet{"raw-food"}});
  // A list of lists or maps is refused, located.
  a = parse_application_text("chain: eatery\nfields:\n  food.categories: [hot-food, [x], {a: b}]\n", "app.yaml");
  CHECK_FALSE(a.ok());
  std::vector<std::string> got;
  for (const auto& d : a.diagnostics) got.push_back(d.code + " " + std::to_string(d.where.line) + ":" + std::to_string(d.where.column));
  CHECK(got == std::vector<std::string>{"type 3:31", "type 3:36"});
  // A map is still no field value.
  a = parse_application_text("chain: eatery\nfields:\n  applicant.name: {a: b}\n", "app.yaml");
  CHECK_FALSE(a.ok());
}

TEST_CASE("choices.field_values.typed_against_the_chain") {
  Loaded<FieldValues> r = parse_field_values("food.categories: [cold-food, hot-food]\n", "v.yaml", &eatery().chain());
  CHECK_FALSE(r.diagnostics.has_errors());
  CHECK(r.value().at("food.categories") == Value{ValueSet{"cold-food", "hot-food"}});
  r = parse_field_values("food.categories: [cold-food, cold-food, pastry]\n", "v.yaml", &eatery().chain());
  std::vector<std::string> got;
  for (const auto& d : r.diagnostics) got.push_back(d.code);
  CHECK(got == std::vector<std::string>{"duplicate-value", "bad-enum"});
  r = parse_field_values("food.categories: cold-food\n", "v.yaml", &eatery().chain());
  REQUIRE(r.diagnostics.has_errors());
  CHECK(r.diagnostics.begin()->hint == "write it as a list: [cold-food]");
  r = parse_field_values("food.categories: []\n", "v.yaml", &eatery().chain());
  CHECK(r.value().empty());
}

// ---- the store's encoding -------------------------------------------------------

TEST_CASE("choices.codec.sets_round_trip") {
  const FieldValues values{{"a", ValueSet{"x", "中文"}}, {"b", ValueSet{}}, {"c", std::string("t")}, {"d", std::int64_t{3}}};
  detail::Writer w;
  detail::write_values(w, values);
  const std::string bytes = w.take();
  detail::Reader r(bytes);
  FieldValues back;
  REQUIRE(detail::read_values(r, back));
  CHECK(r.at_end());
  CHECK(back == values);
  // Tags 0-4 are what earlier formats wrote: unchanged, so their bytes read
  // as before (a string is tag 4, its length, its bytes).
  detail::Writer old;
  detail::write_values(old, FieldValues{{"k", std::string("v")}});
  CHECK(old.take() == std::string("\x01\x01k\x04\x01v", 6));
}

// ---- the form, the notice, the charts ------------------------------------------------

TEST_CASE("choices.form.json_and_schema") {
  const Form form = merge_form(*eatery());
  const json doc = json::parse(form_to_json(form));
  json cats, kind;
  for (const auto& f : doc["fields"]) {
    if (f["key"] == "food.categories") cats = f;
    if (f["key"] == "applicant.form") kind = f;
  }
  CHECK(cats["type"] == "set");
  CHECK(cats["values"] == json({"hot-food", "cold-food", "raw-food", "drinks"}));
  CHECK(cats["labels"]["raw-food"] == "生食类");
  CHECK(kind["labels"] == json({{"limited-company", "有限责任公司"}, {"individual-business", "个体工商户"}}));

  const json schema = json::parse(form_to_json_schema(form));
  const json& props = schema["properties"]["fields"]["properties"];
  CHECK(props["applicant.form"]["type"] == "string");
  CHECK_FALSE(props["applicant.form"].contains("enum"));  // renderers prefer `enum` and would show codes
  CHECK(props["applicant.form"]["oneOf"][1] == json({{"const", "individual-business"}, {"title", "个体工商户"}}));
  CHECK(props["site.ownership"]["oneOf"][0] == json({{"const", "owned"}, {"title", "owned"}}));
  CHECK(props["food.categories"]["type"] == "array");
  CHECK(props["food.categories"]["uniqueItems"] == true);
  CHECK(props["food.categories"]["maxItems"] == 3);
  CHECK(props["food.categories"]["minItems"] == 1);
  CHECK(props["food.categories"]["items"]["oneOf"][0] == json({{"const", "hot-food"}, {"title", "热食类"}}));

  // The schema and the check agree on sets and on membership conditions.
  const test::MiniSchema mini(schema);
  const FormChecker checker(form);
  auto application = [](FieldValues v, std::vector<std::string> materials) {
    json fields = json::object();
    for (const auto& [k, x] : v) {
      if (const auto* s = std::get_if<std::string>(&x)) fields[k] = *s;
      else if (const auto* set = std::get_if<ValueSet>(&x)) fields[k] = *set;
    }
    return json{{"chain", "eatery"}, {"fields", fields}, {"materials", materials}};
  };
  for (const auto& [set, materials] :
       std::vector<std::pair<ValueSet, std::vector<std::string>>>{{{}, {}},
                                                                   {{"hot-food"}, {}},
                                                                   {{"raw-food"}, {}},
                                                                   {{"raw-food"}, {"cold-room-plan"}},
                                                                   {{"drinks", "cold-food"}, {"cold-room-plan"}},
                                                                   {{"drinks", "drinks"}, {}},
                                                                   {{"pastry"}, {}},
                                                                   {{"hot-food", "cold-food", "raw-food", "drinks"}, {"cold-room-plan"}}}) {
    const FieldValues v = complete_values(set);
    const CheckResult r = checker.check(v, materials);
    CAPTURE(application(v, materials).dump());
    CHECK(mini.valid(application(v, materials)) == r.complete);
  }
}

TEST_CASE("choices.form.markdown_csv_and_notice_show_labels") {
  const Form form = merge_form(*eatery());
  const std::string md = form_to_markdown(form);
  CHECK(md.find("有限责任公司 / 个体工商户") != std::string::npos);
  CHECK(md.find("热食类、冷食类、生食类、自制饮品制售（可多选）；至多选择 3 项") != std::string::npos);
  CHECK(md.find("| 多选 |") != std::string::npos);
  CHECK(md.find("limited-company") == std::string::npos);
  // Conditions in words name the labels.
  CHECK(describe_condition(form, form.matters[2].when) == "餐饮服务项目包括“冷食类”，或餐饮服务项目包括“生食类”");
  CHECK(describe_condition(form, form.matters[3].when) == "餐饮服务项目不包括“热食类”，且市场主体类型为“个体工商户”");
  const std::string csv = form_to_csv(form);
  CHECK(csv.find("values,value_labels,") != std::string::npos);
  CHECK(csv.find("limited-company; individual-business,有限责任公司; 个体工商户,") != std::string::npos);

  // The notice: requirements and corrections in labels.
  const FormChecker checker(form);
  FieldValues v = complete_values({"hot-food", "pastry"});
  v.erase("applicant.form");
  const std::string notice = notice_to_markdown(form, checker.check(v, {}));
  CHECK(notice.find("| 市场主体类型 | 选项，有限责任公司 / 个体工商户 |") != std::string::npos);
  CHECK(notice.find("“pastry”不是可选项，应从以下选项中选择：热食类、冷食类、生食类、自制饮品制售") != std::string::npos);
  CHECK(notice.find("limited-company") == std::string::npos);
  CHECK(notice.find("hot-food") == std::string::npos);
}

TEST_CASE("choices.charts.conditions_show_labels") {
  const Chain& c = *eatery();
  const std::string mmd = to_mermaid(c), dot = to_dot(c);
  CHECK(mmd.find("条件: 餐饮服务项目含“冷食类” 或 餐饮服务项目含“生食类”") != std::string::npos);
  CHECK(dot.find("条件: 餐饮服务项目不含“热食类” 且 市场主体类型 = “个体工商户”") != std::string::npos);
  CHECK(mmd.find("cold-food") == std::string::npos);
  const std::string svg = flowchart_svg(c);
  CHECK(svg.find("餐饮服务项目含“冷食类”") != std::string::npos);
  // BPMN: the gateway is named in labels, the FEEL condition tests membership.
  const std::string bpmn = to_bpmn(c);
  CHECK(bpmn.find("name=\"餐饮服务项目含“冷食类” 或 餐饮服务项目含“生食类”？\"") != std::string::npos);
  CHECK(bpmn.find("list contains(food.categories, \"cold-food\")") != std::string::npos);
  CHECK(to_feel(when("'hot-food' not in food.categories")) == "not(list contains(food.categories, \"hot-food\"))");
}

// ---- the simulator --------------------------------------------------------------------

TEST_CASE("choices.sim.sets_are_drawn_per_value") {
  Scenario s;
  s.cases = 6000;
  s.arrival_rate = 20;
  s.seed = 11;
  for (const char* d : {"market", "health"}) s.departments[d].officers = 50;
  // Each value on its own: hot 0.9, cold 0.2, raw 0.1 (drinks never).
  s.branches["food.categories"] = {{Value{std::string("hot-food")}, 0.9},
                                   {Value{std::string("cold-food")}, 0.2},
                                   {Value{std::string("raw-food")}, 0.1}};
  s.branches["applicant.form"] = {{Value{std::string("individual-business")}, 1.0}};
  REQUIRE_FALSE(check_scenario(*eatery(), s).has_errors());
  auto run = [&] {
    auto r = simulate(eatery(), test::cn_mainland(), s);
    REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
    return r->result;
  };
  const RegimeResult g = run();
  auto share = [&](const char* id) {
    for (const auto& m : g.matters)
      if (m.id == id) return static_cast<double>(m.applied) / static_cast<double>(g.cases);
    return -1.0;
  };
  // A set given is never empty: the draw is conditioned on one value at
  // least (P(none) = 0.1 * 0.8 * 0.9 = 0.072).
  const double nonempty = 1 - 0.1 * 0.8 * 0.9;
  CHECK(share("cold-room") == doctest::Approx((1 - 0.8 * 0.9) / nonempty).epsilon(0.08));
  CHECK(share("tea-only") == doctest::Approx((0.1 * (1 - 0.8 * 0.9)) / nonempty).epsilon(0.2));
  CHECK(share("food-permit") == 1.0);
  // The same seed draws the same applicants.
  const RegimeResult again = run();
  for (std::size_t i = 0; i < g.matters.size(); ++i) CHECK(again.matters[i].applied == g.matters[i].applied);
  // A value of 1 is always chosen: every case has the cold room.
  s.branches["food.categories"] = {{Value{std::string("cold-food")}, 1.0}, {Value{std::string("drinks")}, 0.5}};
  const RegimeResult always = run();
  for (const auto& m : always.matters)
    if (m.id == "cold-room") CHECK(m.applied == always.cases);

  // The scenario file: shares of a set need not add up to 1; unknown values are refused.
  Loaded<Scenario> loaded =
      load_scenario_text("branches:\n  food.categories: { hot-food: 0.9, drinks: 0.4 }\n", "s.yaml", *eatery());
  for (const auto& d : loaded.diagnostics) MESSAGE(d.to_string());
  CHECK(loaded.ok());
  loaded = load_scenario_text("branches:\n  food.categories: { pastry: 0.9 }\n", "s.yaml", *eatery());
  CHECK_FALSE(loaded.ok());
}

}  // namespace choice_fields_test
