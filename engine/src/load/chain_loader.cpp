// YAML → Chain: the shape of every key of docs/chain-reference.md. References
// between elements are checked later by validate() (analysis layer).
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>

#include "load/doc_reader.h"
#include "load/yaml_tree.h"
#include "yilian/load.h"

namespace yilian {
namespace {

using detail::child_path;
using detail::DocReader;
using detail::item_path;
using detail::YamlNode;

constexpr int kMaxDays = 3650;  // ten years of working days: any larger is a typo

detail::YamlLimits limits_of(const LoadOptions& o) {
  return {o.max_file_bytes, o.max_depth, o.max_nodes, o.max_string_bytes};
}

class ChainReader {
 public:
  ChainReader(const std::string& file, Diagnostics& diags) : r_(file, diags) {}

  void read(const YamlNode& root, Chain& c) {
    c.source = r_.file();
    c.where = r_.at(root);
    if (root.is_null()) {
      r_.error(root, "", "empty", "the file is empty; a chain needs id, version, name, lead, promised_days, "
                                  "departments and matters");
      return;
    }
    if (!r_.check_map(root, "",
                      {"id", "version", "name", "description", "lead", "promised_days", "statutory_days",
                       "calendar", "office_close", "alerts", "departments", "fields", "materials", "matters"},
                      {"id", "version", "name", "lead", "promised_days", "departments", "matters"}, "a chain"))
      return;
    if (auto v = r_.identifier(root.get("id"), "id", false)) c.id = *v;
    if (auto v = r_.integer(root.get("version"), "version", 1, 1'000'000)) c.version = static_cast<int>(*v);
    if (auto v = r_.text(root.get("name"), "name")) c.name = *v;
    if (auto v = r_.text(root.get("description"), "description", true)) c.description = *v;
    if (const YamlNode* n = root.get("lead")) {
      c.lead_where = r_.at(*n);
      if (auto v = r_.identifier(n, "lead", false)) c.lead = *v;
    }
    if (auto v = r_.integer(root.get("promised_days"), "promised_days", 0, kMaxDays))
      c.promised_days = static_cast<int>(*v);
    if (auto v = r_.integer(root.get("statutory_days"), "statutory_days", 0, kMaxDays))
      c.statutory_days = static_cast<int>(*v);
    if (auto v = r_.identifier(root.get("calendar"), "calendar", false)) c.calendar = *v;
    if (const YamlNode* n = root.get("office_close")) {
      if (auto v = r_.text(n, "office_close")) {
        static const std::regex hhmm("([01][0-9]|2[0-3]):[0-5][0-9]");
        if (std::regex_match(*v, hhmm)) c.office_close = *v;
        else r_.error(*n, "office_close", "time", fmt::format("`{}` is not a time of day: expected HH:MM, e.g. 17:00", *v));
      }
    }
    if (const YamlNode* n = root.get("alerts")) read_alerts(*n, c.alerts);
    if (const YamlNode* n = root.get("departments")) read_departments(*n, c);
    if (const YamlNode* n = root.get("fields")) read_fields(*n, "fields", c.fields, "");
    if (const YamlNode* n = root.get("materials")) read_materials(*n, c);
    if (const YamlNode* n = root.get("matters")) read_matters(*n, c);
  }

 private:
  void read_alerts(const YamlNode& n, AlertPolicy& a) {
    if (!r_.check_map(n, "alerts", {"yellow_days", "second_level_after"}, {}, "alert settings")) return;
    if (auto v = r_.integer(n.get("yellow_days"), "alerts.yellow_days", 0, kMaxDays)) a.yellow_days = static_cast<int>(*v);
    if (auto v = r_.integer(n.get("second_level_after"), "alerts.second_level_after", 0, kMaxDays))
      a.second_level_after = static_cast<int>(*v);
  }

  void read_departments(const YamlNode& n, Chain& c) {
    if (!r_.check_id_map(n, "departments", "the departments")) return;
    if (n.entries.empty()) r_.error(n, "departments", "empty", "a chain needs at least one department");
    for (const auto& [k, v] : n.entries) {
      const std::string path = child_path("departments", k->text);
      auto id = r_.identifier(k.get(), path, false);
      Department d;
      d.id = id.value_or(k->text);
      d.where = r_.at(*k);
      if (r_.check_map(*v, path, {"name", "description", "sees"}, {"name"}, "a department")) {
        if (auto s = r_.text(v->get("name"), child_path(path, "name"))) d.name = *s;
        (void)r_.text(v->get("description"), child_path(path, "description"), true);
        d.sees = r_.refs(v->get("sees"), child_path(path, "sees"), true);
      }
      if (id) c.departments.push_back(std::move(d));
    }
  }

