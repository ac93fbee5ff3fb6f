#include "yilian/limit.h"

#include <fmt/format.h>

#include <array>
#include <charconv>

namespace yilian {
namespace {

constexpr int kMaxCount = 100'000;
constexpr int kMaxMonths = 1'200;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

struct UnitWord {
  std::string_view word;
  LimitUnit unit;
};
// Longest first where one word ends another ("working days" before "days").
constexpr std::array<UnitWord, 10> kWords = {{
    {"working days", LimitUnit::working_days}, {"working day", LimitUnit::working_days},
    {"个工作日", LimitUnit::working_days},     {"工作日", LimitUnit::working_days},
    {"days", LimitUnit::days},                 {"day", LimitUnit::days},
    {"months", LimitUnit::months},             {"month", LimitUnit::months},
    {"个月", LimitUnit::months},               {"日", LimitUnit::days},
}};

}  // namespace

std::string_view to_string(LimitUnit u) {
  switch (u) {
    case LimitUnit::working_days: return "working days";
    case LimitUnit::days: return "days";
    case LimitUnit::months: return "months";
  }
  return "?";
}

std::string to_string(const Limit& l) {
  std::string_view unit = to_string(l.unit);
  if (l.count == 1) unit.remove_suffix(1);  // "1 working day", "1 month"
  return fmt::format("{} {}", l.count, unit);
}

std::string label(const Limit& l) {
  switch (l.unit) {
    case LimitUnit::working_days: return l.count == 0 ? "即办" : fmt::format("{}个工作日", l.count);
    case LimitUnit::days: return fmt::format("{}日", l.count);
    case LimitUnit::months: return fmt::format("{}个月", l.count);
  }
  return "?";
}

std::optional<Limit> parse_limit(std::string_view s) {
  s = trim(s);
  std::size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  if (digits == 0 || digits > 7) return std::nullopt;
  int n = 0;
  std::from_chars(s.data(), s.data() + digits, n);
  std::string_view rest = trim(s.substr(digits));
  if (rest == "天") rest = "日";
  for (const UnitWord& w : kWords) {
    if (rest != w.word) continue;
    if (n > (w.unit == LimitUnit::months ? kMaxMonths : kMaxCount)) return std::nullopt;
    return Limit{n, w.unit};
  }
  return std::nullopt;
}

int nominal_working_days(const Limit& l) {
  const long long n = l.count;
  switch (l.unit) {
    case LimitUnit::working_days: return l.count;
    case LimitUnit::days: return static_cast<int>((n * 250 + 364) / 365);
    case LimitUnit::months: return static_cast<int>((n * 250 + 11) / 12);
  }
  return l.count;
}

}  // namespace yilian
