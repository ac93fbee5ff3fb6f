// The direct YAML reader (engine/src/load/yaml_direct.cpp) against libyaml:
// whatever the direct reader reads must be the tree libyaml gives, node for
// node (kind, core-schema type, style, text, line, column); whatever it
// cannot read, it declines, and parse_yaml() then gives libyaml's answer.
// Checked on every YAML file of the repository, on mutations of them, on
// generated documents, and on the corners of the syntax.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "load/yaml_tree.h"

namespace fs = std::filesystem;
using namespace yilian;
using detail::parse_yaml_with;
using detail::YamlNode;
using detail::YamlReader;

namespace yaml_direct_test {

namespace {

std::string dump(const YamlNode& n, int depth = 0) {
  std::string s(static_cast<std::size_t>(depth) * 2, ' ');
  s += std::to_string(static_cast<int>(n.kind)) + "/" + std::to_string(static_cast<int>(n.scalar)) +
       (n.plain ? " plain " : " quoted ") + std::to_string(n.line) + ":" + std::to_string(n.column) + " [" +
       std::string(n.text()) + "]\n";
  for (const YamlNode* i : n.items()) s += dump(*i, depth + 1);
  for (const auto& [k, v] : n.entries()) {
    s += dump(*k, depth + 1);
    s += dump(*v, depth + 2);
  }
  return s;
}

struct Outcome {
  bool direct = false;  ///< the direct reader read it
  bool same = true;     ///< and libyaml read it to the same tree
  std::string direct_tree, libyaml_tree;
};

Outcome compare(const std::string& text) {
  Outcome o;
  Diagnostics d1, d2;
  const auto a = parse_yaml_with(YamlReader::direct, text, "t.yaml", {}, d1);
  if (!a) return o;
  o.direct = true;
  const auto b = parse_yaml_with(YamlReader::libyaml, text, "t.yaml", {}, d2);
  o.direct_tree = dump(*a);
  o.libyaml_tree = b ? dump(*b) : "libyaml: " + d2.items().front().to_string();
  o.same = b && o.direct_tree == o.libyaml_tree;
  return o;
}

std::vector<fs::path> yaml_files() {
  std::vector<fs::path> out;
  const fs::path root = YILIAN_SOURCE_DIR;
  for (const char* dir : {"chains", "tests", "examples"})
    for (auto it = fs::recursive_directory_iterator(root / dir); it != fs::recursive_directory_iterator(); ++it) {
      if (it->is_directory() && it->path().filename() == "node_modules") {
        it.disable_recursion_pending();
        continue;
      }
      const auto ext = it->path().extension();
      if (it->is_regular_file() && (ext == ".yaml" || ext == ".yml")) out.push_back(it->path());
    }
  std::sort(out.begin(), out.end());
  return out;
}

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("load.yaml.direct.repository_files") {
  const auto files = yaml_files();
  REQUIRE(files.size() > 100);
  std::size_t direct = 0;
  for (const auto& f : files) {
    const std::string text = read_file(f);
    const Outcome o = compare(text);
    CAPTURE(f.string());
    CHECK_MESSAGE(o.same, "direct:\n" << o.direct_tree << "libyaml:\n" << o.libyaml_tree);
    direct += o.direct;
    // Every shipped chain is read directly, except where it uses what the
    // direct reader leaves to libyaml (an anchor).
    if (f.parent_path().filename() == "chains" && text.find('&') == std::string::npos) CHECK(o.direct);
  }
  MESSAGE("read directly: " << direct << " of " << files.size());
}

TEST_CASE("load.yaml.direct.mutations") {
  // Random edits of the repository's files: a mutant the direct reader
  // reads, libyaml must read to the same tree.
  const std::string pieces[] = {" ", "\n", ":", ": ", "-", "- ", "#", " #", "\"", "'", "[", "]", "{", "}", ",", "|",
                                ">", "|-", ">+", "\\", "\\n", "  ", "\n  ", "\n- ", "a", "é", "中", "''", "?", "&",
                                "*", "!", "%", "\t", "\r", "---", "0x", "1.5", "~", "null", "\\u00e9", "\\x41"};
  std::mt19937 rng(20);
  std::size_t read = 0, total = 0;
  for (const auto& f : yaml_files()) {
    const std::string text = read_file(f);
    for (int m = 0; m < 40; ++m) {
      std::string u = text;
      const int edits = 1 + static_cast<int>(rng() % 3);
      for (int j = 0; j < edits && !u.empty(); ++j) {
        const std::size_t pos = rng() % u.size();
        switch (rng() % 4) {
          case 0: u.erase(pos, 1 + rng() % 3); break;
          case 1: u.insert(pos, pieces[rng() % std::size(pieces)]); break;
          case 2: u.replace(pos, 1, pieces[rng() % std::size(pieces)]); break;
          default: {  // one space more or less before a line
            std::size_t line = u.rfind('\n', pos);
            line = line == std::string::npos ? 0 : line + 1;
            if (rng() % 2) u.insert(line, " ");
            else if (u[line] == ' ') u.erase(line, 1);
          }
        }
      }
      const Outcome o = compare(u);
      ++total;
      read += o.direct;
      if (!o.same) {
        CAPTURE(f.string());
        CAPTURE(u);
        CHECK_MESSAGE(o.same, "direct:\n" << o.direct_tree << "libyaml:\n" << o.libyaml_tree);
      }
    }
  }
  MESSAGE("mutants read directly: " << read << " of " << total);
  CHECK(read > total / 10);
}

namespace {

/// Random documents of the syntax the direct reader reads (and some it
/// does not): nested block maps and sequences at random indentations,
/// compact and indentless sequences, flow collections over lines, block
/// scalars with blank and deeper lines, quoted scalars with escapes.
class DocGenerator {
 public:
  explicit DocGenerator(unsigned seed) : rng_(seed) {}

