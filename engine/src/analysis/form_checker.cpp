// FormChecker: the merged form compiled for fast checks (一次告知).
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "analysis/value_rules.h"
#include "load/doc_reader.h"
#include "yilian/check.h"

namespace yilian {
namespace detail {

struct CompiledField {
  ValueRule rule;
  bool asked = true;
  bool required = true;                    // not `required: false`
  bool deciding = false;                   // some condition reads it
  std::vector<int> matters;                // matters that list it, chain order
  std::vector<int> decides;                // matters whose condition reads it
  std::vector<int> decides_materials;      // materials whose own condition reads it
  std::vector<int> unless_producers;       // prefer: produced with conditional producers
};

struct CompiledMatter {
  bool conditional = false;
  std::vector<std::pair<std::string_view, int>> condition_keys;  // key -> field index
  std::vector<int> fields;
  std::vector<int> materials;
};

/// A material's own condition (`when`), for the materials the applicant hands in.
struct CompiledMaterial {
  bool conditional = false;
  std::vector<std::pair<std::string_view, int>> condition_keys;  // key -> field index
};

/// Material ids to their indices, for the per-application look-ups: open
/// addressing over a cheap hash of an id's length and its first and last
/// eight bytes, confirmed by one comparison (std::unordered_map hashed
/// every byte and divided per look-up: a third of a complete check).
class IdIndex {
 public:
  void build(std::vector<std::string_view> ids) {
    ids_ = std::move(ids);
    std::size_t size = 8;
    while (size < 2 * ids_.size()) size *= 2;
    mask_ = size - 1;
    slots_.assign(size, -1);
    for (std::size_t i = 0; i < ids_.size(); ++i) {
      std::size_t at = hash(ids_[i]) & mask_;
      while (slots_[at] >= 0) at = (at + 1) & mask_;
      slots_[at] = static_cast<std::int32_t>(i);
    }
  }
  /// The index of `id`, or -1.
  [[nodiscard]] int find(std::string_view id) const {
    for (std::size_t at = hash(id) & mask_;; at = (at + 1) & mask_) {
      const std::int32_t i = slots_[at];
      if (i < 0) return -1;
      if (ids_[static_cast<std::size_t>(i)] == id) return i;
    }
  }

