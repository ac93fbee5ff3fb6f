// Form values from YAML or JSON: an application's `fields`, a flat map of
// dotted keys, or nested maps (process variables), typed against a chain.
#include <fmt/format.h>

#include <algorithm>

#include "load/doc_reader.h"
#include "load/yaml_tree.h"
#include "yilian/field_values.h"

namespace yilian {
namespace {

using detail::DocReader;
using detail::YamlNode;

class ValuesReader {
 public:
  ValuesReader(const std::string& file, const Chain* chain, Diagnostics& diags)
      : r_(file, diags), chain_(chain) {
    if (chain_) keys_ = chain_->field_keys();
  }

  void read(const YamlNode& root, FieldValues& out) {
    if (root.is_null()) return;  // an empty file: no values
    if (!root.is_map()) {
      r_.error(root, "", "not-a-map", fmt::format("expected a map of form values, found {}", root.describe()));
      return;
    }
    const YamlNode* fields = root.get("fields");
    if (fields && fields->is_map()) {
      // The application shape.
      if (!r_.check_map(root, "", {"chain", "fields", "materials"}, {"fields"}, "an application")) return;
      if (const YamlNode* id = root.get("chain"); id && chain_) {
        if (auto v = r_.text(id, "chain"); v && *v != chain_->id)
          r_.error(*id, "chain", "chain-mismatch",
                   fmt::format("the values are for chain `{}`, not `{}`", *v, chain_->id));
      }
      walk(*fields, "fields", "", out);
      return;
    }
    walk(root, "", "", out);
  }

 private:
  void walk(const YamlNode& map, const std::string& path, const std::string& prefix, FieldValues& out) {
    if (!r_.check_id_map(map, path, "form values")) return;
    std::vector<std::string> seen;  // literal duplicates are reported by check_id_map
    for (const auto& [k, v] : map.entries()) {
      if (std::find(seen.begin(), seen.end(), k->text()) != seen.end()) continue;
      seen.emplace_back(k->text());
      const std::string key = prefix.empty() ? std::string(k->text()) : prefix + "." + std::string(k->text());
      const std::string p = detail::child_path(path, k->text());
      if (v->is_map() && !(chain_ && chain_->find_field(key))) {
        walk(*v, p, key, out);
        continue;
      }
      if (out.count(key)) {
        r_.error(*k, p, "duplicate-key", fmt::format("`{}` is given twice", key));
        continue;
      }
      if (auto value = typed(*k, *v, p, key)) {
        if (!std::holds_alternative<std::monostate>(*value)) out.emplace(key, std::move(*value));
      }
    }
  }

  /// The value of one key, typed against the chain when there is one.
  std::optional<Value> typed(const YamlNode& k, const YamlNode& v, const std::string& path, const std::string& key) {
    if (v.is_null()) return Value{};
    const Field* f = chain_ ? chain_->find_field(key) : nullptr;
    if (chain_ && !f) {
      r_.error(k, path, "unknown-field", fmt::format("`{}` is not a field of chain `{}`", key, chain_->id),
               detail::did_you_mean(key, keys_));
      return std::nullopt;
    }
    if (v.is_sequence() && (!f || f->type == FieldType::set)) return set_of(v, path, key, f);
    if (f && f->type == FieldType::set) {
      r_.error(v, path, "bad-value", fmt::format("`{}`: expected a list of values (a set), found {}", key, v.describe()),
               v.kind == YamlNode::Kind::scalar ? fmt::format("write it as a list: [{}]", v.text()) : "");
      return std::nullopt;
    }
    if (v.kind != YamlNode::Kind::scalar) {
      r_.error(v, path, "bad-value", fmt::format("`{}`: expected one value, found {}", key, v.describe()));
      return std::nullopt;
    }
    const bool plain_number = v.plain && (v.scalar == YamlNode::Scalar::integer || v.scalar == YamlNode::Scalar::number);
    if (!f) {
      if (v.plain && v.scalar == YamlNode::Scalar::boolean) return Value{v.as_bool()};
      if (v.plain && v.scalar == YamlNode::Scalar::integer) {
        if (auto i = v.as_int()) return Value{*i};
      }
      if (plain_number) {
        if (auto d = v.as_number()) return Value{*d};
      }
      return Value{std::string(v.text())};
    }
    if (f->type == FieldType::boolean) {
      if (v.plain && v.scalar == YamlNode::Scalar::boolean) return Value{v.as_bool()};
      return mismatch(v, path, key, "true or false");
    }
    if (is_numeric(f->type)) {
      if (!plain_number) return mismatch(v, path, key, "a number");
      if (v.scalar == YamlNode::Scalar::integer) {
        if (auto i = v.as_int()) return Value{*i};
      }
      if (auto d = v.as_number()) {
        if (f->type == FieldType::integer) {
          if (*d != static_cast<double>(static_cast<std::int64_t>(*d))) return mismatch(v, path, key, "a whole number");
          return Value{static_cast<std::int64_t>(*d)};
        }
        return Value{*d};
      }
      return mismatch(v, path, key, "a number");
    }
    // Textual types: YAML may read an unquoted value as a number (a phone
    // number, a code); the text as written is what the form holds.
    if (v.plain && v.scalar == YamlNode::Scalar::boolean) return mismatch(v, path, key, "text");
    if (f->type == FieldType::enumeration && !f->allows(v.text())) {
      r_.error(v, path, "bad-enum", fmt::format("`{}`: `{}` is not one of the values of the field", key, v.text()),
               detail::did_you_mean(v.text(), f->values));
      return std::nullopt;
    }
    return Value{std::string(v.text())};
  }

