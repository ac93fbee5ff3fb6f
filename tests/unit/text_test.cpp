// Text from outside (text.h): valid UTF-8 with the replacements marked, cut
// on character boundaries, and harmless on a terminal.
#include <doctest/doctest.h>

#include <string>

#include "yilian/text.h"

using namespace yilian;

namespace text_test {

namespace {

/// True when `s` is well-formed UTF-8 (checked here independently of
/// text.cpp: every lead byte has its continuation bytes).
bool well_formed(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

}  // namespace

TEST_CASE("text.valid_utf8.keeps_valid_text") {
  CHECK(valid_utf8("") == "");
  CHECK(valid_utf8("材料不符 ok\n") == "材料不符 ok\n");
  CHECK(valid_utf8("😀 U+1F600") == "😀 U+1F600");
}

TEST_CASE("text.valid_utf8.replaces_and_marks_what_is_not_utf8") {
  // 服务器错误 in GBK, then a stray 0xFF: what a department's error page or
  // stderr may hold.
  const std::string gbk = "\xB7\xFE\xCE\xF1\xC6\xF7\xB4\xED\xCE\xF3 \xFF";
  const std::string v = valid_utf8(gbk);
  CHECK(well_formed(v));
  CHECK(v.find("\xEF\xBF\xBD") != std::string::npos);
  CHECK(v.find(" [11 bytes that are not UTF-8 shown as U+FFFD]") != std::string::npos);
  CHECK(valid_utf8("a\xFF") == "a\xEF\xBF\xBD [1 byte that is not UTF-8 shown as U+FFFD]");
  // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
  for (const char* bad : {"\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xF8\x88\x80\x80\x80"}) {
    CAPTURE(bad);
    const std::string r = valid_utf8(bad);
    CHECK(well_formed(r));
    CHECK(r.find("not UTF-8") != std::string::npos);
  }
  // A character cut short at the end of the input.
  CHECK(valid_utf8("许可\xE8\xAF") == "许可\xEF\xBF\xBD\xEF\xBF\xBD [2 bytes that are not UTF-8 shown as U+FFFD]");
}

TEST_CASE("text.valid_utf8.cuts_on_a_character_boundary") {
  const std::string zh = "消防验收意见书";  // 7 characters of 3 bytes
  // 10 bytes hold two characters and the ellipsis (3 bytes each), not a
  // third character's first byte.
  CHECK(valid_utf8(zh, 10) == "消防…");
  CHECK(valid_utf8(zh, 21) == zh);  // fits exactly: not cut
  CHECK(valid_utf8(zh, 20) == "消防验收意…");
  for (std::size_t n = 0; n < 30; ++n) {
    CAPTURE(n);
    const std::string r = valid_utf8(zh + "\xFF" + zh, n);
    CHECK(well_formed(r));
    // The text before the marks stays within the limit.
    CHECK(r.substr(0, r.find(" [")).size() <= n);
  }
}

TEST_CASE("text.printable.neutralises_control_characters") {
  CHECK(printable("普通 text, 100%") == "普通 text, 100%");
  // An escape sequence cannot recolour or clear the operator's terminal.
  CHECK(printable("\x1b[31mRED\x1b[0m") == "\\x1b[31mRED\\x1b[0m");
  CHECK(printable("\x1b]0;title\x07") == "\\x1b]0;title\\x07");
  // Line breaks, tabs and carriage returns become spaces (a lone CR would
  // let the text overwrite what the line showed before it) …
  CHECK(printable("a\nb\tc\rd") == "a b c d");
  // … and line breaks stay when asked.
  CHECK(printable("a\nb\r\n", true) == "a\nb \n");
  // DEL, C1 controls (U+009B is an 8-bit CSI) and bidirectional overrides.
  CHECK(printable("x\x7fy") == "x\\x7fy");
  CHECK(printable("\xC2\x9B" "2J") == "\\u009b2J");
  CHECK(printable("abc\xE2\x80\xAE" "cba") == "abc\\u202ecba");
  // Bytes that are not UTF-8 are replaced first.
  CHECK(printable("\xFF\x1b") == "\xEF\xBF\xBD\\x1b [1 byte that is not UTF-8 shown as U+FFFD]");
}

TEST_CASE("text.json_depth_within") {
  CHECK(json_depth_within("", 0));
  CHECK(json_depth_within("1", 0));
  CHECK(json_depth_within("{}", 1));
  CHECK_FALSE(json_depth_within("{}", 0));
  CHECK(json_depth_within(R"({"a":[1,{"b":[]}]})", 4));
  CHECK_FALSE(json_depth_within(R"({"a":[1,{"b":[]}]})", 3));
  CHECK(json_depth_within("[[]][[]][[]]", 2));  // depth, not count
  // Brackets in strings, escaped quotes and backslashes are not nesting.
  CHECK(json_depth_within(R"({"[[[[": "{{{{", "q\"[[[": "\\", "z": "]]]"})", 1));
  CHECK_FALSE(json_depth_within(R"({"a\\": [[1]]})", 2));  // an escaped backslash ends before the quote
  // Stray closers do not go below zero.
  CHECK_FALSE(json_depth_within("]]]][[", 1));
  const std::string deep = std::string(200'000, '[') + std::string(200'000, ']');
  CHECK_FALSE(json_depth_within(deep, kMaxJsonDepth));
  CHECK(json_depth_within(std::string(32, '[') + std::string(32, ']'), kMaxJsonDepth));
  CHECK_FALSE(json_depth_within(std::string(33, '{'), kMaxJsonDepth));
}

}  // namespace text_test