  std::string document() {
    std::string t = r(3) ? map(0, 0) : seq(0, 0);
    if (r(2)) {
      const int edits = 1 + r(2);
      for (int j = 0; j < edits && !t.empty(); ++j) {
        const std::size_t p = static_cast<std::size_t>(r(static_cast<int>(t.size())));
        if (r(2)) t.erase(p, 1);
        else t.insert(p, r(2) ? " " : "\n");
      }
    }
    return t;
  }

 private:
  int r(int n) { return static_cast<int>(rng_() % static_cast<unsigned>(n)); }
  static std::string spaces(int n) { return std::string(static_cast<std::size_t>(std::max(0, n)), ' '); }

  std::string plain() {
    static const char* words[] = {"a", "b c", "中文", "x:y", "1", "-1", "0x1F", "true", "null", "~", "1.5e3",
                                  "a#b", "a,b", "[x]", "é", "k.v", "-x", "a b  c", "3 months", "20个工作日"};
    return words[r(static_cast<int>(std::size(words)))];
  }
  std::string quoted() {
    static const char* escapes[] = {"\\n", "\\\"", "\\\\", "\\u4e2d", "\\x41", "\\t", "\\/", "\\ ", "\\e", "\\_"};
    const bool dq = r(2) != 0;
    std::string body = plain();
    if (dq && r(2)) body += escapes[r(static_cast<int>(std::size(escapes)))];
    if (!dq && r(3) == 0) body += "''";
    return dq ? "\"" + body + "\"" : "'" + body + "'";
  }
  std::string comment() { return r(4) == 0 ? " # c" : ""; }
  std::string scalar() { return r(5) == 0 ? quoted() : plain(); }

  std::string flow(int depth) {
    const bool is_map = r(2) != 0;
    std::string s = is_map ? "{" : "[";
    const int n = r(4);
    for (int i = 0; i < n; ++i) {
      if (i) s += r(3) ? ", " : (r(2) ? ",\n      " : " ,");
      if (is_map) s += (r(4) ? plain() : quoted()) + ": ";
      s += depth < 2 && r(4) == 0 ? flow(depth + 1) : scalar();
    }
    if (n && r(5) == 0) s += ",";
    return s + (is_map ? "}" : "]");
  }

  std::string block_scalar(int indent) {
    std::string s = r(2) ? "|" : ">";
    if (const int c = r(3); c) s += c == 1 ? "-" : "+";
    s += comment() + "\n";
    const int base = indent + 1 + r(3);
    const int lines = r(5);
    for (int i = 0; i < lines; ++i) {
      const int k = r(6);
      if (k == 0) s += "\n";
      else if (k == 1) s += spaces(r(base + 3)) + "\n";
      else s += spaces(base + (k == 2 ? r(3) : 0)) + plain() + (r(5) == 0 ? " " : "") + "\n";
    }
    return s;
  }

  std::string map(int indent, int depth) {
    std::string s;
    const int n = 1 + r(3);
    for (int i = 0; i < n; ++i) {
      if (r(6) == 0) s += spaces(r(indent + 2)) + "# comment\n";
      if (r(8) == 0) s += "\n";
      s += spaces(indent) + (r(5) ? plain() : quoted()) + (r(6) == 0 ? " " : "") + ":";
      s += node(indent, depth + 1);
    }
    return s;
  }

  std::string seq(int indent, int depth) {
    std::string s;
    const int n = 1 + r(3);
    for (int i = 0; i < n; ++i) {
      s += spaces(indent) + "-";
      if (depth < 4 && r(3) == 0) s += " " + map(indent + 2, depth + 1).substr(static_cast<std::size_t>(indent) + 2);
      else s += node(indent, depth + 1);
    }
    return s;
  }

