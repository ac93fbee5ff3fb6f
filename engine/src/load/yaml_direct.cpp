// The direct reader: the part of YAML that chain files are written in, read
// straight into the tree builder, giving the events (values, styles, lines
// and columns) that libyaml's event parser gives for the same text.
//
// Why: at 10,000 matters libyaml's scanner and parser were most of a
// chain's load time (bench/README.md, "Growth to 10,000 matters"); this
// reader makes no token queue, no event copies and, for plain and simple
// quoted scalars, no copies of the text at all.
//
// What it reads: block maps (keys plain or quoted, on one line), block
// sequences (also the "indentless" ones under a key), flow sequences and
// maps (also across lines), plain scalars on one line, single- and
// double-quoted scalars on one line (every escape libyaml knows), literal and
// folded block scalars (`|`, `>`, with `-` or `+`), comments and blank
// lines. Everything else it declines, before or after sending events:
// anchors, aliases, tags, directives, `---` and `...`, `?` keys, tabs,
// carriage returns, a byte order mark, control characters, invalid UTF-8,
// plain or quoted scalars spanning lines, explicit block indentation,
// empty values in flow maps, and any text it cannot read (so every syntax
// error). The caller then reads the text with libyaml, which says what
// libyaml always said: a declined text costs the time of the attempt and
// nothing else. Where YAML versions or libyaml releases differ (a colon
// inside a plain scalar in a flow collection, flow content less indented
// than its block), it declines too.
//
// tests/unit/yaml_direct_test.cpp holds it to libyaml: every YAML file of
// the repository, and many mutations of them, read to the same tree by
// both, or declined.
//
// It reads untrusted text too (applications sent to `yilian serve`): it
// reads no byte past the text's terminating '\0', its recursion is bounded
// by kMaxDirectDepth (each level opens a collection), and every loop
// consumes text or ends.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "load/yaml_build.h"