  /// Reads one field definition (`key: {label, type, ...}`).
  std::optional<Field> read_field(const YamlNode& key, const YamlNode& v, const std::string& path,
                                  const std::string& produced_by) {
    auto k = r_.identifier(&key, path, true);
    Field f;
    f.key = k.value_or("");
    f.where = r_.at(key);
    f.produced_by = produced_by;
    if (!r_.check_map(v, path,
                      {"label", "type", "required", "description", "min", "max", "values", "pattern", "unit", "prefer"},
                      {"label", "type"}, "a field"))
      return std::nullopt;
    if (auto s = r_.text(v.get("label"), child_path(path, "label"))) f.label = *s;
    if (auto s = r_.text(v.get("description"), child_path(path, "description"), true)) f.description = *s;
    bool type_ok = false;
    if (const YamlNode* t = v.get("type")) {
      if (auto s = r_.text(t, child_path(path, "type"))) {
        if (auto ft = parse_field_type(*s)) {
          f.type = *ft;
          type_ok = true;
        } else {
          std::vector<std::string> names{"string", "text",    "integer", "number", "boolean", "date",
                                         "enum",   "set",     "id-card", "uscc",   "phone",   "area"};
          std::string hint = detail::did_you_mean(*s, names);
          r_.error(*t, child_path(path, "type"), "field-type",
                   fmt::format("unknown field type `{}`: expected one of string, text, integer, number, boolean, "
                               "date, enum, set, id-card, uscc, phone, area",
                               *s),
                   hint);
        }
      }
    }
    if (auto b = r_.boolean(v.get("required"), child_path(path, "required"))) f.required = *b;
    if (auto d = r_.number(v.get("min"), child_path(path, "min"))) f.min = *d;
    if (auto d = r_.number(v.get("max"), child_path(path, "max"))) f.max = *d;
    if (f.min && f.max && *f.min > *f.max)
      r_.error(*v.get("max"), child_path(path, "max"), "range", fmt::format("max {} is below min {}", *f.max, *f.min));
    if (const YamlNode* vals = v.get("values")) {
      const std::string vp = child_path(path, "values");
      if (type_ok && !has_values(f.type))
        r_.error(*vals, vp, "enum-values",
                 fmt::format("`values` applies to enum and set fields only; this field is {}", to_string(f.type)),
                 "set `type: enum` (one value) or `type: set` (several), or remove `values`");
      read_values(*vals, vp, f);
    } else if (type_ok && has_values(f.type)) {
      r_.error(v, path, "enum-values",
               fmt::format("{} field needs `values`: the allowed values as a list of codes, or a map from code to label",
                           f.type == FieldType::set ? "a set" : "an enum"));
    }
    if (const YamlNode* p = v.get("pattern")) {
      if (auto s = r_.text(p, child_path(path, "pattern"))) {
        try {
          std::regex re(*s, std::regex::ECMAScript);
          f.pattern = *s;
        } catch (const std::regex_error& e) {
          r_.error(*p, child_path(path, "pattern"), "pattern", fmt::format("not a valid regular expression: {}", e.what()));
        }
      }
    }
    if (auto s = r_.text(v.get("unit"), child_path(path, "unit"))) f.unit = *s;
    if (const YamlNode* p = v.get("prefer")) {
      if (auto s = r_.text(p, child_path(path, "prefer"))) {
        if (!produced_by.empty())
          r_.error(*p, child_path(path, "prefer"), "prefer-on-produced",
                   "`prefer` belongs on the applicant's definition of the key (the catalogue or an inline field), "
                   "not on what a matter produces");
        else if (*s == "produced") f.prefer = Prefer::produced;
        else if (*s == "applicant") f.prefer = Prefer::applicant;
        else r_.error(*p, child_path(path, "prefer"), "prefer", fmt::format("`{}`: expected produced or applicant", *s));
      }
    }
    if (!k) return std::nullopt;
    return f;
  }