  /// A set: a list of text values; with a field, each one of its values, once.
  std::optional<Value> set_of(const YamlNode& v, const std::string& path, const std::string& key, const Field* f) {
    ValueSet set;
    bool ok = true;
    for (std::size_t i = 0; i < v.items().size(); ++i) {
      const YamlNode& item = *v.items()[i];
      const std::string p = detail::item_path(path, i);
      if (item.kind != YamlNode::Kind::scalar || item.scalar == YamlNode::Scalar::null) {
        r_.error(item, p, "bad-value", fmt::format("`{}`: expected a value of the set, found {}", key, item.describe()));
        ok = false;
      } else if (f && !f->allows(item.text())) {
        r_.error(item, p, "bad-enum", fmt::format("`{}`: `{}` is not one of the values of the field", key, item.text()),
                 detail::did_you_mean(item.text(), f->values));
        ok = false;
      } else if (std::find(set.begin(), set.end(), item.text()) != set.end()) {
        r_.error(item, p, "duplicate-value", fmt::format("`{}`: `{}` is given twice", key, item.text()));
        ok = false;
      } else {
        set.emplace_back(item.text());
      }
    }
    if (!ok) return std::nullopt;
    if (set.empty()) return Value{};  // an empty set is no value
    return Value{std::move(set)};
  }

  std::optional<Value> mismatch(const YamlNode& v, const std::string& path, const std::string& key,
                                std::string_view expected) {
    r_.error(v, path, "bad-value", fmt::format("`{}`: expected {}, found {}", key, expected, v.describe()));
    return std::nullopt;
  }

  DocReader r_;
  const Chain* chain_;
  std::vector<std::string> keys_;
};

Loaded<FieldValues> finish(const detail::YamlPtr& root, const std::string& file, const Chain* chain,
                         Diagnostics diags) {
  FieldValues values;
  if (root) ValuesReader(file, chain, diags).read(*root, values);
  if (diags.has_errors()) return diags;
  return {std::move(values), std::move(diags)};
}

}  // namespace

Loaded<FieldValues> parse_field_values(std::string_view text, const std::string& file_name, const Chain* chain,
                                     const LoadOptions& options) {
  Diagnostics diags;
  auto root = detail::parse_yaml(text, file_name, detail::limits_of(options), diags);
  return finish(root, file_name, chain, std::move(diags));
}

Loaded<FieldValues> read_field_values(const std::string& path, const Chain* chain, const LoadOptions& options) {
  Diagnostics diags;
  auto root = detail::parse_yaml_file(path, detail::limits_of(options), diags);
  return finish(root, path, chain, std::move(diags));
}

}  // namespace yilian
