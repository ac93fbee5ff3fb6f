// Conflicts (errors, one rule shared with validate()) and likely duplicates
// (warnings) found by merge_form().
#include <doctest/doctest.h>

#include "analysis/label_similarity.h"
#include "form_fixture.h"
#include "yilian/analysis.h"
#include "yilian/form.h"

using namespace yilian;
using yilian::test::chain_text;
using yilian::test::parse_only;

namespace form_conflicts_test {

namespace {

const Diagnostic* find_code(const Diagnostics& ds, const std::string& code) {
  for (const auto& d : ds)
    if (d.code == code) return &d;
  return nullptr;
}

/// The conflict is reported by merge_form and by validate, located at
/// `line`, and its message names the other place ("fixture.yaml:<other>").
void expect_conflict(const std::string& text, const std::string& code, int line, int other_line) {
  auto chain = parse_only(text);
  const Form f = merge_form(*chain);
  const Diagnostic* d = find_code(f.diagnostics, code);
  REQUIRE_MESSAGE(d, code);
  CHECK(d->severity == Severity::error);
  CHECK(d->where.file == "fixture.yaml");
  CHECK(d->where.line == line);
  if (other_line > 0)
    CHECK_MESSAGE(d->message.find("fixture.yaml:" + std::to_string(other_line)) != std::string::npos, d->message);
  const Diagnostics v = validate(*chain);
  const Diagnostic* dv = find_code(v, code);
  REQUIRE(dv);
  CHECK(dv->message == d->message);  // one rule, one message
}

const std::string kOneMatter =
    "  - { id: m1, name: 甲, department: a, statutory_days: 5, promised_days: 3, fields: [k.x] }\n";

}  // namespace

TEST_CASE("form.conflict.type") {
  // Line 10: the catalogue definition; line 18: the inline one.
  expect_conflict(chain_text("  k.x: { label: 甲, type: string }\n",
                             "  - id: m1\n    name: 甲\n    department: a\n    statutory_days: 5\n    promised_days: 3\n"
                             "    fields:\n      - k.x: { label: 甲, type: integer }\n"),
                  "field-conflict", 18, 10);
}

TEST_CASE("form.conflict.enum_values") {
  expect_conflict(chain_text("  k.x: { label: 甲, type: enum, values: [a, b] }\n",
                             "  - id: m1\n    name: 甲\n    department: a\n    statutory_days: 5\n    promised_days: 3\n"
                             "    fields:\n      - k.x: { label: 甲, type: enum, values: [a, c] }\n"),
                  "field-conflict", 18, 10);
}

TEST_CASE("form.conflict.bounds") {
  expect_conflict(chain_text("  k.x: { label: 甲, type: integer, min: 1 }\n",
                             "  - id: m1\n    name: 甲\n    department: a\n    statutory_days: 5\n    promised_days: 3\n"
                             "    fields:\n      - k.x: { label: 甲, type: integer, min: 2 }\n"),
                  "field-conflict", 18, 10);
}

TEST_CASE("form.conflict.produced_and_asked") {
  // Asked at line 10, produced at line 19: neither says which wins.
  expect_conflict(chain_text("  k.x: { label: 甲, type: string }\n",
                             kOneMatter +
                                 "  - id: m0\n    name: 乙\n    department: b\n    statutory_days: 5\n    promised_days: 3\n"
                                 "    produces:\n      k.x: { label: 甲, type: string }\n"),
                  "produced-and-asked", 10, 19);
}

TEST_CASE("form.conflict.produced_type_collision") {
  expect_conflict(chain_text("  k.x: { label: 甲, type: string, prefer: produced }\n",
                             kOneMatter +
                                 "  - id: m0\n    name: 乙\n    department: b\n    statutory_days: 5\n    promised_days: 3\n"
                                 "    produces:\n      k.x: { label: 甲, type: integer }\n"),
                  "produced-type-collision", 19, 10);
}

TEST_CASE("form.conflict.produced_definition_differs") {
  // Same type, prefer set, but the produced definition has other bounds:
  // one datum has one definition, whoever supplies it.
  expect_conflict(chain_text("  k.x: { label: 甲, type: string, max: 10, prefer: produced }\n",
                             kOneMatter +
                                 "  - id: m0\n    name: 乙\n    department: b\n    statutory_days: 5\n    promised_days: 3\n"
                                 "    produces:\n      k.x: { label: 甲, type: string, max: 20 }\n"),
                  "field-conflict", 19, 10);
}

TEST_CASE("form.conflict.produced_twice") {
  expect_conflict(chain_text("",
                             "  - { id: m1, name: 甲, department: a, statutory_days: 5, promised_days: 3,\n"
                             "      produces: { k.x: { label: 甲, type: string } } }\n"
                             "  - { id: m2, name: 乙, department: b, statutory_days: 5, promised_days: 3,\n"
                             "      produces: { k.x: { label: 甲, type: string } } }\n"),
                  "produced-twice", 13, 0);
}

TEST_CASE("form.duplicates.synonym_and_brackets") {
  auto chain = parse_only(chain_text(
      "  a.legal_rep: { label: 法定代表人, type: string }\n"
      "  b.legal_rep: { label: 法人代表, type: string }\n"
      "  c.rep: { label: 法定代表人（拟任）, type: string }\n",
      "  - { id: m1, name: 甲, department: a, statutory_days: 5, promised_days: 3,\n"
      "      fields: [a.legal_rep, b.legal_rep, c.rep] }\n"));
  const Form f = merge_form(*chain);
  std::vector<const Diagnostic*> w;
  for (const auto& d : f.diagnostics) {
    CHECK(d.severity == Severity::warning);
    if (d.code == "likely-duplicate-label") w.push_back(&d);
  }
  REQUIRE(w.size() == 2);  // b with a, c with a: each pair once
  CHECK(w[0]->where.line == 11);
  CHECK(w[0]->message.find("`a.legal_rep` (法定代表人) and `b.legal_rep` (法人代表)") != std::string::npos);
  CHECK(w[0]->message.find("fixture.yaml:10") != std::string::npos);
  CHECK(w[0]->hint.find("use one key (`a.legal_rep`)") != std::string::npos);
  CHECK(w[1]->where.line == 12);
}

TEST_CASE("form.duplicates.near_labels_and_format") {
  auto chain = parse_only(chain_text(
      "  a.kids: { label: 拟招收幼儿数, type: integer }\n"
      "  b.kids: { label: 拟招收幼儿人数, type: number }\n"
      "  a.code: { label: 甲编码, type: string, pattern: '^[0-9]{6}$' }\n"
      "  b.code: { label: 乙号码, type: string, pattern: '^[0-9]{6}$' }\n",
      "  - { id: m1, name: 甲, department: a, statutory_days: 5, promised_days: 3,\n"
      "      fields: [a.kids, b.kids, a.code, b.code] }\n"));
  const Form f = merge_form(*chain);
  REQUIRE(f.diagnostics.size() == 2);
  CHECK(f.diagnostics.items()[0].code == "likely-duplicate-label");
  CHECK(f.diagnostics.items()[0].message.find("nearly the same label") != std::string::npos);
  CHECK(f.diagnostics.items()[1].code == "likely-duplicate-format");
}

TEST_CASE("form.duplicates.produced_and_asked_label") {
  // The applicant is asked for a credit code that a matter also produces
  // under another key: once-only is broken.
  auto chain = parse_only(chain_text(
      "  a.credit: { label: 统一社会信用代码, type: uscc }\n",
      "  - { id: m1, name: 甲, department: a, statutory_days: 5, promised_days: 3,\n"
      "      produces: { m1.uscc: { label: 社会信用代码, type: uscc } } }\n"
      "  - { id: m2, name: 乙, department: b, statutory_days: 5, promised_days: 3, after: [m1],\n"
      "      fields: [a.credit, m1.uscc] }\n"));
  const Form f = merge_form(*chain);
  REQUIRE(f.diagnostics.size() == 1);
  CHECK(f.diagnostics.items()[0].message.find("breaks once-only") != std::string::npos);
}

TEST_CASE("form.duplicates.no_false_positives") {
  // Distinct data whose labels look alike: a leading qualifier names another
  // person or body, a substituted character another thing, and a different
  // type family another kind of datum.
  auto chain = parse_only(chain_text(
      "  a.food_no: { label: 食品经营许可证编号, type: string }\n"
      "  a.drug_no: { label: 药品经营许可证编号, type: string }\n"
      "  a.contact: { label: 联系人, type: string }\n"
      "  a.emergency: { label: 紧急联系人, type: string }\n"
      "  a.phone: { label: 联系人电话, type: phone }\n"
      "  a.uscc: { label: 统一社会信用代码, type: uscc }\n"
      "  a.sponsor_uscc: { label: 举办者统一社会信用代码, type: uscc }\n"
      "  a.width: { label: 招牌长度, type: number }\n"
      "  a.height: { label: 招牌高度, type: number }\n"
      "  a.rep: { label: 法定代表人, type: string }\n"
      "  a.old_rep: { label: 原法定代表人, type: string }\n"
      "  a.area: { label: 园舍面积, type: area }\n"
      "  a.area_note: { label: 园舍面积说明, type: text }\n",
      "  - { id: m1, name: 甲, department: a, statutory_days: 5, promised_days: 3,\n"
      "      fields: [a.food_no, a.drug_no, a.contact, a.emergency, a.phone, a.uscc, a.sponsor_uscc, a.width,\n"
      "               a.height, a.rep, a.old_rep, a.area, a.area_note] }\n"));
  const Form f = merge_form(*chain);
  for (const auto& d : f.diagnostics) MESSAGE(d.to_string());
  CHECK(f.diagnostics.empty());
}

TEST_CASE("form.similarity.rule") {
  using detail::encode_utf8;
  using detail::near_same_label;
  using detail::normalise_label;
  CHECK(encode_utf8(normalise_label("法人代表")) == "法定代表人");
  CHECK(encode_utf8(normalise_label("法定代表人（负责人、经营者）")) == "法定代表人");
  CHECK(encode_utf8(normalise_label("Ｅ－mail 地址")) == "email地址");
  CHECK(encode_utf8(normalise_label("身份证号码")) == "身份证号码");  // the longest term matches first
  CHECK(encode_utf8(normalise_label("身份证号")) == "身份证号码");
  CHECK(encode_utf8(normalise_label("(未闭合")) == "未闭合");       // an unclosed bracket keeps its text
  CHECK(near_same_label(U"法定代表", U"法定代表人"));
  CHECK(near_same_label(U"法定代表人", U"法定代表人姓名"));
  CHECK_FALSE(near_same_label(U"法定代表人", U"原法定代表人"));  // added first character
  CHECK_FALSE(near_same_label(U"园长", U"园长姓名"));              // too short to tell
  CHECK_FALSE(near_same_label(U"联系人", U"联系人电话号码"));       // three characters added
  CHECK_FALSE(near_same_label(U"食品许可", U"药品许可证"));
}

}  // namespace form_conflicts_test