  /// `values`: a list of codes (`[private, public]`) or a map from code to
  /// label (`{private: 民办, public: 公办}`). Codes are unique, non-empty text;
  /// labels are non-empty text.
  void read_values(const YamlNode& vals, const std::string& vp, Field& f) {
    std::set<std::string> seen;
    auto add = [&](const YamlNode& at, const std::string& p, const std::string& code) {
      if (!seen.insert(code).second) {
        r_.error(at, p, "duplicate-value", fmt::format("'{}' is listed twice", code));
        return false;
      }
      f.values.push_back(code);
      return true;
    };
    if (vals.is_map()) {
      if (!r_.check_id_map(vals, vp, "the allowed values")) return;
      std::vector<std::string> labels;
      for (const auto& [k, label] : vals.entries) {
        if (k->kind != YamlNode::Kind::scalar) continue;  // reported by check_id_map
        const std::string p = child_path(vp, k->text);
        auto code = r_.text(k.get(), p);
        if (!code) continue;
        std::optional<std::string> text;
        if (label->kind == YamlNode::Kind::scalar && label->is_string()) {
          text = r_.text(label.get(), p);
        } else {
          r_.error(*label, p, "value-label",
                   fmt::format("the label of '{}' must be text, got {}", *code, label->describe()),
                   label->kind == YamlNode::Kind::scalar && !label->is_null()
                       ? fmt::format("write it in quotes: \"{}\"", label->text)
                       : "write the label people read, e.g. `private: 民办`");
        }
        if (add(*k, p, *code)) labels.push_back(text.value_or(""));
      }
      f.value_labels = std::move(labels);
      if (vals.entries.empty())
        r_.error(vals, vp, "empty", fmt::format("{} needs at least one value", f.type == FieldType::set ? "a set" : "an enum"));
      return;
    }
    if (!vals.is_sequence()) {
      r_.error(vals, vp, "type",
               fmt::format("expected the allowed values, a list of codes or a map from code to label, got {}",
                           vals.describe()),
               "e.g. `values: [private, public]` or `values: {private: 民办, public: 公办}`");
      return;
    }
    for (std::size_t i = 0; i < vals.items.size(); ++i)
      if (auto s = r_.text(vals.items[i].get(), item_path(vp, i))) add(*vals.items[i], item_path(vp, i), *s);
    if (vals.items.empty())
      r_.error(vals, vp, "empty", fmt::format("{} needs at least one value", f.type == FieldType::set ? "a set" : "an enum"));
  }

  void read_fields(const YamlNode& n, const std::string& path, std::vector<Field>& out, const std::string& produced_by) {
    if (!r_.check_id_map(n, path, "field definitions")) return;
    for (const auto& [k, v] : n.entries)
      if (auto f = read_field(*k, *v, child_path(path, k->text), produced_by)) out.push_back(std::move(*f));
  }

  void read_materials(const YamlNode& n, Chain& c) {
    if (!r_.check_id_map(n, "materials", "the materials")) return;
    for (const auto& [k, v] : n.entries) {
      const std::string path = child_path("materials", k->text);
      auto id = r_.identifier(k.get(), path, false);
      Material m;
      m.id = id.value_or("");
      m.where = r_.at(*k);
      if (r_.check_map(*v, path, {"name", "description", "original", "copies"}, {"name"}, "a material")) {
        if (auto s = r_.text(v->get("name"), child_path(path, "name"))) m.name = *s;
        if (auto s = r_.text(v->get("description"), child_path(path, "description"), true)) m.description = *s;
        if (auto b = r_.boolean(v->get("original"), child_path(path, "original"))) m.original = *b;
        if (auto i = r_.integer(v->get("copies"), child_path(path, "copies"), 1, 100)) m.copies = static_cast<int>(*i);
      }
      if (id) c.materials.push_back(std::move(m));
    }
  }

  void read_matters(const YamlNode& n, Chain& c) {
    if (!r_.check_list(n, "matters", "the matters")) return;
    if (n.items.empty()) r_.error(n, "matters", "empty", "a chain needs at least one matter");
    for (std::size_t i = 0; i < n.items.size(); ++i) read_matter(*n.items[i], item_path("matters", i), c);
  }

