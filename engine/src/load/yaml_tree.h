// A located YAML tree for every YAML input of yilian (chains, calendars,
// applications, deployments, scenarios).
//
// Built from parse events (see docs/architecture.md for why not yaml-cpp):
// those of a direct reader for the YAML that chain files are written in
// (yaml_direct.cpp), and of libyaml's event parser for anything else and
// for every syntax error, so that
// (1) every node, keys included, carries its line and column,
// (2) duplicate keys are kept and can be reported,
// (3) the input limits (size, nesting depth, alias expansion, string
//     length) are enforced while parsing, before anything large is built:
//     a "billion laughs" document fails at the first alias that would push
//     the expanded size past the limit.
// Scalars are typed with the YAML 1.2 core schema (the one JSON Schema
// tools apply): only plain scalars can be null, booleans or numbers.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "yilian/status.h"

namespace yilian {
struct LoadOptions;
}

namespace yilian::detail {

struct YamlLimits {
  std::size_t max_bytes = 4u << 20;      ///< input size
  int max_depth = 32;                    ///< nesting of maps and sequences
  std::size_t max_nodes = 200'000;       ///< nodes after alias expansion
  std::size_t max_string = 64u << 10;    ///< bytes in one scalar
};

/// The limits a caller's LoadOptions (load.h) set, for every YAML input
/// that takes them: chains, applications, form values, deployments,
/// scenarios.
[[nodiscard]] YamlLimits limits_of(const LoadOptions& options);

struct YamlNode;
/// A parsed document's root. The nodes live in one arena that this pointer
/// keeps alive (the aliasing form of shared_ptr): every node reached from
/// the root, and every text, is valid as long as a copy of it is held.
using YamlPtr = std::shared_ptr<const YamlNode>;

struct YamlNode {
  enum class Kind : unsigned char { null, scalar, sequence, map };
  /// What a scalar means under the YAML 1.2 core schema.
  enum class Scalar : unsigned char { null, boolean, integer, number, string };
  /// A map entry: key and value (an aggregate, so that arrays of them copy
  /// as bytes; `auto [k, v]` reads one).
  struct Entry {
    const YamlNode* first;
    const YamlNode* second;
  };

  int line = 0, column = 0;              ///< 1-based
  Kind kind = Kind::null;
  Scalar scalar = Scalar::null;
  bool plain = true;                     ///< false for quoted or block scalars

  /// The scalar's text as written (unquoted), in the document's arena;
  /// empty for a collection.
  [[nodiscard]] std::string_view text() const {
    return collection() ? std::string_view() : std::string_view(static_cast<const char*>(data_), size_);
  }
  /// A sequence's items; empty for anything else.
  [[nodiscard]] std::span<const YamlNode* const> items() const {
    if (kind != Kind::sequence) return {};
    return {static_cast<const YamlNode* const*>(data_), size_};
  }
  /// A map's entries, in order, duplicates kept; empty for anything else.
  [[nodiscard]] std::span<const Entry> entries() const {
    if (kind != Kind::map) return {};
    return {static_cast<const Entry*>(data_), size_};
  }

  [[nodiscard]] bool is_map() const { return kind == Kind::map; }
  [[nodiscard]] bool is_sequence() const { return kind == Kind::sequence; }
  [[nodiscard]] bool is_null() const { return kind == Kind::null; }
  [[nodiscard]] bool is_string() const { return kind == Kind::scalar && scalar == Scalar::string; }
  /// The value of key `k` in a map (the first one), or nullptr.
  [[nodiscard]] const YamlNode* get(std::string_view k) const {
    // Readers ask for every key they know of: most keys differ in length
    // or first letter, and are told apart without a comparison call.
    for (const Entry& e : entries()) {
      const YamlNode& key = *e.first;
      if (key.kind == Kind::scalar && key.size_ == k.size() && (k.empty() || key.first_char() == k[0]) &&
          key.text() == k)
        return e.second;
    }
    return nullptr;
  }
  /// A short description for messages: "a map", "a list", "the number 3", "text".
  [[nodiscard]] std::string describe() const;
  [[nodiscard]] bool as_bool() const { return text() == "true" || text() == "True" || text() == "TRUE"; }
  [[nodiscard]] std::optional<std::int64_t> as_int() const;
  [[nodiscard]] std::optional<double> as_number() const;

  // For the tree builder: what the node holds (24 bytes a node; a chain of
  // 10,000 matters has some 300,000).
  void set_text(std::string_view t) {
    data_ = t.data();
    size_ = static_cast<std::uint32_t>(t.size());
  }
  void set_items(std::span<const YamlNode* const> items) {
    data_ = items.data();
    size_ = static_cast<std::uint32_t>(items.size());
  }
  void set_entries(std::span<const Entry> entries) {
    data_ = entries.data();
    size_ = static_cast<std::uint32_t>(entries.size());
  }

 private:
  [[nodiscard]] bool collection() const { return kind == Kind::sequence || kind == Kind::map; }
  [[nodiscard]] char first_char() const { return static_cast<const char*>(data_)[0]; }

  const void* data_ = nullptr;  ///< the text, the item pointers or the entries
  std::uint32_t size_ = 0;      ///< their count
};

/// Parses one YAML document. On failure, adds located errors to `diags`
/// (file name `file`) and returns nullptr. An empty document is a null node.
YamlPtr parse_yaml(std::string_view text, const std::string& file, const YamlLimits& limits,
                   Diagnostics& diags);

/// Reads and parses a file, checking its size before reading it.
YamlPtr parse_yaml_file(const std::string& path, const YamlLimits& limits, Diagnostics& diags);

/// For tests that compare the two readers parse_yaml() uses: the direct
/// reader (for the YAML chain files are written in; null when it declines
/// the input or a limit stops it) and libyaml's event parser (any YAML, and
/// every syntax error, located).
enum class YamlReader { direct, libyaml };
YamlPtr parse_yaml_with(YamlReader reader, std::string_view text, const std::string& file, const YamlLimits& limits,
                        Diagnostics& diags);

}  // namespace yilian::detail
