#include "load/yaml_tree.h"

#include <fmt/format.h>
#include <yaml.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <unordered_map>

namespace yilian::detail {
namespace {

// The YAML 1.2 core schema's integers: [-+]?[0-9]+, 0o[0-7]+, 0x[0-9a-fA-F]+.
// Octal and hexadecimal count too: JSON Schema tools (and editors) read
// `0x1F` as the number 31, so the loader must not take it for text.
bool is_radix_digit(char c, int base) {
  if (base == 8) return c >= '0' && c <= '7';
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/// 8 or 16 for the core schema's `0o` and `0x` integers, 10 otherwise.
int int_base(std::string_view s) {
  if (s.size() > 2 && s[0] == '0' && s[1] == 'o') return 8;
  if (s.size() > 2 && s[0] == '0' && s[1] == 'x') return 16;
  return 10;
}

bool matches_int(std::string_view s) {
  if (const int base = int_base(s); base != 10) {
    for (std::size_t i = 2; i < s.size(); ++i)
      if (!is_radix_digit(s[i], base)) return false;
    return true;
  }
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

bool matches_float(std::string_view s) {
  static const std::regex re(
      R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))");
  return std::regex_match(s.begin(), s.end(), re);
}

YamlNode::Scalar classify_plain(std::string_view s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return YamlNode::Scalar::null;
  if (s == "true" || s == "True" || s == "TRUE" || s == "false" || s == "False" || s == "FALSE")
    return YamlNode::Scalar::boolean;
  if (matches_int(s)) return YamlNode::Scalar::integer;
  // Cheap pre-check before the regular expression: floats start with a
  // sign, a digit or a dot.
  const char c = s.front();
  if ((c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9')) && matches_float(s))
    return YamlNode::Scalar::number;
  return YamlNode::Scalar::string;
}

/// Thrown by the builder to stop parsing at once.
struct Abort {
  SourceLocation where;
  std::string code;
  std::string message;
  std::string hint;
};

/// Builds the tree from libyaml's events, enforcing the limits as it goes.
class TreeBuilder {
 public:
  TreeBuilder(std::string file, const YamlLimits& limits) : file_(std::move(file)), limits_(limits) {}

  YamlPtr root() const { return root_; }

  /// Handles one event; false at the end of the document.
  void on(const yaml_event_t& e) {
    const yaml_mark_t& mark = e.start_mark;
    switch (e.type) {
      case YAML_SCALAR_EVENT:
        scalar(mark, e.data.scalar.tag, e.data.scalar.style,
               std::string_view(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length),
               e.data.scalar.anchor);
        break;
      case YAML_ALIAS_EVENT: alias(mark, e.data.alias.anchor); break;
      case YAML_SEQUENCE_START_EVENT: open(mark, YamlNode::Kind::sequence, e.data.sequence_start.anchor); break;
      case YAML_MAPPING_START_EVENT: open(mark, YamlNode::Kind::map, e.data.mapping_start.anchor); break;
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT: close(); break;
      default: break;
    }
  }

 private:
  struct Frame {
    std::shared_ptr<YamlNode> node;
    std::string anchor;
    std::size_t expanded_at_start;
    YamlPtr pending_key;  // maps: the key waiting for its value
  };
  struct Anchored {
    YamlPtr node;
    std::size_t size;
  };

  static std::string text_of(const yaml_char_t* s) { return s ? reinterpret_cast<const char*>(s) : ""; }

  SourceLocation loc(const yaml_mark_t& m) const {
    return {file_, static_cast<int>(m.line) + 1, static_cast<int>(m.column) + 1};
  }

  std::shared_ptr<YamlNode> make(const yaml_mark_t& m) const {
    auto n = std::make_shared<YamlNode>();
    n->line = static_cast<int>(m.line) + 1;
    n->column = static_cast<int>(m.column) + 1;
    return n;
  }

  void count(const yaml_mark_t& mark, std::size_t n) {
    expanded_ += n;
    if (expanded_ > limits_.max_nodes)
      throw Abort{loc(mark), "limit-nodes",
                  fmt::format("the document expands to more than {} nodes (YAML aliases included); "
                              "stopped here",
                              limits_.max_nodes),
                  "a chain file should not need deep alias nesting; write the values out"};
  }

  void scalar(const yaml_mark_t& mark, const yaml_char_t* tag_p, yaml_scalar_style_t style, std::string_view value,
              const yaml_char_t* anchor) {
    if (value.size() > limits_.max_string)
      throw Abort{loc(mark), "limit-string",
                  fmt::format("a text of {} bytes is longer than the limit of {} bytes", value.size(),
                              limits_.max_string),
                  ""};
    const std::string tag = text_of(tag_p);
    auto n = make(mark);
    n->kind = YamlNode::Kind::scalar;
    n->text = std::string(value);
    if (tag.empty() && style == YAML_PLAIN_SCALAR_STYLE) {
      n->plain = true;
      n->scalar = classify_plain(value);
      if (n->scalar == YamlNode::Scalar::null) n->kind = YamlNode::Kind::null;
    } else if (tag.empty() || tag == "!" || tag == "tag:yaml.org,2002:str") {
      n->plain = false;
      n->scalar = YamlNode::Scalar::string;
    } else {
      throw Abort{loc(mark), "yaml-tag", fmt::format("the YAML tag `{}` is not supported", tag),
                  "remove the tag; quote the value if it must be text"};
    }
    count(mark, 1);
    finish(std::move(n), text_of(anchor), 1);
  }

  void alias(const yaml_mark_t& mark, const yaml_char_t* anchor) {
    auto it = anchors_.find(text_of(anchor));
    if (it == anchors_.end())
      throw Abort{loc(mark), "yaml-alias", fmt::format("alias `*{}` names no anchor defined before it", text_of(anchor)),
                  ""};
    count(mark, it->second.size);
    attach(it->second.node);
  }

  void open(const yaml_mark_t& mark, YamlNode::Kind kind, const yaml_char_t* anchor) {
    if (static_cast<int>(stack_.size()) >= limits_.max_depth)
      throw Abort{loc(mark), "limit-depth", fmt::format("nesting deeper than {} levels", limits_.max_depth), ""};
    auto n = make(mark);
    n->kind = kind;
    count(mark, 1);
    stack_.push_back(Frame{std::move(n), text_of(anchor), expanded_ - 1, nullptr});
  }

  void close() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    finish(std::move(f.node), f.anchor, expanded_ - f.expanded_at_start);
  }

  void finish(std::shared_ptr<YamlNode> n, const std::string& anchor, std::size_t size) {
    YamlPtr p = std::move(n);
    if (!anchor.empty()) anchors_[anchor] = Anchored{p, size};
    attach(std::move(p));
  }

  void attach(YamlPtr p) {
    if (stack_.empty()) {
      root_ = std::move(p);
      return;
    }
    Frame& top = stack_.back();
    if (top.node->kind == YamlNode::Kind::sequence) {
      top.node->items.push_back(std::move(p));
    } else if (!top.pending_key) {
      top.pending_key = std::move(p);
    } else {
      top.node->entries.emplace_back(std::move(top.pending_key), std::move(p));
      top.pending_key = nullptr;
    }
  }

  std::string file_;
  const YamlLimits& limits_;
  std::vector<Frame> stack_;
  std::unordered_map<std::string, Anchored> anchors_;
  std::size_t expanded_ = 0;
  YamlPtr root_;
};

/// Owns a libyaml parser for one input.
class Parser {
 public:
  explicit Parser(std::string_view text) {
    yaml_parser_initialize(&p_);
    yaml_parser_set_input_string(&p_, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  }
  ~Parser() { yaml_parser_delete(&p_); }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  /// The next event (owned by the caller until released), or an error.
  bool next(yaml_event_t& e) { return yaml_parser_parse(&p_, &e) == 1; }
  const yaml_parser_t& state() const { return p_; }

 private:
  yaml_parser_t p_{};
};

/// Frees a libyaml event at scope exit.
struct EventGuard {
  yaml_event_t& e;
  ~EventGuard() { yaml_event_delete(&e); }
};

}  // namespace

const YamlNode* YamlNode::get(std::string_view k) const {
  for (const auto& [key, value] : entries)
    if (key->kind == Kind::scalar && key->text == k) return value.get();
  return nullptr;
}

std::string YamlNode::describe() const {
  switch (kind) {
    case Kind::null: return "nothing (null)";
    case Kind::sequence: return "a list";
    case Kind::map: return "a map";
    case Kind::scalar: break;
  }
  switch (scalar) {
    case Scalar::boolean: return fmt::format("the boolean {}", text);
    case Scalar::integer:
    case Scalar::number: return fmt::format("the number {}", text);
    default: return fmt::format("the text \"{}\"", text.size() > 40 ? text.substr(0, 40) + "…" : text);
  }
}

std::optional<std::int64_t> YamlNode::as_int() const {
  if (kind != Kind::scalar || scalar != Scalar::integer) return std::nullopt;
  std::int64_t v = 0;
  const char* b = text.data();
  const int base = int_base(text);
  if (base != 10) b += 2;
  else if (*b == '+') ++b;
  auto [p, ec] = std::from_chars(b, text.data() + text.size(), v, base);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<double> YamlNode::as_number() const {
  if (kind != Kind::scalar) return std::nullopt;
  if (scalar == Scalar::integer) {
    if (auto i = as_int()) return static_cast<double>(*i);
    return std::nullopt;
  }
  if (scalar != Scalar::number) return std::nullopt;
  try {
    double d = std::stod(text);
    if (!std::isfinite(d)) return std::nullopt;
    return d;
  } catch (...) {
    return std::nullopt;
  }
}

YamlPtr parse_yaml(std::string_view text, const std::string& file, const YamlLimits& limits,
                   Diagnostics& diags) {
  if (text.size() > limits.max_bytes) {
    diags.add({Severity::error, "limit-size",
               fmt::format("input of {} bytes is larger than the limit of {} bytes", text.size(),
                           limits.max_bytes),
               {file, 0, 0}, "", ""});
    return nullptr;
  }
  Parser parser(text);
  TreeBuilder builder(file, limits);
  int documents = 0;
  try {
    for (;;) {
      yaml_event_t e;
      if (!parser.next(e)) {
        const yaml_parser_t& st = parser.state();
        std::string message = st.problem ? st.problem : "malformed YAML";
        if (st.context) message = fmt::format("{} {}", st.context, message);
        diags.add({Severity::error, "yaml-syntax", message,
                   {file, static_cast<int>(st.problem_mark.line) + 1, static_cast<int>(st.problem_mark.column) + 1},
                   "", ""});
        return nullptr;
      }
      EventGuard guard{e};
      if (e.type == YAML_STREAM_END_EVENT) break;
      if (e.type == YAML_DOCUMENT_START_EVENT && ++documents > 1) {
        diags.add({Severity::error, "yaml-documents", "more than one YAML document (`---`); a file holds one document",
                   {file, static_cast<int>(e.start_mark.line) + 1, static_cast<int>(e.start_mark.column) + 1}, "",
                   "remove the second `---`"});
        return nullptr;
      }
      builder.on(e);
    }
  } catch (const Abort& a) {
    diags.add({Severity::error, a.code, a.message, a.where, "", a.hint});
    return nullptr;
  }
  YamlPtr r = builder.root();
  return r ? r : std::make_shared<YamlNode>();
}

YamlPtr parse_yaml_file(const std::string& path, const YamlLimits& limits, Diagnostics& diags) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    diags.add({Severity::error, "io", fmt::format("cannot read: {}", ec.message()), {path, 0, 0}, "", ""});
    return nullptr;
  }
  if (size > limits.max_bytes) {
    diags.add({Severity::error, "limit-size",
               fmt::format("file of {} bytes is larger than the limit of {} bytes", size,
                           limits.max_bytes),
               {path, 0, 0}, "", ""});
    return nullptr;
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    diags.add({Severity::error, "io", "cannot open the file", {path, 0, 0}, "", ""});
    return nullptr;
  }
  std::string text(static_cast<std::size_t>(size), '\0');
  f.read(text.data(), static_cast<std::streamsize>(size));
  text.resize(static_cast<std::size_t>(f.gcount()));
  return parse_yaml(text, path, limits, diags);
}

}  // namespace yilian::detail
