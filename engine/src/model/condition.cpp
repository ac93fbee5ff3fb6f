// The `when` language: lexer, recursive-descent parser, three-valued
// evaluator and the type check against the field catalogue.
#include "yilian/condition.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include "yilian/chain.h"

namespace yilian {
namespace {

struct Token {
  enum class Kind { end, name, number, text, lparen, rparen, lbracket, rbracket, comma, op, error };
  Kind kind = Kind::end;
  std::string text;  // name, text literal, op spelling or number spelling
  int column = 1;
};

/// 1-based column of byte `pos` counted in characters (UTF-8 code points),
/// as editors count them.
int column_at(std::string_view s, std::size_t pos) {
  int col = 1;
  for (std::size_t i = 0; i < pos && i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++col;
  return col;
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Token next() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    Token t;
    t.column = column_at(s_, pos_);
    if (pos_ >= s_.size()) return t;
    const char c = s_[pos_];
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t b = pos_;
      while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_' ||
                                  s_[pos_] == '.' || s_[pos_] == '-'))
        ++pos_;
      t.kind = Token::Kind::name;
      t.text = std::string(s_.substr(b, pos_ - b));
      return t;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        ((c == '-' || c == '+' || c == '.') && pos_ + 1 < s_.size() &&
         (std::isdigit(static_cast<unsigned char>(s_[pos_ + 1])) || s_[pos_ + 1] == '.'))) {
      std::size_t b = pos_++;
      while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.' ||
                                  s_[pos_] == 'e' || s_[pos_] == 'E' ||
                                  ((s_[pos_] == '-' || s_[pos_] == '+') && (s_[pos_ - 1] == 'e' || s_[pos_ - 1] == 'E'))))
        ++pos_;
      t.kind = Token::Kind::number;
      t.text = std::string(s_.substr(b, pos_ - b));
      return t;
    }
    if (c == '\'' || c == '"') {
      std::size_t b = ++pos_;
      while (pos_ < s_.size() && s_[pos_] != c) ++pos_;
      if (pos_ >= s_.size()) {
        t.kind = Token::Kind::error;
        t.text = "the text literal is not closed";
        return t;
      }
      t.kind = Token::Kind::text;
      t.text = std::string(s_.substr(b, pos_ - b));
      ++pos_;
      return t;
    }
    ++pos_;
    switch (c) {
      case '(': t.kind = Token::Kind::lparen; return t;
      case ')': t.kind = Token::Kind::rparen; return t;
      case '[': t.kind = Token::Kind::lbracket; return t;
      case ']': t.kind = Token::Kind::rbracket; return t;
      case ',': t.kind = Token::Kind::comma; return t;
      case '=':
      case '!':
      case '<':
      case '>':
        t.kind = Token::Kind::op;
        t.text = std::string(1, c);
        if (pos_ < s_.size() && s_[pos_] == '=') {
          t.text += '=';
          ++pos_;
        }
        if (t.text == "=" || t.text == "!") {
          t.kind = Token::Kind::error;
          t.text = t.text == "=" ? "`=` is not an operator; write `==` to compare"
                                 : "`!` is not an operator; write `not` or `!=`";
        }
        return t;
      case '&':
      case '|':
        t.kind = Token::Kind::error;
        t.text = fmt::format("`{}` is not an operator; write `{}`", c, c == '&' ? "and" : "or");
        if (pos_ < s_.size() && s_[pos_] == c) ++pos_;
        return t;
      default:
        t.kind = Token::Kind::error;
        t.text = fmt::format("unexpected character `{}`", c);
        return t;
    }
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

struct ParseError {
  int column;
  std::string message;
};

class Parser {
 public:
  explicit Parser(std::string_view s) : lex_(s) { advance(); }

  Expr parse() {
    Expr e = parse_or();
    if (cur_.kind != Token::Kind::end) fail(fmt::format("unexpected {} after a complete condition", describe(cur_)));
    return e;
  }

 private:
  [[noreturn]] void fail(std::string message) const { throw ParseError{cur_.column, std::move(message)}; }

  /// One more level of `(` or `not` for as long as it lives: past
  /// kMaxConditionNesting the parse fails at that token, before the
  /// recursion (and every later walk of the tree) could exhaust the stack.
  class Nested {
   public:
    explicit Nested(Parser& p) : p_(p) {
      if (++p_.depth_ > kMaxConditionNesting)
        p_.fail(fmt::format("the condition nests parentheses and `not` deeper than {} levels", kMaxConditionNesting));
    }
    ~Nested() { --p_.depth_; }
    Nested(const Nested&) = delete;
    Nested& operator=(const Nested&) = delete;

   private:
    Parser& p_;
  };

  static std::string describe(const Token& t) {
    switch (t.kind) {
      case Token::Kind::end: return "end of the condition";
      case Token::Kind::name: return fmt::format("`{}`", t.text);
      case Token::Kind::number: return fmt::format("the number {}", t.text);
      case Token::Kind::text: return fmt::format("the text '{}'", t.text);
      case Token::Kind::lparen: return "`(`";
      case Token::Kind::rparen: return "`)`";
      case Token::Kind::lbracket: return "`[`";
      case Token::Kind::rbracket: return "`]`";
      case Token::Kind::comma: return "`,`";
      case Token::Kind::op: return fmt::format("`{}`", t.text);
      case Token::Kind::error: return t.text;
    }
    return "?";
  }

  void advance() {
    cur_ = lex_.next();
    if (cur_.kind == Token::Kind::error) fail(cur_.text);
  }

  bool is_word(std::string_view w) const { return cur_.kind == Token::Kind::name && cur_.text == w; }

