// Value rules: types, bounds, enum values, patterns, dates, resident IDs
// (GB 11643-1999), unified social credit codes (GB 32100-2015), phones.
#include "analysis/value_rules.h"

#include <fmt/format.h>

#include <array>
#include <cmath>

#include "load/doc_reader.h"
#include "model/pattern.h"

namespace yilian {
namespace detail {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool all_digits(std::string_view s) {
  for (char c : s)
    if (!is_digit(c)) return false;
  return !s.empty();
}

int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

bool valid_ymd(int y, int m, int d) {
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  static constexpr std::array<int, 12> days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  const int max = m == 2 && leap ? 29 : days[static_cast<std::size_t>(m - 1)];
  return d <= max;
}

/// ISO 8601 calendar date, YYYY-MM-DD.
bool valid_iso_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  if (!all_digits(s.substr(0, 4)) || !all_digits(s.substr(5, 2)) || !all_digits(s.substr(8, 2))) return false;
  return valid_ymd(to_int(s.substr(0, 4)), to_int(s.substr(5, 2)), to_int(s.substr(8, 2)));
}

// GB 32100-2015: the 31 characters of the code (no I, O, Z, S, V).
constexpr std::string_view kUsccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

int uscc_value(char c) {
  auto p = kUsccAlphabet.find(c);
  return p == std::string_view::npos ? -1 : static_cast<int>(p);
}

/// Province-level codes of GB/T 2260 that begin a resident ID.
bool valid_province(int p) {
  return (p >= 11 && p <= 15) || (p >= 21 && p <= 23) || (p >= 31 && p <= 37) || (p >= 41 && p <= 46) ||
         (p >= 50 && p <= 54) || (p >= 61 && p <= 65) || p == 71 || p == 81 || p == 82 || p == 83;
}

/// A run of digits from `i`; returns its length and advances `i`.
std::size_t digits(std::string_view s, std::size_t& i) {
  const std::size_t b = i;
  while (i < s.size() && is_digit(s[i])) ++i;
  return i - b;
}

bool mobile(std::string_view s) {
  std::size_t i = 0;
  if (s.starts_with("+86")) i = 3;
  else if (s.starts_with("0086")) i = 4;
  if (i > 0 && i < s.size() && (s[i] == '-' || s[i] == ' ')) ++i;
  if (i + 3 > s.size() || s[i] != '1' || s[i + 1] < '3' || s[i + 1] > '9' || !is_digit(s[i + 2])) return false;
  i += 3;
  for (int k = 0; k < 8; ++k) {
    if (i < s.size() && (s[i] == '-' || s[i] == ' ')) ++i;
    if (i >= s.size() || !is_digit(s[i])) return false;
    ++i;
  }
  return i == s.size();
}

bool extension_ok(std::string_view s, std::size_t i) {
  if (i == s.size()) return true;
  if (s[i] != '-') return false;
  ++i;
  const std::size_t n = digits(s, i);
  return n >= 1 && n <= 6 && i == s.size();
}

bool landline(std::string_view s) {
  if (s.size() < 2 || s[0] != '0' || s[1] < '1' || s[1] > '9') return false;
  std::size_t i = 1;
  const std::size_t run = digits(s, i);  // area code after the 0, maybe with the local number
  if (run >= 2 && run <= 3 && i < s.size() && (s[i] == '-' || s[i] == ' ')) {
    ++i;
    const std::size_t local = digits(s, i);
    return local >= 7 && local <= 8 && extension_ok(s, i);
  }
  return run >= 9 && run <= 11 && extension_ok(s, i);
}

bool service(std::string_view s) {
  if (s.size() < 3 || (s[0] != '4' && s[0] != '8') || s[1] != '0' || s[2] != '0') return false;
  std::size_t i = 3;
  auto exact = [&](int n) {
    for (int k = 0; k < n; ++k, ++i)
      if (i >= s.size() || !is_digit(s[i])) return false;
    return true;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (!exact(3)) return false;
  if (i < s.size() && s[i] == '-') ++i;
  return exact(4) && i == s.size();
}

void fail(InvalidItem& out, std::string code, std::string reason, std::string reason_zh, std::string hint = "") {
  out.code = std::move(code);
  out.reason = std::move(reason);
  out.reason_zh = std::move(reason_zh);
  out.hint = std::move(hint);
}

std::string kind_of(const Value& v) {
  if (std::holds_alternative<bool>(v)) return fmt::format("true/false ({})", to_display(v));
  if (is_number(v)) return fmt::format("the number {}", to_display(v));
  if (std::holds_alternative<std::string>(v)) return "text";
  if (std::holds_alternative<ValueSet>(v)) return "a list";
  return "nothing";
}

/// The values of an enum or set field with their labels: "private (民办), public (公办)".
std::string values_with_labels(const Field& f) {
  std::string out;
  for (const auto& v : f.values) {
    const std::string label = f.label_of(v);
    out += (out.empty() ? "" : ", ") + (label == v ? v : fmt::format("{} ({})", v, label));
  }
  return out;
}

/// The labels of an enum or set field's values, joined by "、".
std::string labels_zh(const Field& f) {
  std::string out;
  for (const auto& v : f.values) out += (out.empty() ? "" : "、") + f.label_of(v);
  return out;
}

std::string num(double d) { return fmt::format("{}", d); }

bool check_bounds(const Field& f, double x, InvalidItem& out) {
  if (f.min && x < *f.min) {
    fail(out, "min", fmt::format("{} is below the minimum {}{}", num(x), num(*f.min), f.unit.empty() ? "" : " " + f.unit),
         fmt::format("应不小于 {}{}", num(*f.min), f.unit));
    return false;
  }
  if (f.max && x > *f.max) {
    fail(out, "max", fmt::format("{} is above the maximum {}{}", num(x), num(*f.max), f.unit.empty() ? "" : " " + f.unit),
         fmt::format("应不大于 {}{}", num(*f.max), f.unit));
    return false;
  }
  return true;
}

bool check_resident_id(std::string_view s, InvalidItem& out) {
  if (s.size() != 18) {
    fail(out, "id-card", fmt::format("a resident ID has 18 characters, this one has {}", utf8_length(s)),
         fmt::format("身份证号码应为 18 位，现为 {} 位", utf8_length(s)));
    return false;
  }
  if (!all_digits(s.substr(0, 17)) || !(is_digit(s[17]) || s[17] == 'X' || s[17] == 'x')) {
    fail(out, "id-card", "a resident ID is 17 digits and a check character (a digit or X)",
         "身份证号码应为 17 位数字加 1 位校验码（数字或 X）");
    return false;
  }
  if (!valid_province(to_int(s.substr(0, 2)))) {
    fail(out, "id-card", fmt::format("`{}` is not the code of a province (the first two digits)", s.substr(0, 2)),
         "身份证号码前两位不是有效的省级行政区划代码");
    return false;
  }
  const int y = to_int(s.substr(6, 4)), m = to_int(s.substr(10, 2)), d = to_int(s.substr(12, 2));
  if (y < 1900 || !valid_ymd(y, m, d)) {
    fail(out, "id-card", fmt::format("digits 7–14 ({}) are not a date of birth", s.substr(6, 8)),
         "身份证号码中的出生日期（第 7–14 位）无效");
    return false;
  }
  const char want = resident_id_check_char(s.substr(0, 17));
  if (s[17] == 'x') {
    fail(out, "id-card", "the check character X is written in capitals", "身份证号码校验码 X 应为大写",
         fmt::format("write {}X", s.substr(0, 17)));
    return false;
  }
  if (s[17] != want) {
    fail(out, "id-card", fmt::format("the check character is {}, but the first 17 digits give {} (GB 11643)", s[17], want),
         "身份证号码校验码不正确，请核对号码");
    return false;
  }
  return true;
}

bool check_uscc(std::string_view s, InvalidItem& out) {
  if (s.size() != 18) {
    fail(out, "uscc", fmt::format("a unified social credit code has 18 characters, this one has {}", utf8_length(s)),
         fmt::format("统一社会信用代码应为 18 位，现为 {} 位", utf8_length(s)));
    return false;
  }
  for (char c : s) {
    if (c >= 'a' && c <= 'z') {
      fail(out, "uscc", "a unified social credit code is written in capital letters", "统一社会信用代码中的字母应为大写");
      return false;
    }
    if (uscc_value(c) < 0) {
      fail(out, "uscc",
           fmt::format("`{}` is not a character of the code (0-9 and capitals except I, O, Z, S, V)", c),
           "统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）");
      return false;
    }
  }
  if (!all_digits(s.substr(2, 6))) {
    fail(out, "uscc", "characters 3–8 of the code are the administrative division code, six digits",
         "统一社会信用代码第 3–8 位应为行政区划代码（6 位数字）");
    return false;
  }
  const char want = uscc_check_char(s.substr(0, 17));
  if (s[17] != want) {
    fail(out, "uscc", fmt::format("the check character is {}, but the first 17 characters give {} (GB 32100)", s[17], want),
         "统一社会信用代码校验码不正确，请核对代码");
    return false;
  }
  return true;
}

bool check_text(const ValueRule& rule, const std::string& s, InvalidItem& out) {
  const Field& f = rule.field;
  switch (f.type) {
    case FieldType::date:
      if (!valid_iso_date(s)) {
        fail(out, "date", fmt::format("'{}' is not a date: write YYYY-MM-DD, e.g. 2025-09-01", s),
             "日期应按 YYYY-MM-DD 填写（如 2025-09-01），且为有效日期");
        return false;
      }
      return true;
    case FieldType::enumeration:
      if (!f.allows(s)) {
        fail(out, "enum", fmt::format("'{}' is not one of: {}", s, values_with_labels(f)),
             fmt::format("应为以下之一：{}", labels_zh(f)), did_you_mean(s, f.values));
        return false;
      }
      return true;
    case FieldType::id_card: return check_resident_id(s, out);
    case FieldType::uscc: return check_uscc(s, out);
    case FieldType::phone:
      if (!phone_matches(s)) {
        fail(out, "phone",
             fmt::format("'{}' is not a phone number: a mobile has 11 digits (1[3-9]…), a landline an area code, "
                         "e.g. 010-12345678",
                         s),
             "电话号码格式不正确（手机号码为 11 位，固定电话如 010-12345678）");
        return false;
      }
      return true;
    default: break;
  }
  // string and text
  if (f.type == FieldType::string && s.find('\n') != std::string::npos) {
    fail(out, "one-line", "expected one line of text", "应为单行文字");
    return false;
  }
  const double len = static_cast<double>(utf8_length(s));
  if (f.min && len < *f.min) {
    fail(out, "length", fmt::format("{} characters, fewer than the minimum {}", len, num(*f.min)),
         fmt::format("应不少于 {} 个字", num(*f.min)));
    return false;
  }
  if (f.max && len > *f.max) {
    fail(out, "length", fmt::format("{} characters, more than the maximum {}", len, num(*f.max)),
         fmt::format("应不超过 {} 个字", num(*f.max)));
    return false;
  }
  if (rule.pattern && len > static_cast<double>(detail::kMaxPatternValue)) {
    fail(out, "pattern",
         fmt::format("{} characters, too long to check against the pattern `{}` (at most {})", len, f.pattern,
                     detail::kMaxPatternValue),
         fmt::format("过长，无法核对格式（至多 {} 个字）", detail::kMaxPatternValue));
    return false;
  }
  if (rule.pattern && !std::regex_search(s, *rule.pattern)) {
    fail(out, "pattern", fmt::format("'{}' does not match the pattern `{}`", s, f.pattern), "格式不正确");
    return false;
  }
  return true;
}

}  // namespace

bool phone_matches(std::string_view s) { return mobile(s) || landline(s) || service(s); }

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

ValueRule compile_rule(const Field& field) {
  ValueRule r{field, std::nullopt};
  // The loader rejects invalid patterns; a hand-built chain's bad pattern is ignored.
  if (!field.pattern.empty()) r.pattern = detail::compile_pattern(field.pattern);
  return r;
}

bool is_blank(const Value& v) {
  if (std::holds_alternative<std::monostate>(v)) return true;
  if (const auto* s = std::get_if<std::string>(&v))
    return s->find_first_not_of(" \t\r\n") == std::string::npos;
  if (const auto* s = std::get_if<ValueSet>(&v)) return s->empty();
  return false;
}

namespace {

/// A set: a list of distinct values of the field, as many as `min`/`max` allow.
bool check_set(const Field& f, const Value& v, InvalidItem& out) {
  const auto* items = std::get_if<ValueSet>(&v);
  if (!items) {
    const auto* one = std::get_if<std::string>(&v);
    const std::string example = one ? *one : f.values.empty() ? std::string("value") : f.values.front();
    fail(out, "type", fmt::format("expected a list of values, got {}", kind_of(v)),
         fmt::format("应从以下选项中选择一项或多项：{}", labels_zh(f)),
         fmt::format("write it as a list{}: [{}]", one ? "" : ", e.g.", example));
    return false;
  }
  for (std::size_t i = 0; i < items->size(); ++i) {
    const std::string& x = (*items)[i];
    if (!f.allows(x)) {
      fail(out, "set", fmt::format("'{}' (item {}) is not one of: {}", x, i + 1, values_with_labels(f)),
           fmt::format("“{}”不是可选项，应从以下选项中选择：{}", x, labels_zh(f)), did_you_mean(x, f.values));
      return false;
    }
    const auto before = items->begin() + static_cast<std::ptrdiff_t>(i);
    if (std::find(items->begin(), before, x) != before) {
      fail(out, "duplicate", fmt::format("'{}' is given twice (item {})", x, i + 1),
           fmt::format("“{}”重复选择", f.label_of(x)), "list each value once");
      return false;
    }
  }
  const double n = static_cast<double>(items->size());
  if (f.min && n < *f.min) {
    fail(out, "min", fmt::format("{} values chosen, fewer than the minimum {}", n, num(*f.min)),
         fmt::format("应至少选择 {} 项", num(*f.min)));
    return false;
  }
  if (f.max && n > *f.max) {
    fail(out, "max", fmt::format("{} values chosen, more than the maximum {}", n, num(*f.max)),
         fmt::format("应至多选择 {} 项", num(*f.max)));
    return false;
  }
  return true;
}

bool check_typed(const ValueRule& rule, const Value& v, InvalidItem& out) {
  const Field& f = rule.field;
  if (is_numeric(f.type)) {
    if (!is_number(v)) {
      fail(out, "type", fmt::format("expected a number, got {}", kind_of(v)), "应填写数字",
           std::holds_alternative<std::string>(v) ? "write the number without quotes" : "");
      return false;
    }
    const double x = as_double(v);
    if (!std::isfinite(x)) {
      fail(out, "type", "expected a finite number", "应填写数字");
      return false;
    }
    if (f.type == FieldType::integer && std::holds_alternative<double>(v) && x != std::floor(x)) {
      fail(out, "type", fmt::format("expected a whole number, got {}", to_display(v)), "应填写整数");
      return false;
    }
    if (f.type == FieldType::area && x < 0) {
      fail(out, "min", "an area cannot be negative", "面积不能为负数");
      return false;
    }
    return check_bounds(f, x, out);
  }
  if (f.type == FieldType::boolean) {
    if (!std::holds_alternative<bool>(v)) {
      fail(out, "type", fmt::format("expected true or false, got {}", kind_of(v)), "应填写“是”或“否”（true/false）");
      return false;
    }
    return true;
  }
  if (f.type == FieldType::set) return check_set(f, v, out);
  const auto* s = std::get_if<std::string>(&v);
  if (!s) {
    if (std::holds_alternative<ValueSet>(v) && f.type == FieldType::enumeration) {
      fail(out, "type", "expected one value, got a list", fmt::format("只能选择一项：{}", labels_zh(f)),
           "this field holds one value; a list is for `type: set` fields");
      return false;
    }
    fail(out, "type", fmt::format("expected text, got {}", kind_of(v)), "应填写文字",
         is_number(v) ? fmt::format("write it in quotes: \"{}\"", to_display(v)) : "");
    return false;
  }
  return check_text(rule, *s, out);
}

}  // namespace

bool check_value(const ValueRule& rule, const Value& v, InvalidItem& out) {
  if (check_typed(rule, v, out)) return true;
  out.key = rule.field.key;  // only a failure names the field: no copy per valid value
  return false;
}

}  // namespace detail

char resident_id_check_char(std::string_view first17) {
  static constexpr std::array<int, 17> w{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  if (first17.size() != 17) return '\0';
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) {
    if (first17[i] < '0' || first17[i] > '9') return '\0';
    sum += (first17[i] - '0') * w[i];
  }
  return "10X98765432"[sum % 11];
}

char uscc_check_char(std::string_view first17) {
  static constexpr std::array<int, 17> w{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
  if (first17.size() != 17) return '\0';
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) {
    const int v = detail::uscc_value(first17[i]);
    if (v < 0) return '\0';
    sum += v * w[i];
  }
  const int c = (31 - sum % 31) % 31;
  return detail::kUsccAlphabet[static_cast<std::size_t>(c)];
}

InvalidItem validate_value(const Field& field, const Value& value) {
  InvalidItem out;
  out.key = field.key;
  if (detail::is_blank(value)) return out;
  const detail::ValueRule rule = detail::compile_rule(field);
  if (detail::check_value(rule, value, out)) out = InvalidItem{field.key, "", "", "", "", {}};
  return out;
}

}  // namespace yilian