 private:
  static std::uint64_t hash(std::string_view s) {
    std::uint64_t head = 0, tail = 0;
    const std::size_t n = std::min<std::size_t>(8, s.size());
    std::memcpy(&head, s.data(), n);
    std::memcpy(&tail, s.data() + s.size() - n, n);
    std::uint64_t h = (head * 0x9E3779B97F4A7C15ULL) ^ (tail * 0xC2B2AE3D27D4EB4FULL) ^ s.size();
    return h ^ (h >> 29);
  }
  std::vector<std::string_view> ids_;
  std::vector<std::int32_t> slots_;  // -1: empty
  std::size_t mask_ = 0;
};

struct CompiledForm {
  Form form;
  std::vector<CompiledField> fields;
  std::vector<CompiledMatter> matters;
  std::vector<CompiledMaterial> materials;
  std::vector<std::pair<std::string_view, int>> keys;       // sorted by key
  IdIndex material_at;                                       // id -> index
  std::vector<std::string> asked_keys;                       // for did-you-mean
  std::vector<std::string> all_material_ids;
};

namespace {

int find_sorted(const std::vector<std::pair<std::string_view, int>>& v, std::string_view k) {
  auto it = std::lower_bound(v.begin(), v.end(), k, [](const auto& p, std::string_view x) { return p.first < x; });
  return it != v.end() && it->first == k ? it->second : -1;
}

/// Compiles `form` into `cf` (a FormChecker's Impl).
void compile(Form form, CompiledForm& cf) {
  cf.form = std::move(form);
  const Form& f = cf.form;
  std::vector<std::pair<std::string_view, int>> matter_at;
  for (std::size_t i = 0; i < f.matters.size(); ++i) matter_at.emplace_back(f.matters[i].id, static_cast<int>(i));
  std::sort(matter_at.begin(), matter_at.end());

  cf.fields.reserve(f.fields.size());
  for (std::size_t i = 0; i < f.fields.size(); ++i) {
    const FormField& ff = f.fields[i];
    CompiledField c;
    c.rule = compile_rule(ff.field);
    c.asked = ff.asked;
    c.required = ff.field.required;  // an asked field's first definition is the applicant's
    c.deciding = !ff.deciding.empty() || !ff.deciding_materials.empty();
    for (const auto& id : ff.matters) c.matters.push_back(find_sorted(matter_at, id));
    for (const auto& id : ff.deciding) c.decides.push_back(find_sorted(matter_at, id));
    for (const auto& id : ff.deciding_materials)
      for (std::size_t j = 0; j < f.materials.size(); ++j)
        if (f.materials[j].material.id == id) c.decides_materials.push_back(static_cast<int>(j));
    if (!ff.unless_produced.empty())
      for (const auto& id : ff.producers) c.unless_producers.push_back(find_sorted(matter_at, id));
    cf.fields.push_back(std::move(c));
    cf.keys.emplace_back(ff.field.key, static_cast<int>(i));
    if (ff.asked) cf.asked_keys.push_back(ff.field.key);
  }
  std::sort(cf.keys.begin(), cf.keys.end());
  std::vector<std::string_view> material_ids;
  for (std::size_t i = 0; i < f.materials.size(); ++i) {
    material_ids.emplace_back(f.materials[i].material.id);
    cf.all_material_ids.push_back(f.materials[i].material.id);
  }
  cf.material_at.build(std::move(material_ids));
  for (const auto& fm : f.materials) {
    CompiledMaterial cm;
    cm.conditional = fm.asked && fm.material.conditional();
    if (cm.conditional)
      for (const auto& key : fm.material.when.fields()) {
        const int i = find_sorted(cf.keys, key);
        if (i >= 0) cm.condition_keys.emplace_back(f.fields[static_cast<std::size_t>(i)].field.key, i);
      }
    cf.materials.push_back(std::move(cm));
  }
  for (const auto& m : f.matters) {
    CompiledMatter cm;
    cm.conditional = !m.when.empty();
    for (const auto& key : m.when.fields()) {
      const int i = find_sorted(cf.keys, key);
      if (i >= 0) cm.condition_keys.emplace_back(f.fields[static_cast<std::size_t>(i)].field.key, i);
    }
    for (std::size_t i : m.fields) cm.fields.push_back(static_cast<int>(i));
    for (std::size_t i : m.materials) cm.materials.push_back(static_cast<int>(i));
    cf.matters.push_back(std::move(cm));
  }
}

}  // namespace
}  // namespace detail

namespace {

using detail::CompiledForm;

InvalidItem invalid(std::string key, std::string code, std::string reason, std::string reason_zh, std::string hint,
                    SourceLocation where) {
  return InvalidItem{std::move(key), std::move(code), std::move(reason), std::move(reason_zh), std::move(hint),
                     std::move(where)};
}

std::string not_needed_detail(const Form& form, const detail::CompiledField& c) {
  if (c.matters.empty()) return "no matter of the chain needs it";
  std::string ids;
  for (int m : c.matters) ids += (ids.empty() ? "" : ", ") + form.matters[static_cast<std::size_t>(m)].id;
  return fmt::format("only {} need it, and they do not apply", ids);
}

SourceLocation where_of(const Application* app, std::string_view key) {
  if (!app) return {};
  auto it = app->field_where.find(key);
  return it == app->field_where.end() ? SourceLocation{} : it->second;
}

/// "2023-12-01 至 2024-05-31", "2023-12-01 起", "至 2023-11-30".
std::string validity_zh(const Validity& v) {
  if (v.from && v.until) return fmt::format("{} 至 {}", v.from->to_string(), v.until->to_string());
  if (v.from) return fmt::format("{} 起", v.from->to_string());
  if (v.until) return fmt::format("至 {}", v.until->to_string());
  return "长期";
}

/// Per-thread scratch space, so that a check allocates only its result.
struct Scratch {
  std::vector<const Value*> value;    // by field: the valid value, or null
  std::vector<std::uint8_t> state;    // by field: absent, valid, bad
  std::vector<std::uint32_t> bad;     // by field: index into the result's invalid items
  std::vector<Truth> truth;           // by matter
  std::vector<Truth> material_truth;  // by material: its own condition
  std::vector<std::uint8_t> decide;   // by field: must decide an undecided condition
  std::vector<std::uint8_t> material; // by material: bit 1 needed, bit 2 definitely, bit 4 given
  std::vector<int> by;
};

enum : std::uint8_t { absent = 0, valid = 1, bad = 2 };

/// The one check. With Full, fills `r` (every item) and returns whether the
/// application is complete. Without Full, `r` is unused and nothing is
/// allocated: it returns false at the first item that would make the full
/// result incomplete (a missing item, or an invalid item that is kept), and
/// true otherwise. Both modes walk the same steps over the same compiled
/// form, so FormChecker::complete() == check().complete by construction
/// (and tests/unit/form_checker_fast_test.cpp checks it).
template <bool Full>
bool run_check(const CompiledForm& cf, const FieldValues& values, const std::vector<std::string>& materials,
               const Application* app, std::optional<Date> on, CheckResult& r) {
  const Form& form = cf.form;
  const std::size_t nf = cf.fields.size(), nm = cf.matters.size(), nmat = form.materials.size();
  thread_local Scratch s;
  s.value.assign(nf, nullptr);
  s.state.assign(nf, absent);
  if constexpr (Full) s.bad.assign(nf, 0);
  s.truth.assign(nm, Truth::yes);
  s.material_truth.assign(nmat, Truth::yes);
  s.decide.assign(nf, 0);
  s.material.assign(nmat, 0);
  if constexpr (Full) r.missing.reserve(8);

  if constexpr (!Full) {
    if (app && (app->chain != form.chain || (app->version && *app->version != form.version))) return false;
  } else if (app) {
    if (app->chain != form.chain)
      r.invalid.push_back(invalid("chain", "chain",
                                  fmt::format("the application is for chain `{}`, not `{}`", app->chain, form.chain),
                                  fmt::format("申请所属链条为“{}”，与本链条“{}”（{}）不符", app->chain, form.name, form.chain),
                                  "", app->where));
    if (app->version && *app->version != form.version)
      r.invalid.push_back(invalid("version", "version",
                                  fmt::format("the application was filled in for version {}, the chain is at version {}",
                                              *app->version, form.version),
                                  fmt::format("申请按第 {} 版填写，现行为第 {} 版", *app->version, form.version), "",
                                  app->where));
  }

  // 0. The chain itself must be in force on the day (valid_from / valid_until).
  if (on && !form.valid.contains(*on)) {
    if constexpr (!Full) return false;
    r.invalid.push_back(invalid("chain", "not-in-force",
                                fmt::format("chain `{}` is in force {}; a case accepted on {} cannot use it", form.chain,
                                            form.valid.to_string(), on->to_string()),
                                fmt::format("本链条“{}”的有效期为{}，{}受理的申请不能适用", form.name,
                                            validity_zh(form.valid), on->to_string()),
                                "", app ? app->where : SourceLocation{}));
  }

  // 1. Values: a merge join of the sorted application keys with the form's.
  auto kit = cf.keys.begin();
  InvalidItem item;
  for (const auto& [key, v] : values) {
    const std::string_view k = key;
    int order = 1;
    while (kit != cf.keys.end() && (order = kit->first.compare(k)) < 0) ++kit;
    if (order != 0) {
      if constexpr (!Full) return false;
      r.invalid.push_back(invalid(key, "unknown-field", fmt::format("`{}` is not a field of chain `{}`", key, form.chain),
                                  fmt::format("“{}”不是本链条的填报项", key), detail::did_you_mean(key, cf.asked_keys),
                                  where_of(app, key)));
      continue;
    }
    const auto i = static_cast<std::size_t>(kit->second);
    if (detail::is_blank(v)) continue;
    const detail::CompiledField& c = cf.fields[i];
    if (!c.asked) {
      if constexpr (Full)
        r.ignored.push_back({key, "produced-by-chain",
                             fmt::format("matter `{}` produces it (once-only)", form.fields[i].producers.front())});
      continue;
    }
    if (!detail::check_value(c.rule, v, item)) {
      s.state[i] = bad;
      if constexpr (!Full) {
        item = InvalidItem{};
        continue;  // kept or dropped in step 3
      }
      item.where = where_of(app, key);
      s.bad[i] = static_cast<std::uint32_t>(r.invalid.size());
      r.invalid.push_back(std::move(item));
      item = InvalidItem{};
      continue;
    }
    s.value[i] = &v;
    s.state[i] = valid;
  }

  // 2. Which matters apply: conditions over the valid values only.
  if constexpr (Full) r.applicable_matters.reserve(nm);
  for (std::size_t m = 0; m < nm; ++m) {
    const detail::CompiledMatter& cm = cf.matters[m];
    // The one rule of applicability (chain.h): in force on the day, then the condition.
    if (on && !form.matters[m].valid.contains(*on)) {
      s.truth[m] = Truth::no;
      if constexpr (Full) r.not_in_force_matters.push_back(form.matters[m].id);
      continue;
    }
    if (cm.conditional)
      s.truth[m] = applies(form.matters[m].valid, form.matters[m].when, on, [&](std::string_view k) -> const Value* {
        for (const auto& [ck, i] : cm.condition_keys)
          if (ck == k) return s.value[static_cast<std::size_t>(i)];
        return nullptr;
      });
    if (s.truth[m] == Truth::no) {
      if constexpr (Full) r.skipped_matters.push_back(form.matters[m].id);
      continue;
    }
    if constexpr (Full) {
      r.applicable_matters.push_back(form.matters[m].id);
      const Matter::Commitment c = form.matters[m].commitment;
      if (c == Matter::Commitment::required ||
          (c == Matter::Commitment::optional && app &&
           std::find(app->commitments.begin(), app->commitments.end(), form.matters[m].id) != app->commitments.end()))
        r.committed_matters.push_back(form.matters[m].id);
    }
    if (s.truth[m] != Truth::unknown) continue;
    if constexpr (Full) r.undetermined_matters.push_back(form.matters[m].id);
    // An undecided condition needs every field it reads that has no valid value.
    for (const auto& [k, i] : cm.condition_keys)
      if (s.state[static_cast<std::size_t>(i)] != valid) s.decide[static_cast<std::size_t>(i)] = 1;
  }

  // 2b. Which materials the case needs: one that an applicable matter lists,
  //     unless its own condition is false (undecided: needed if it holds,
  //     and the fields it reads must decide it). The one rule for the check,
  //     the notice and the flow core (which calls complete()).
  enum : std::uint8_t { mat_needed = 1, mat_definitely = 2, mat_given = 4 };
  for (std::size_t m = 0; m < nm; ++m) {
    if (s.truth[m] == Truth::no) continue;
    const std::uint8_t bits = s.truth[m] == Truth::yes ? mat_needed | mat_definitely : mat_needed;
    for (int j : cf.matters[m].materials) s.material[static_cast<std::size_t>(j)] |= bits;
  }
  for (std::size_t j = 0; j < nmat; ++j) {
    const detail::CompiledMaterial& cm = cf.materials[j];
    if (!cm.conditional || !(s.material[j] & mat_needed)) continue;
    const Truth t = form.materials[j].material.when.evaluate([&](std::string_view k) -> const Value* {
      for (const auto& [ck, i] : cm.condition_keys)
        if (ck == k) return s.value[static_cast<std::size_t>(i)];
      return nullptr;
    });
    s.material_truth[j] = t;
    if (t == Truth::no) {
      s.material[j] = 0;
    } else if (t == Truth::unknown) {
      s.material[j] &= static_cast<std::uint8_t>(~mat_definitely);
      for (const auto& [k, i] : cm.condition_keys)
        if (s.state[static_cast<std::size_t>(i)] != valid) s.decide[static_cast<std::size_t>(i)] = 1;
    }
  }

  // 3. Fields the applicable matters need, and fields that must decide an
  //    undecided condition.
  std::vector<std::uint32_t> drop_invalid;
  for (std::size_t i = 0; i < nf; ++i) {
    const detail::CompiledField& c = cf.fields[i];
    if (!c.asked) continue;
    bool needed = false, definite = s.decide[i] != 0;
    for (int m : c.matters) {
      const Truth t = s.truth[static_cast<std::size_t>(m)];
      if (t == Truth::no) continue;
      needed = true;
      definite = definite || (t == Truth::yes && c.required);
    }
    int producer = -1;
    for (int p : c.unless_producers)
      if (s.truth[static_cast<std::size_t>(p)] != Truth::no) producer = p;  // a producer will supply it
    if (producer >= 0) needed = false;
    if (s.state[i] != absent) {
      if (needed || s.decide[i] || c.deciding) {
        if constexpr (!Full)
          if (s.state[i] == bad) return false;  // the invalid item is kept
        continue;
      }
      // Given but not used: ignored (an invalid value of it is no error).
      if constexpr (!Full) continue;
      if (producer >= 0)
        r.ignored.push_back({form.fields[i].field.key, "produced-by-chain",
                             fmt::format("matter `{}` produces it (once-only)",
                                         form.matters[static_cast<std::size_t>(producer)].id)});
      else
        r.ignored.push_back({form.fields[i].field.key, "not-needed", not_needed_detail(form, c)});
      if (s.state[i] == bad) drop_invalid.push_back(s.bad[i]);
      continue;
    }
    if (!((needed && c.required) || s.decide[i])) continue;
    if constexpr (!Full) return false;
    // Missing: the matters that need it or that it must decide.
    s.by.clear();
    if (needed && c.required)
      for (int m : c.matters)
        if (s.truth[static_cast<std::size_t>(m)] != Truth::no) s.by.push_back(m);
    if (s.decide[i]) {
      for (int m : c.decides)
        if (s.truth[static_cast<std::size_t>(m)] == Truth::unknown) s.by.push_back(m);
      // Deciding a material's condition: the applicable matters that list it.
      for (int j : c.decides_materials) {
        if (s.material_truth[static_cast<std::size_t>(j)] != Truth::unknown ||
            !(s.material[static_cast<std::size_t>(j)] & mat_needed))
          continue;
        for (std::size_t m = 0; m < nm; ++m)
          if (s.truth[m] != Truth::no)
            for (int x : cf.matters[m].materials)
              if (x == j) s.by.push_back(static_cast<int>(m));
      }
    }
    std::sort(s.by.begin(), s.by.end());
    s.by.erase(std::unique(s.by.begin(), s.by.end()), s.by.end());
    MissingItem mi;
    mi.kind = MissingItem::Kind::field;
    mi.key = form.fields[i].field.key;
    mi.label = form.fields[i].field.label;
    mi.needed_by.reserve(s.by.size());
    for (int m : s.by) mi.needed_by.push_back(form.matters[static_cast<std::size_t>(m)].id);
    mi.if_applicable = !definite;
    r.missing.push_back(std::move(mi));
  }
  if (Full && !drop_invalid.empty()) {
    std::sort(drop_invalid.begin(), drop_invalid.end());
    for (auto it = drop_invalid.rbegin(); it != drop_invalid.rend(); ++it)
      r.invalid.erase(r.invalid.begin() + static_cast<std::ptrdiff_t>(*it));
  }

  // 4. Materials. One issued inside the chain is never asked (once-only),
  //    nor one the office fetches by data sharing.
  // 告知承诺: the applicant commits only to matters that allow it.
  if (app)
    for (std::size_t k = 0; k < app->commitments.size(); ++k) {
      const std::string& id = app->commitments[k];
      const auto it = std::find_if(form.matters.begin(), form.matters.end(), [&](const FormMatter& m) { return m.id == id; });
      if (it != form.matters.end() && it->commitment != Matter::Commitment::none) continue;
      if constexpr (!Full) return false;
      const SourceLocation at = k < app->commitment_where.size() ? app->commitment_where[k] : SourceLocation{};
      r.invalid.push_back(invalid("commitments", "commitment",
                                  it == form.matters.end()
                                      ? fmt::format("`{}` is not a matter of chain `{}`", id, form.chain)
                                      : fmt::format("matter `{}` is not approved on a commitment (告知承诺)", id),
                                  fmt::format("“{}”不适用告知承诺", id), "", at));
    }
  // 代办帮办: an agent acts with the applicant's authorisation, a material
  // every chain knows.
  const bool agent = app && app->agent;
  bool authorised = false;
  for (std::size_t k = 0; k < materials.size(); ++k) {
    const std::string& id = materials[k];
    const int j = cf.material_at.find(id);
    if (j < 0 && id == kAgentAuthorisation) {
      authorised = true;
      if constexpr (Full)
        if (app && !agent) r.ignored.push_back({id, "not-needed", "the application names no agent"});
      continue;
    }
    if (j < 0) {
      if constexpr (!Full) return false;
      const SourceLocation at = app && k < app->material_where.size() ? app->material_where[k] : SourceLocation{};
      r.invalid.push_back(invalid(id, "unknown-material", fmt::format("`{}` is not a material of chain `{}`", id, form.chain),
                                  fmt::format("“{}”不是本链条所需的材料", id),
                                  detail::did_you_mean(id, cf.all_material_ids), at));
      continue;
    }
    const FormMaterial& fm = form.materials[static_cast<std::size_t>(j)];
    if (!fm.asked) {
      if constexpr (Full) {
        if (!fm.issuers.empty())
          r.ignored.push_back({id, "issued-by-chain", fmt::format("matter `{}` issues it (once-only)", fm.issuers.front())});
        else
          r.ignored.push_back({id, "shared", "the office fetches it by data sharing (共享获取)"});
      }
      continue;
    }
    s.material[static_cast<std::size_t>(j)] |= mat_given;
  }
  for (std::size_t j = 0; j < nmat; ++j) {
    const FormMaterial& fm = form.materials[j];
    if (!fm.asked || !(s.material[j] & mat_needed) || (s.material[j] & mat_given)) continue;
    const bool deferred = fm.material.deferrable;  // 容缺受理: not a reason to refuse acceptance
    if constexpr (!Full) {
      if (!deferred) return false;
      continue;
    }
    MissingItem mi;
    mi.kind = MissingItem::Kind::material;
    mi.key = fm.material.id;
    mi.label = fm.material.name;
    for (std::size_t m = 0; m < nm; ++m)
      if (s.truth[m] != Truth::no)
        for (int x : cf.matters[m].materials)
          if (static_cast<std::size_t>(x) == j) mi.needed_by.push_back(form.matters[m].id);
    mi.if_applicable = !(s.material[j] & mat_definitely);
    (deferred ? r.deferred : r.missing).push_back(std::move(mi));
  }
  if (agent && !authorised) {
    if constexpr (!Full) return false;
    MissingItem mi;
    mi.kind = MissingItem::Kind::material;
    mi.key = std::string(kAgentAuthorisation);
    mi.label = std::string(kAgentAuthorisationName);
    r.missing.push_back(std::move(mi));
  }

  if constexpr (!Full) return true;
  r.complete = r.missing.empty() && r.invalid.empty();
  return r.complete;
}

}  // namespace

struct FormChecker::Impl : detail::CompiledForm {};

namespace {
/// A checker's compiled form (templated on the private FormChecker::Impl,
/// which only FormChecker's members name).
template <class Impl>
std::shared_ptr<const Impl> compiled(Form form) {
  auto impl = std::make_shared<Impl>();
  detail::compile(std::move(form), *impl);
  return impl;
}
}  // namespace

FormChecker::FormChecker(const Chain& chain) : impl_(compiled<Impl>(merge_form(chain))) {}
FormChecker::FormChecker(const Form& form) : impl_(compiled<Impl>(form)) {}

CheckResult FormChecker::check(const Application& application, std::optional<Date> on) const {
  CheckResult r;
  run_check<true>(*impl_, application.fields, application.materials, &application, on, r);
  return r;
}

CheckResult FormChecker::check(const FieldValues& fields, const std::vector<std::string>& materials,
                               std::optional<Date> on) const {
  CheckResult r;
  run_check<true>(*impl_, fields, materials, nullptr, on, r);
  return r;
}

bool FormChecker::complete(const Application& application, std::optional<Date> on) const {
  CheckResult unused;
  return run_check<false>(*impl_, application.fields, application.materials, &application, on, unused);
}

bool FormChecker::complete(const FieldValues& fields, const std::vector<std::string>& materials,
                           std::optional<Date> on) const {
  CheckResult unused;
  return run_check<false>(*impl_, fields, materials, nullptr, on, unused);
}

const Form& FormChecker::form() const { return impl_->form; }

CheckResult check_application(const Chain& chain, const Application& application, std::optional<Date> on) {
  return FormChecker(chain).check(application, on);
}

}  // namespace yilian
