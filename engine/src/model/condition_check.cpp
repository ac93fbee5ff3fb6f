// The `when` language, checked against the field catalogue: operand
// types, literals that fit their fields, unknown keys with "did you mean"
// (condition_parse.cpp reads, condition.cpp evaluates and prints).
#include "yilian/condition.h"

#include <fmt/format.h>

#include <algorithm>

#include "yilian/chain.h"

namespace yilian {
namespace {

// ---- type check -------------------------------------------------------------

enum class Sort { number, boolean, text, set, unknown };

Sort sort_of(FieldType t) {
  if (is_numeric(t)) return Sort::number;
  if (t == FieldType::boolean) return Sort::boolean;
  if (t == FieldType::set) return Sort::set;
  return Sort::text;
}

Sort sort_of(const Value& v) {
  if (is_number(v)) return Sort::number;
  if (std::holds_alternative<bool>(v)) return Sort::boolean;
  if (std::holds_alternative<std::string>(v)) return Sort::text;
  if (std::holds_alternative<ValueSet>(v)) return Sort::set;
  return Sort::unknown;
}

std::string_view sort_name(Sort s) {
  switch (s) {
    case Sort::number: return "a number";
    case Sort::boolean: return "true or false";
    case Sort::text: return "text";
    case Sort::set: return "a set of values";
    default: return "a value";
  }
}

class TypeChecker {
 public:
  TypeChecker(const std::function<const Field*(std::string_view)>& lookup, const std::vector<std::string>& keys)
      : lookup_(lookup), keys_(keys) {}

  std::vector<ConditionIssue> issues;

  /// Checks `e` as a condition (it must yield true/false).
  void condition(const Expr& e) {
    switch (e.kind) {
      case Expr::Kind::all_of:
      case Expr::Kind::any_of:
      case Expr::Kind::negate:
        for (const auto& o : e.operands) condition(o);
        return;
      case Expr::Kind::compare: compare(e); return;
      case Expr::Kind::in: in(e); return;
      case Expr::Kind::member: member(e); return;
      case Expr::Kind::field: {
        const Field* f = field(e);
        if (refuse_set(f, e.column)) return;
        if (f && f->type != FieldType::boolean)
          issue(e.column, fmt::format("`{}` is {} ({}), not true or false; compare it with a value", e.field,
                                      sort_name(sort_of(f->type)), to_string(f->type)));
        return;
      }
      case Expr::Kind::literal:
        if (!std::holds_alternative<bool>(e.literal))
          issue(e.column, fmt::format("`{}` is not a condition", to_display(e.literal)));
        return;
    }
  }

 private:
  void issue(int column, std::string message, std::string hint = "") {
    issues.push_back({column, std::move(message), std::move(hint)});
  }

  const Field* field(const Expr& e) {
    const Field* f = lookup_(e.field);
    if (!f) {
      // did-you-mean over the catalogue keys
      const std::string best = closest(e.field, keys_);
      issue(e.column, fmt::format("unknown field `{}`", e.field),
            best.empty() ? "" : fmt::format("did you mean `{}`?", best));
    }
    return f;
  }

  /// The first candidate nearest to `word` within max(2, |word| / 3) edits,
  /// or "". A candidate whose length alone puts it further than the best so
  /// far is not measured, and words longer than 256 bytes are not compared
  /// (the distance costs the product of the lengths: 64 KB names against
  /// every key of a chain took minutes).
  static std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
    constexpr std::size_t kLongestSpelled = 256;
    std::string best;
    std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (const auto& c : candidates) {
      const std::size_t gap = word.size() > c.size() ? word.size() - c.size() : c.size() - word.size();
      if (gap >= best_d || word.size() > kLongestSpelled || c.size() > kLongestSpelled) continue;
      const std::size_t d = distance(word, c);
      if (d < best_d) {
        best_d = d;
        best = c;
      }
    }
    return best;
  }

