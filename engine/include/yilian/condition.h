// The `when` condition language: a small, safe expression language over
// form fields.
//
//   expr    := or
//   or      := and ("or" and)*
//   and     := unary ("and" unary)*
//   unary   := "not" unary | compare
//   compare := operand (("=="|"!="|"<"|"<="|">"|">=") operand
//                       | ["not"] "in" "[" literal ("," literal)* "]"
//                       | ["not"] "in" field)?
//   operand := field | literal | "(" expr ")"
//   field   := name ("." name)*        name := [A-Za-z_][A-Za-z0-9_-]*
//   literal := number | 'text' | "text" | true | false
//
// `'hot-food' in food.categories` tests whether a `set` field holds a value
// (membership); `x in [..]` tests whether a one-value field is one of a list.
//
// Evaluation is three-valued (Kleene): a comparison that reads a field
// without a value is `unknown`; `false and unknown` is false, `true or
// unknown` is true. Conditions are immutable values, cheap to copy, and
// safe to evaluate from several threads at once.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "yilian/status.h"
#include "yilian/value.h"

namespace yilian {

enum class CompareOp { eq, ne, lt, le, gt, ge };
[[nodiscard]] std::string_view to_string(CompareOp op);
/// The operator with its sides swapped: `3 < x` is `x > 3`.
[[nodiscard]] CompareOp mirror(CompareOp op);

/// A node of a parsed condition. Public so that exporters (BPMN FEEL, JSON
/// Schema if/then) can walk it.
struct Expr {
  enum class Kind { literal, field, compare, in, member, all_of, any_of, negate };
  Kind kind = Kind::literal;
  Value literal;               ///< Kind::literal
  std::string field;           ///< Kind::field: the field key
  CompareOp op = CompareOp::eq;///< Kind::compare
  /// compare: 2; in: 1; member: 2 (the value, then the set field);
  /// all_of/any_of: >= 2; negate: 1
  std::vector<Expr> operands;
  std::vector<Value> list;     ///< Kind::in: the listed literals
  bool negated = false;        ///< Kind::in or Kind::member written as "not in"
  int column = 1;              ///< 1-based column of the node in the text
};

enum class Truth { no, yes, unknown };

/// What a condition reads values with: a borrowed callable
/// `const Value*(std::string_view key)` returning nullptr for "no value".
/// It refers to the callable without copying it (no allocation, one
/// indirect call per field read), so it is for passing to evaluate() only,
/// never for keeping.
class ValueLookup {
 public:
  template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, ValueLookup> &&
             std::is_invocable_r_v<const Value*, const std::remove_reference_t<F>&, std::string_view>)
  ValueLookup(const F& f)  // NOLINT(google-explicit-constructor): a lambda converts where a lookup is expected
      : callable_(static_cast<const void*>(std::addressof(f))),
        call_([](const void* c, std::string_view key) -> const Value* { return (*static_cast<const F*>(c))(key); }) {}

  const Value* operator()(std::string_view key) const { return call_(callable_, key); }

 private:
  const void* callable_;
  const Value* (*call_)(const void*, std::string_view);
};

/// A parsed `when` condition. A default-constructed Condition is empty and
/// always holds.
class Condition {
 public:
  Condition() = default;
  Condition(std::shared_ptr<const Expr> root, std::string text)
      : root_(std::move(root)), text_(std::move(text)) {}

  [[nodiscard]] bool empty() const { return root_ == nullptr; }
  /// The text as written in the chain file.
  [[nodiscard]] const std::string& text() const { return text_; }
  /// The syntax tree; must not be called on an empty condition.
  [[nodiscard]] const Expr& root() const { return *root_; }
  /// Evaluates over the values; an empty condition is Truth::yes.
  [[nodiscard]] Truth evaluate(const FieldValues& values) const;
  /// Evaluates with a lookup function (no value: return nullptr).
  [[nodiscard]] Truth evaluate(ValueLookup lookup) const;
  /// Every field key the condition reads, sorted, each once.
  [[nodiscard]] std::vector<std::string> fields() const;

 private:
  std::shared_ptr<const Expr> root_;
  std::string text_;
};

/// Both conditions: `a and b`, sharing their trees (an empty one always
/// holds, so the other is returned as it is). The text joins both texts
/// with "and", bracketing a side whose top is an `or`. Pure.
[[nodiscard]] Condition conjunction(const Condition& a, const Condition& b);

/// A problem inside a condition's text, located by 1-based column.
struct ConditionIssue {
  int column = 1;
  std::string message;
  std::string hint;
};

/// How deeply parentheses and `not` may nest in one condition (each `(` and
/// each `not` is a level). Deeper conditions are refused: no real condition
/// comes near it, and the parser and every walk of the tree recurse per level.
inline constexpr int kMaxConditionNesting = 32;

/// Parses the text (syntax only). On failure the Status message names what
/// was expected and where().column is the 1-based column in `text`; a
/// condition nested deeper than kMaxConditionNesting fails at the `(` or
/// `not` that goes too deep.
[[nodiscard]] Result<Condition> parse_condition(std::string_view text);

struct Field;  // chain.h

/// Checks a parsed condition against the field catalogue: every field must
/// exist (`lookup` returns nullptr for an unknown key), literals must fit the
/// field's type (numbers for integer/number/area, true/false for boolean,
/// text for the others, enum and set literals among the declared values),
/// booleans only compare with == and !=, a set field is only tested with
/// `'value' in field`, and only a set field stands right of a bare `in`.
/// `known_keys` feeds "did you mean".
[[nodiscard]] std::vector<ConditionIssue> type_check(
    const Condition& condition,
    const std::function<const Field*(std::string_view)>& lookup,
    const std::vector<std::string>& known_keys);

/// Writes the expression back as canonical text (for messages and exports).
[[nodiscard]] std::string to_string(const Expr& e);

}  // namespace yilian