  Expr parse_or() {
    Expr first = parse_and();
    if (!is_word("or")) return first;
    Expr e;
    e.kind = Expr::Kind::any_of;
    e.column = first.column;
    e.operands.push_back(std::move(first));
    while (is_word("or")) {
      advance();
      e.operands.push_back(parse_and());
    }
    return e;
  }

  Expr parse_and() {
    Expr first = parse_unary();
    if (!is_word("and")) return first;
    Expr e;
    e.kind = Expr::Kind::all_of;
    e.column = first.column;
    e.operands.push_back(std::move(first));
    while (is_word("and")) {
      advance();
      e.operands.push_back(parse_unary());
    }
    return e;
  }

  Expr parse_unary() {
    if (is_word("not")) {
      const Nested level(*this);
      Expr e;
      e.kind = Expr::Kind::negate;
      e.column = cur_.column;
      advance();
      e.operands.push_back(parse_unary());
      return e;
    }
    return parse_compare();
  }

  Expr parse_compare() {
    Expr left = parse_operand();
    if (cur_.kind == Token::Kind::op) {
      Expr e;
      e.kind = Expr::Kind::compare;
      e.column = left.column;
      const std::string& op = cur_.text;
      e.op = op == "==" ? CompareOp::eq : op == "!=" ? CompareOp::ne : op == "<" ? CompareOp::lt
           : op == "<=" ? CompareOp::le : op == ">"  ? CompareOp::gt : CompareOp::ge;
      advance();
      e.operands.push_back(std::move(left));
      e.operands.push_back(parse_operand());
      return e;
    }
    bool negated = false;
    if (is_word("not")) {
      negated = true;
      advance();
      if (!is_word("in")) fail(fmt::format("expected `in` after `not`, got {}", describe(cur_)));
    }
    if (is_word("in")) {
      Expr e;
      e.kind = Expr::Kind::in;
      e.negated = negated;
      e.column = left.column;
      advance();
      if (cur_.kind != Token::Kind::lbracket) {
        // `'hot-food' in food.categories`: membership in a set field.
        const bool field = cur_.kind == Token::Kind::name && cur_.text != "true" && cur_.text != "false" &&
                           cur_.text != "and" && cur_.text != "or" && cur_.text != "not" && cur_.text != "in";
        if (!field)
          fail(fmt::format("expected `[` (a list of values) or a set field after `in`, got {}", describe(cur_)));
        e.kind = Expr::Kind::member;
        e.operands.push_back(std::move(left));
        e.operands.push_back(parse_operand());
        return e;
      }
      advance();
      for (;;) {
        Expr lit = parse_operand();
        if (lit.kind != Expr::Kind::literal) {
          cur_.column = lit.column;
          fail("expected a literal value in the list");
        }
        e.list.push_back(std::move(lit.literal));
        if (cur_.kind == Token::Kind::comma) {
          advance();
          continue;
        }
        if (cur_.kind == Token::Kind::rbracket) {
          advance();
          break;
        }
        fail(fmt::format("expected `,` or `]` in the list, got {}", describe(cur_)));
      }
      e.operands.push_back(std::move(left));
      return e;
    }
    return left;
  }

  Expr parse_operand() {
    Expr e;
    e.column = cur_.column;
    switch (cur_.kind) {
      case Token::Kind::lparen: {
        const Nested level(*this);
        advance();
        Expr inner = parse_or();
        if (cur_.kind != Token::Kind::rparen) fail(fmt::format("expected `)`, got {}", describe(cur_)));
        advance();
        return inner;
      }
      case Token::Kind::number: {
        e.kind = Expr::Kind::literal;
        const std::string& t = cur_.text;
        std::int64_t i = 0;
        const char* b = t.data() + (t[0] == '+' ? 1 : 0);
        auto [p, ec] = std::from_chars(b, t.data() + t.size(), i);
        if (ec == std::errc() && p == t.data() + t.size()) {
          e.literal = i;
        } else {
          double d = 0;
          auto [p2, ec2] = std::from_chars(b, t.data() + t.size(), d);
          if (ec2 != std::errc() || p2 != t.data() + t.size()) fail(fmt::format("`{}` is not a number", t));
          e.literal = d;
        }
        advance();
        return e;
      }
      case Token::Kind::text:
        e.kind = Expr::Kind::literal;
        e.literal = cur_.text;
        advance();
        return e;
      case Token::Kind::name:
        if (cur_.text == "true" || cur_.text == "false") {
          e.kind = Expr::Kind::literal;
          e.literal = cur_.text == "true";
        } else if (cur_.text == "and" || cur_.text == "or" || cur_.text == "not" || cur_.text == "in") {
          fail(fmt::format("expected a field or a value, got the keyword `{}`", cur_.text));
        } else {
          e.kind = Expr::Kind::field;
          e.field = cur_.text;
        }
        advance();
        return e;
      default:
        fail(fmt::format("expected a field or a value, got {}", describe(cur_)));
    }
  }

  Lexer lex_;
  Token cur_;
  int depth_ = 0;  ///< open `(` and `not` around the current token
};

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

Result<Condition> parse_condition(std::string_view text) {
  try {
    Parser p(text);
    Expr e = p.parse();
    return Condition(std::make_shared<const Expr>(std::move(e)), std::string(text));
  } catch (const ParseError& err) {
    return Status::invalid(err.message, SourceLocation{"", 1, err.column});
  }
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

std::vector<ConditionIssue> type_check(const Condition& condition,
                                       const std::function<const Field*(std::string_view)>& lookup,
                                       const std::vector<std::string>& known_keys) {
  if (condition.empty()) return {};
  TypeChecker tc(lookup, known_keys);
  tc.condition(condition.root());
  return std::move(tc.issues);
}

std::string to_string(const Expr& e) {
  std::string out;
  write(e, out, 0);
  return out;
}

}  // namespace yilian