  void read_matter(const YamlNode& n, const std::string& path, Chain& c) {
    if (!r_.check_map(n, path,
                      {"id", "name", "description", "department", "kind", "code", "basis", "statutory_days",
                       "promised_days", "visits", "fields", "materials", "produces", "results", "phases", "after",
                       "when"},
                      {"id", "name", "department", "statutory_days", "promised_days"}, "a matter"))
      return;
    Matter m;
    m.where = r_.at(n);
    auto p = [&](std::string_view k) { return child_path(path, k); };
    if (auto v = r_.identifier(n.get("id"), p("id"), false)) m.id = *v;
    if (auto v = r_.text(n.get("name"), p("name"))) m.name = *v;
    if (auto v = r_.text(n.get("description"), p("description"), true)) m.description = *v;
    if (const YamlNode* d = n.get("department")) {
      m.department_where = r_.at(*d);
      if (auto v = r_.identifier(d, p("department"), false)) m.department = *v;
    }
    if (const YamlNode* k = n.get("kind")) {
      if (auto v = r_.text(k, p("kind"))) {
        if (auto mk = parse_matter_kind(*v)) m.kind = *mk;
        else
          r_.error(*k, p("kind"), "matter-kind",
                   fmt::format("unknown kind `{}`: expected licensing, confirmation, filing, public-service, "
                               "registration or other",
                               *v),
                   detail::did_you_mean(*v, {"licensing", "confirmation", "filing", "public-service", "registration", "other"}));
      }
    }
    if (auto v = r_.text(n.get("code"), p("code"))) m.code = *v;
    if (auto v = r_.text(n.get("basis"), p("basis"))) m.basis = *v;
    auto stat = r_.integer(n.get("statutory_days"), p("statutory_days"), 0, kMaxDays);
    auto prom = r_.integer(n.get("promised_days"), p("promised_days"), 0, kMaxDays);
    if (stat) m.statutory_days = static_cast<int>(*stat);
    if (prom) m.promised_days = static_cast<int>(*prom);
    if (stat && prom && *prom > *stat)
      r_.error(*n.get("promised_days"), p("promised_days"), "promise-exceeds-statute",
               fmt::format("the promised limit ({} working days) is longer than the statutory limit ({})", *prom, *stat),
               "a promise may only shorten the statutory limit");
    if (auto v = r_.integer(n.get("visits"), p("visits"), 0, 20)) m.visits = static_cast<int>(*v);
    if (const YamlNode* f = n.get("fields")) read_matter_fields(*f, p("fields"), m);
    m.materials = r_.refs(n.get("materials"), p("materials"), false);
    if (const YamlNode* pr = n.get("produces")) read_fields(*pr, p("produces"), m.produces, m.id);
    m.results = r_.refs(n.get("results"), p("results"), false);
    if (const YamlNode* ph = n.get("phases")) read_phases(*ph, p("phases"), m);
    m.after = r_.refs(n.get("after"), p("after"), false);
    if (const YamlNode* w = n.get("when")) read_when(*w, p("when"), m);
    c.matters.push_back(std::move(m));
  }

  void read_matter_fields(const YamlNode& n, const std::string& path, Matter& m) {
    if (!r_.check_list(n, path, "the fields the matter asks for")) return;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < n.items.size(); ++i) {
      const YamlNode& item = *n.items[i];
      const std::string ip = item_path(path, i);
      std::string key;
      SourceLocation where = r_.at(item);
      if (item.is_map()) {
        // An inline definition: `- key: {label, type, ...}`.
        if (item.entries.size() != 1) {
          r_.error(item, ip, "inline-field",
                   fmt::format("an inline field is a map with exactly one key (the field key), got {} keys",
                               item.entries.size()));
          continue;
        }
        const auto& [k, v] = item.entries.front();
        auto f = read_field(*k, *v, ip, "");
        if (!f) continue;
        key = f->key;
        where = f->where;
        m.field_defs.push_back(std::move(*f));
      } else if (auto s = r_.identifier(&item, ip, true)) {
        key = *s;
      } else {
        continue;
      }
      if (!seen.insert(key).second) {
        r_.error(item, ip, "duplicate-ref", fmt::format("`{}` is listed twice", key));
        continue;
      }
      m.fields.push_back(Ref{key, where});
    }
  }

