// A field's `pattern` as a regular expression (model/pattern.h): numbers
// std::regex would read without an overflow check are refused first.
#include <doctest/doctest.h>

#include <string>

#include "model/pattern.h"

using namespace yilian::detail;

namespace pattern_test {

TEST_CASE("pattern.compiles_what_fields_use") {
  for (const char* p : {"^[0-9]{18}$", "^1[3-9][0-9]{9}$", "a{2,1000}", "a{1000,}", "\\d{6}", "(a)(b)\\2", "\\{99999\\}",
                        "[{]", "\\\\{3}", "^[A-Z0-9]{18}$", "x{0}"}) {
    CAPTURE(p);
    std::string why;
    const auto re = compile_pattern(p, &why);
    CHECK(re.has_value());
    CHECK(why.empty());
  }
  auto id = compile_pattern("^[0-9]{17}[0-9X]$");
  REQUIRE(id);
  CHECK(std::regex_search("11010519491231002X", *id));
  CHECK_FALSE(std::regex_search("1101051949123100", *id));
}

TEST_CASE("pattern.numbers_over_the_limit_are_refused_before_std_regex_reads_them") {
  // The first was found by fuzzing the chain loader: libstdc++ multiplied it
  // into a signed long and overflowed (UBSan: regex_compiler.tcc).
  const struct {
    const char* pattern;
    const char* named;
  } cases[] = {
      {"[5quira[ntine@9]{1111111111111111111}", "`{1111111111111111111}` is over 1000"},
      {"a{1001}", "`{1001}` is over 1000"},
      {"a{1,1001}", "`{1,1001}` is over 1000"},
      {"a{99999999999999999999999999999999,}", "`{99999999999999999999999999999999,}` is over 1000"},
      {"(a)\\99999999999999999999", "`\\99999999999999999999` is over 1000"},
      {"\\\\{5000}", "`{5000}` is over 1000"},  // an escaped backslash, then a count
      {"b{12345", "`{12345` is over 1000"},       // unclosed: still never handed over
  };
  for (const auto& c : cases) {
    CAPTURE(c.pattern);
    std::string why;
    CHECK_FALSE(compile_pattern(c.pattern, &why).has_value());
    CHECK(why.find(c.named) != std::string::npos);
    CHECK(why.find("repetition counts and back-references are at most 1000") != std::string::npos);
  }
  // A long number is cut in the message.
  std::string why;
  CHECK_FALSE(compile_pattern("a{" + std::string(200, '9') + "}", &why));
  CHECK(why.size() < 200);
}

// std::regex compiles by recursion, a level per term: a 20,000-character
// pattern overflowed the stack (found by fuzzing the chain loader).
TEST_CASE("pattern.a_pattern_longer_than_1000_bytes_is_refused_before_compiling") {
  std::string why;
  CHECK(compile_pattern(std::string(1000, 'a'), &why).has_value());
  CHECK_FALSE(compile_pattern(std::string(1001, 'a'), &why).has_value());
  CHECK(why == "it is 1001 bytes long; a pattern is at most 1000 (it is compiled by recursion)");
  CHECK_FALSE(compile_pattern(std::string(200'000, 'a')).has_value());  // no stack overflow
  CHECK_FALSE(compile_pattern(std::string(100'000, '(')).has_value());
}

TEST_CASE("pattern.what_std_regex_refuses_is_said") {
  std::string why;
  CHECK_FALSE(compile_pattern("a[", &why).has_value());
  CHECK_FALSE(why.empty());
  CHECK_FALSE(compile_pattern("(a", nullptr).has_value());
}

}  // namespace pattern_test
