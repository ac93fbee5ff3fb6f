// Locality overlays (`extends: BASE-ID`, docs/chain-format.md,
// "Localities"): the base chain found and read, then the overlay's changes
// merged onto a copy of it, each recorded for `yilian validate` and each
// refusal located at the overlay's key. The rest of the chain reader is in
// chain_loader.cpp.
#include <fmt/format.h>

#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>

#include "load/chain_reader.h"
#include "load/doc_reader.h"
#include "load/yaml_tree.h"
#include "yilian/load.h"

namespace yilian::detail {

/// Loads the base named by `extends` (reporting loops, unknown ids and
/// invalid bases at the `extends` key); null when it cannot be used.
std::shared_ptr<Chain> ChainReader::load_base(const YamlNode& at, const std::string& base_id, const std::string& own_id,
                                              BaseResolver& resolver) {
  namespace fs = std::filesystem;
  std::vector<std::string> loop = resolver.stack;
  loop.push_back(own_id);
  if (auto it = std::find(loop.begin(), loop.end(), base_id); it != loop.end()) {
    std::string cycle;
    for (; it != loop.end(); ++it) cycle += fmt::format("`{}` extends ", *it);
    r_.error(at, "extends", "extends-cycle",
             fmt::format("chains extend each other in a cycle: {}`{}`", cycle, base_id),
             "one of them must not extend the other");
    return nullptr;
  }
  for (const auto& [file, text] : resolver.options.base_texts) {
    if (fs::path(file).stem().string() != base_id) continue;
    resolver.stack.push_back(own_id);
    Loaded<std::shared_ptr<Chain>> held = parse_text_with(text, file, resolver);
    resolver.stack.pop_back();
    return checked_base(at, base_id, file, std::move(held));
  }
  std::vector<std::string> dirs;
  const fs::path own_dir = fs::path(r_.file()).parent_path();
  dirs.push_back(own_dir.empty() ? "." : own_dir.string());
  for (const auto& d : resolver.options.chain_dirs)
    if (std::find(dirs.begin(), dirs.end(), d) == dirs.end()) dirs.push_back(d);
  std::string found;
  std::error_code ec;
  for (const auto& d : dirs) {
    for (const char* ext : {".yaml", ".yml"}) {
      const fs::path f = fs::path(d) / (base_id + ext);
      if (fs::is_regular_file(f, ec)) {
        found = f.lexically_normal().string();
        break;
      }
    }
    if (!found.empty()) break;
  }
  if (found.empty()) {
    std::vector<std::string> ids;
    for (const auto& d : dirs)
      for (const auto& e : fs::directory_iterator(d, ec)) {
        const auto ext = e.path().extension();
        if (ext == ".yaml" || ext == ".yml") ids.push_back(e.path().stem().string());
      }
    std::sort(ids.begin(), ids.end());
    const std::string mean = detail::did_you_mean(base_id, ids);
    r_.error(at, "extends", "unknown-chain", fmt::format("no chain `{}` to extend", base_id),
             fmt::format("{}a base chain is found by its id as {}.yaml in the overlay's folder or a chain folder "
                         "(searched: {})",
                         mean.empty() ? "" : mean + "; ", base_id, fmt::join(dirs, ", ")));
    return nullptr;
  }
  resolver.stack.push_back(own_id);
  Loaded<std::shared_ptr<Chain>> base = parse_file_with(found, resolver);
  resolver.stack.pop_back();
  return checked_base(at, base_id, found, std::move(base));
}

/// The base read for `extends`, or null (with the errors) when it has
/// errors or another id.
std::shared_ptr<Chain> ChainReader::checked_base(const YamlNode& at, const std::string& base_id,
                                                 const std::string& found, Loaded<std::shared_ptr<Chain>> base) {
  if (base.diagnostics.has_errors()) {
    r_.diagnostics().append(base.diagnostics);
    r_.error(at, "extends", "base-invalid", fmt::format("the base chain `{}` ({}) has errors", base_id, found),
             "fix the base chain first; its errors are listed with its own file and line");
    return nullptr;
  }
  if (base.value()->id != base_id) {
    r_.error(at, "extends", "base-id-mismatch",
             fmt::format("{} was found for chain `{}`, but its id is `{}`", found, base_id, base.value()->id),
             fmt::format("name the file {}.yaml, or extend `{}`", base.value()->id, base.value()->id));
    return nullptr;
  }
  return base.value();
}

void ChainReader::change(Chain& c, std::string kind, std::string subject, std::string before, std::string after,
                         const YamlNode& at) {
  c.overlay.push_back({std::move(kind), std::move(subject), std::move(before), std::move(after), r_.at(at)});
}

/// A locality overlay: the base chain, read and merged, then this file's
/// changes on a copy of it. What an overlay may change is listed in
/// docs/chain-format.md ("Localities"); the rest is refused here, located.
void ChainReader::read_overlay(const YamlNode& root, Chain& c, BaseResolver& resolver) {
  if (!r_.check_map(root, "",
                    {"id", "extends", "version", "name", "description", "lead", "promised_days", "statutory_days",
                     "promised", "statutory", "calendar", "office_close", "alerts", "defer_within", "ratings",
                     "valid_from", "valid_until", "departments", "fields", "materials", "matters", "drop"},
                    {"id", "extends", "version"}, "a locality overlay")) {
    c.source = r_.file();
    return;
  }
  const YamlNode& ext = *root.get("extends");
  auto own_id = r_.identifier(root.get("id"), "id", false);
  auto base_id = r_.identifier(&ext, "extends", false);
  std::shared_ptr<Chain> base;
  if (base_id) base = load_base(ext, *base_id, own_id.value_or(""), resolver);
  if (!base) {
    // Without its base the overlay cannot be merged; its own shape is
    // still checked so that every error is reported at once.
    c.source = r_.file();
    c.where = r_.at(root);
    if (own_id) c.id = *own_id;
    return;
  }
  c = *base;
  c.overlay.clear();
  c.source = r_.file();
  c.where = r_.at(root);
  c.extends = *base_id;
  c.extends_where = r_.at(ext);
  c.base_files.insert(c.base_files.begin(), base->source);
  if (own_id) c.id = *own_id;
  if (auto v = r_.integer(root.get("version"), "version", 1, 1'000'000)) c.version = static_cast<int>(*v);
  auto scalar_text = [&](const char* key, std::string& field, const char* kind, bool allow_empty) {
    if (const YamlNode* n = root.get(key))
      if (auto v = r_.text(n, key, allow_empty)) {
        if (*v != field) change(c, kind, "", field, *v, *n);
        field = *v;
      }
  };
  scalar_text("name", c.name, "chain-name", false);
  if (const YamlNode* n = root.get("description"))
    if (auto v = r_.text(n, "description", true)) c.description = *v;
  if (const YamlNode* n = root.get("lead")) {
    if (auto v = r_.identifier(n, "lead", false)) {
      if (*v != c.lead) change(c, "chain-lead", "", c.lead, *v, *n);
      c.lead = *v;
      c.lead_where = r_.at(*n);
    }
  }
  // The chain's limits, in working days (`KEY_days`) or with a unit (`KEY`).
  if (auto l = read_limit(root, "", "promised", false, "a locality overlay")) {
    const YamlNode* days = root.get("promised_days");
    if (*l != c.promised())
      change(c, days ? "chain-promised-days" : "chain-promised", "", to_string(c.promised()), to_string(*l),
             days ? *days : *root.get("promised"));
    c.promised_days = l->count;
    c.promised_unit = l->unit;
  }
  if (auto l = read_limit(root, "", "statutory", false, "a locality overlay")) {
    const YamlNode* days = root.get("statutory_days");
    if (!c.statutory() || *c.statutory() != *l)
      change(c, days ? "chain-statutory-days" : "chain-statutory", "", c.statutory() ? to_string(*c.statutory()) : "",
             to_string(*l), days ? *days : *root.get("statutory"));
    c.statutory_days = l->count;
    c.statutory_unit = l->unit;
  }
  if (const YamlNode* n = root.get("calendar"))
    if (auto v = r_.identifier(n, "calendar", false)) {
      if (*v != c.calendar) change(c, "chain-calendar", "", c.calendar, *v, *n);
      c.calendar = *v;
    }
  if (const YamlNode* n = root.get("office_close")) {
    if (auto v = r_.text(n, "office_close")) {
      static const std::regex hhmm("([01][0-9]|2[0-3]):[0-5][0-9]");
      if (!std::regex_match(*v, hhmm))
        r_.error(*n, "office_close", "time", fmt::format("`{}` is not a time of day: expected HH:MM, e.g. 17:00", *v));
      else {
        if (*v != c.office_close) change(c, "chain-office-close", "", c.office_close, *v, *n);
        c.office_close = *v;
      }
    }
  }
  if (const YamlNode* n = root.get("alerts")) {
    c.alerts = AlertPolicy{};
    read_alerts(*n, c.alerts);
    change(c, "chain-alerts", "", "", "", *n);
  }
  if (read_reform_limits(root, c))
    change(c, "chain-reform-limits", "", "", "", root.get("defer_within") ? *root.get("defer_within") : *root.get("ratings"));
  if (root.get("valid_from") || root.get("valid_until")) {
    const std::string before = c.valid.to_string();
    Validity v;
    read_validity(root, "", v);
    c.valid = v;
    change(c, "chain-validity", "", before, v.to_string(), root.get("valid_from") ? *root.get("valid_from") : *root.get("valid_until"));
  }
  if (const YamlNode* n = root.get("departments")) overlay_departments(*n, c);
  if (const YamlNode* n = root.get("fields")) {
    if (r_.check_id_map(*n, "fields", "field definitions"))
      for (const auto& [k, v] : n->entries()) {
        const KeyPath path(fields_path, k->text());
        if (const Field* existing = c.find_field(k->text())) {
          r_.error(*k, path, "overlay-redefines",
                   fmt::format("field `{}` is defined by the base chain (at {}); an overlay adds fields but does not "
                               "change the base's",
                               k->text(), existing->where.to_string()),
                   "a local datum needs a key of its own");
          continue;
        }
        if (auto f = read_field(*k, *v, path, "")) {
          change(c, "field-added", f->key, "", f->label, *k);
          c.fields.push_back(std::move(*f));
        }
      }
  }
  if (const YamlNode* n = root.get("materials")) {
    if (r_.check_id_map(*n, "materials", "the materials")) {
      for (const auto& [k, v] : n->entries())
        if (const Material* existing = c.find_material(k->text()))
          r_.error(*k, KeyPath(materials_path, k->text()), "overlay-redefines",
                   fmt::format("material `{}` is declared by the base chain (at {}); an overlay adds materials but "
                               "does not change the base's",
                               k->text(), existing->where.to_string()),
                   "a local document needs an id of its own");
      Chain added;
      read_materials(*n, added);
      for (auto& m : added.materials)
        if (!c.find_material(m.id)) {
          change(c, "material-added", m.id, "", m.name, *key_node(*n, m.id));
          c.materials.push_back(std::move(m));
        }
    }
  }
  c.build_index();
  // Which matters go: read before the matters so that changing a dropped
  // matter is reported.
  std::vector<Ref> drops;
  if (const YamlNode* d = root.get("drop")) {
    drops = r_.refs(d, "drop", false);
    std::vector<std::string> ids;
    for (const auto& m : c.matters) ids.push_back(m.id);
    for (std::size_t i = 0; i < drops.size(); ++i)
      if (!c.find_matter(drops[i].id))
        r_.error(*d->items()[item_of(*d, drops[i])], KeyPath(drop_path, item_of(*d, drops[i])), "unknown-matter",
                 fmt::format("`{}` is not a matter of the base chain `{}`", drops[i].id, c.extends),
                 did_you_mean_or(drops[i].id, ids));
  }
  if (const YamlNode* n = root.get("matters")) overlay_matters(*n, c, drops);
  c.build_index();
  apply_drops(root.get("drop"), drops, c);
}

/// The index of the list item a Ref was read from (refs() skips bad items).
std::size_t ChainReader::item_of(const YamlNode& list, const Ref& r) {
  for (std::size_t i = 0; i < list.items().size(); ++i)
    if (list.items()[i]->line == r.where.line && list.items()[i]->column == r.where.column) return i;
  return 0;
}

const YamlNode* ChainReader::key_node(const YamlNode& map, std::string_view key) {
  for (const auto& [k, v] : map.entries())
    if (k->text() == key) return k;
  return &map;
}

std::string ChainReader::did_you_mean_or(const std::string& word, const std::vector<std::string>& ids) {
  return detail::did_you_mean(word, ids);
}

void ChainReader::overlay_departments(const YamlNode& n, Chain& c) {
  if (!r_.check_id_map(n, "departments", "the departments")) return;
  for (const auto& [k, v] : n.entries()) {
    const KeyPath path(departments_path, k->text());
    auto id = r_.identifier(k, path, false);
    if (!id) continue;
    auto it = std::find_if(c.departments.begin(), c.departments.end(), [&](const Department& d) { return d.id == *id; });
    if (it == c.departments.end()) {
      // A new department: as in a chain.
      Department d;
      d.id = *id;
      d.where = r_.at(*k);
      if (r_.check_map(*v, path, {"name", "description", "sees"}, {"name"}, "a department")) {
        if (auto s = r_.text(v->get("name"), KeyPath(path, "name"))) d.name = *s;
        (void)r_.text(v->get("description"), KeyPath(path, "description"), true);
        d.sees = r_.refs(v->get("sees"), KeyPath(path, "sees"), true);
      }
      change(c, "department-added", d.id, "", d.name, *k);
      c.departments.push_back(std::move(d));
      continue;
    }
    // A base department: its name, description and `sees` may change.
    if (!r_.check_map(*v, path, {"name", "description", "sees"}, {}, "a department")) continue;
    if (const YamlNode* nn = v->get("name"))
      if (auto s = r_.text(nn, KeyPath(path, "name"))) {
        if (*s != it->name) change(c, "department-renamed", it->id, it->name, *s, *nn);
        it->name = *s;
      }
    (void)r_.text(v->get("description"), KeyPath(path, "description"), true);
    if (const YamlNode* sees = v->get("sees")) {
      it->sees = r_.refs(sees, KeyPath(path, "sees"), true);
      change(c, "department-changed", it->id, "sees", "", *sees);
    }
  }
}

void ChainReader::overlay_matters(const YamlNode& n, Chain& c, const std::vector<Ref>& drops) {
  if (!r_.check_list(n, "matters", "the matters")) return;
  std::set<std::string> changed;
  for (std::size_t i = 0; i < n.items().size(); ++i) {
    const YamlNode& item = *n.items()[i];
    const KeyPath path(matters_path, i);
    const YamlNode* idn = item.is_map() ? item.get("id") : nullptr;
    const auto base_index = idn && idn->is_string() ? c.matter_index(idn->text()) : std::nullopt;
    // An entry with a base matter's id changes that matter; any other
    // entry is a new matter (the index knows the base's matters only).
    if (!base_index) {
      const std::size_t before = c.matters.size();
      read_matter(item, path, c);
      if (c.matters.size() > before) change(c, "matter-added", c.matters.back().id, "", c.matters.back().name, item);
      continue;
    }
    override_matter(item, path, c.matters[*base_index], c, drops, changed);
  }
}

/// The keys of a base matter an overlay may change.
bool ChainReader::overridable(std::string_view key) {
  return key == "id" || key == "department" || key == "promised_days" || key == "promised" || key == "visits" ||
         key == "description" || key == "phases" || key == "valid_from" || key == "valid_until";
}

void ChainReader::override_matter(const YamlNode& n, const KeyPath& path, Matter& m, Chain& c,
                                  const std::vector<Ref>& drops, std::set<std::string>& changed) {
  if (!r_.check_map(n, path,
                    {"id", "name", "description", "department", "kind", "code", "basis", "statutory_days",
                     "promised_days", "statutory", "promised", "visits", "fields", "materials", "produces", "results",
                     "phases", "after", "when", "valid_from", "valid_until", "replaces"},
                    {"id"}, "a matter"))
    return;
  const YamlNode& idn = *n.get("id");
  if (!changed.insert(m.id).second) {
    r_.error(idn, KeyPath(path, "id"), "duplicate-id",
             fmt::format("base matter `{}` is changed twice in this overlay", m.id), "change it in one entry");
    return;
  }
  for (const auto& d : drops)
    if (d.id == m.id) {
      r_.error(idn, KeyPath(path, "id"), "drop-and-change",
               fmt::format("matter `{}` is both dropped (at {}) and changed", m.id, d.where.to_string()),
               "drop it, or change it, not both");
      return;
    }
  static const std::set<std::string, std::less<>> matter_keys{
      "name", "kind", "code", "basis", "statutory_days", "statutory", "fields", "materials", "produces", "results",
      "after", "when", "replaces"};
  for (const auto& [k, v] : n.entries()) {
    // An unknown key is reported as such by check_map above.
    if (overridable(k->text()) || !matter_keys.count(k->text())) continue;
    r_.error(*k, KeyPath(path, k->text()), "overlay-override",
             fmt::format("an overlay cannot change `{}` of base matter `{}`: a locality may change its department, "
                         "promise (promised_days or promised), visits, description, phases, valid_from and "
                         "valid_until",
                         k->text(), m.id),
             k->text() == "statutory_days" || k->text() == "statutory" || k->text() == "name" ||
                     k->text() == "kind" || k->text() == "code" || k->text() == "basis"
                 ? "name, kind, code, basis and the statutory limit are the same at every level (三级四同)"
                 : fmt::format("to change what the matter asks or when it applies, drop it (`drop: [{}]`) and add a "
                               "local matter with an id of its own",
                               m.id));
  }
  auto p = [&](std::string_view k) { return KeyPath(path, k); };
  if (const YamlNode* d = n.get("department"))
    if (auto v = r_.identifier(d, p("department"), false)) {
      if (*v != m.department) change(c, "matter-department", m.id, m.department, *v, *d);
      m.department = *v;
      m.department_where = r_.at(*d);
      m.department_path = p("department").str();
    }
  // The locality's promise, in working days or with a unit, held to the
  // base's statutory limit as a base chain's is (promise_fits()): a promise
  // that cannot fit is refused and the base's stays; one that probably
  // does not is warned about and taken.
  const YamlNode* days = n.get("promised_days");
  const YamlNode* unit = n.get("promised");
  if (auto l = read_limit(n, days, unit, path, "promised", false, "a matter")) {
    const YamlNode& at = days ? *days : *unit;
    const KeyPath key = p(days ? "promised_days" : "promised");
    const Fit fit = promise_fits(*l, m.statutory());
    if (fit == Fit::no) {
      r_.error(at, key, "promise-exceeds-statute",
               fmt::format("the promised limit ({}) is longer than the statutory limit ({}) of base matter `{}`",
                           to_string(*l), to_string(m.statutory()), m.id),
               "a promise may only shorten the statutory limit");
    } else {
      if (fit == Fit::probably_not)
        r_.warning(at, key, "promise-exceeds-statute",
                   fmt::format("the promised limit ({}) is probably longer than the statutory limit ({}) of base "
                               "matter `{}`",
                               to_string(*l), to_string(m.statutory()), m.id),
                   "compare them in one unit: a promise may only shorten the statutory limit");
      if (*l != m.promised())
        change(c, days ? "matter-promised-days" : "matter-promised", m.id, to_string(m.promised()), to_string(*l), at);
      m.promised_days = l->count;
      m.promised_unit = l->unit;
    }
  }
  if (const YamlNode* d = n.get("visits"))
    if (auto v = r_.integer(d, p("visits"), 0, 20)) {
      if (*v != m.visits) change(c, "matter-visits", m.id, std::to_string(m.visits), std::to_string(*v), *d);
      m.visits = static_cast<int>(*v);
    }
  if (const YamlNode* d = n.get("description"))
    if (auto v = r_.text(d, p("description"), true)) {
      m.description = *v;
      change(c, "matter-description", m.id, "", "", *d);
    }
  if (const YamlNode* d = n.get("phases")) {
    m.phases.clear();
    read_phases(*d, p("phases"), m);
    change(c, "matter-phases", m.id, "", std::to_string(m.phases.size()), *d);
  }
  if (n.get("valid_from") || n.get("valid_until")) {
    const std::string before = m.valid.to_string();
    Validity v;
    read_validity(n, path, v);
    m.valid = v;
    change(c, "matter-validity", m.id, before, v.to_string(), n.get("valid_from") ? *n.get("valid_from") : *n.get("valid_until"));
  }
}

/// Removes the dropped matters; one that another matter still needs (it
/// comes after it, reads what only it produces, needs what only it
/// issues, or replaces it) is an error at the `drop` entry.
void ChainReader::apply_drops(const YamlNode* list, const std::vector<Ref>& drops, Chain& c) {
  if (drops.empty()) return;
  std::set<std::string> gone;
  for (const auto& d : drops)
    if (c.find_matter(d.id)) gone.insert(d.id);
  auto applicant_supplies = [&](const std::string& key) {
    for (const auto& f : c.fields)
      if (f.key == key) return true;
    for (const auto& m : c.matters)
      if (!gone.count(m.id))
        for (const auto& f : m.field_defs)
          if (f.key == key) return true;
    return false;
  };
  auto only_from_dropped = [&](const std::vector<const Matter*>& suppliers, const std::string& dropped) {
    bool from_dropped = false;
    for (const Matter* s : suppliers) {
      if (!gone.count(s->id)) return false;
      if (s->id == dropped) from_dropped = true;
    }
    return from_dropped;
  };
  std::set<std::string> refused;
  for (std::size_t i = 0; i < drops.size(); ++i) {
    const Ref& d = drops[i];
    if (!gone.count(d.id)) continue;
    const Matter& x = *c.find_matter(d.id);
    const std::size_t item = item_of(*list, d);
    const YamlNode& at = *list->items()[item];
    const KeyPath path(drop_path, item);
    std::vector<std::string> why;
    for (const auto& m : c.matters) {
      if (gone.count(m.id)) continue;
      for (const auto& a : m.after)
        if (a.id == x.id) why.push_back(fmt::format("`{}` comes after it (at {})", m.id, a.where.to_string()));
      if (m.replaces.id == x.id)
        why.push_back(fmt::format("`{}` replaces it (at {})", m.id, m.replaces.where.to_string()));
      for (const auto& f : m.fields)
        if (!applicant_supplies(f.id) && only_from_dropped(c.producers_of(f.id), x.id))
          why.push_back(fmt::format("`{}` needs `{}`, which only `{}` produces (at {})", m.id, f.id, x.id,
                                    f.where.to_string()));
      for (const auto& k : m.when.fields())
        if (!applicant_supplies(k) && only_from_dropped(c.producers_of(k), x.id))
          why.push_back(fmt::format("the condition of `{}` reads `{}`, which only `{}` produces (at {})", m.id, k,
                                    x.id, m.when_where.to_string()));
      for (const auto& r : m.materials)
        if (only_from_dropped(c.issuers_of(r.id), x.id))
          why.push_back(fmt::format("`{}` needs material `{}`, which only `{}` issues (at {})", m.id, r.id, x.id,
                                    r.where.to_string()));
    }
    for (const auto& w : why)
      r_.error(at, path, "drop-needed", fmt::format("matter `{}` cannot be dropped: {}", x.id, w),
               "drop the matters that need it too, or keep it");
    // A refused drop keeps the matter, so that no error follows from it.
    if (why.empty()) change(c, "matter-dropped", x.id, x.name, "", at);
    else refused.insert(x.id);
  }
  for (const auto& id : refused) gone.erase(id);
  c.matters.erase(std::remove_if(c.matters.begin(), c.matters.end(), [&](const Matter& m) { return gone.count(m.id) > 0; }),
                  c.matters.end());
}

}  // namespace yilian::detail
