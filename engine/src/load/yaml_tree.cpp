#include "load/yaml_tree.h"

#include "load/yaml_build.h"

#include <fmt/format.h>
#include <yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <type_traits>
#include <unordered_map>

#include "yilian/load.h"

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

}  // namespace

YamlNode::Scalar classify_plain(std::string_view s) {
  if (s.empty()) return YamlNode::Scalar::null;
  // Most plain scalars are ids and words: text at their first character.
  switch (s.front()) {
    case '~': case 'n': case 'N': case 't': case 'T': case 'f': case 'F': case '-': case '+': case '.':
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
      break;
    default: return YamlNode::Scalar::string;
  }
  if (s == "~" || s == "null" || s == "Null" || s == "NULL") return YamlNode::Scalar::null;
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

namespace {

/// Feeds one libyaml event to the builder.
void feed(TreeBuilder& b, const yaml_event_t& e) {
  const int line = static_cast<int>(e.start_mark.line) + 1;
  const int column = static_cast<int>(e.start_mark.column) + 1;
  auto text = [](const yaml_char_t* s) {
    return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view();
  };
  switch (e.type) {
    case YAML_SCALAR_EVENT:
      b.scalar(line, column, text(e.data.scalar.tag), e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE,
               std::string_view(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length), false,
               text(e.data.scalar.anchor));
      break;
    case YAML_ALIAS_EVENT: b.alias(line, column, text(e.data.alias.anchor)); break;
    case YAML_SEQUENCE_START_EVENT:
      b.open(line, column, YamlNode::Kind::sequence, text(e.data.sequence_start.anchor));
      break;
    case YAML_MAPPING_START_EVENT: b.open(line, column, YamlNode::Kind::map, text(e.data.mapping_start.anchor)); break;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: b.close(); break;
    default: break;
  }
}

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

std::string YamlNode::describe() const {
  switch (kind) {
    case Kind::null: return "nothing (null)";
    case Kind::sequence: return "a list";
    case Kind::map: return "a map";
    case Kind::scalar: break;
  }
  switch (scalar) {
    case Scalar::boolean: return fmt::format("the boolean {}", text());
    case Scalar::integer:
    case Scalar::number: return fmt::format("the number {}", text());
    default: {
      const std::string_view t = text();
      return fmt::format("the text \"{}\"", t.size() > 40 ? std::string(t.substr(0, 40)) + "…" : std::string(t));
    }
  }
}

std::optional<std::int64_t> YamlNode::as_int() const {
  if (kind != Kind::scalar || scalar != Scalar::integer) return std::nullopt;
  std::int64_t v = 0;
  const std::string_view t = text();
  const char* b = t.data();
  const int base = int_base(t);
  if (base != 10) b += 2;
  else if (*b == '+') ++b;
  auto [p, ec] = std::from_chars(b, t.data() + t.size(), v, base);
  if (ec != std::errc() || p != t.data() + t.size()) return std::nullopt;
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
    double d = std::stod(std::string(text()));
    if (!std::isfinite(d)) return std::nullopt;
    return d;
  } catch (...) {
    return std::nullopt;
  }
}

namespace {

/// Parses the document's source with libyaml into its arena.
YamlPtr parse_libyaml(std::shared_ptr<YamlDoc> doc, const std::string& file, const YamlLimits& limits,
                      Diagnostics& diags) {
  Parser parser(doc->source());
  TreeBuilder builder(file, limits, *doc);
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
      feed(builder, e);
    }
  } catch (const Abort& a) {
    diags.add({Severity::error, a.code, a.message, a.where, "", a.hint});
    return nullptr;
  }
  const YamlNode* root = builder.root();
  if (!root) return std::make_shared<YamlNode>();
  return YamlPtr(std::move(doc), root);
}

/// The direct reader's tree, or null when it declines the source (or a
/// limit stops it: libyaml then reports the limit, or the syntax error it
/// meets first, exactly as it always has).
YamlPtr parse_direct(const std::shared_ptr<YamlDoc>& doc, const std::string& file, const YamlLimits& limits) {
  TreeBuilder builder(file, limits, *doc);
  bool read = false;
  try {
    read = read_yaml_direct(doc->source(), builder);
  } catch (const Abort&) {
    read = false;
  }
  if (!read) {
    doc->clear();
    return nullptr;
  }
  const YamlNode* root = builder.root();
  if (!root) return std::make_shared<YamlNode>();
  return YamlPtr(doc, root);
}

/// The direct reader when it reads the source, otherwise libyaml.
YamlPtr parse_doc(std::shared_ptr<YamlDoc> doc, const std::string& file, const YamlLimits& limits,
                  Diagnostics& diags) {
  if (YamlPtr r = parse_direct(doc, file, limits)) return r;
  return parse_libyaml(std::move(doc), file, limits, diags);
}

}  // namespace

YamlLimits limits_of(const LoadOptions& o) {
  return {o.max_file_bytes, o.max_depth, o.max_nodes, o.max_string_bytes};
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
  return parse_doc(std::make_shared<YamlDoc>(std::string(text)), file, limits, diags);
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
  // A file that grew between the size check and the read is checked again.
  if (text.size() > limits.max_bytes) return parse_yaml(text, path, limits, diags);
  return parse_doc(std::make_shared<YamlDoc>(std::move(text)), path, limits, diags);
}

YamlPtr parse_yaml_with(YamlReader reader, std::string_view text, const std::string& file, const YamlLimits& limits,
                        Diagnostics& diags) {
  auto doc = std::make_shared<YamlDoc>(std::string(text));
  if (reader == YamlReader::libyaml) return parse_libyaml(std::move(doc), file, limits, diags);
  return parse_direct(doc, file, limits);
}

}  // namespace yilian::detail
