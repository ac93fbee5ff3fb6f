// Data-driven chain cases: tests/chains/invalid/*.yaml must be rejected with
// exactly the errors of their .expect file; tests/chains/valid/*.yaml must
// load and analyse to the stages and critical path of their .expect.yaml.
// Adding a case needs no C++.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "load/yaml_tree.h"
#include "yilian/analysis.h"
#include "yilian/load.h"

namespace fs = std::filesystem;
using namespace yilian;

namespace chain_corpus_test {

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<fs::path> cases(const std::string& dir, const std::string& skip_suffix = "") {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(YILIAN_SOURCE_DIR) / dir)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() == ".yaml" && (skip_suffix.empty() || !name.ends_with(skip_suffix))) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct Expectation {
  int line = 0, column = 0;
  std::string code, message, hint;
  std::string text;
};

std::vector<Expectation> read_expectations(const fs::path& p) {
  std::vector<Expectation> out;
  std::istringstream in(read_file(p));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    Expectation e;
    e.text = line;
    std::istringstream ls(line);
    std::string pos;
    ls >> pos >> e.code;
    REQUIRE_MESSAGE(std::sscanf(pos.c_str(), "%d:%d", &e.line, &e.column) == 2, "bad expectation line: " << line);
    std::string rest;
    std::getline(ls, rest);
    rest.erase(0, rest.find_first_not_of(' '));
    if (auto bar = rest.find(" | "); bar != std::string::npos) {
      e.hint = rest.substr(bar + 3);
      rest.resize(bar);
    }
    e.message = rest;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

TEST_CASE("chains.invalid.corpus") {
  const auto files = cases("tests/chains/invalid");
  CHECK(files.size() >= 30);
  for (const auto& file : files) {
    const std::string rel = "tests/chains/invalid/" + file.filename().string();
    CAPTURE(rel);
    // Overlays in the corpus extend the shipped chains.
    LoadOptions options;
    options.chain_dirs = {std::string(YILIAN_SOURCE_DIR) + "/chains"};
    const Loaded<ValidChain> r = load_chain_text(read_file(file), rel, options);
    CHECK_MESSAGE(!r.ok(), rel << " was accepted");
    fs::path expect_path = file;
    expect_path.replace_extension(".expect");
    REQUIRE_MESSAGE(fs::exists(expect_path), "missing " << expect_path.string());
    const auto expected = read_expectations(expect_path);
    CHECK_MESSAGE(!expected.empty(), rel << ": an invalid case must expect at least one error");
    std::vector<const Diagnostic*> errors;
    for (const auto& d : r.diagnostics)
      if (d.severity == Severity::error) errors.push_back(&d);
    for (const auto& e : expected) {
      const bool found = std::any_of(errors.begin(), errors.end(), [&](const Diagnostic* d) {
        return d->where.line == e.line && d->where.column == e.column && d->code == e.code &&
               d->where.file == rel && d->message.find(e.message) != std::string::npos &&
               d->hint.find(e.hint) != std::string::npos;
      });
      std::string got;
      for (const auto* d : errors) got += "\n  " + d->to_string();
      CHECK_MESSAGE(found, rel << ": expected `" << e.text << "`; got:" << got);
    }
    CHECK_MESSAGE(errors.size() == expected.size(), rel << ": " << errors.size() << " errors, expected " << expected.size());
  }
}

TEST_CASE("chains.valid.corpus") {
  const auto files = cases("tests/chains/valid", ".expect.yaml");
  for (const auto& file : files) {
    const std::string rel = "tests/chains/valid/" + file.filename().string();
    CAPTURE(rel);
    const Loaded<ValidChain> r = load_chain_text(read_file(file), rel);
    std::string diags;
    for (const auto& d : r.diagnostics) diags += "\n  " + d.to_string();
    REQUIRE_MESSAGE(r.ok(), rel << " was rejected:" << diags);
    fs::path expect_path = file;
    expect_path.replace_extension(".expect.yaml");
    REQUIRE_MESSAGE(fs::exists(expect_path), "missing " << expect_path.string());
    Diagnostics ed;
    auto root = detail::parse_yaml(read_file(expect_path), expect_path.string(), {}, ed);
    REQUIRE_MESSAGE(root != nullptr, ed.items().front().to_string());
    const Analysis a = analyse(r.value());

    std::vector<std::vector<std::string>> stages;
    for (const auto& st : root->get("stages")->items()) {
      std::vector<std::string> ids;
      for (const auto& id : st->items()) ids.emplace_back(id->text());
      std::sort(ids.begin(), ids.end());
      stages.push_back(ids);
    }
    CHECK(a.stages == stages);
    const auto* cp = root->get("critical_path");
    REQUIRE(cp != nullptr);
    std::vector<std::string> path;
    for (const auto& id : cp->get("matters")->items()) path.emplace_back(id->text());
    CHECK(a.critical_path.matters == path);
    CHECK(a.critical_path.promised_days == *cp->get("promised_days")->as_int());
    if (const auto* sd = cp->get("statutory_days")) CHECK(a.critical_path.statutory_days == *sd->as_int());
    if (const auto* s = root->get("serial_promised_days")) CHECK(a.serial_promised_days == *s->as_int());
    if (const auto* c = root->get("compression")) CHECK(a.compression == doctest::Approx(*c->as_number()).epsilon(1e-4));
  }
}

}  // namespace chain_corpus_test
