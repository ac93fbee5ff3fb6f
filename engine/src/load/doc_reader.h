// Typed, located reading of a YamlNode tree: every check that fails adds a
// Diagnostic (file:line:column, key path, what was expected) and reading
// goes on, so one pass reports every error of a document.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "load/yaml_tree.h"
#include "yilian/chain.h"
#include "yilian/status.h"

namespace yilian::detail {

/// Words and candidates longer than this are not compared by spelling in
/// suggestions (the comparison costs the product of the two lengths); no
/// key or id of a real chain comes near it.
inline constexpr std::size_t kLongestSpelled = 256;

/// The closest candidate to `word` (Damerau–Levenshtein distance at most a
/// third of the word's length, at least 1; ties keep the first; neither
/// longer than kLongestSpelled, unless one contains the other), or "".
[[nodiscard]] std::string closest(std::string_view word, const std::vector<std::string>& candidates);

/// "did you mean `x`?" or "".
[[nodiscard]] std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

/// A key path inside a document ("matters[3].fields[0]"), written out only
/// when a diagnostic needs it: reading a valid document builds no path
/// strings. A KeyPath is its parent (by reference) and one key or list
/// index; str() gives what child_path() and item_path() would have built.
///
/// A KeyPath owns nothing: its parent, its key and the text it was made
/// from must outlive it. Pass one down into calls, or name one in a scope
/// that its parent outlives; never keep one in a data structure. A
/// temporary parent is refused at compile time.
class KeyPath {
 public:
  /// The document's top: "".
  KeyPath() = default;
  /// A path written out, e.g. "alerts.yellow_days" (implicit, so that
  /// strings and literals can be passed where a KeyPath is taken).
  KeyPath(const std::string& text) : text_(text), kind_(Kind::text) {}  // NOLINT(google-explicit-constructor)
  KeyPath(const char* text) : text_(text), kind_(Kind::text) {}         // NOLINT(google-explicit-constructor)
  /// `parent.key` (or `parent[key]` for a dotted key, `key` at the top).
  KeyPath(const KeyPath& parent, std::string_view key) : parent_(&parent), text_(key), kind_(Kind::key) {}
  /// `parent[index]`.
  KeyPath(const KeyPath& parent, std::size_t index) : parent_(&parent), index_(index), kind_(Kind::index) {}
  KeyPath(KeyPath&& parent, std::string_view key) = delete;
  KeyPath(KeyPath&& parent, std::size_t index) = delete;
  KeyPath(const KeyPath&) = default;
  KeyPath& operator=(const KeyPath&) = delete;

  /// The path as text, as messages print it.
  [[nodiscard]] std::string str() const;

 private:
  enum class Kind : unsigned char { top, text, key, index };
  void append_to(std::string& out) const;
  const KeyPath* parent_ = nullptr;
  std::string_view text_;
  std::size_t index_ = 0;
  Kind kind_ = Kind::top;
};

class DocReader {
 public:
  DocReader(std::string file, Diagnostics& diags) : file_(std::move(file)), diags_(diags) {}

  [[nodiscard]] const std::string& file() const { return file_; }
  [[nodiscard]] Diagnostics& diagnostics() { return diags_; }
  [[nodiscard]] SourceLocation at(const YamlNode& n) const { return {file_, n.line, n.column}; }

  void error(const YamlNode& n, const KeyPath& path, std::string code, std::string message,
             std::string hint = "");
  void warning(const YamlNode& n, const KeyPath& path, std::string code, std::string message,
               std::string hint = "");

  /// Checks that `n` is a map whose keys are text, unique, and among
  /// `allowed`, and that every key of `required` is present. Reports an
  /// unknown key with the closest allowed key. Returns false when `n` is not
  /// a map (nothing else is checked then).
  bool check_map(const YamlNode& n, const KeyPath& path, std::initializer_list<std::string_view> allowed,
                 std::initializer_list<std::string_view> required, std::string_view what);
  /// check_map(), also giving the value of each allowed key (its first
  /// occurrence, as YamlNode::get()) in `found`, by the key's position in
  /// `allowed`: a reader of many keys looks the map through once.
  bool check_map(const YamlNode& n, const KeyPath& path, std::span<const std::string_view> allowed,
                 std::initializer_list<std::string_view> required, std::string_view what,
                 std::span<const YamlNode*> found);
  /// Checks that `n` is a map with text keys, reporting duplicates; the keys
  /// are ids chosen by the author (departments, fields, materials).
  bool check_id_map(const YamlNode& n, const KeyPath& path, std::string_view what);
  bool check_list(const YamlNode& n, const KeyPath& path, std::string_view what);

  /// Text (a quoted or plain scalar that YAML reads as text).
  std::optional<std::string> text(const YamlNode* n, const KeyPath& path, bool allow_empty = false);
  /// Text matching an identifier pattern; `what` names the pattern in messages.
  std::optional<std::string> identifier(const YamlNode* n, const KeyPath& path, bool dotted);
  std::optional<std::int64_t> integer(const YamlNode* n, const KeyPath& path, std::int64_t min,
                                      std::int64_t max);
  std::optional<double> number(const YamlNode* n, const KeyPath& path);
  std::optional<bool> boolean(const YamlNode* n, const KeyPath& path);
  /// A list of identifiers (matter, material, department or field ids),
  /// each with its location; duplicates are reported.
  std::vector<Ref> refs(const YamlNode* n, const KeyPath& path, bool dotted);

 private:
  void add(Severity s, const YamlNode& n, const KeyPath& path, std::string code, std::string message,
           std::string hint);
  std::string file_;
  Diagnostics& diags_;
};

/// True for [a-z][a-z0-9-]* (ids of chains, matters, departments, materials).
[[nodiscard]] bool is_identifier(std::string_view s);
/// True for dotted field keys: [a-z][a-z0-9_]* ("." [a-z][a-z0-9_]*)*.
[[nodiscard]] bool is_field_key(std::string_view s);

/// "path.key" (or "key" at the top); "path[i]" for list items.
[[nodiscard]] std::string child_path(const std::string& path, std::string_view key);
[[nodiscard]] std::string item_path(const std::string& path, std::size_t index);

}  // namespace yilian::detail
