#include "analysis/field_defs.h"

#include "analysis/condition_sets.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

namespace yilian::detail {
namespace {

std::string bound(const std::optional<double>& b) { return b ? fmt::format("{}", *b) : "none"; }

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string matter_name(const Matter& m) {
  return m.name.empty() ? fmt::format("`{}`", m.id) : fmt::format("`{}` ({})", m.id, m.name);
}

std::string matter_path(const Chain& c, const Matter& m) {
  if (!m.path.empty()) return m.path;  // its path in the file it came from (a base or an overlay)
  return fmt::format("matters[{}]", static_cast<std::size_t>(&m - c.matters.data()));
}

}  // namespace

std::string definition_conflict(const Field& a, const Field& b) {
  if (a.type != b.type) return fmt::format("type {} here, {} there", to_string(b.type), to_string(a.type));
  if (has_values(a.type)) {  // the codes must agree; labels are for people and may differ
    auto x = a.values, y = b.values;
    std::sort(x.begin(), x.end());
    std::sort(y.begin(), y.end());
    if (x != y)
      return fmt::format("{} values [{}] here, [{}] there", to_string(a.type), join(b.values), join(a.values));
  }
  if (a.min != b.min) return fmt::format("min {} here, {} there", bound(b.min), bound(a.min));
  if (a.max != b.max) return fmt::format("max {} here, {} there", bound(b.max), bound(a.max));
  if (a.pattern != b.pattern) return fmt::format("pattern `{}` here, `{}` there", b.pattern, a.pattern);
  return "";
}

std::vector<const Field*> definitions_of(const Chain& chain, std::string_view key) {
  std::vector<const Field*> out;
  for (const auto& f : chain.fields)
    if (f.key == key) out.push_back(&f);
  for (const auto& m : chain.matters)
    for (const auto& f : m.field_defs)
      if (f.key == key) out.push_back(&f);
  for (const auto& m : chain.matters)
    for (const auto& f : m.produces)
      if (f.key == key) out.push_back(&f);
  return out;
}

std::vector<KeyDefinitions> group_definitions(const Chain& chain) {
  std::vector<KeyDefinitions> out;
  std::unordered_map<std::string_view, std::size_t> at;
  auto add = [&](const Field& f) {
    auto [it, inserted] = at.emplace(f.key, out.size());
    if (inserted) out.push_back({f.key, {}});
    out[it->second].defs.push_back(&f);
  };
  for (const auto& f : chain.fields) add(f);
  for (const auto& m : chain.matters)
    for (const auto& f : m.field_defs) add(f);
  for (const auto& m : chain.matters)
    for (const auto& f : m.produces) add(f);
  return out;
}

void check_field_definitions(const Chain& c, Diagnostics& out) {
  check_field_definitions(c, group_definitions(c), out);
}

void check_field_definitions(const Chain& c, const std::vector<KeyDefinitions>& groups, Diagnostics& out) {
  auto error = [&](const SourceLocation& at, std::string path, std::string code, std::string message,
                   std::string hint = "") {
    out.add({Severity::error, std::move(code), std::move(message), at, std::move(path), std::move(hint)});
  };
  std::unordered_map<std::string_view, const KeyDefinitions*> by_key;
  for (const auto& g : groups) by_key.emplace(g.key, &g);

  // Several applicant definitions of one key must agree.
  for (const auto& g : groups) {
    const Field* first = nullptr;
    for (const Field* def : g.defs) {
      if (!def->produced_by.empty()) continue;  // produced against asked: below
      if (!first) {
        first = def;
        continue;
      }
      std::string why = definition_conflict(*first, *def);
      if (!why.empty())
        error(def->where, g.key, "field-conflict",
              fmt::format("field `{}` is defined again with a different definition: {} (first at {})", g.key, why,
                          first->where.to_string()),
              "one datum has one definition; make them agree or use two keys");
    }
  }

  // Produced data: alternatives (conditions that cannot hold together) may
  // produce one datum; the first producer's definition is checked against
  // the applicant's, the others' against the first.
  for (const auto& m : c.matters) {
    for (const auto& pf : m.produces) {
      const std::vector<const Matter*> producers = c.producers_of(pf.key);
      const Matter* overlapping = nullptr;
      for (const Matter* o : producers) {
        if (o == &m) break;
        if (!exclusive(*o, m, c)) {
          overlapping = o;
          break;
        }
      }
      if (overlapping) {
        error(pf.where, matter_path(c, m) + ".produces", "produced-twice",
              fmt::format("`{}` is produced by both {} and {}, whose conditions can hold together", pf.key,
                          matter_name(*overlapping), matter_name(m)),
              "alternatives need conditions that cannot both hold, e.g. different values of one enum field");
        continue;
      }
      const KeyDefinitions& group = *by_key.at(pf.key);
      if (!producers.empty() && producers.front() != &m) {
        const Field* first_def = nullptr;
        for (const Field* d : group.defs)
          if (d->produced_by == producers.front()->id) first_def = d;
        if (first_def)
          if (std::string why = definition_conflict(*first_def, pf); !why.empty())
            error(pf.where, matter_path(c, m) + ".produces", "field-conflict",
                  fmt::format("`{}` is produced again with a different definition: {} (first at {})", pf.key, why,
                              first_def->where.to_string()));
      } else {
        for (const Field* def : group.defs) {
          if (!def->produced_by.empty()) continue;
          if (def->type != pf.type) {
            error(pf.where, matter_path(c, m) + ".produces", "produced-type-collision",
                  fmt::format("matter {} produces `{}` as {}, but the applicant field `{}` (at {}) is {}", matter_name(m),
                              pf.key, to_string(pf.type), pf.key, def->where.to_string(), to_string(def->type)));
          } else if (def->prefer == Prefer::unset) {
            error(def->where, pf.key, "produced-and-asked",
                  fmt::format("`{}` is asked from the applicant here and produced by matter {} (at {}), and the chain "
                              "does not say which wins",
                              pf.key, matter_name(m), pf.where.to_string()),
                  "add `prefer: produced` (once-only: ask only when no matter produces it) or `prefer: applicant`");
          } else if (std::string why = definition_conflict(*def, pf); !why.empty()) {
            error(pf.where, matter_path(c, m) + ".produces", "field-conflict",
                  fmt::format("matter {} produces `{}` with a different definition than the applicant field (at {}): {}",
                              matter_name(m), pf.key, def->where.to_string(), why),
                  "one datum has one definition, whoever supplies it; make them agree");
          }
          break;  // one message per produced key
        }
      }
      for (const auto& r : m.fields)
        if (r.id == pf.key)
          error(r.where, matter_path(c, m) + ".fields", "self-supply",
                fmt::format("matter {} asks for `{}`, which it produces itself", matter_name(m), pf.key));
    }
  }
}

}  // namespace yilian::detail