namespace yilian::detail {
namespace {

constexpr int kMaxDirectDepth = 64;  // deeper documents are left to libyaml's own stack
constexpr std::size_t kMaxKeyBytes = 1000;  // libyaml drops a simple key 1,024 characters long

bool blank_or_end(char c) { return c == ' ' || c == '\n' || c == '\0'; }

/// Characters that cannot start a plain scalar (YAML's indicators); '-',
/// '?' and ':' are decided by what follows them.
bool indicator(char c) {
  switch (c) {
    case ',': case '[': case ']': case '{': case '}': case '#': case '&': case '*': case '!': case '|':
    case '>': case '\'': case '"': case '%': case '@': case '`':
      return true;
    default:
      return false;
  }
}

bool flow_indicator(char c) { return c == ',' || c == '[' || c == ']' || c == '{' || c == '}'; }

/// Bytes a plain scalar's scan stops at to look closer: in block context
/// ':', ' ', '\n' and the terminating '\0'; in flow context the flow
/// indicators too.
struct StopTables {
  bool block[256] = {};
  bool flow[256] = {};
  /// check_characters(): 0 an ordinary byte, 1 '\n', 2 a byte libyaml
  /// refuses or this reader leaves to it, 3 the lead byte of a UTF-8
  /// sequence.
  unsigned char kind[256] = {};
  constexpr StopTables() {
    for (char c : {':', ' ', '\n', '\0'}) block[static_cast<unsigned char>(c)] = flow[static_cast<unsigned char>(c)] = true;
    for (char c : {',', '[', ']', '{', '}'}) flow[static_cast<unsigned char>(c)] = true;
    for (int c = 0; c < 256; ++c) kind[c] = c >= 0x80 ? 3 : (c < 0x20 || c == 0x7F) ? 2 : 0;
    kind[static_cast<unsigned char>('\n')] = 1;
  }
};
constexpr StopTables kTables;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, std::uint32_t v) {
  if (v < 0x80) {
    out += static_cast<char>(v);
  } else if (v < 0x800) {
    out += static_cast<char>(0xC0 | (v >> 6));
    out += static_cast<char>(0x80 | (v & 0x3F));
  } else if (v < 0x10000) {
    out += static_cast<char>(0xE0 | (v >> 12));
    out += static_cast<char>(0x80 | ((v >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (v & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (v >> 18));
    out += static_cast<char>(0x80 | ((v >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((v >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (v & 0x3F));
  }
}

constexpr std::uint64_t kHigh = 0x8080808080808080ULL;

/// Eight bytes from `p` (any alignment), the first in the lowest byte.
std::uint64_t load8(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
  return w;
}

/// Thrown to decline the text.
struct Decline {};

class DirectReader {
 public:
  /// `s` ends with a '\0' at s[s.size()] (it is a std::string's), which
  /// cur() and next() read as the end.
  DirectReader(std::string_view s, TreeBuilder& b) : s_(s), d_(s.data()), b_(b) {}

  bool run() {
    try {
      check_characters();
      skip_to_content();
      if (end()) return true;  // nothing but comments: an empty stream
      block_node(-1);
      if (!end()) decline();
      return true;
    } catch (const Decline&) {
      return false;
    }
  }

 private:
  // ---- the text ----------------------------------------------------------

  [[noreturn]] static void decline() { throw Decline{}; }

  [[nodiscard]] bool end() const { return p_ >= s_.size(); }
  [[nodiscard]] char at(std::size_t i) const { return i < s_.size() ? s_[i] : '\0'; }
  // p_ never passes the terminating '\0', and next() is read only after
  // cur() was seen to be a character of the text.
  [[nodiscard]] char cur() const { return d_[p_]; }
  [[nodiscard]] char next() const { return d_[p_ + 1]; }

  /// The 0-based column of `pos` on the current line, in characters (as
  /// libyaml counts): the bytes that do not continue a UTF-8 sequence. Up
  /// to the line's first non-ASCII byte that is the byte offset; past it,
  /// counted on from the last position asked for on the line.
  [[nodiscard]] int column(std::size_t pos) const {
    if (ascii_line_ != line_start_) {
      ascii_line_ = line_start_;
      ascii_end_ = ascii_prefix_end(line_start_);
    }
    if (pos <= ascii_end_) return static_cast<int>(pos - line_start_);
    if (col_line_ != line_start_ || col_pos_ > pos) {
      col_line_ = line_start_;
      col_pos_ = ascii_end_;
      col_ = static_cast<int>(ascii_end_ - line_start_);
    }
    for (; col_pos_ < pos; ++col_pos_) col_ += (static_cast<unsigned char>(d_[col_pos_]) & 0xC0) != 0x80;
    return col_;
  }

  /// The first byte from `i` on that is not ASCII, or the end of the line.
  [[nodiscard]] std::size_t ascii_prefix_end(std::size_t i) const {
    for (; i + 8 <= s_.size(); i += 8) {
      const std::uint64_t w = load8(d_ + i);
      const std::uint64_t x = w ^ 0x0A0A0A0A0A0A0A0AULL;
      if ((w | ((x - 0x0101010101010101ULL) & ~x)) & kHigh) break;  // a byte >= 0x80, or a '\n'
    }
    while (d_[i] != '\n' && d_[i] != '\0' && !(static_cast<unsigned char>(d_[i]) & 0x80)) ++i;
    return i;
  }

  void newline() {  // at '\n'
    ++p_;
    ++line_;
    line_start_ = p_;
  }

  void skip_spaces() {
    while (cur() == ' ') ++p_;
  }

  void skip_comment() {
    while (!end() && cur() != '\n') ++p_;
  }

  /// After a node: spaces, then a comment (after a space), then the end of
  /// the line or of the text; anything else is declined.
  void end_of_line() {
    skip_spaces();
    if (cur() == '#') {
      if (s_[p_ - 1] != ' ') decline();
      skip_comment();
    }
    if (!end() && cur() != '\n') decline();
  }

  /// Moves to the next content: past spaces, comments and line breaks.
  void skip_to_content() {
    for (;;) {
      skip_spaces();
      if (cur() == '#') {
        if (p_ != line_start_ && s_[p_ - 1] != ' ') decline();
        skip_comment();
      }
      if (end() || cur() != '\n') return;
      newline();
    }
  }

  /// Every character must be one libyaml reads without a second thought:
  /// printable, valid UTF-8, no tab, no carriage return or other line
  /// break than '\n', no byte order mark; and no line may start a
  /// directive or a document marker.
  void check_characters() const {
    const auto* u = reinterpret_cast<const unsigned char*>(s_.data());
    const std::size_t n = s_.size();
    for (std::size_t i = 0; i < n;) {
      // At the start of a line.
      if (u[i] == '%') decline();
      if (i + 2 < n && ((u[i] == '-' && u[i + 1] == '-' && u[i + 2] == '-') ||
                        (u[i] == '.' && u[i + 1] == '.' && u[i + 2] == '.')))
        decline();
      for (;;) {
        // Eight bytes at a time while they are printable ASCII.
        while (i + 8 <= n) {
          const std::uint64_t w = load8(s_.data() + i);
          const std::uint64_t below_space = (w - 0x2020202020202020ULL) & ~w;  // a byte < 0x20 (or >= 0x80)
          const std::uint64_t x = w ^ 0x7F7F7F7F7F7F7F7FULL;
          const std::uint64_t del = (x - 0x0101010101010101ULL) & ~x;  // a byte 0x7F
          if ((w | below_space | del) & kHigh) break;
          i += 8;
        }
        while (i < n && kTables.kind[u[i]] == 0) ++i;
        if (i == n) return;
        const unsigned char c = u[i];
        const unsigned char kind = kTables.kind[c];
        if (kind == 1) {
          ++i;
          break;  // the next line
        }
        if (kind == 2) decline();
        i += utf8_sequence(u, i, n);
      }
    }
  }

  /// The length of the UTF-8 sequence at `i`, declining what libyaml
  /// refuses or this reader leaves to it.
  static std::size_t utf8_sequence(const unsigned char* u, std::size_t i, std::size_t n) {
    const unsigned char c = u[i];
    std::uint32_t v = 0;
    std::size_t len = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      v = c & 0x1F;
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      v = c & 0x0F;
      len = 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      v = c & 0x07;
      len = 4;
    } else {
      decline();
    }
    if (i + len > n) decline();
    for (std::size_t k = 1; k < len; ++k) {
      if ((u[i + k] & 0xC0) != 0x80) decline();
      v = (v << 6) | (u[i + k] & 0x3F);
    }
    // Overlong forms, surrogates, beyond Unicode; C1 controls (NEL is a
    // line break to libyaml), the line and paragraph separators, the byte
    // order mark and the non-characters U+FFFE, U+FFFF.
    if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF))) decline();
    if ((v >= 0xD800 && v <= 0xDFFF) || v < 0xA0 || v == 0x2028 || v == 0x2029 || v == 0xFEFF || v == 0xFFFE ||
        v == 0xFFFF)
      decline();
    return len;
  }

  // ---- events --------------------------------------------------------------

  void open(std::size_t pos, YamlNode::Kind kind) {
    if (++depth_ > kMaxDirectDepth) decline();
    b_.open(line_ + 1, column(pos) + 1, kind, {});
  }
  void close() {
    --depth_;
    b_.close();
  }
  /// A scalar whose text is a view into the source.
  void scalar_view(int line, int col, bool plain, std::size_t from, std::size_t to) {
    b_.scalar(line + 1, col + 1, {}, plain, s_.substr(from, to - from), true, {});
  }
  void scalar_text(int line, int col, const std::string& text) {
    b_.scalar(line + 1, col + 1, {}, false, text, false, {});
  }
  /// An empty plain scalar (a null value) where libyaml puts one.
  void empty(int line, int col) { b_.scalar(line + 1, col + 1, {}, true, {}, true, {}); }

  // ---- block context -------------------------------------------------------

  /// A node whose first character, at `p_`, is the first content of its
  /// line; `parent` is the indentation of the block collection it is in
  /// (-1 at the top).
  void block_node(int parent) {
    const int col = column(p_);
    if (cur() == '-' && blank_or_end(next())) return block_sequence(col, false);
    if (is_key()) return block_map(col);
    flow_or_scalar(parent);
  }

  /// After `key:` or `- ` (at `p_`, just past the indicator): the value on
  /// this line, on the lines below, or an empty one. `indent` is the
  /// indentation of the collection holding the value.
  void value(int indent, bool after_dash) {
    const int mark_line = line_;
    const int mark_col = column(p_);
    skip_spaces();
    if (end() || cur() == '\n' || cur() == '#') {
      skip_to_content();
      if (end()) return empty(mark_line, mark_col);
      const int col = column(p_);
      const bool dash = cur() == '-' && blank_or_end(next());
      if (col > indent) return block_node(indent);
      if (col == indent && dash) {
        if (after_dash) return empty(mark_line, mark_col);  // the next item
        return block_sequence(col, true);                    // `key:` then `- item` at the key's column
      }
      if (col == indent && after_dash) decline();
      return empty(mark_line, mark_col);
    }
    // On the same line.
    if (cur() == '-' && blank_or_end(next())) decline();  // `- - x`, `key: - x`
    if (after_dash && is_key()) return block_map(column(p_));  // `- id: x`: a map in the item
    flow_or_scalar(indent);
  }

  /// A block map whose first key is at `p_`, in column `indent`.
  void block_map(int indent) {
    open(p_, YamlNode::Kind::map);
    for (;;) {
      key();
      value(indent, false);
      if (end()) break;
      const int col = column(p_);
      if (col < indent) break;
      if (col > indent || !is_key()) decline();
    }
    close();
  }

  /// A block sequence whose first `-` is at `p_`, in column `indent`; an
  /// indentless one (under a key, at the key's column) ends at the map's
  /// next key.
  void block_sequence(int indent, bool indentless) {
    open(p_, YamlNode::Kind::sequence);
    for (;;) {
      ++p_;  // the '-'
      value(indent, true);
      if (end()) break;
      const int col = column(p_);
      if (col < indent) break;
      if (col > indent) decline();
      if (!(cur() == '-' && blank_or_end(next()))) {
        if (indentless) break;
        decline();
      }
    }
    close();
  }

  /// Whether the line from `p_` is a key: a plain or quoted scalar on this
  /// line followed by ':' and a space or the end of the line.
  [[nodiscard]] bool is_key() const {
    std::size_t i = p_;
    const char first = at(i);
    if (first == '"' || first == '\'') {
      i = quoted_end(i);
      if (i == 0) return false;
      while (at(i) == ' ') ++i;
      return at(i) == ':' && blank_or_end(at(i + 1));
    }
    if (!plain_start(false)) return false;
    for (;; ++i) {
      while (!kTables.block[static_cast<unsigned char>(d_[i])]) ++i;
      const char c = d_[i];
      if (c == '\n' || c == '\0') return false;
      if (c == ':' && blank_or_end(d_[i + 1])) return true;
      if (c == ' ' && d_[i + 1] == '#') return false;
    }
  }

  /// Past the closing quote of the quoted scalar opening at `i`, on its
  /// line; 0 when it does not close there.
  [[nodiscard]] std::size_t quoted_end(std::size_t i) const {
    const char q = s_[i++];
    for (; i < s_.size() && s_[i] != '\n'; ++i) {
      if (q == '"' && s_[i] == '\\') {
        ++i;
        if (at(i) == '\n') return 0;
        continue;
      }
      if (s_[i] == q) {
        if (q == '\'' && at(i + 1) == '\'') {
          ++i;
          continue;
        }
        return i + 1;
      }
    }
    return 0;
  }

  /// Whether a plain scalar may start at `p_`.
  [[nodiscard]] bool plain_start(bool flow) const {
    const char c = cur();
    if (c == '\0' || c == ' ' || c == '\n') return false;
    if (c == '-') return !blank_or_end(next()) && !(flow && flow_indicator(next()));
    if (c == '?' || c == ':') return false;  // libyaml's rules for these differ between contexts: decline
    return !indicator(c);
  }

  /// A map key at `p_` (is_key() holds), its ':' and the space after it.
  void key() {
    const std::size_t start = p_;
    const int line = line_;
    const int col = column(p_);
    if (cur() == '"' || cur() == '\'') {
      quoted(line, col);
      skip_spaces();
    } else {
      std::size_t i = p_;
      for (;; ++i) {
        while (!kTables.block[static_cast<unsigned char>(d_[i])]) ++i;
        if (d_[i] == ':' && blank_or_end(d_[i + 1])) break;
      }
      std::size_t to = i;
      while (to > p_ && s_[to - 1] == ' ') --to;
      scalar_view(line, col, true, p_, to);
      p_ = i;
    }
    if (cur() != ':' || p_ - start > kMaxKeyBytes) decline();
    ++p_;
  }

  /// A scalar or a flow collection starting at `p_` on a line of a block
  /// collection indented `indent`; then the end of the line and the next
  /// content.
  void flow_or_scalar(int indent) {
    const char c = cur();
    const int line = line_;
    const int col = column(p_);
    if (c == '[' || c == '{') {
      flow_collection(indent);
      end_of_line();
    } else if (c == '"' || c == '\'') {
      quoted(line, col);
      end_of_line();
    } else if (c == '|' || c == '>') {
      block_scalar(indent);
      return;  // it ends at the start of a line
    } else if (plain_start(false)) {
      plain_block(indent);
    } else {
      decline();
    }
    skip_to_content();
  }

  /// A plain scalar in block context: to ": ", " #" or the end of the line.
  /// One that would go on over the next line (a line indented deeper than
  /// its collection, not a comment) is declined.
  void plain_block(int indent) {
    const int line = line_;
    const int col = column(p_);
    const std::size_t from = p_;
    for (;; ++p_) {
      while (!kTables.block[static_cast<unsigned char>(d_[p_])]) ++p_;
      const char c = cur();
      if (c == '\n' || c == '\0') break;
      if (c == ':' && blank_or_end(next())) decline();  // `key: a: b`
      if (c == ' ' && next() == '#') break;
    }
    std::size_t to = p_;
    while (to > from && s_[to - 1] == ' ') --to;
    scalar_view(line, col, true, from, to);
    if (cur() == ' ') skip_spaces();
    if (cur() == '#') skip_comment();
    // Would libyaml go on reading it on the next content line?
    std::size_t i = p_;
    while (i < s_.size()) {
      ++i;  // past '\n'
      std::size_t j = i;
      while (at(j) == ' ') ++j;
      if (at(j) == '\n') {
        i = j;
        continue;
      }
      if (at(j) != '\0' && at(j) != '#' && static_cast<int>(j - i) > indent) decline();
      break;
    }
  }

  /// A block scalar (`|` or `>`, optionally `-` or `+`) at `p_`, in a block
  /// collection indented `indent`; libyaml's scan_block_scalar step by step.
  void block_scalar(int indent) {
    const int line = line_;
    const int col = column(p_);
    const bool literal = cur() == '|';
    ++p_;
    int chomping = 0;
    if (cur() == '+' || cur() == '-') {
      chomping = cur() == '+' ? 1 : -1;
      ++p_;
    }
    if (cur() >= '0' && cur() <= '9') decline();  // an explicit indentation
    skip_spaces();
    if (cur() == '#') skip_comment();
    if (!end() && cur() != '\n') decline();
    if (!end()) newline();

    std::string text, leading_break, trailing_breaks;
    int block_indent = 0;
    breaks(block_indent, trailing_breaks, indent);
    bool leading_blank = false;
    while (static_cast<int>(p_ - line_start_) == block_indent && !end()) {
      const bool trailing_blank = cur() == ' ';
      if (!literal && leading_break == "\n" && !leading_blank && !trailing_blank) {
        if (trailing_breaks.empty()) text += ' ';
        leading_break.clear();
      } else {
        text += leading_break;
        leading_break.clear();
      }
      text += trailing_breaks;
      trailing_breaks.clear();
      leading_blank = cur() == ' ';
      const std::size_t from = p_;
      while (!end() && cur() != '\n') ++p_;
      text.append(s_.substr(from, p_ - from));
      if (!end()) {
        leading_break = "\n";
        newline();
      }
      breaks(block_indent, trailing_breaks, indent);
    }
    if (chomping != -1) text += leading_break;
    if (chomping == 1) text += trailing_breaks;
    scalar_text(line, col, text);
    skip_to_content();
  }

  /// libyaml's scan_block_scalar_breaks: the indentation and the empty
  /// lines before a line of content (the indentation is found on the
  /// first call: the deepest of those lines, at least one more than the
  /// collection's).
  void breaks(int& block_indent, std::string& out, int indent) {
    int max_indent = 0;
    for (;;) {
      while ((block_indent == 0 || static_cast<int>(p_ - line_start_) < block_indent) && cur() == ' ') ++p_;
      max_indent = std::max(max_indent, static_cast<int>(p_ - line_start_));
      if (end() || cur() != '\n') break;
      out += '\n';
      newline();
    }
    if (block_indent == 0) block_indent = std::max({max_indent, indent + 1, 1});
  }

  // ---- scalars -------------------------------------------------------------

  /// A quoted scalar at `p_`, closed on its line; `p_` ends past the quote.
  void quoted(int line, int col) {
    const char q = cur();
    const std::size_t from = ++p_;
    // Without escapes (the usual case) the text is a view into the source.
    std::size_t i = from;
    while (i < s_.size() && s_[i] != q && s_[i] != '\n' && !(q == '"' && s_[i] == '\\')) ++i;
    if (at(i) == q && !(q == '\'' && at(i + 1) == '\'')) {
      scalar_view(line, col, false, from, i);
      p_ = i + 1;
      return;
    }
    std::string text(s_.substr(from, i - from));
    p_ = i;
    for (;;) {
      const char c = cur();
      if (end() || c == '\n') decline();  // goes on over the line: left to libyaml
      if (c == q) {
        if (q == '\'' && next() == '\'') {
          text += '\'';
          p_ += 2;
          continue;
        }
        ++p_;
        break;
      }
      if (q == '"' && c == '\\') {
        escape(text);
        continue;
      }
      text += c;
      ++p_;
    }
    scalar_text(line, col, text);
  }

  /// One escape of a double-quoted scalar, at the backslash.
  void escape(std::string& text) {
    const char e = next();
    p_ += 2;
    switch (e) {
      case '0': text += '\0'; return;
      case 'a': text += '\x07'; return;
      case 'b': text += '\x08'; return;
      case 't': text += '\x09'; return;
      case 'n': text += '\x0A'; return;
      case 'v': text += '\x0B'; return;
      case 'f': text += '\x0C'; return;
      case 'r': text += '\x0D'; return;
      case 'e': text += '\x1B'; return;
      case ' ': text += ' '; return;
      case '"': text += '"'; return;
      case '/': text += '/'; return;
      case '\\': text += '\\'; return;
      case 'N': append_utf8(text, 0x85); return;
      case '_': append_utf8(text, 0xA0); return;
      case 'L': append_utf8(text, 0x2028); return;
      case 'P': append_utf8(text, 0x2029); return;
      case 'x':
      case 'u':
      case 'U': {
        const int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        std::uint32_t v = 0;
        for (int k = 0; k < digits; ++k) {
          const int h = hex_value(at(p_ + static_cast<std::size_t>(k)));
          if (h < 0) decline();
          v = (v << 4) | static_cast<std::uint32_t>(h);
        }
        if ((v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF) decline();
        append_utf8(text, v);
        p_ += static_cast<std::size_t>(digits);
        return;
      }
      default: decline();  // unknown, or a line break (a continuation)
    }
  }

  // ---- flow context --------------------------------------------------------

  /// Spaces, comments and line breaks inside a flow collection; a line
  /// that continues one must be indented deeper than the block collection
  /// holding it.
  void flow_space(int indent) {
    for (;;) {
      skip_spaces();
      if (cur() == '#') {
        if (s_[p_ - 1] != ' ' && p_ != line_start_) decline();
        skip_comment();
      }
      if (end()) decline();  // unclosed
      if (cur() != '\n') return;
      newline();
      skip_spaces();
      if (!end() && cur() != '\n' && cur() != '#' && static_cast<int>(p_ - line_start_) <= indent) decline();
    }
  }

  void flow_collection(int indent) {
    const bool map = cur() == '{';
    const char close_char = map ? '}' : ']';
    open(p_, map ? YamlNode::Kind::map : YamlNode::Kind::sequence);
    ++p_;
    for (;;) {
      flow_space(indent);
      if (cur() == close_char) break;
      if (map) {
        const int kline = line_;
        const std::size_t kstart = p_;
        if (cur() == '[' || cur() == '{') decline();  // a collection as a key
        flow_scalar();
        skip_spaces();
        if (line_ != kline || cur() != ':' || next() != ' ' || p_ - kstart > kMaxKeyBytes) decline();
        ++p_;
        skip_spaces();
        if (end() || cur() == '\n' || cur() == '#' || cur() == ',' || cur() == close_char) decline();
      }
      flow_node(indent);
      flow_space(indent);
      if (cur() == ',') {
        ++p_;
        continue;
      }
      if (cur() != close_char) decline();
    }
    ++p_;
    close();
  }

  void flow_node(int indent) {
    if (cur() == '[' || cur() == '{') return flow_collection(indent);
    flow_scalar();
  }

  /// A plain or quoted scalar inside a flow collection.
  void flow_scalar() {
    const int line = line_;
    const int col = column(p_);
    if (cur() == '"' || cur() == '\'') return quoted(line, col);
    if (!plain_start(true)) decline();
    const std::size_t from = p_;
    for (;; ++p_) {
      while (!kTables.flow[static_cast<unsigned char>(d_[p_])]) ++p_;
      const char c = cur();
      if (c == '\n' || c == '\0' || flow_indicator(c)) break;
      if (c == ':') {
        if (next() == ' ') break;
        decline();  // libyaml releases differ on "a:b" and "a:," in flow context
      }
      if (c == ' ' && next() == '#') break;
    }
    std::size_t to = p_;
    while (to > from && s_[to - 1] == ' ') --to;
    scalar_view(line, col, true, from, to);
    if (cur() == '\n') {
      // It would go on over the line unless what follows ends it.
      std::size_t i = p_;
      while (at(i) == ' ' || at(i) == '\n') ++i;
      if (!(flow_indicator(at(i)) && at(i) != '[' && at(i) != '{') && at(i) != '#') decline();
    }
  }

  std::string_view s_;
  const char* d_;
  TreeBuilder& b_;
  std::size_t p_ = 0;
  int line_ = 0;
  std::size_t line_start_ = 0;
  int depth_ = 0;
  // column(): where the current line's ASCII prefix ends, and the last
  // answer past it (the line, the position and its column).
  mutable std::size_t ascii_line_ = std::string_view::npos, ascii_end_ = 0;
  mutable std::size_t col_line_ = std::string_view::npos, col_pos_ = 0;
  mutable int col_ = 0;
};

}  // namespace

bool read_yaml_direct(const std::string& source, TreeBuilder& b) { return DirectReader(source, b).run(); }

}  // namespace yilian::detail
