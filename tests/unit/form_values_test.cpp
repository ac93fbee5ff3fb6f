// Value rules: check characters of resident IDs (GB 11643-1999) and unified
// social credit codes (GB 32100-2015), and validate_value() for every type.
#include <doctest/doctest.h>

#include <array>
#include <random>
#include <regex>

#include "analysis/value_rules.h"

#include "yilian/check.h"

using namespace yilian;

namespace form_values_test {

namespace {

Field make(FieldType t) {
  Field f;
  f.key = "k.x";
  f.label = "测试";
  f.type = t;
  return f;
}

std::string code_of(const Field& f, const Value& v) { return validate_value(f, v).code; }

}  // namespace

TEST_CASE("form.values.resident_id_check_char") {
  // By hand, GB 11643-1999's own example 11010519491231002X: weights
  // 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 over 1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2
  // give 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 mod 11 = 2; the
  // check characters 1 0 X 9 8 7 6 5 4 3 2 at index 2 give X.
  CHECK(resident_id_check_char("11010519491231002") == 'X');
  // 370302198506124019: 3*7+7*9+0+3*5+0+2*4+1*2+9+8*6+5*3+0+6*9+1*10+2*5+4*8+0+1*2
  // = 21+63+15+8+2+9+48+15+54+10+10+32+2 = 289; 289 mod 11 = 3 -> '9'.
  CHECK(resident_id_check_char("37030219850612401") == '9');
  CHECK(resident_id_check_char("37030219850612401") != '8');
  CHECK(resident_id_check_char("3703021985061240") == '\0');    // 16 digits
  CHECK(resident_id_check_char("3703021985061240A") == '\0');   // not a digit
}

TEST_CASE("form.values.uscc_check_char") {
  // By hand, GB 32100-2015's example 91350100M000100Y43: the values
  // 9 1 3 5 0 1 0 0 M=21 0 0 0 1 0 0 Y=30 4 with weights
  // 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28 sum to
  // 9+3+27+135+0+26+0+0+420+0+0+0+8+0+0+900+112 = 1640; 1640 mod 31 = 28;
  // 31 - 28 = 3 -> '3'.
  CHECK(uscc_check_char("91350100M000100Y4") == '3');
  CHECK(uscc_check_char("913703007763XK0B4") == 'G');
  CHECK(uscc_check_char("52370303MJD123456") == 'T');
  CHECK(uscc_check_char("91350100M000100Y") == '\0');    // 16 characters
  CHECK(uscc_check_char("91350100O000100Y4") == '\0');   // O is not in the alphabet
  // 31 - 0 maps to 0, not to an out-of-range 31: a code whose sum is a
  // multiple of 31 ("00000000000000000" sums to 0) gets '0'.
  CHECK(uscc_check_char("00000000000000000") == '0');
}

TEST_CASE("form.values.id_card") {
  const Field f = make(FieldType::id_card);
  CHECK(code_of(f, Value{std::string("11010519491231002X")}).empty());
  CHECK(code_of(f, Value{std::string("370302198506124019")}).empty());
  CHECK(code_of(f, Value{std::string("370302198506124018")}) == "id-card");
  CHECK(code_of(f, Value{std::string("11010519491231002x")}) == "id-card");
  CHECK(code_of(f, Value{std::string("37030219850612401")}) == "id-card");
  CHECK(code_of(f, Value{std::string("370302198502304012")}) == "id-card");  // 30 February
  CHECK(code_of(f, Value{std::string("370302180006124010")}) == "id-card");  // born 1800
  CHECK(code_of(f, Value{std::int64_t{370302198506124019}}) == "type");
  const InvalidItem bad = validate_value(f, Value{std::string("370302198506124018")});
  CHECK(bad.reason.find("first 17 digits give 9") != std::string::npos);
  CHECK(bad.reason_zh.find("校验码") != std::string::npos);
}

TEST_CASE("form.values.uscc") {
  const Field f = make(FieldType::uscc);
  CHECK(code_of(f, Value{std::string("91350100M000100Y43")}).empty());
  CHECK(code_of(f, Value{std::string("913703007763XK0B4G")}).empty());
  CHECK(code_of(f, Value{std::string("91350100M000100Y44")}) == "uscc");
  CHECK(code_of(f, Value{std::string("91350100m000100y43")}) == "uscc");
  CHECK(code_of(f, Value{std::string("9135010OM000100Y43")}) == "uscc");  // O in the division code
  CHECK(code_of(f, Value{std::string("91350100M000100Y4")}) == "uscc");
}

TEST_CASE("form.values.phone") {
  const Field f = make(FieldType::phone);
  for (const char* ok : {"13805331234", "138-0533-1234", "138 0533 1234", "+86 13805331234", "008613805331234",
                         "0533-5281234", "053312345678", "010-12345678-801", "400-123-4567"})
    CHECK_MESSAGE(code_of(f, Value{std::string(ok)}).empty(), ok);
  for (const char* bad : {"1380533123", "12805331234", "138053312345", "5281234", "0533-528", "phone",
                          "+1 13805331234", "00-12345678"})
    CHECK_MESSAGE(code_of(f, Value{std::string(bad)}) == "phone", bad);
}

TEST_CASE("form.values.date_enum_bool_numbers_text") {
  Field d = make(FieldType::date);
  CHECK(code_of(d, Value{std::string("2024-02-29")}).empty());
  CHECK(code_of(d, Value{std::string("2023-02-29")}) == "date");
  CHECK(code_of(d, Value{std::string("2100-02-29")}) == "date");
  CHECK(code_of(d, Value{std::string("2000-02-29")}).empty());
  CHECK(code_of(d, Value{std::string("2025-9-1")}) == "date");
  CHECK(code_of(d, Value{std::string("2025-13-01")}) == "date");

  Field e = make(FieldType::enumeration);
  e.values = {"nonprofit", "for-profit"};
  CHECK(code_of(e, Value{std::string("nonprofit")}).empty());
  const InvalidItem bad = validate_value(e, Value{std::string("non-profit")});
  CHECK(bad.code == "enum");
  CHECK(bad.hint == "did you mean `nonprofit`?");

  Field b = make(FieldType::boolean);
  CHECK(code_of(b, Value{true}).empty());
  CHECK(code_of(b, Value{std::string("true")}) == "type");

  Field i = make(FieldType::integer);
  i.min = 1;
  i.max = 10;
  CHECK(code_of(i, Value{std::int64_t{10}}).empty());
  CHECK(code_of(i, Value{4.0}).empty());  // a whole number written as 4.0
  CHECK(code_of(i, Value{4.5}) == "type");
  CHECK(code_of(i, Value{std::int64_t{0}}) == "min");
  CHECK(code_of(i, Value{std::int64_t{11}}) == "max");
  CHECK(code_of(i, Value{std::string("5")}) == "type");

  Field a = make(FieldType::area);
  CHECK(code_of(a, Value{12.5}).empty());
  CHECK(code_of(a, Value{-1.0}) == "min");

  Field s = make(FieldType::string);
  s.min = 2;
  s.max = 4;
  CHECK(code_of(s, Value{std::string("幼儿园")}).empty());  // 3 characters, 9 bytes
  CHECK(code_of(s, Value{std::string("甲")}) == "length");
  CHECK(code_of(s, Value{std::string("甲乙丙丁戊")}) == "length");
  CHECK(code_of(s, Value{std::string("甲\n乙")}) == "one-line");
  Field t = make(FieldType::text);
  CHECK(code_of(t, Value{std::string("甲\n乙")}).empty());
  s.min.reset();
  s.max.reset();
  s.pattern = "^[A-Z]{2}$";
  CHECK(code_of(s, Value{std::string("AB")}).empty());
  CHECK(code_of(s, Value{std::string("ABC")}) == "pattern");
  // A value too long to be matched safely (std::regex recurses per
  // character: ^[a-z]*$ overflowed the stack at 40,000) is refused unmatched.
  s.pattern = "^[a-z]*$";
  CHECK(code_of(s, Value{std::string(1000, 'a')}).empty());
  const InvalidItem too_long = validate_value(s, Value{std::string(200'000, 'a')});
  CHECK(too_long.code == "pattern");
  CHECK(too_long.reason.find("too long to check against the pattern") != std::string::npos);
  CHECK(too_long.reason_zh.find("过长") != std::string::npos);
  CHECK(code_of(s, Value{std::string(1001, 'a')}) == "pattern");

  // Not given: no value, or blank text.
  CHECK(code_of(i, Value{}).empty());
  CHECK(code_of(s, Value{std::string("  ")}).empty());
}

TEST_CASE("form.values.phone_matcher_agrees_with_pattern") {
  // The checker's hand-written matcher and the pattern written into the JSON
  // Schema accept exactly the same strings: every string over digits, +, -
  // and space up to length 16 from a fixed-seed generator, biased towards
  // phone-like shapes, and some hand-picked edges.
  const std::regex re(detail::kPhonePattern, std::regex::ECMAScript);
  std::mt19937_64 rng(20250926);
  const std::string alphabet = "0123456789 -+";
  const std::array<std::string, 8> starts{"1", "13", "0", "05", "+86", "0086", "400", "800"};
  int accepted = 0;
  for (int n = 0; n < 200'000; ++n) {
    std::string s = n % 2 ? starts[rng() % starts.size()] : "";
    const std::size_t len = rng() % 15;
    for (std::size_t i = 0; i < len; ++i) {
      const auto r = rng() % 20;
      s += r < 16 ? static_cast<char>('0' + r % 10) : alphabet[10 + r % 3];
    }
    const bool want = std::regex_search(s, re);
    accepted += want;
    if (detail::phone_matches(s) != want) FAIL_CHECK("disagree on '" << s << "': pattern says " << want);
  }
  CHECK(accepted > 1000);  // the generator reaches the accepted language
  for (const char* s : {"", "0", "1", "+86", "0086 13805331234", "0533 52812345", "0533-5281234-", "05335281234-1234567",
                        "010-1234567-123456", "400-1234567", "40012345678", "+86-138-0533-1234"})
    CHECK_MESSAGE(detail::phone_matches(s) == std::regex_search(std::string(s), re), s);
}

}  // namespace form_values_test
