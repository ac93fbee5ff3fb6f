// The YAML reader types scalars as JSON Schema tools and editors do (YAML 1.2
// core schema), so the schema and the loader see the same values.
#include <doctest/doctest.h>

#include "load/yaml_tree.h"

namespace yaml_core_schema_test {

namespace {
using yilian::detail::YamlNode;

YamlNode::Scalar scalar_of(const char* value, std::optional<std::int64_t>* as_int = nullptr) {
  yilian::Diagnostics diags;
  auto root = yilian::detail::parse_yaml(std::string("k: ") + value, "t.yaml", {}, diags);
  REQUIRE(root);
  const YamlNode* n = root->get("k");
  REQUIRE(n);
  if (as_int) *as_int = n->as_int();
  return n->scalar;
}
}  // namespace

TEST_CASE("load.yaml.core_schema.hex_and_octal_are_integers") {
  std::optional<std::int64_t> v;
  CHECK(scalar_of("0x1F", &v) == YamlNode::Scalar::integer);
  CHECK(v == 31);
  CHECK(scalar_of("0o17", &v) == YamlNode::Scalar::integer);
  CHECK(v == 15);
  CHECK(scalar_of("+12", &v) == YamlNode::Scalar::integer);
  CHECK(v == 12);
  // Not integers under the core schema: no sign before 0x, no digits, bad digits.
  CHECK(scalar_of("-0x1F") == YamlNode::Scalar::string);
  CHECK(scalar_of("0x") == YamlNode::Scalar::string);
  CHECK(scalar_of("0o8") == YamlNode::Scalar::string);
  CHECK(scalar_of("0X1F") == YamlNode::Scalar::string);
  CHECK(scalar_of("\"0x1F\"") == YamlNode::Scalar::string);
}

TEST_CASE("load.yaml.core_schema.booleans_are_only_true_and_false") {
  CHECK(scalar_of("True") == YamlNode::Scalar::boolean);
  CHECK(scalar_of("yes") == YamlNode::Scalar::string);
  CHECK(scalar_of("17:00") == YamlNode::Scalar::string);
  CHECK(scalar_of("1e6") == YamlNode::Scalar::number);
}

}  // namespace yaml_core_schema_test
