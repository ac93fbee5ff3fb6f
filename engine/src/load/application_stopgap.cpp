// TODO(form): remove with application_stopgap.h.
#include "load/application_stopgap.h"

#include <fmt/format.h>

#include "load/doc_reader.h"
#include "load/yaml_tree.h"

namespace yilian::detail {

std::optional<ApplicationFile> read_application_file(const std::string& path, Diagnostics& diags) {
  auto root = parse_yaml_file(path, YamlLimits{}, diags);
  if (!root) return std::nullopt;
  DocReader r(path, diags);
  const std::size_t errors = diags.error_count();
  if (root->is_null()) {
    r.error(*root, "", "empty", "the file is empty; an application needs `chain`, `fields` and `materials`");
    return std::nullopt;
  }
  if (!r.check_map(*root, "", {"chain", "version", "fields", "materials"}, {"chain"}, "an application"))
    return std::nullopt;
  ApplicationFile app;
  if (auto v = r.identifier(root->get("chain"), "chain", false)) app.chain = *v;
  if (auto v = r.integer(root->get("version"), "version", 1, 1'000'000)) app.version = static_cast<int>(*v);
  if (const YamlNode* fields = root->get("fields"); fields && !fields->is_null() &&
                                                   r.check_id_map(*fields, "fields", "the field values")) {
    for (const auto& [k, v] : fields->entries) {
      const std::string p = child_path("fields", k->text);
      if (!is_field_key(k->text)) {
        r.error(*k, p, "identifier", fmt::format("`{}` is not a field key", k->text));
        continue;
      }
      if (v->kind == YamlNode::Kind::map || v->kind == YamlNode::Kind::sequence) {
        r.error(*v, p, "type", fmt::format("expected one value, got {}", v->describe()));
        continue;
      }
      Value value;
      if (v->kind == YamlNode::Kind::scalar) {
        switch (v->scalar) {
          case YamlNode::Scalar::null: break;
          case YamlNode::Scalar::boolean: value = v->as_bool(); break;
          case YamlNode::Scalar::integer:
            if (auto i = v->as_int()) value = *i;
            else r.error(*v, p, "range", fmt::format("the number {} is too large; write codes in quotes", v->text));
            break;
          case YamlNode::Scalar::number:
            if (auto d = v->as_number()) value = *d;
            break;
          case YamlNode::Scalar::string: value = v->text; break;
        }
      }
      app.fields.insert_or_assign(k->text, std::move(value));
    }
  }
  for (const Ref& m : r.refs(root->get("materials"), "materials", false)) app.materials.push_back(m.id);
  if (diags.error_count() > errors) return std::nullopt;
  return app;
}

}  // namespace yilian::detail
