// The `when` language, read: the lexer and the recursive-descent parser
// (condition.cpp evaluates and prints, condition_check.cpp checks types).
#include "yilian/condition.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

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


}  // namespace

Result<Condition> parse_condition(std::string_view text) {
  try {
    Parser p(text);
    Expr e = p.parse();
    return Condition(std::make_shared<const Expr>(std::move(e)), std::string(text));
  } catch (const ParseError& err) {
    return Status::invalid(err.message, SourceLocation{"", 1, err.column});
  }
}

}  // namespace yilian