  /// What follows `key:` or `-`.
  std::string node(int indent, int depth) {
    const int k = r(depth < 4 ? 9 : 5);
    const int deeper = indent + 1 + r(3);
    switch (k) {
      case 0: return comment() + "\n";
      case 1: return " " + scalar() + comment() + "\n";
      case 2: return " " + flow(0) + comment() + "\n";
      case 3: return " " + block_scalar(indent);
      case 4: return "\n" + spaces(deeper) + scalar() + "\n";
      case 5:
      case 6: return comment() + "\n" + map(deeper, depth);
      case 7: return comment() + "\n" + seq(deeper, depth);
      default: return comment() + "\n" + seq(indent, depth);  // indentless under a key
    }
  }

  std::mt19937 rng_;
};

}  // namespace

TEST_CASE("load.yaml.direct.generated_documents") {
  std::size_t read = 0;
  const unsigned n = 20000;
  for (unsigned seed = 0; seed < n; ++seed) {
    const std::string t = DocGenerator(seed).document();
    const Outcome o = compare(t);
    read += o.direct;
    if (!o.same) {
      CAPTURE(seed);
      CAPTURE(t);
      CHECK_MESSAGE(o.same, "direct:\n" << o.direct_tree << "libyaml:\n" << o.libyaml_tree);
    }
  }
  MESSAGE("generated documents read directly: " << read << " of " << n);
  CHECK(read > n / 4);
}

TEST_CASE("load.yaml.direct.escapes") {
  // Every escape letter, with what may follow it: the direct reader gives
  // libyaml's text, or declines (an unknown escape is libyaml's error).
  for (int c = 32; c < 127; ++c)
    for (const char* tail : {"", "41", "00e9", "0001F600", "d800", "zz"}) {
      const std::string t = std::string("k: \"a\\") + static_cast<char>(c) + tail + "b\"\n";
      CAPTURE(t);
      const Outcome o = compare(t);
      CHECK_MESSAGE(o.same, "direct:\n" << o.direct_tree << "libyaml:\n" << o.libyaml_tree);
    }
}

TEST_CASE("load.yaml.direct.reads_and_declines") {
  auto reads = [](const std::string& t) {
    Diagnostics d;
    return parse_yaml_with(YamlReader::direct, t, "t.yaml", {}, d) != nullptr;
  };
  // Read: what chain files are written in.
  for (const char* t : {"a: 1\nb: [x, y]\nc: {d: e}\n", "- id: m1\n  after: [m0]\n- id: m2\n",
                        "k:\n- a\n- b\nl: 2\n", "d: |\n  line one\n  line two\n", "d: >-\n  folded\n  text\n\n",
                        "q: \"a \\\"b\\\" \\u4e2d\"\nr: 'it''s'\n", "# only a comment\n", "",
                        "when: applicant.kind in [a, b] and x > 3  # why\n", "m: [a,\n    b]\n"}) {
    CAPTURE(t);
    CHECK(reads(t));
    CHECK(compare(t).same);
  }
  // Declined: left to libyaml, which reads them or reports their error.
  for (const char* t : {"a: &x 1\nb: *x\n", "a: !!str 1\n", "%YAML 1.2\n---\na: 1\n", "---\na: 1\n",
                        "a: 1\n---\nb: 2\n", "a: plain\n  continued\n", "a: \"two\n  lines\"\n", "a:\tb\n",
                        "a: 1\r\n", "? a\n: b\n", "a: |2\n   x\n", "[a]: b\n", "a: {b: }\n", "a: [b:c]\n",
                        "a: b: c\n", "a:\n  - b\n c: d\n", "\xEF\xBB\xBF" "a: 1\n", "a: \xC3\n", "a: \"\\q\"\n"}) {
    CAPTURE(t);
    CHECK_FALSE(reads(t));
  }
}

TEST_CASE("load.yaml.direct.limits_are_libyamls") {
  // A limit stops the direct reader; parse_yaml() then reports it as
  // libyaml's run always has (the same code, message and place).
  detail::YamlLimits small;
  small.max_nodes = 10;
  small.max_depth = 3;
  small.max_string = 8;
  for (const char* t : {"a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n", "a: {b: {c: {d: 1}}}\n", "a: \"long text here\"\n",
                        "a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11\n"}) {
    CAPTURE(t);
    Diagnostics d1, d2;
    CHECK(parse_yaml_with(YamlReader::direct, t, "t.yaml", small, d1) == nullptr);
    CHECK(detail::parse_yaml(t, "t.yaml", small, d1) == nullptr);
    CHECK(parse_yaml_with(YamlReader::libyaml, t, "t.yaml", small, d2) == nullptr);
    REQUIRE(d1.size() == 1);
    REQUIRE(d2.size() == 1);
    CHECK(d1.items()[0].to_string() == d2.items()[0].to_string());
  }
}

}  // namespace yaml_direct_test
