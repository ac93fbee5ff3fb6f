// The tree builder behind parse_yaml(): the arena of one document, and the
// builder that turns parse events into nodes while enforcing the limits.
// Shared by the two readers of yaml_tree.cpp: libyaml's event parser and
// the direct reader of yaml_direct.cpp. Internal to the loaders.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "load/yaml_tree.h"

namespace yilian::detail {

/// What a plain scalar means under the YAML 1.2 core schema.
YamlNode::Scalar classify_plain(std::string_view s);

/// Thrown by the builder to stop parsing at once.
struct Abort {
  SourceLocation where;
  std::string code;
  std::string message;
  std::string hint;
};

/// One parsed document: its source text, and an arena holding its nodes,
/// their item and entry arrays, and the texts that are not views into the
/// source. Nodes, arrays and views are trivially destructible, so the
/// arena frees its chunks and nothing else.
class YamlDoc {
 public:
  explicit YamlDoc(std::string source) : source_(std::move(source)) {}
  YamlDoc(const YamlDoc&) = delete;
  YamlDoc& operator=(const YamlDoc&) = delete;

  [[nodiscard]] const std::string& source() const { return source_; }

  /// Forgets every node, array and text (not the source).
  void clear() {
    chunks_.clear();
    cur_ = nullptr;
    left_ = 0;
    next_chunk_ = 16u << 10;
  }

  YamlNode* node() { return new (allocate(sizeof(YamlNode), alignof(YamlNode))) YamlNode(); }

  /// A copy of `items` in the arena.
  template <class T>
  std::span<const T> copy(const T* items, std::size_t n) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (n == 0) return {};
    T* out = static_cast<T*>(allocate(n * sizeof(T), alignof(T)));
    std::memcpy(static_cast<void*>(out), items, n * sizeof(T));
    return {out, n};
  }

  std::string_view copy(std::string_view s) {
    if (s.empty()) return {};
    char* out = static_cast<char*>(allocate(s.size(), 1));
    std::memcpy(out, s.data(), s.size());
    return {out, s.size()};
  }

 private:
  void* allocate(std::size_t bytes, std::size_t align) {
    std::size_t pad = (align - reinterpret_cast<std::uintptr_t>(cur_) % align) % align;
    if (pad + bytes > left_) {
      const std::size_t size = std::max(next_chunk_, bytes + align);
      chunks_.push_back(std::make_unique_for_overwrite<std::byte[]>(size));
      cur_ = chunks_.back().get();
      left_ = size;
      next_chunk_ = std::min<std::size_t>(next_chunk_ * 2, 1u << 20);
      pad = (align - reinterpret_cast<std::uintptr_t>(cur_) % align) % align;
    }
    std::byte* p = cur_ + pad;
    cur_ = p + bytes;
    left_ -= pad + bytes;
    return p;
  }

  std::string source_;
  std::vector<std::unique_ptr<std::byte[]>> chunks_;
  std::byte* cur_ = nullptr;
  std::size_t left_ = 0;
  std::size_t next_chunk_ = 16u << 10;
};

/// Builds the tree from parse events, enforcing the limits as it goes: the
/// same nodes and the same limit errors whichever reader sends the events.
/// Lines and columns are 1-based.
class TreeBuilder {
 public:
  TreeBuilder(const std::string& file, const YamlLimits& limits, YamlDoc& doc)
      : file_(file), limits_(limits), doc_(doc) {}

  [[nodiscard]] const YamlNode* root() const { return root_; }

  /// A scalar; `in_doc` when `value` already lives as long as the document
  /// (a view into its source), so it is not copied.
  void scalar(int line, int column, std::string_view tag, bool plain_style, std::string_view value, bool in_doc,
              std::string_view anchor) {
    if (value.size() > limits_.max_string)
      throw Abort{loc(line, column), "limit-string",
                  fmt::format("a text of {} bytes is longer than the limit of {} bytes", value.size(),
                              limits_.max_string),
                  ""};
    YamlNode* n = make(line, column);
    n->kind = YamlNode::Kind::scalar;
    n->set_text(in_doc ? value : doc_.copy(value));
    if (tag.empty() && plain_style) {
      n->plain = true;
      n->scalar = classify_plain(value);
      if (n->scalar == YamlNode::Scalar::null) n->kind = YamlNode::Kind::null;
    } else if (tag.empty() || tag == "!" || tag == "tag:yaml.org,2002:str") {
      n->plain = false;
      n->scalar = YamlNode::Scalar::string;
    } else {
      throw Abort{loc(line, column), "yaml-tag", fmt::format("the YAML tag `{}` is not supported", tag),
                  "remove the tag; quote the value if it must be text"};
    }
    count(line, column, 1);
    finish(n, anchor, 1);
  }

