// Helpers of the BPMN unit tests: loading the fixtures and a strict little
// XML reader (well-formedness, entities, element tree) so the tests can look
// at the exported document without an XML library.
#pragma once

#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "yilian/chain.h"
#include "yilian/load.h"

namespace bpmn_test {

inline std::shared_ptr<const yilian::Chain> fixture(const std::string& name) {
  const auto r = yilian::load_chain(std::string(YILIAN_SOURCE_DIR) + "/tests/bpmn/" + name);
  for (const auto& d : r.diagnostics) INFO(d.to_string());
  REQUIRE(r.ok());
  return r.value();
}

struct Element {
  std::string name;
  std::map<std::string, std::string> attrs;
  std::vector<std::unique_ptr<Element>> children;
  std::string text;
  const Element* parent = nullptr;

  [[nodiscard]] std::string attr(const std::string& k) const {
    auto it = attrs.find(k);
    return it == attrs.end() ? "" : it->second;
  }
  /// Every element below this one (depth first, document order).
  void all(std::vector<const Element*>& out) const {
    for (const auto& c : children) {
      out.push_back(c.get());
      c->all(out);
    }
  }
};

/// Parses XML strictly: balanced tags, quoted attributes without `<`, no
/// bare `&` (only the five named entities and numeric references), no
/// duplicate attributes. Throws std::runtime_error on the first problem.
class XmlReader {
 public:
  explicit XmlReader(std::string text) : s_(std::move(text)) {}

  std::unique_ptr<Element> parse() {
    if (s_.compare(0, 5, "<?xml") == 0) pos_ = s_.find("?>") + 2;
    skip_space();
    auto root = element(nullptr);
    skip_space();
    if (pos_ != s_.size()) fail("content after the root element");
    return root;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(what + " at byte " + std::to_string(pos_));
  }
  void skip_space() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  std::string name() {
    const std::size_t start = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == ':' ||
                                s_[pos_] == '_' || s_[pos_] == '-' || s_[pos_] == '.'))
      ++pos_;
    if (start == pos_) fail("expected a name");
    return s_.substr(start, pos_ - start);
  }
  std::string decode(const std::string& raw) {
    std::string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '<') fail("raw < in text or attribute");
      if (raw[i] != '&') {
        out += raw[i];
        continue;
      }
      const std::size_t semi = raw.find(';', i);
      if (semi == std::string::npos) fail("bare &");
      const std::string ent = raw.substr(i + 1, semi - i - 1);
      static const std::map<std::string, std::string> named = {
          {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}};
      if (auto it = named.find(ent); it != named.end()) out += it->second;
      else if (!ent.empty() && ent[0] == '#') out += static_cast<char>(std::stoi(ent.substr(1)));
      else fail("unknown entity &" + ent + ";");
      i = semi;
    }
    return out;
  }
  std::unique_ptr<Element> element(const Element* parent) {
    if (s_[pos_] != '<') fail("expected <");
    ++pos_;
    auto e = std::make_unique<Element>();
    e->parent = parent;
    e->name = name();
    while (true) {
      skip_space();
      if (s_.compare(pos_, 2, "/>") == 0) {
        pos_ += 2;
        return e;
      }
      if (s_[pos_] == '>') {
        ++pos_;
        break;
      }
      const std::string k = name();
      if (s_[pos_] != '=' || s_[pos_ + 1] != '"') fail("attribute " + k + " without =\"");
      pos_ += 2;
      const std::size_t end = s_.find('"', pos_);
      if (e->attrs.count(k)) fail("duplicate attribute " + k);
      e->attrs[k] = decode(s_.substr(pos_, end - pos_));
      pos_ = end + 1;
    }
    while (true) {
      const std::size_t lt = s_.find('<', pos_);
      if (lt == std::string::npos) fail("unclosed element " + e->name);
      e->text += decode(s_.substr(pos_, lt - pos_));
      pos_ = lt;
      if (s_.compare(pos_, 2, "</") == 0) {
        pos_ += 2;
        if (name() != e->name) fail("mismatched end tag for " + e->name);
        if (s_[pos_] != '>') fail("expected >");
        ++pos_;
        return e;
      }
      e->children.push_back(element(e.get()));
    }
  }

  std::string s_;
  std::size_t pos_ = 0;
};

}  // namespace bpmn_test
