// FormChecker: the merged form compiled for fast checks (一次告知).
#include <fmt/format.h>

#include <algorithm>

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
  std::vector<int> unless_producers;       // prefer: produced with conditional producers
};

struct CompiledMatter {
  bool conditional = false;
  std::vector<std::pair<std::string_view, int>> condition_keys;  // key -> field index
  std::vector<int> fields;
  std::vector<int> materials;
};

struct CompiledForm {
  Form form;
  std::vector<CompiledField> fields;
  std::vector<CompiledMatter> matters;
  std::vector<std::pair<std::string_view, int>> keys;       // sorted by key
  std::vector<std::pair<std::string_view, int>> material_ids;  // sorted by id
  std::vector<std::string> asked_keys;                       // for did-you-mean
  std::vector<std::string> all_material_ids;
};

namespace {

int find_sorted(const std::vector<std::pair<std::string_view, int>>& v, std::string_view k) {
  auto it = std::lower_bound(v.begin(), v.end(), k, [](const auto& p, std::string_view x) { return p.first < x; });
  return it != v.end() && it->first == k ? it->second : -1;
}

std::shared_ptr<const CompiledForm> compile(Form form) {
  auto cf = std::make_shared<CompiledForm>();
  cf->form = std::move(form);
  const Form& f = cf->form;
  std::vector<std::pair<std::string_view, int>> matter_at;
  for (std::size_t i = 0; i < f.matters.size(); ++i) matter_at.emplace_back(f.matters[i].id, static_cast<int>(i));
  std::sort(matter_at.begin(), matter_at.end());

  cf->fields.reserve(f.fields.size());
  for (std::size_t i = 0; i < f.fields.size(); ++i) {
    const FormField& ff = f.fields[i];
    CompiledField c;
    c.rule = compile_rule(ff.field);
    c.asked = ff.asked;
    c.required = ff.field.required;  // an asked field's first definition is the applicant's
    c.deciding = !ff.deciding.empty();
    for (const auto& id : ff.matters) c.matters.push_back(find_sorted(matter_at, id));
    for (const auto& id : ff.deciding) c.decides.push_back(find_sorted(matter_at, id));
    if (!ff.unless_produced.empty())
      for (const auto& id : ff.producers) c.unless_producers.push_back(find_sorted(matter_at, id));
    cf->fields.push_back(std::move(c));
    cf->keys.emplace_back(ff.field.key, static_cast<int>(i));
    if (ff.asked) cf->asked_keys.push_back(ff.field.key);
  }
  std::sort(cf->keys.begin(), cf->keys.end());
  for (std::size_t i = 0; i < f.materials.size(); ++i) {
    cf->material_ids.emplace_back(f.materials[i].material.id, static_cast<int>(i));
    cf->all_material_ids.push_back(f.materials[i].material.id);
  }
  std::sort(cf->material_ids.begin(), cf->material_ids.end());
  for (const auto& m : f.matters) {
    CompiledMatter cm;
    cm.conditional = !m.when.empty();
    for (const auto& key : m.when.fields()) {
      const int i = find_sorted(cf->keys, key);
      if (i >= 0) cm.condition_keys.emplace_back(f.fields[static_cast<std::size_t>(i)].field.key, i);
    }
    for (std::size_t i : m.fields) cm.fields.push_back(static_cast<int>(i));
    for (std::size_t i : m.materials) cm.materials.push_back(static_cast<int>(i));
    cf->matters.push_back(std::move(cm));
  }
  return cf;
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

SourceLocation where_of(const Application* app, std::string_view key) {
  if (!app) return {};
  auto it = app->field_where.find(key);
  return it == app->field_where.end() ? SourceLocation{} : it->second;
}

CheckResult run_check(const CompiledForm& cf, const FieldValues& values, const std::vector<std::string>& materials,
                      const Application* app) {
  const Form& form = cf.form;
  const std::size_t nf = cf.fields.size(), nm = cf.matters.size();
  CheckResult r;

  if (app) {
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

  // 1. Values: a merge join of the sorted application keys with the form's.
  enum : std::uint8_t { absent = 0, valid = 1, bad = 2 };
  std::vector<const Value*> value(nf, nullptr);
  std::vector<std::uint8_t> state(nf, absent);
  std::vector<std::size_t> bad_item(nf, SIZE_MAX);  // index into r.invalid
  auto kit = cf.keys.begin();
  for (const auto& [key, v] : values) {
    while (kit != cf.keys.end() && kit->first < key) ++kit;
    if (kit == cf.keys.end() || kit->first != key) {
      r.invalid.push_back(invalid(key, "unknown-field", fmt::format("`{}` is not a field of chain `{}`", key, form.chain),
                                  fmt::format("“{}”不是本链条的填报项", key), detail::did_you_mean(key, cf.asked_keys),
                                  where_of(app, key)));
      continue;
    }
    const auto i = static_cast<std::size_t>(kit->second);
    if (detail::is_blank(v)) continue;
    const detail::CompiledField& c = cf.fields[i];
    if (!c.asked) {
      r.ignored.push_back({key, "produced-by-chain",
                           fmt::format("matter `{}` produces it (once-only)", form.fields[i].producers.front())});
      continue;
    }
    InvalidItem item;
    if (!detail::check_value(c.rule, v, item)) {
      item.where = where_of(app, key);
      state[i] = bad;
      bad_item[i] = r.invalid.size();
      r.invalid.push_back(std::move(item));
      continue;
    }
    value[i] = &v;
    state[i] = valid;
  }

  // 2. Which matters apply: conditions over the valid values only.
  std::vector<Truth> truth(nm, Truth::yes);
  for (std::size_t m = 0; m < nm; ++m) {
    const detail::CompiledMatter& cm = cf.matters[m];
    if (!cm.conditional) continue;
    truth[m] = form.matters[m].when.evaluate([&](std::string_view k) -> const Value* {
      for (const auto& [ck, i] : cm.condition_keys)
        if (ck == k) return value[static_cast<std::size_t>(i)];
      return nullptr;
    });
  }
  for (std::size_t m = 0; m < nm; ++m) {
    if (truth[m] == Truth::no) r.skipped_matters.push_back(form.matters[m].id);
    else r.applicable_matters.push_back(form.matters[m].id);
    if (truth[m] == Truth::unknown) r.undetermined_matters.push_back(form.matters[m].id);
  }

  // 3. Fields the applicable matters need, and fields that must decide an
  //    undecided condition.
  std::vector<std::vector<int>> decides_now(nf);
  for (std::size_t m = 0; m < nm; ++m) {
    if (truth[m] != Truth::unknown) continue;
    for (const auto& [k, i] : cf.matters[m].condition_keys)
      if (state[static_cast<std::size_t>(i)] != valid) decides_now[static_cast<std::size_t>(i)].push_back(static_cast<int>(m));
  }
  std::vector<std::size_t> drop_invalid;
  for (std::size_t i = 0; i < nf; ++i) {
    const detail::CompiledField& c = cf.fields[i];
    if (!c.asked) continue;
    bool needed = false, definite = !decides_now[i].empty();
    std::vector<int> by;
    for (int m : c.matters) {
      const Truth t = truth[static_cast<std::size_t>(m)];
      if (t == Truth::no) continue;
      needed = true;
      if (c.required) by.push_back(m);
      if (t == Truth::yes && c.required) definite = true;
    }
    int producer = -1;
    for (int p : c.unless_producers)
      if (truth[static_cast<std::size_t>(p)] != Truth::no) {
        needed = false;  // a producer will supply it
        producer = p;
        by.clear();
      }
    if (!needed && decides_now[i].empty() && state[i] != absent) {
      if (producer >= 0) {
        r.ignored.push_back({form.fields[i].field.key, "produced-by-chain",
                             fmt::format("matter `{}` produces it (once-only)",
                                         form.matters[static_cast<std::size_t>(producer)].id)});
        if (state[i] == bad) drop_invalid.push_back(bad_item[i]);
      } else if (!c.deciding) {
        std::string not_applying;
        for (int m : c.matters) not_applying += (not_applying.empty() ? "" : ", ") + form.matters[static_cast<std::size_t>(m)].id;
        r.ignored.push_back({form.fields[i].field.key, "not-needed",
                             not_applying.empty() ? "a matter of the chain supplies it"
                                                  : fmt::format("only {} need it, and they do not apply", not_applying)});
        if (state[i] == bad) drop_invalid.push_back(bad_item[i]);
      }
      continue;
    }
    if (state[i] != absent) continue;
    by.insert(by.end(), decides_now[i].begin(), decides_now[i].end());
    if (by.empty()) continue;  // optional, or not needed
    std::sort(by.begin(), by.end());
    by.erase(std::unique(by.begin(), by.end()), by.end());
    MissingItem mi;
    mi.kind = MissingItem::Kind::field;
    mi.key = form.fields[i].field.key;
    mi.label = form.fields[i].field.label;
    for (int m : by) mi.needed_by.push_back(form.matters[static_cast<std::size_t>(m)].id);
    mi.if_applicable = !definite;
    r.missing.push_back(std::move(mi));
  }
  if (!drop_invalid.empty()) {
    std::sort(drop_invalid.begin(), drop_invalid.end());
    for (auto it = drop_invalid.rbegin(); it != drop_invalid.rend(); ++it)
      r.invalid.erase(r.invalid.begin() + static_cast<std::ptrdiff_t>(*it));
  }

  // 4. Materials. One issued inside the chain is never asked (once-only).
  std::vector<std::uint8_t> given(form.materials.size(), 0);
  for (std::size_t k = 0; k < materials.size(); ++k) {
    const std::string& id = materials[k];
    const SourceLocation at = app && k < app->material_where.size() ? app->material_where[k] : SourceLocation{};
    const int j = detail::find_sorted(cf.material_ids, id);
    if (j < 0) {
      r.invalid.push_back(invalid(id, "unknown-material", fmt::format("`{}` is not a material of chain `{}`", id, form.chain),
                                  fmt::format("“{}”不是本链条所需的材料", id),
                                  detail::did_you_mean(id, cf.all_material_ids), at));
      continue;
    }
    const auto ju = static_cast<std::size_t>(j);
    const FormMaterial& fm = form.materials[ju];
    if (!fm.asked) {
      r.ignored.push_back({id, "issued-by-chain",
                           fmt::format("matter `{}` issues it (once-only)", fm.issuers.empty() ? "" : fm.issuers.front())});
      continue;
    }
    given[ju] = 1;
  }
  std::vector<std::vector<int>> need_material(form.materials.size());
  std::vector<std::uint8_t> definite_material(form.materials.size(), 0);
  for (std::size_t m = 0; m < nm; ++m) {
    if (truth[m] == Truth::no) continue;
    for (int j : cf.matters[m].materials) {
      need_material[static_cast<std::size_t>(j)].push_back(static_cast<int>(m));
      if (truth[m] == Truth::yes) definite_material[static_cast<std::size_t>(j)] = 1;
    }
  }
  for (std::size_t j = 0; j < form.materials.size(); ++j) {
    const FormMaterial& fm = form.materials[j];
    if (!fm.asked || need_material[j].empty() || given[j]) continue;
    MissingItem mi;
    mi.kind = MissingItem::Kind::material;
    mi.key = fm.material.id;
    mi.label = fm.material.name;
    for (int m : need_material[j]) mi.needed_by.push_back(form.matters[static_cast<std::size_t>(m)].id);
    mi.if_applicable = !definite_material[j];
    r.missing.push_back(std::move(mi));
  }

  r.complete = r.missing.empty() && r.invalid.empty();
  return r;
}

}  // namespace

FormChecker::FormChecker(const Chain& chain) : impl_(detail::compile(merge_form(chain))) {}
FormChecker::FormChecker(const Form& form) : impl_(detail::compile(form)) {}

CheckResult FormChecker::check(const Application& application) const {
  return run_check(*impl_, application.fields, application.materials, &application);
}

CheckResult FormChecker::check(const FieldValues& fields, const std::vector<std::string>& materials) const {
  return run_check(*impl_, fields, materials, nullptr);
}

const Form& FormChecker::form() const { return impl_->form; }

CheckResult check_application(const Chain& chain, const Application& application) {
  return FormChecker(chain).check(application);
}

}  // namespace yilian