  static std::size_t distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      cur[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j)
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      prev.swap(cur);
    }
    return prev[b.size()];
  }

  /// The sort of an operand, checking the field exists.
  Sort operand(const Expr& e, const Field** f_out) {
    *f_out = nullptr;
    if (e.kind == Expr::Kind::literal) return sort_of(e.literal);
    if (e.kind == Expr::Kind::field) {
      const Field* f = field(e);
      *f_out = f;
      return f ? sort_of(f->type) : Sort::unknown;
    }
    issue(e.column, "a comparison needs a field or a value on each side, not a condition",
          "use parentheses only around whole conditions");
    return Sort::unknown;
  }

  void literal_fits(const Field& f, const Value& v, int column) {
    Sort want = f.type == FieldType::set ? Sort::text : sort_of(f.type), got = sort_of(v);
    if (got != want) {
      issue(column, fmt::format("`{}` is {} ({}), but `{}` is {}", f.key, sort_name(want), to_string(f.type),
                                to_display(v), sort_name(got)));
      return;
    }
    if (f.type == FieldType::integer && std::holds_alternative<double>(v))
      issue(column, fmt::format("`{}` is a whole number, but `{}` is not", f.key, to_display(v)));
    if (has_values(f.type)) {
      const auto& s = std::get<std::string>(v);
      if (!f.allows(s)) {
        const std::string best = closest(s, f.values);
        std::string values;
        for (const auto& c : f.values) values += (values.empty() ? "" : ", ") + c;
        issue(column, fmt::format("'{}' is not a value of `{}` (values: {})", s, f.key, values),
              best.empty() ? "" : fmt::format("did you mean '{}'?", best));
      }
    }
    if (f.type == FieldType::date) {
      const auto& s = std::get<std::string>(v);
      bool ok = s.size() == 10 && s[4] == '-' && s[7] == '-';
      if (!ok) issue(column, fmt::format("'{}' is not a date; write 'YYYY-MM-DD'", s));
    }
  }

  /// A set field where one value is expected: say how to test it (with
  /// `example`, the value the condition named, when it is text).
  bool refuse_set(const Field* f, int column, const Value* example = nullptr) {
    if (!f || f->type != FieldType::set) return false;
    const auto* named = example ? std::get_if<std::string>(example) : nullptr;
    issue(column, fmt::format("`{}` is a set (several values); test whether it holds a value with `'{}' in {}`", f->key,
                              named ? *named : f->values.empty() ? "value" : f->values.front(), f->key));
    return true;
  }

  void compare(const Expr& e) {
    const Field *fa = nullptr, *fb = nullptr;
    Sort a = operand(e.operands[0], &fa);
    Sort b = operand(e.operands[1], &fb);
    if (refuse_set(fa, e.column, fb ? nullptr : &e.operands[1].literal) ||
        refuse_set(fb, e.column, fa ? nullptr : &e.operands[0].literal))
      return;
    if (a == Sort::unknown || b == Sort::unknown) return;
    if (fa && !fb) literal_fits(*fa, e.operands[1].literal, e.operands[1].column);
    else if (fb && !fa) literal_fits(*fb, e.operands[0].literal, e.operands[0].column);
    else if (a != b)
      issue(e.column, fmt::format("cannot compare {} with {}", sort_name(a), sort_name(b)));
    if (!fa && !fb) issue(e.column, "a comparison of two values, with no field, is always the same; remove it");
    const bool ordering = e.op != CompareOp::eq && e.op != CompareOp::ne;
    if (ordering && a == Sort::boolean)
      issue(e.column, fmt::format("true/false values compare only with == and !=, not {}", to_string(e.op)));
    const Field* f = fa ? fa : fb;
    if (ordering && f && (f->type == FieldType::enumeration || f->type == FieldType::string ||
                          f->type == FieldType::text || f->type == FieldType::id_card ||
                          f->type == FieldType::uscc || f->type == FieldType::phone))
      issue(e.column, fmt::format("`{}` is {}; order comparisons ({}) apply to numbers and dates only", f->key,
                                  to_string(f->type), to_string(e.op)));
  }

  void in(const Expr& e) {
    const Field* f = nullptr;
    Sort s = operand(e.operands[0], &f);
    if (!f) {
      if (s != Sort::unknown) issue(e.column, "`in` needs a field on its left");
      return;
    }
    if (refuse_set(f, e.column, e.list.empty() ? nullptr : &e.list.front())) return;
    for (const auto& v : e.list) literal_fits(*f, v, e.column);
  }

  /// `'v' in set.field`: a text value of the set on the left, a set field on the right.
  void member(const Expr& e) {
    const Expr& item = e.operands[0];
    const Expr& set = e.operands[1];
    const Field* f = nullptr;
    const Sort s = operand(set, &f);
    if (f && f->type != FieldType::set) {
      issue(set.column,
            fmt::format("`{}` is {} ({}), not a set; `in` a field needs a set field (type: set){}", f->key,
                        sort_name(s), to_string(f->type),
                        f->type == FieldType::enumeration ? fmt::format(", or write `{} in [...]`", f->key) : ""));
      f = nullptr;
    }
    if (item.kind != Expr::Kind::literal) {
      if (item.kind == Expr::Kind::field) (void)field(item);
      issue(item.column, fmt::format("write a value on the left of `in {}`, e.g. '{}'", set.field,
                                     f && !f->values.empty() ? f->values.front() : "value"));
      return;
    }
    if (f) literal_fits(*f, item.literal, item.column);
  }

  const std::function<const Field*(std::string_view)>& lookup_;
  const std::vector<std::string>& keys_;
};


}  // namespace

std::vector<ConditionIssue> type_check(const Condition& condition,
                                       const std::function<const Field*(std::string_view)>& lookup,
                                       const std::vector<std::string>& known_keys) {
  if (condition.empty()) return {};
  TypeChecker tc(lookup, known_keys);
  tc.condition(condition.root());
  return std::move(tc.issues);
}

}  // namespace yilian
