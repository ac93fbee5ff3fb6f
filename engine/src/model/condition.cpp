// The `when` language: the three-valued evaluator and the printer
// (condition_parse.cpp reads, condition_check.cpp checks types).
#include "yilian/condition.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "yilian/chain.h"

namespace yilian {
namespace {

// ---- evaluation -----------------------------------------------------------

using Lookup = ValueLookup;

const Value* operand_value(const Expr& e, const Lookup& lookup) {
  if (e.kind == Expr::Kind::literal) return &e.literal;
  if (e.kind == Expr::Kind::field) {
    const Value* v = lookup(e.field);
    if (!v || std::holds_alternative<std::monostate>(*v)) return nullptr;
    return v;
  }
  return nullptr;
}

/// -1, 0, 1, or nullopt when the two values cannot be compared.
std::optional<int> compare_values(const Value& a, const Value& b) {
  if (is_number(a) && is_number(b)) {
    const double x = as_double(a), y = as_double(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (const auto* sa = std::get_if<std::string>(&a)) {
    if (const auto* sb = std::get_if<std::string>(&b)) return sa->compare(*sb) < 0 ? -1 : sa->compare(*sb) > 0 ? 1 : 0;
    return std::nullopt;
  }
  if (const auto* ba = std::get_if<bool>(&a)) {
    if (const auto* bb = std::get_if<bool>(&b)) return *ba == *bb ? 0 : (*ba ? 1 : -1);
  }
  return std::nullopt;
}

Truth from_bool(bool b) { return b ? Truth::yes : Truth::no; }

Truth eval(const Expr& e, const Lookup& lookup) {
  switch (e.kind) {
    case Expr::Kind::literal:
      if (const auto* b = std::get_if<bool>(&e.literal)) return from_bool(*b);
      return Truth::unknown;
    case Expr::Kind::field: {
      const Value* v = operand_value(e, lookup);
      if (!v) return Truth::unknown;
      if (const auto* b = std::get_if<bool>(v)) return from_bool(*b);
      return Truth::unknown;
    }
    case Expr::Kind::compare: {
      const Value* a = operand_value(e.operands[0], lookup);
      const Value* b = operand_value(e.operands[1], lookup);
      if (!a || !b) return Truth::unknown;
      auto c = compare_values(*a, *b);
      if (!c) return e.op == CompareOp::ne ? Truth::yes : e.op == CompareOp::eq ? Truth::no : Truth::unknown;
      switch (e.op) {
        case CompareOp::eq: return from_bool(*c == 0);
        case CompareOp::ne: return from_bool(*c != 0);
        case CompareOp::lt: return from_bool(*c < 0);
        case CompareOp::le: return from_bool(*c <= 0);
        case CompareOp::gt: return from_bool(*c > 0);
        case CompareOp::ge: return from_bool(*c >= 0);
      }
      return Truth::unknown;
    }
    case Expr::Kind::in: {
      const Value* a = operand_value(e.operands[0], lookup);
      if (!a) return Truth::unknown;
      bool found = std::any_of(e.list.begin(), e.list.end(), [&](const Value& v) {
        auto c = compare_values(*a, v);
        return c && *c == 0;
      });
      return from_bool(found != e.negated);
    }
    case Expr::Kind::member: {
      const Value* item = operand_value(e.operands[0], lookup);
      const Value* set = operand_value(e.operands[1], lookup);
      if (!item || !set) return Truth::unknown;
      const auto* wanted = std::get_if<std::string>(item);
      if (!wanted) return Truth::unknown;
      bool found = false;
      if (const auto* many = std::get_if<ValueSet>(set)) {
        if (many->empty()) return Truth::unknown;  // an empty set is no value
        found = std::find(many->begin(), many->end(), *wanted) != many->end();
      } else if (const auto* one = std::get_if<std::string>(set)) {
        found = *one == *wanted;  // a lone value given for a set: a set of one
      } else {
        return Truth::unknown;
      }
      return from_bool(found != e.negated);
    }
    case Expr::Kind::all_of: {
      Truth acc = Truth::yes;
      for (const auto& o : e.operands) {
        Truth t = eval(o, lookup);
        if (t == Truth::no) return Truth::no;
        if (t == Truth::unknown) acc = Truth::unknown;
      }
      return acc;
    }
    case Expr::Kind::any_of: {
      Truth acc = Truth::no;
      for (const auto& o : e.operands) {
        Truth t = eval(o, lookup);
        if (t == Truth::yes) return Truth::yes;
        if (t == Truth::unknown) acc = Truth::unknown;
      }
      return acc;
    }
    case Expr::Kind::negate: {
      Truth t = eval(e.operands[0], lookup);
      return t == Truth::unknown ? Truth::unknown : t == Truth::yes ? Truth::no : Truth::yes;
    }
  }
  return Truth::unknown;
}

void collect_fields(const Expr& e, std::set<std::string>& out) {
  if (e.kind == Expr::Kind::field) out.insert(e.field);
  for (const auto& o : e.operands) collect_fields(o, out);
}

void write(const Expr& e, std::string& out, int parent_prec) {
  auto lit = [](const Value& v) {
    if (const auto* s = std::get_if<std::string>(&v)) return fmt::format("'{}'", *s);
    return to_display(v);
  };
  switch (e.kind) {
    case Expr::Kind::literal: out += lit(e.literal); return;
    case Expr::Kind::field: out += e.field; return;
    case Expr::Kind::compare:
      write(e.operands[0], out, 3);
      out += fmt::format(" {} ", to_string(e.op));
      write(e.operands[1], out, 3);
      return;
    case Expr::Kind::in: {
      write(e.operands[0], out, 3);
      out += e.negated ? " not in [" : " in [";
      for (std::size_t i = 0; i < e.list.size(); ++i) out += (i ? ", " : "") + lit(e.list[i]);
      out += "]";
      return;
    }
    case Expr::Kind::member:
      write(e.operands[0], out, 3);
      out += e.negated ? " not in " : " in ";
      write(e.operands[1], out, 3);
      return;
    case Expr::Kind::negate:
      out += "not ";
      write(e.operands[0], out, 2);
      return;
    case Expr::Kind::all_of:
    case Expr::Kind::any_of: {
      const int prec = e.kind == Expr::Kind::all_of ? 1 : 0;
      if (prec < parent_prec) out += "(";
      for (std::size_t i = 0; i < e.operands.size(); ++i) {
        if (i) out += e.kind == Expr::Kind::all_of ? " and " : " or ";
        write(e.operands[i], out, prec + 1);
      }
      if (prec < parent_prec) out += ")";
      return;
    }
  }
}

}  // namespace

std::string_view to_string(CompareOp op) {
  switch (op) {
    case CompareOp::eq: return "==";
    case CompareOp::ne: return "!=";
    case CompareOp::lt: return "<";
    case CompareOp::le: return "<=";
    case CompareOp::gt: return ">";
    case CompareOp::ge: return ">=";
  }
  return "?";
}

CompareOp mirror(CompareOp op) {
  switch (op) {
    case CompareOp::lt: return CompareOp::gt;
    case CompareOp::le: return CompareOp::ge;
    case CompareOp::gt: return CompareOp::lt;
    case CompareOp::ge: return CompareOp::le;
    default: return op;
  }
}

Truth Condition::evaluate(const FieldValues& values) const {
  if (!root_) return Truth::yes;
  return eval(*root_, [&](std::string_view k) { return find_value(values, k); });
}

Truth Condition::evaluate(ValueLookup lookup) const {
  if (!root_) return Truth::yes;
  return eval(*root_, lookup);
}

std::vector<std::string> Condition::fields() const {
  std::set<std::string> s;
  if (root_) collect_fields(*root_, s);
  return {s.begin(), s.end()};
}

Condition conjunction(const Condition& a, const Condition& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  auto side = [](const Condition& c) {
    return c.root().kind == Expr::Kind::any_of ? "(" + c.text() + ")" : c.text();
  };
  Expr both;
  both.kind = Expr::Kind::all_of;
  // Flatten `and`s so that walks see one level, as the parser builds them.
  for (const Condition* c : {&a, &b}) {
    if (c->root().kind == Expr::Kind::all_of)
      both.operands.insert(both.operands.end(), c->root().operands.begin(), c->root().operands.end());
    else
      both.operands.push_back(c->root());
  }
  return Condition(std::make_shared<const Expr>(std::move(both)), side(a) + " and " + side(b));
}

std::string to_string(const Expr& e) {
  std::string out;
  write(e, out, 0);
  return out;
}

}  // namespace yilian