// `when` conditions as FEEL (Friendly Enough Expression Language, DMN 1.3),
// the expression language of Camunda 8 / Zeebe.
#include <fmt/format.h>

#include <array>
#include <cmath>

#include "yilian/bpmn.h"

namespace yilian {
namespace {

// Words a FEEL name may not be (the grammar's keywords and literals).
constexpr std::array<std::string_view, 20> kFeelKeywords = {
    "and", "between", "else", "every", "external", "false", "for", "function", "if", "in",
    "instance", "not", "null", "of", "or", "return", "satisfies", "some", "then", "true"};

bool plain_name(std::string_view s) {
  if (s.empty()) return false;
  const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!letter(s[0])) return false;
  for (char c : s)
    if (!letter(c) && !(c >= '0' && c <= '9')) return false;
  for (auto k : kFeelKeywords)
    if (s == k) return false;
  return true;
}

std::string feel_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: out += c;
    }
  }
  return out + "\"";
}

/// A FEEL number literal: digits with an optional fraction, never an exponent.
std::string feel_number(double d) {
  std::string s = fmt::format("{}", d);
  if (s.find_first_of("eE") == std::string::npos) return s;
  s = fmt::format("{:.17f}", d);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::string feel_literal(const Value& v) {
  struct Visitor {
    std::string operator()(std::monostate) const { return "null"; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const { return feel_number(d); }
    std::string operator()(const std::string& s) const { return feel_string(s); }
    std::string operator()(const ValueSet& s) const {
      std::string out;
      for (const auto& x : s) out += (out.empty() ? "" : ", ") + feel_string(x);
      return "[" + out + "]";
    }
  };
  return std::visit(Visitor{}, v);
}

bool atomic(const Expr& e) { return e.kind == Expr::Kind::literal || e.kind == Expr::Kind::field; }

/// An operand of a comparison or `in`: parenthesised unless atomic.
std::string operand(const Expr& e) { return atomic(e) ? to_feel(e) : "(" + to_feel(e) + ")"; }

std::string_view feel_op(CompareOp op) {
  switch (op) {
    case CompareOp::eq: return "=";
    case CompareOp::ne: return "!=";
    case CompareOp::lt: return "<";
    case CompareOp::le: return "<=";
    case CompareOp::gt: return ">";
    case CompareOp::ge: return ">=";
  }
  return "=";
}

}  // namespace

std::string feel_path(std::string_view key) {
  std::string out;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = key.find('.', start);
    const std::string_view seg = key.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!out.empty()) out += '.';
    if (plain_name(seg)) out += seg;
    else out += fmt::format("`{}`", seg);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return out;
}

std::string to_feel(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::literal: return feel_literal(e.literal);
    case Expr::Kind::field: return feel_path(e.field);
    case Expr::Kind::compare:
      return fmt::format("{} {} {}", operand(e.operands[0]), feel_op(e.op), operand(e.operands[1]));
    case Expr::Kind::in: {
      std::string list;
      for (std::size_t i = 0; i < e.list.size(); ++i) list += (i ? ", " : "") + feel_literal(e.list[i]);
      std::string s = fmt::format("list contains([{}], {})", list, to_feel(e.operands[0]));
      return e.negated ? "not(" + s + ")" : s;
    }
    case Expr::Kind::member: {
      std::string s = fmt::format("list contains({}, {})", to_feel(e.operands[1]), to_feel(e.operands[0]));
      return e.negated ? "not(" + s + ")" : s;
    }
    case Expr::Kind::negate: return "not(" + to_feel(e.operands[0]) + ")";
    case Expr::Kind::all_of:
    case Expr::Kind::any_of: {
      const bool all = e.kind == Expr::Kind::all_of;
      std::string out;
      for (std::size_t i = 0; i < e.operands.size(); ++i) {
        const Expr& o = e.operands[i];
        if (i) out += all ? " and " : " or ";
        // `and` binds tighter than `or`; parenthesise any nested list.
        const bool nested = o.kind == Expr::Kind::all_of || o.kind == Expr::Kind::any_of;
        out += nested ? "(" + to_feel(o) + ")" : to_feel(o);
      }
      return out;
    }
  }
  return "null";
}

std::string to_feel(const Condition& c) { return to_feel(c.root()); }

std::string timer_duration(int working_days, double calendar_days_per_working_day) {
  if (working_days <= 0) return "P1D";
  const double days = std::ceil(working_days * calendar_days_per_working_day - 1e-9);
  return fmt::format("P{}D", std::max(1, static_cast<int>(days)));
}

std::string timer_duration(const Limit& limit, double calendar_days_per_working_day) {
  switch (limit.unit) {
    case LimitUnit::working_days: return timer_duration(limit.count, calendar_days_per_working_day);
    case LimitUnit::days: return fmt::format("P{}D", std::max(1, limit.count));
    case LimitUnit::months: return limit.count > 0 ? fmt::format("P{}M", limit.count) : "P1D";
  }
  return "P1D";
}

}  // namespace yilian
