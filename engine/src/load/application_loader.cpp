// YAML/JSON -> Application: the shape of an application file, every error
// located. The values are checked against a chain later (check.h).
#include <fmt/format.h>

#include "load/doc_reader.h"
#include "load/yaml_tree.h"
#include "yilian/application.h"
#include "yilian/check.h"

namespace yilian {
namespace {

using detail::child_path;
using detail::DocReader;
using detail::YamlNode;

/// The values of a set field: a list of codes, each written as it stands
/// (an unquoted 2 is the code "2"); the check compares them with the field's
/// values and refuses duplicates.
std::optional<Value> read_set(DocReader& r, const YamlNode& n, const std::string& path) {
  ValueSet set;
  bool ok = true;
  for (std::size_t i = 0; i < n.items().size(); ++i) {
    const YamlNode& item = *n.items()[i];
    if (item.kind != YamlNode::Kind::scalar || item.scalar == YamlNode::Scalar::null) {
      r.error(item, detail::item_path(path, i), "type",
              fmt::format("expected one value of the set (text), got {}", item.describe()),
              "a set field holds a list of values, e.g. [hot-food, drinks]");
      ok = false;
      continue;
    }
    set.emplace_back(item.text());
  }
  if (!ok) return std::nullopt;
  return Value{std::move(set)};
}

/// One field value: a scalar under the YAML 1.2 core schema, or a list of
/// values for a set field.
std::optional<Value> read_value(DocReader& r, const YamlNode& n, const std::string& path) {
  if (n.is_null()) return Value{};
  if (n.is_sequence()) return read_set(r, n, path);
  if (n.kind != YamlNode::Kind::scalar) {
    r.error(n, path, "type",
            fmt::format("expected one value (text, a number, true or false) or a list of values, got {}", n.describe()),
            "a field holds one value, or a list of values when it is a set; a map is not a field value");
    return std::nullopt;
  }
  switch (n.scalar) {
    case YamlNode::Scalar::null: return Value{};
    case YamlNode::Scalar::boolean: return Value{n.as_bool()};
    case YamlNode::Scalar::integer:
      if (auto i = n.as_int()) return Value{*i};
      r.error(n, path, "range", fmt::format("the number {} is too large", n.text()),
              fmt::format("if it is a code or an ID, write it in quotes: \"{}\"", n.text()));
      return std::nullopt;
    case YamlNode::Scalar::number:
      if (auto d = n.as_number()) return Value{*d};
      r.error(n, path, "type", fmt::format("`{}` is not a finite number", n.text()));
      return std::nullopt;
    case YamlNode::Scalar::string: return Value{std::string(n.text())};
  }
  return std::nullopt;
}

/// 代办帮办: `agent: {name, id_number, phone?}`, the ID number checked as a
/// resident ID and the phone as a phone number (check.h's value rules).
void read_agent(DocReader& r, const YamlNode& n, Application& app) {
  if (!r.check_map(n, "agent", {"name", "id_number", "phone"}, {"name", "id_number"}, "an agent")) return;
  Agent a;
  if (auto v = r.text(n.get("name"), "agent.name")) a.name = *v;
  struct Checked {
    const char* key;
    FieldType type;
    std::string* into;
  };
  for (const Checked& c : {Checked{"id_number", FieldType::id_card, &a.id_number}, Checked{"phone", FieldType::phone, &a.phone}}) {
    const YamlNode* v = n.get(c.key);
    if (!v) continue;
    const std::string path = child_path("agent", c.key);
    auto text = r.text(v, path);
    if (!text) continue;
    Field f;
    f.key = path;
    f.type = c.type;
    if (const InvalidItem bad = validate_value(f, Value{*text}); !bad.code.empty()) {
      r.error(*v, path, bad.code, bad.reason);
      continue;
    }
    *c.into = *text;
  }
  app.agent = std::move(a);
}

void read(DocReader& r, const YamlNode& root, Application& app) {
  app.source = r.file();
  app.where = r.at(root);
  if (root.is_null()) {
    r.error(root, "", "empty", "the file is empty; an application needs `chain`, `fields` and `materials`");
    return;
  }
  if (!r.check_map(root, "", {"chain", "version", "fields", "materials", "agent", "commitments", "reuse_consent"}, {"chain"},
                   "an application"))
    return;
  if (auto v = r.identifier(root.get("chain"), "chain", false)) app.chain = *v;
  if (auto v = r.integer(root.get("version"), "version", 1, 1'000'000)) app.version = static_cast<int>(*v);
  if (const YamlNode* fields = root.get("fields"); fields && !fields->is_null()) {
    if (r.check_id_map(*fields, "fields", "the field values")) {
      for (const auto& [k, v] : fields->entries()) {
        if (k->kind != YamlNode::Kind::scalar) continue;  // reported by check_id_map
        const std::string path = child_path("fields", k->text());
        if (!detail::is_field_key(k->text())) {
          r.error(*k, path, "identifier",
                  fmt::format("`{}` is not a field key: expected lower-case words of a-z, 0-9 and _ joined by dots, "
                              "e.g. applicant.name",
                              k->text()));
          continue;
        }
        auto value = read_value(r, *v, path);
        if (!value) continue;
        // check_id_map reported a duplicate; the first value stays.
        if (app.fields.emplace(k->text(), std::move(*value)).second) app.field_where.emplace(k->text(), r.at(*v));
      }
    }
  }
  if (const YamlNode* mats = root.get("materials"); mats && !mats->is_null()) {
    for (const Ref& ref : r.refs(mats, "materials", false)) {
      app.materials.push_back(ref.id);
      app.material_where.push_back(ref.where);
    }
  }
  if (const YamlNode* a = root.get("agent")) read_agent(r, *a, app);
  if (auto b = r.boolean(root.get("reuse_consent"), "reuse_consent")) app.reuse_consent = *b;
  if (const YamlNode* c = root.get("commitments"); c && !c->is_null())
    for (const Ref& ref : r.refs(c, "commitments", false)) {
      app.commitments.push_back(ref.id);
      app.commitment_where.push_back(ref.where);
    }
}

Loaded<Application> finish(const detail::YamlPtr& root, const std::string& file, Diagnostics diags) {
  if (!root) return diags;
  Application app;
  {
    DocReader r(file, diags);
    read(r, *root, app);
  }
  diags.sort();
  if (diags.has_errors()) return diags;
  return {std::move(app), std::move(diags)};
}

}  // namespace

Loaded<Application> parse_application_text(std::string_view text, const std::string& file_name,
                                       const LoadOptions& options) {
  Diagnostics diags;
  auto root = detail::parse_yaml(text, file_name, detail::limits_of(options), diags);
  return finish(root, file_name, std::move(diags));
}

Loaded<Application> load_application(const std::string& path, const LoadOptions& options) {
  Diagnostics diags;
  auto root = detail::parse_yaml_file(path, detail::limits_of(options), diags);
  return finish(root, path, std::move(diags));
}

}  // namespace yilian