  void read_phases(const YamlNode& n, const std::string& path, Matter& m) {
    if (!r_.check_list(n, path, "the phases")) return;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < n.items.size(); ++i) {
      const YamlNode& item = *n.items[i];
      const std::string ip = item_path(path, i);
      if (!r_.check_map(item, ip, {"id", "name", "kind", "days", "counted"}, {"id", "kind", "days"}, "a phase")) continue;
      Phase ph;
      ph.where = r_.at(item);
      if (auto v = r_.identifier(item.get("id"), child_path(ip, "id"), false)) {
        ph.id = *v;
        if (!seen.insert(*v).second)
          r_.error(*item.get("id"), child_path(ip, "id"), "duplicate-id", fmt::format("phase `{}` is defined twice in this matter", *v));
      }
      if (auto v = r_.text(item.get("name"), child_path(ip, "name"))) ph.name = *v;
      if (const YamlNode* k = item.get("kind")) {
        if (auto v = r_.text(k, child_path(ip, "kind"))) {
          if (auto pk = parse_phase_kind(*v)) ph.kind = *pk;
          else
            r_.error(*k, child_path(ip, "kind"), "phase-kind",
                     fmt::format("unknown phase kind `{}`: expected review, site-inspection, decision, certificate, "
                                 "publicity, hearing, tendering, auction, inspection, testing, quarantine, appraisal, "
                                 "expert-review or other",
                                 *v),
                     detail::did_you_mean(*v, {"review", "site-inspection", "decision", "certificate", "publicity",
                                               "hearing", "tendering", "auction", "inspection", "testing",
                                               "quarantine", "appraisal", "expert-review", "other"}));
        }
      }
      if (auto v = r_.integer(item.get("days"), child_path(ip, "days"), 0, kMaxDays)) ph.days = static_cast<int>(*v);
      ph.counted = !is_article45(ph.kind);
      if (auto b = r_.boolean(item.get("counted"), child_path(ip, "counted"))) ph.counted = *b;
      m.phases.push_back(std::move(ph));
    }
  }

  void read_when(const YamlNode& n, const std::string& path, Matter& m) {
    auto text = r_.text(&n, path);
    if (!text) return;
    // Locate the first character of the expression: plain scalars start at
    // the node, quoted ones one column later. Block scalars point at the node.
    m.when_where = r_.at(n);
    const bool quoted_inline = !n.plain && text->find('\n') == std::string::npos;
    if (quoted_inline) m.when_where.column += 1;
    auto parsed = parse_condition(*text);
    if (!parsed) {
      SourceLocation at = m.when_where;
      if (n.plain || quoted_inline) at.column += parsed.status().where().column - 1;
      r_.diagnostics().add({Severity::error, "condition-syntax",
                            fmt::format("the condition does not parse: {}", parsed.status().message()), at, path,
                            "conditions use field keys, == != < <= > >=, in [...], and, or, not, parentheses"});
      return;
    }
    m.when = std::move(parsed).value();
  }

  DocReader r_;
};

ParseResult parse_tree(const detail::YamlPtr& root, const std::string& file, Diagnostics diags) {
  ParseResult out{std::make_shared<Chain>(), std::move(diags)};
  if (root) {
    ChainReader reader(file, out.diagnostics);
    reader.read(*root, *out.chain);
  } else {
    out.chain->source = file;
  }
  out.chain->build_index();
  return out;
}

}  // namespace

ParseResult parse_chain_text(std::string_view yaml, const std::string& file_name, const LoadOptions& options) {
  Diagnostics diags;
  auto root = detail::parse_yaml(yaml, file_name, limits_of(options), diags);
  return parse_tree(root, file_name, std::move(diags));
}

ParseResult parse_chain_file(const std::string& path, const LoadOptions& options) {
  Diagnostics diags;
  auto root = detail::parse_yaml_file(path, limits_of(options), diags);
  return parse_tree(root, path, std::move(diags));
}

Result<std::vector<std::string>> chain_files(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return Status::not_found(fmt::format("{}: no such file or folder", path));
  if (!fs::is_directory(st)) return std::vector<std::string>{path};
  std::vector<std::string> out;
  for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    // Calendars and simulation scenarios live beside the chains but are not chains.
    if (it->is_directory() && (it->path().filename() == "calendars" || it->path().filename() == "scenarios")) {
      it.disable_recursion_pending();
      continue;
    }
    const auto ext = it->path().extension();
    if (it->is_regular_file() && (ext == ".yaml" || ext == ".yml")) out.push_back(it->path().string());
  }
  if (ec) return Status::io(fmt::format("{}: {}", path, ec.message()));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace yilian