  void alias(int line, int column, std::string_view anchor) {
    auto it = anchors_.find(std::string(anchor));
    if (it == anchors_.end())
      throw Abort{loc(line, column), "yaml-alias",
                  fmt::format("alias `*{}` names no anchor defined before it", anchor), ""};
    count(line, column, it->second.size);
    attach(it->second.node);
  }

  void open(int line, int column, YamlNode::Kind kind, std::string_view anchor) {
    if (static_cast<int>(stack_.size()) >= limits_.max_depth)
      throw Abort{loc(line, column), "limit-depth", fmt::format("nesting deeper than {} levels", limits_.max_depth),
                  ""};
    YamlNode* n = make(line, column);
    n->kind = kind;
    count(line, column, 1);
    stack_.push_back(Frame{n, std::string(anchor), expanded_ - 1,
                           kind == YamlNode::Kind::map ? entries_.size() : items_.size(), nullptr});
  }

  void close() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    if (f.node->kind == YamlNode::Kind::map) {
      f.node->set_entries(doc_.copy(entries_.data() + f.first, entries_.size() - f.first));
      entries_.resize(f.first);
    } else {
      f.node->set_items(doc_.copy(items_.data() + f.first, items_.size() - f.first));
      items_.resize(f.first);
    }
    finish(f.node, f.anchor, expanded_ - f.expanded_at_start);
  }

 private:
  struct Frame {
    YamlNode* node;
    std::string anchor;
    std::size_t expanded_at_start;
    std::size_t first;                   ///< its first item or entry in items_ / entries_
    const YamlNode* pending_key;         ///< maps: the key waiting for its value
  };
  struct Anchored {
    const YamlNode* node;
    std::size_t size;
  };

  SourceLocation loc(int line, int column) const { return {file_, line, column}; }

  YamlNode* make(int line, int column) {
    YamlNode* n = doc_.node();
    n->line = line;
    n->column = column;
    return n;
  }

  void count(int line, int column, std::size_t n) {
    expanded_ += n;
    if (expanded_ > limits_.max_nodes)
      throw Abort{loc(line, column), "limit-nodes",
                  fmt::format("the document expands to more than {} nodes (YAML aliases included); "
                              "stopped here",
                              limits_.max_nodes),
                  "a chain file should not need deep alias nesting; write the values out"};
  }

  void finish(const YamlNode* n, std::string_view anchor, std::size_t size) {
    if (!anchor.empty()) anchors_[std::string(anchor)] = Anchored{n, size};
    attach(n);
  }

  void attach(const YamlNode* p) {
    if (stack_.empty()) {
      root_ = p;
      return;
    }
    Frame& top = stack_.back();
    if (top.node->kind == YamlNode::Kind::sequence) {
      items_.push_back(p);
    } else if (!top.pending_key) {
      top.pending_key = p;
    } else {
      entries_.push_back({top.pending_key, p});  // braces: clang 14 lacks parenthesised aggregate init
      top.pending_key = nullptr;
    }
  }

  const std::string& file_;
  const YamlLimits& limits_;
  YamlDoc& doc_;
  std::vector<Frame> stack_;
  // The items and entries of the open collections, innermost last.
  std::vector<const YamlNode*> items_;
  std::vector<YamlNode::Entry> entries_;
  std::unordered_map<std::string, Anchored> anchors_;
  std::size_t expanded_ = 0;
  const YamlNode* root_ = nullptr;
};

/// Reads `source` into `b` when it is written in the part of YAML that
/// chain files use (block and flow collections, plain, quoted and block
/// scalars, comments; see yaml_direct.cpp), giving the events libyaml
/// would give. Returns false, having sent any number of events, for
/// anything else (anchors, tags, multi-line plain or quoted scalars,
/// directives, tabs, syntax errors...): the caller then reads the source
/// with libyaml. Throws Abort when the builder reports a limit.
bool read_yaml_direct(const std::string& source, TreeBuilder& b);

}  // namespace yilian::detail
