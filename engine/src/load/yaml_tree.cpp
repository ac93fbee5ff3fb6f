#include "load/yaml_tree.h"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

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

/// Thrown inside the event handler to stop parsing at once.
struct Abort {
  SourceLocation where;
  std::string code;
  std::string message;
  std::string hint;
};

class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(std::string file, const YamlLimits& limits) : file_(std::move(file)), limits_(limits) {}

  YamlPtr root() const { return root_; }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto n = make(mark);
    n->kind = YamlNode::Kind::null;
    count(mark, 1);
    finish(std::move(n), anchor, 1);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end())
      throw Abort{loc(mark), "yaml-alias", "alias to an unknown anchor", ""};
    count(mark, it->second.size);
    attach(it->second.node, mark);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    if (value.size() > limits_.max_string)
      throw Abort{loc(mark), "limit-string",
                  fmt::format("a text of {} bytes is longer than the limit of {} bytes", value.size(),
                              limits_.max_string),
                  ""};
    auto n = make(mark);
    n->kind = YamlNode::Kind::scalar;
    n->text = value;
    if (tag == "?") {
      n->plain = true;
      n->scalar = classify_plain(value);
      if (n->scalar == YamlNode::Scalar::null) n->kind = YamlNode::Kind::null;
    } else if (tag == "!" || tag == "tag:yaml.org,2002:str") {
      n->plain = false;
      n->scalar = YamlNode::Scalar::string;
    } else {
      throw Abort{loc(mark), "yaml-tag", fmt::format("the YAML tag `{}` is not supported", tag),
                  "remove the tag; quote the value if it must be text"};
    }
    count(mark, 1);
    finish(std::move(n), anchor, 1);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, YamlNode::Kind::sequence, anchor);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, YamlNode::Kind::map, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Frame {
    std::shared_ptr<YamlNode> node;
    YAML::anchor_t anchor;
    std::size_t expanded_at_start;
    YamlPtr pending_key;  // maps: the key waiting for its value
  };
  struct Anchored {
    YamlPtr node;
    std::size_t size;
  };

  SourceLocation loc(const YAML::Mark& m) const { return {file_, m.line + 1, m.column + 1}; }

  std::shared_ptr<YamlNode> make(const YAML::Mark& m) const {
    auto n = std::make_shared<YamlNode>();
    n->line = m.line + 1;
    n->column = m.column + 1;
    return n;
  }

  void count(const YAML::Mark& mark, std::size_t n) {
    expanded_ += n;
    if (expanded_ > limits_.max_nodes)
      throw Abort{loc(mark), "limit-nodes",
                  fmt::format("the document expands to more than {} nodes (YAML aliases included); "
                              "stopped here",
                              limits_.max_nodes),
                  "a chain file should not need deep alias nesting; write the values out"};
  }

  void open(const YAML::Mark& mark, YamlNode::Kind kind, YAML::anchor_t anchor) {
    if (static_cast<int>(stack_.size()) >= limits_.max_depth)
      throw Abort{loc(mark), "limit-depth",
                  fmt::format("nesting deeper than {} levels", limits_.max_depth), ""};
    auto n = make(mark);
    n->kind = kind;
    count(mark, 1);
    stack_.push_back(Frame{std::move(n), anchor, expanded_ - 1, nullptr});
  }

  void close() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    finish(std::move(f.node), f.anchor, expanded_ - f.expanded_at_start);
  }

  void finish(std::shared_ptr<YamlNode> n, YAML::anchor_t anchor, std::size_t size) {
    YamlPtr p = std::move(n);
    if (anchor != YAML::NullAnchor) anchors_[anchor] = Anchored{p, size};
    attach(p, {});
  }

  void attach(YamlPtr p, const YAML::Mark&) {
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
  std::unordered_map<YAML::anchor_t, Anchored> anchors_;
  std::size_t expanded_ = 0;
  YamlPtr root_;
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
  std::istringstream in{std::string(text)};
  TreeBuilder builder(file, limits);
  try {
    YAML::Parser parser(in);
    if (!parser.HandleNextDocument(builder)) return std::make_shared<YamlNode>();
    TreeBuilder second(file, limits);
    if (parser.HandleNextDocument(second)) {
      const YamlPtr r = second.root();
      diags.add({Severity::error, "yaml-documents",
                 "more than one YAML document (`---`); a file holds one document",
                 {file, r ? r->line : 0, r ? r->column : 0}, "", "remove the second `---`"});
      return nullptr;
    }
  } catch (const Abort& a) {
    diags.add({Severity::error, a.code, a.message, a.where, "", a.hint});
    return nullptr;
  } catch (const YAML::Exception& e) {
    diags.add({Severity::error, "yaml-syntax", e.msg, {file, e.mark.line + 1, e.mark.column + 1}, "",
               ""});
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
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return parse_yaml(text, path, limits, diags);
}

}  // namespace yilian::detail
