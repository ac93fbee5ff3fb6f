// A small JSON Schema (2020-12) evaluator for tests: the keywords the form
// schema uses (type, const, enum, not, allOf, anyOf, oneOf, if/then/else,
// required, properties, additionalProperties, items, contains, uniqueItems,
// minItems, maxItems,
// minimum, maximum, exclusiveMinimum, exclusiveMaximum, minLength,
// maxLength, pattern, $ref to "#/..."). Annotations are ignored; an unknown
// keyword fails the test, so the schema cannot silently use more.
#pragma once

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <regex>
#include <set>
#include <string>

namespace yilian::test {

class MiniSchema {
 public:
  explicit MiniSchema(nlohmann::json root) : root_(std::move(root)) {}

  [[nodiscard]] bool valid(const nlohmann::json& instance) const { return check(root_, instance); }

 private:
  static std::size_t code_points(const std::string& s) {
    std::size_t n = 0;
    for (char c : s)
      if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
  }

  static bool is_type(const nlohmann::json& v, const std::string& t) {
    if (t == "object") return v.is_object();
    if (t == "array") return v.is_array();
    if (t == "string") return v.is_string();
    if (t == "boolean") return v.is_boolean();
    if (t == "null") return v.is_null();
    if (t == "number") return v.is_number();
    if (t == "integer") return v.is_number_integer() || (v.is_number_float() && v.get<double>() == static_cast<double>(static_cast<long long>(v.get<double>())));
    return false;
  }

  static bool equal(const nlohmann::json& a, const nlohmann::json& b) {
    if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
    return a == b;
  }

  const nlohmann::json& resolve(const std::string& ref) const {
    REQUIRE_MESSAGE(ref.rfind("#/", 0) == 0, ref);
    return root_.at(nlohmann::json::json_pointer(ref.substr(1)));
  }

  bool check(const nlohmann::json& s, const nlohmann::json& v) const {
    static const std::set<std::string> annotations{"$schema", "$id", "$comment", "title", "description", "format",
                                                   "readOnly"};
    if (s.is_boolean()) return s.get<bool>();
    REQUIRE(s.is_object());
    bool ok = true;
    for (const auto& [k, x] : s.items()) {
      if (annotations.count(k) || k.rfind("x-", 0) == 0) continue;
      if (k == "then" || k == "else") continue;  // with "if"
      ok = keyword(k, x, s, v) && ok;
    }
    return ok;
  }

  bool keyword(const std::string& k, const nlohmann::json& x, const nlohmann::json& s, const nlohmann::json& v) const {
    if (k == "type") return is_type(v, x.get<std::string>());
    if (k == "const") return equal(x, v);
    if (k == "enum") {
      for (const auto& e : x)
        if (equal(e, v)) return true;
      return false;
    }
    if (k == "not") return !check(x, v);
    if (k == "allOf") {
      for (const auto& sub : x)
        if (!check(sub, v)) return false;
      return true;
    }
    if (k == "anyOf") {
      for (const auto& sub : x)
        if (check(sub, v)) return true;
      return false;
    }
    if (k == "oneOf") {
      int n = 0;
      for (const auto& sub : x) n += check(sub, v) ? 1 : 0;
      return n == 1;
    }
    if (k == "if") {
      if (check(x, v)) return !s.contains("then") || check(s["then"], v);
      return !s.contains("else") || check(s["else"], v);
    }
    if (k == "$ref") return check(resolve(x.get<std::string>()), v);
    if (k == "required") {
      if (!v.is_object()) return true;
      for (const auto& r : x)
        if (!v.contains(r.get<std::string>())) return false;
      return true;
    }
    if (k == "properties") {
      if (!v.is_object()) return true;
      for (const auto& [name, sub] : x.items())
        if (v.contains(name) && !check(sub, v[name])) return false;
      return true;
    }
    if (k == "additionalProperties") {
      if (!v.is_object()) return true;
      for (const auto& [name, val] : v.items())
        if (!(s.contains("properties") && s["properties"].contains(name)) && !check(x, val)) return false;
      return true;
    }
    if (k == "items") {
      if (!v.is_array()) return true;
      for (const auto& e : v)
        if (!check(x, e)) return false;
      return true;
    }
    if (k == "contains") {
      if (!v.is_array()) return true;
      for (const auto& e : v)
        if (check(x, e)) return true;
      return false;
    }
    if (k == "uniqueItems") {
      if (!v.is_array() || !x.get<bool>()) return true;
      std::set<std::string> seen;
      for (const auto& e : v)
        if (!seen.insert(e.dump()).second) return false;
      return true;
    }
    if (k == "minimum") return !v.is_number() || v.get<double>() >= x.get<double>();
    if (k == "maximum") return !v.is_number() || v.get<double>() <= x.get<double>();
    if (k == "exclusiveMinimum") return !v.is_number() || v.get<double>() > x.get<double>();
    if (k == "exclusiveMaximum") return !v.is_number() || v.get<double>() < x.get<double>();
    if (k == "minItems") return !v.is_array() || v.size() >= x.get<std::size_t>();
    if (k == "maxItems") return !v.is_array() || v.size() <= x.get<std::size_t>();
    if (k == "minLength") return !v.is_string() || code_points(v.get<std::string>()) >= x.get<std::size_t>();
    if (k == "maxLength") return !v.is_string() || code_points(v.get<std::string>()) <= x.get<std::size_t>();
    if (k == "pattern") {
      if (!v.is_string()) return true;
      const std::regex re(x.get<std::string>(), std::regex::ECMAScript);
      return std::regex_search(v.get<std::string>(), re);
    }
    FAIL("the mini evaluator does not know the keyword `" << k << "`");
    return false;
  }

  nlohmann::json root_;
};

}  // namespace yilian::test
