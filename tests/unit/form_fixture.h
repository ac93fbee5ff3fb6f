// Small chains written inline for the form tests.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "yilian/load.h"

namespace yilian::test {

/// A chain with departments `a` (lead) and `b`, the given `fields:` and
/// `materials:` blocks (indented two spaces, may be empty) and `matters:` block.
inline std::string chain_text(const std::string& fields, const std::string& matters,
                              const std::string& materials = "") {
  std::string s =
      "id: fixture\nversion: 1\nname: 测试链条\nlead: a\npromised_days: 30\n"
      "departments:\n  a: { name: 甲局 }\n  b: { name: 乙局 }\n";
  if (!fields.empty()) s += "fields:\n" + fields;
  if (!materials.empty()) s += "materials:\n" + materials;
  return s + "matters:\n" + matters;
}

/// Parses without validating (for chains with conflicts), index built.
inline std::shared_ptr<Chain> parse_only(const std::string& text) {
  Loaded<std::shared_ptr<Chain>> r = parse_chain_text(text, "fixture.yaml");
  for (const auto& d : r.diagnostics)
    if (d.severity == Severity::error) MESSAGE(d.to_string());
  REQUIRE(!r.diagnostics.has_errors());
  return r.value();
}

/// Loads and validates; the test fails on an error.
inline ValidChain load_ok(const std::string& text) {
  Loaded<ValidChain> r = load_chain_text(text, "fixture.yaml");
  for (const auto& d : r.diagnostics)
    if (d.severity == Severity::error) MESSAGE(d.to_string());
  REQUIRE(r.ok());
  return r.value();
}

}  // namespace yilian::test
