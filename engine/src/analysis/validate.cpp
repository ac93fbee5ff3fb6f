// validate(): the checks that need more than one key of a chain file.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "analysis/condition_sets.h"
#include "analysis/field_defs.h"
#include "analysis/graph.h"
#include "load/doc_reader.h"
#include "load/material_files.h"
#include "yilian/analysis.h"
#include "yilian/load.h"
#include "yilian/matter_code.h"

namespace yilian {
namespace {

using detail::did_you_mean;

class Validator {
 public:
  explicit Validator(const Chain& c) : c_(c) {
    for (const auto& d : c.departments) department_ids_.push_back(d.id);
    for (const auto& m : c.materials) material_ids_.push_back(m.id);
    field_keys_ = c.field_keys();
  }

  Diagnostics run() {
    check_departments();
    check_holder_and_licences();
    check_matter_ids();
    for (const auto& m : c_.matters) check_matter_refs(m);
    // Several definitions of one datum: one rule, shared with the form merge.
    detail::check_field_definitions(c_, d_);
    graph_ = detail::build_graph(c_);
    check_cycles();
    if (graph_.acyclic()) {
      check_supply_order();
      check_conditions();
      check_timing();
    }
    check_unused();
    check_validity();
    d_.append(check_codes({&c_}));  // 三级四同 inside the chain
    d_.sort();
    return std::move(d_);
  }

 private:
  void error(const SourceLocation& at, std::string path, std::string code, std::string message, std::string hint = "") {
    d_.add({Severity::error, std::move(code), std::move(message), at, std::move(path), std::move(hint)});
  }
  void warning(const SourceLocation& at, std::string path, std::string code, std::string message, std::string hint = "") {
    d_.add({Severity::warning, std::move(code), std::move(message), at, std::move(path), std::move(hint)});
  }

  static std::string matter_name(const Matter& m) {
    return m.name.empty() ? fmt::format("`{}`", m.id) : fmt::format("`{}` ({})", m.id, m.name);
  }

  std::string matter_path(const Matter& m) const {
    if (!m.path.empty()) return m.path;  // its path in the file it came from (a base or an overlay)
    return fmt::format("matters[{}]", static_cast<std::size_t>(&m - c_.matters.data()));
  }

  /// The holder registry's key and the licences' numbers name fields of the chain.
  void check_holder_and_licences() {
    if (!c_.holder.id.empty()) {
      const Field* f = c_.find_field(c_.holder.id);
      if (!f)
        error(c_.holder.where, "holder", "unknown-field",
              fmt::format("`holder` names `{}`, which is not a field of the chain", c_.holder.id),
              did_you_mean(c_.holder.id, field_keys_));
      else if (f->type != FieldType::id_card && f->type != FieldType::uscc)
        error(c_.holder.where, "holder", "holder-type",
              fmt::format("`holder` names `{}` of type {}: a holder is named by a resident ID (id-card) or a unified "
                          "social credit code (uscc)",
                          c_.holder.id, to_string(f->type)));
    }
    for (const Material& m : c_.materials)
      if (m.licence && !m.licence->number.id.empty() && !c_.find_field(m.licence->number.id))
        error(m.licence->number.where, fmt::format("materials.{}.licence.number", m.id), "unknown-field",
              fmt::format("licence `{}` takes its number from `{}`, which is not a field of the chain", m.id,
                          m.licence->number.id),
              did_you_mean(m.licence->number.id, field_keys_));
  }

  void check_departments() {
    if (!c_.lead.empty() && !c_.find_department(c_.lead))
      error(c_.lead_where, "lead", "unknown-department", fmt::format("the lead department `{}` is not declared", c_.lead),
            did_you_mean(c_.lead, department_ids_));
    for (const auto& dep : c_.departments)
      for (const auto& s : dep.sees)
        if (!c_.find_field(s.id))
          error(s.where, fmt::format("departments.{}.sees", dep.id), "unknown-field",
                fmt::format("department `{}` is to see `{}`, which is not a field of the chain", dep.id, s.id),
                did_you_mean(s.id, field_keys_));
  }

  void check_matter_ids() {
    // The index keeps the first matter of each id.
    for (std::size_t i = 0; i < c_.matters.size(); ++i) {
      const Matter& m = c_.matters[i];
      if (m.id.empty()) continue;
      if (const auto first = c_.matter_index(m.id); first && *first != i)
        error(m.where, matter_path(m) + ".id", "duplicate-id",
              fmt::format("matter `{}` is defined twice (first at {})", m.id, c_.matters[*first].where.to_string()));
    }
  }

  void check_matter_refs(const Matter& m) {
    const std::string path = matter_path(m);
    if (!m.department.empty() && !c_.find_department(m.department))
      error(m.department_where, m.department_path.empty() ? path + ".department" : m.department_path, "unknown-department",
            fmt::format("matter {} names department `{}`, which is not declared", matter_name(m), m.department),
            did_you_mean(m.department, department_ids_));
    for (std::size_t i = 0; i < m.fields.size(); ++i)
      if (!c_.find_field(m.fields[i].id))
        error(m.fields[i].where, fmt::format("{}.fields[{}]", path, i), "unknown-field",
              fmt::format("matter {} needs field `{}`, which nothing supplies: it is not in the catalogue, not "
                          "defined in a matter and not produced by one",
                          matter_name(m), m.fields[i].id),
              did_you_mean(m.fields[i].id, field_keys_));
    for (std::size_t i = 0; i < m.materials.size(); ++i)
      if (!c_.find_material(m.materials[i].id))
        error(m.materials[i].where, fmt::format("{}.materials[{}]", path, i), "unknown-material",
              fmt::format("matter {} needs material `{}`, which is not declared", matter_name(m), m.materials[i].id),
              did_you_mean(m.materials[i].id, material_ids_));
    for (std::size_t i = 0; i < m.results.size(); ++i) {
      if (!c_.find_material(m.results[i].id))
        error(m.results[i].where, fmt::format("{}.results[{}]", path, i), "unknown-material",
              fmt::format("matter {} issues material `{}`, which is not declared", matter_name(m), m.results[i].id),
              did_you_mean(m.results[i].id, material_ids_));
      if (const Material* mat = c_.find_material(m.results[i].id);
          mat && mat->source != MaterialSource::unspecified && mat->source != MaterialSource::issued)
        error(m.results[i].where, fmt::format("{}.results[{}]", path, i), "material-source",
              fmt::format("matter {} issues material `{}` ({}), whose source is `{}`: a document the chain issues "
                          "is `issued` (部门核发)",
                          matter_name(m), mat->id, mat->name, to_string(mat->source)),
              fmt::format("set `source: issued` on material `{}`, or remove it from `results`", mat->id));
      if (const Matter* other = overlapping_earlier(c_.issuers_of(m.results[i].id), m))
        error(m.results[i].where, fmt::format("{}.results[{}]", path, i), "issued-twice",
              fmt::format("material `{}` is issued by both {} and {}, whose conditions can hold together",
                          m.results[i].id, matter_name(*other), matter_name(m)),
              "alternatives need conditions that cannot both hold, e.g. different values of one enum field");
    }
    for (std::size_t i = 0; i < m.after.size(); ++i) {
      const Ref& a = m.after[i];
      if (a.id == m.id)
        error(a.where, fmt::format("{}.after[{}]", path, i), "self-dependency",
              fmt::format("matter {} cannot come after itself", matter_name(m)));
      else if (!c_.find_matter(a.id))
        error(a.where, fmt::format("{}.after[{}]", path, i), "unknown-matter",
              fmt::format("matter {} comes after `{}`, which is not a matter of the chain", matter_name(m), a.id),
              did_you_mean(a.id, matter_ids()));
    }
    if (!m.code.empty())
      if (const MatterCode code = parse_matter_code(m.code); code.shape == MatterCode::Shape::unknown)
        warning(m.code_where, path + ".code", "code-shape",
                fmt::format("the code of matter {}, `{}`, is not a matter code of GB/T 39554.1: {}", matter_name(m),
                            m.code, code.problem),
                "a 基本编码 is 12 digits; an 实施编码 is the implementing body's 18-character unified social credit "
                "code, one digit and the 基本编码 (31 characters); see docs/chain-reference.md, \"Matter codes\"");
    int counted = 0;
    for (const auto& ph : m.phases)
      if (ph.counted) counted += ph.days;
    if (counted > nominal_working_days(m.promised()) && !m.phases.empty())
      warning(m.where, path + ".phases", "phase-days",
              fmt::format("the counted phases of {} take {} working days, more than its promised {}", matter_name(m),
                          counted, m.promised().in_working_days() ? std::to_string(m.promised_days)
                                                                   : to_string(m.promised())));
  }

  /// The first matter before `m` in `candidates` that could apply together
  /// with `m`; nullptr when all earlier ones are alternatives to it.
  const Matter* overlapping_earlier(const std::vector<const Matter*>& candidates, const Matter& m) const {
    for (const Matter* o : candidates) {
      if (o == &m) return nullptr;
      if (!detail::exclusive(*o, m, c_)) return o;
    }
    return nullptr;
  }

  void check_cycles() {
    for (const auto& cyc : graph_.cycles) {
      std::string names;
      for (int i : cyc) names += fmt::format("{} → ", c_.matters[static_cast<std::size_t>(i)].id);
      names += c_.matters[static_cast<std::size_t>(cyc.front())].id;
      // Point at the `after` entry that closes the cycle: the first matter's
      // reference to the last one.
      const Matter& first = c_.matters[static_cast<std::size_t>(cyc.front())];
      const Matter& last = c_.matters[static_cast<std::size_t>(cyc.back())];
      SourceLocation at = first.where;
      std::string path = matter_path(first) + ".after";
      // Edges run p -> m when m comes after p, so the cycle first -> ... ->
      // last -> first is closed by `first.after` naming `last`.
      for (std::size_t i = 0; i < first.after.size(); ++i)
        if (first.after[i].id == last.id) {
          at = first.after[i].where;
          path = fmt::format("{}.after[{}]", matter_path(first), i);
        }
      error(at, path, "cycle", fmt::format("the matters depend on each other in a cycle: {}", names),
            "remove one `after` entry of the cycle");
    }
  }

  bool applicant_can_supply(const std::string& key) const {
    for (const Field* def : detail::definitions_of(c_, key))
      if (def->produced_by.empty()) return true;
    return false;
  }

  /// The suppliers among `suppliers` that do not come before matter `mi`.
  std::vector<const Matter*> not_before(const std::vector<const Matter*>& suppliers, std::size_t mi) {
    // The transitive closure takes n²/64 words: built only when a chain has
    // something produced or issued inside it to check.
    if (!ancestry_) ancestry_.emplace(graph_);
    const detail::Ancestry& anc = *ancestry_;
    std::vector<const Matter*> out;
    for (const Matter* p : suppliers) {
      // A version never in force together with the matter supplies nothing to it.
      if (p != &c_.matters[mi] && !p->valid.overlaps(c_.matters[mi].valid)) continue;
      if (p == &c_.matters[mi] || !anc.is_ancestor(static_cast<int>(p - c_.matters.data()), static_cast<int>(mi)))
        out.push_back(p);
    }
    return out;
  }

  /// Whether some supplier applies whenever `m` does: an unconditional one,
  /// alternatives covering a field's whole domain, or one with m's condition.
  bool always_supplied(const std::vector<const Matter*>& suppliers, const Matter& m) const {
    // Versions (valid_from / valid_until): the unconditional suppliers
    // together must be in force on every day the matter is.
    std::vector<Validity> unconditional;
    std::vector<const Condition*> conditions;
    for (const Matter* p : suppliers) {
      if (!p->valid.overlaps(m.valid)) continue;
      if (!p->conditional() || p->when.text() == m.when.text()) {
        unconditional.push_back(p->valid);
        continue;
      }
      conditions.push_back(&p->when);
    }
    if (!unconditional.empty() && covers(unconditional, m.valid)) return true;
    return detail::covers_domain(conditions, c_);
  }

  /// The days of `target` are all in some of `parts`.
  static bool covers(std::vector<Validity> parts, const Validity& target) {
    std::sort(parts.begin(), parts.end(), [](const Validity& a, const Validity& b) {
      return a.from.value_or(Date::min()) < b.from.value_or(Date::min());
    });
    Date next = target.from.value_or(Date::min());  // first day not yet covered
    const Date last = target.until.value_or(Date::max());
    for (const Validity& p : parts) {
      if (p.from.value_or(Date::min()) > next) return false;
      const Date until = p.until.value_or(Date::max());
      if (until >= last) return true;
      if (until >= next) next = until + 1;
    }
    return false;
  }

  static std::string ids(const std::vector<const Matter*>& ms) {
    std::string out;
    for (const Matter* p : ms) out += (out.empty() ? "" : ", ") + p->id;
    return out;
  }

  /// Every producer of a datum (and issuer of a document) the matter needs
  /// comes before it: alternatives too, since a skipped one passes its
  /// place on to what it waited for.
  void check_supply_order() {
    for (std::size_t mi = 0; mi < c_.matters.size(); ++mi) {
      const Matter& m = c_.matters[mi];
      // With an unknown `after` reference the order is not known yet: the
      // unknown reference is the error to fix first.
      if (std::any_of(m.after.begin(), m.after.end(), [this](const Ref& r) { return !c_.find_matter(r.id); })) continue;
      for (std::size_t i = 0; i < m.fields.size(); ++i) {
        const std::string& key = m.fields[i].id;
        const auto producers = c_.producers_of(key);
        if (producers.empty() || applicant_can_supply(key)) continue;
        const std::string path = fmt::format("{}.fields[{}]", matter_path(m), i);
        if (auto late = not_before(producers, mi); !late.empty())
          error(m.fields[i].where, path, "supply-order",
                fmt::format("matter {} needs `{}`, which matter {} produces, but {} does not come before it", matter_name(m),
                            key, matter_name(*late.front()), late.front()->id),
                fmt::format("add `{}` to its `after`", ids(late)));
        else if (!always_supplied(producers, m))
          warning(m.fields[i].where, path, "conditional-supply",
                  fmt::format("matter {} needs `{}`, produced by {} only when `{}`; otherwise nothing supplies it",
                              matter_name(m), key, matter_name(*producers.front()), producers.front()->when.text()));
      }
      for (std::size_t i = 0; i < m.materials.size(); ++i) {
        const auto issuers = c_.issuers_of(m.materials[i].id);
        if (issuers.empty()) continue;
        if (auto late = not_before(issuers, mi); !late.empty())
          error(m.materials[i].where, fmt::format("{}.materials[{}]", matter_path(m), i), "supply-order",
                fmt::format("matter {} needs material `{}`, which matter {} issues, but {} does not come before it",
                            matter_name(m), m.materials[i].id, matter_name(*late.front()), late.front()->id),
                fmt::format("add `{}` to its `after`", ids(late)));
      }
      for (const Ref& r : m.materials) {
        const Material* mat = c_.find_material(r.id);
        if (!mat || !mat->conditional()) continue;
        for (const auto& key : mat->when.fields()) {
          const auto producers = c_.producers_of(key);
          if (producers.empty() || applicant_can_supply(key)) continue;
          if (auto late = not_before(producers, mi); !late.empty())
            error(mat->when_where, "materials." + mat->id + ".when", "condition-order",
                  fmt::format("the condition of material `{}` reads `{}`, which matter {} produces, but {} does not "
                              "come before matter {}, which needs the material",
                              mat->id, key, matter_name(*late.front()), late.front()->id, matter_name(m)),
                  fmt::format("add `{}` to the `after` of `{}`", ids(late), m.id));
        }
      }
      if (!m.conditional()) continue;
      for (const auto& key : m.when.fields()) {
        const auto producers = c_.producers_of(key);
        if (producers.empty() || applicant_can_supply(key)) continue;
        if (auto late = not_before(producers, mi); !late.empty())
          error(m.when_where, matter_path(m) + ".when", "condition-order",
                fmt::format("the condition of {} reads `{}`, which matter {} produces, but {} does not come before it",
                            matter_name(m), key, matter_name(*late.front()), late.front()->id),
                fmt::format("add `{}` to its `after`", ids(late)));
      }
    }
  }

  void check_conditions() {
    auto lookup = [this](std::string_view k) { return c_.find_field(k); };
    for (const auto& mat : c_.materials) {
      if (!mat.conditional()) continue;
      for (const auto& issue : type_check(mat.when, lookup, field_keys_)) {
        SourceLocation at = mat.when_where;
        at.column += issue.column - 1;
        error(at, "materials." + mat.id + ".when", "condition-type", issue.message, issue.hint);
      }
    }
    for (const auto& m : c_.matters) {
      if (!m.conditional()) continue;
      for (const auto& issue : type_check(m.when, lookup, field_keys_)) {
        SourceLocation at = m.when_where;
        at.column += issue.column - 1;
        error(at, matter_path(m) + ".when", "condition-type", issue.message, issue.hint);
      }
    }
  }

  void check_timing() {
    if (d_.has_errors()) return;  // a broken chain has no meaningful timing
    // With versions of matters, the worst of the periods in which the same
    // matters are in force (each version counted only while in force).
    Analysis a = detail::analyse(c_, graph_, nullptr, std::nullopt);
    if (c_.dated()) {
      bool first = true;
      for (Date d : c_.validity_periods()) {
        if (c_.valid.bounded() && !c_.valid.overlaps(Validity{d, std::nullopt, {}, {}})) continue;
        Analysis p = detail::analyse(c_, graph_, nullptr, std::max(d, c_.valid.from.value_or(Date::min())));
        if (first || p.critical_path.promised_days > a.critical_path.promised_days) a = std::move(p);
        first = false;
      }
    }
    const SourceLocation at = c_.where;
    const int promised = nominal_working_days(c_.promised());
    if (promised < a.critical_path.promised_days)
      warning(at, "promised_days", "chain-promise",
              fmt::format("the chain promises {}, but its critical path of promised limits takes {} ({}; "
                          "worst case, every conditional matter applying)",
                          to_string(c_.promised()), a.critical_path.promised_days, fmt::join(a.critical_path.matters, " → ")),
              "shorten the matters' promises on the critical path, or promise more");
    if (promised > kJointHandlingCeilingDays)
      warning(at, "promised_days", "legal-ceiling",
              fmt::format("the chain promises {}, beyond the {} working days of joint handling (行政许可法 Art. 42)",
                          to_string(c_.promised()), kJointHandlingCeilingDays));
    if (a.critical_path.promised_days > kJointHandlingCeilingDays)
      warning(at, "matters", "legal-ceiling",
              fmt::format("the promised limits along {} add up to {} working days, beyond the {} of joint handling "
                          "(行政许可法 Art. 42)",
                          fmt::join(a.critical_path.matters, " → "), a.critical_path.promised_days,
                          kJointHandlingCeilingDays));
    if (auto stat = c_.statutory(); stat && nominal_working_days(*stat) > kJointHandlingCeilingDays + 15)
      warning(at, "statutory_days", "legal-ceiling",
              fmt::format("a statutory limit of {} exceeds joint handling's 45 (+15) working days (行政许可法 Art. 42)",
                          to_string(*stat)));
  }

  /// Which declared fields, materials and departments something uses: a
  /// flag by position, set through the chain's index (whose entry for an id
  /// is its first declaration; a repeated declaration shares its flag).
  struct Used {
    const Chain& c;
    std::vector<char> fields, materials, departments;
    explicit Used(const Chain& chain)
        : c(chain), fields(chain.fields.size()), materials(chain.materials.size()),
          departments(chain.departments.size()) {}
    template <class T>
    static std::size_t position(const std::vector<T>& all, const T* x) {
      return x && x >= all.data() && x < all.data() + all.size() ? static_cast<std::size_t>(x - all.data())
                                                                 : all.size();
    }
    void field(std::string_view key) {
      if (const std::size_t i = position(c.fields, c.find_field(key)); i < fields.size()) fields[i] = 1;
    }
    void material(std::string_view id) {
      if (const std::size_t i = position(c.materials, c.find_material(id)); i < materials.size()) materials[i] = 1;
    }
    void department(std::string_view id) {
      if (const std::size_t i = position(c.departments, c.find_department(id)); i < departments.size())
        departments[i] = 1;
    }
    [[nodiscard]] bool field_used(const Field& f) const {
      const std::size_t i = position(c.fields, c.find_field(f.key));
      return i < fields.size() && fields[i];
    }
    [[nodiscard]] bool material_used(const Material& m) const {
      const std::size_t i = position(c.materials, c.find_material(m.id));
      return i < materials.size() && materials[i];
    }
    [[nodiscard]] bool department_used(const Department& d) const {
      const std::size_t i = position(c.departments, c.find_department(d.id));
      return i < departments.size() && departments[i];
    }
  };

  void check_unused() {
    Used used(c_);
    for (const auto& dep : c_.departments)
      for (const auto& s : dep.sees) used.field(s.id);
    used.department(c_.lead);
    for (const auto& m : c_.matters) {
      used.department(m.department);
      for (const auto& r : m.fields) used.field(r.id);
      if (m.conditional())
        for (const auto& k : m.when.fields()) used.field(k);
      for (const auto& r : m.materials) used.material(r.id);
      for (const auto& r : m.results) used.material(r.id);
    }
    for (const auto& mat : c_.materials)
      if (mat.conditional() && used.material_used(mat))
        for (const auto& k : mat.when.fields()) used.field(k);
    for (const auto& mat : c_.materials)
      if (mat.conditional() && !c_.issuers_of(mat.id).empty())
        warning(mat.when_where, "materials." + mat.id + ".when", "issued-material-when",
                fmt::format("material `{}` ({}) is issued by matter `{}` of the chain and never asked, so its "
                            "`when` has no effect",
                            mat.id, mat.name, c_.issuer_of(mat.id)->id),
                "remove `when`: the document exists when its issuing matter applies");
    // An overlay is not warned about what its base declares: a line bureau
    // whose licences moved to the 审批局 still inspects, and the base's own
    // validation reports what the base leaves unused.
    auto from_base = [this](const SourceLocation& at) { return !c_.extends.empty() && at.file != c_.source; };
    for (const auto& f : c_.fields)
      if (!used.field_used(f) && !from_base(f.where))
        warning(f.where, "fields." + f.key, "unused-field",
                fmt::format("field `{}` ({}) is declared but no matter or condition uses it", f.key, f.label));
    for (const auto& m : c_.materials)
      if (!used.material_used(m) && !from_base(m.where))
        warning(m.where, "materials." + m.id, "unused-material",
                fmt::format("material `{}` ({}) is declared but no matter needs or issues it", m.id, m.name));
    for (const auto& d : c_.departments)
      if (!used.department_used(d) && !from_base(d.where))
        warning(d.where, "departments." + d.id, "unused-department",
                fmt::format("department `{}` ({}) handles no matter and is not the lead", d.id, d.name));
  }

  void note(const SourceLocation& at, std::string path, std::string message) {
    d_.add({Severity::note, "validity-other", std::move(message), at, std::move(path), ""});
  }

  static SourceLocation or_else(const SourceLocation& a, const SourceLocation& b) { return a.known() ? a : b; }

  /// valid_from / valid_until: `replaces` names a matter of the chain, and
  /// the versions of one matter follow each other without overlap or gap;
  /// a matter never in force while the chain is gets a warning.
  void check_validity() {
    for (const auto& m : c_.matters) {
      const std::string path = matter_path(m);
      if (c_.valid.bounded() && !m.valid.overlaps(c_.valid))
        warning(or_else(m.valid.from_where, m.valid.until_where), path, "never-in-force",
                fmt::format("matter {} is in force {}, never while the chain is ({})", matter_name(m),
                            m.valid.to_string(), c_.valid.to_string()));
      if (m.replaces.id.empty()) continue;
      const std::string rpath = path + ".replaces";
      if (m.replaces.id == m.id) {
        error(m.replaces.where, rpath, "self-replace", fmt::format("matter {} cannot replace itself", matter_name(m)),
              "`replaces` names the earlier version of the matter, another matter of the chain");
        continue;
      }
      const Matter* old = c_.find_matter(m.replaces.id);
      if (!old) {
        error(m.replaces.where, rpath, "unknown-matter",
              fmt::format("matter {} replaces `{}`, which is not a matter of the chain", matter_name(m), m.replaces.id),
              did_you_mean(m.replaces.id, matter_ids()));
        continue;
      }
      const SourceLocation new_at = or_else(m.valid.from_where, m.replaces.where);
      const SourceLocation old_at = or_else(old->valid.until_where, old->where);
      const std::string old_path = matter_path(*old) + (old->valid.until ? ".valid_until" : "");
      if (m.valid.overlaps(old->valid)) {
        const Date a = std::max(m.valid.from.value_or(Date::min()), old->valid.from.value_or(Date::min()));
        const Date b = std::min(m.valid.until.value_or(Date::max()), old->valid.until.value_or(Date::max()));
        const std::string when = a == Date::min() && b == Date::max() ? "always"
                                 : a == Date::min()                   ? "until " + b.to_string()
                                 : b == Date::max()                   ? "from " + a.to_string()
                                 : a == b                             ? "on " + a.to_string()
                                                                      : fmt::format("from {} to {}", a.to_string(), b.to_string());
        warning(new_at, m.valid.from ? path + ".valid_from" : rpath, "validity-overlap",
                fmt::format("matter {} replaces {} (at {}), but both are in force {}", matter_name(m), matter_name(*old),
                            old_at.to_string(), when),
                old->valid.until || m.valid.from
                    ? "the earlier version's valid_until is the day before the later one's valid_from"
                    : fmt::format("give `{}` a valid_until and `{}` the next day as valid_from", old->id, m.id));
        note(old_at, old_path, fmt::format("{} is in force {} (replaced by `{}`)", matter_name(*old),
                                           old->valid.to_string(), m.id));
      } else if (old->valid.until && m.valid.from && *m.valid.from > *old->valid.until + 1) {
        const Date a = *old->valid.until + 1, b = *m.valid.from - 1;
        warning(new_at, path + ".valid_from", "validity-gap",
                fmt::format("matter {} replaces {} (at {}), but neither is in force {}", matter_name(m),
                            matter_name(*old), old_at.to_string(),
                            a == b ? "on " + a.to_string() : fmt::format("from {} to {}", a.to_string(), b.to_string())),
                fmt::format("without a gap, `{}` is valid_from {}, the day after valid_until {} of `{}`", m.id,
                            (*old->valid.until + 1).to_string(), old->valid.until->to_string(), old->id));
        note(old_at, old_path, fmt::format("{} is in force {} (replaced by `{}`)", matter_name(*old),
                                           old->valid.to_string(), m.id));
      }
    }
  }

  const Chain& c_;
  Diagnostics d_;
  detail::DependencyGraph graph_;
  std::optional<detail::Ancestry> ancestry_;
  std::vector<std::string> department_ids_, material_ids_, field_keys_;
  std::vector<std::string> matter_ids_;  // for suggestions: filled when one is needed

  const std::vector<std::string>& matter_ids() {
    if (matter_ids_.empty())
      for (const auto& m : c_.matters) matter_ids_.push_back(m.id);
    return matter_ids_;
  }
};

/// Validates a parsed chain, reporting the reader's errors and the
/// validator's together; a chain the reader found errors in is not valid
/// even when the part it read passes validation.
Loaded<ValidChain> finish(Loaded<std::shared_ptr<Chain>> parsed) {
  Diagnostics diags = std::move(parsed.diagnostics);
  const bool unreadable = diags.has_errors();
  Loaded<ValidChain> valid = validated(std::move(parsed).value());
  diags.append(valid.diagnostics);
  diags.sort();
  if (unreadable || !valid.has_value()) return diags;
  return {std::move(valid).value(), std::move(diags)};
}

}  // namespace

Diagnostics validate(const Chain& chain) { return Validator(chain).run(); }

Loaded<ValidChain> validated(std::shared_ptr<const Chain> chain) {
  if (!chain) {
    Diagnostics diags;
    diags.add(Diagnostic{Severity::error, "no-chain", "there is no chain to validate", {}, {}, {}});
    return diags;
  }
  Diagnostics diags = validate(*chain);
  if (diags.has_errors()) return diags;
  return {ValidChain(std::move(chain)), std::move(diags)};
}

Loaded<ValidChain> load_chain(const std::string& path, const LoadOptions& options) {
  Loaded<std::shared_ptr<Chain>> parsed = parse_chain_file(path, options);
  detail::check_material_files(*parsed.value(), path, parsed.diagnostics);
  return finish(std::move(parsed));
}

Loaded<ValidChain> load_chain_text(std::string_view yaml, const std::string& file_name, const LoadOptions& options) {
  return finish(parse_chain_text(yaml, file_name, options));
}

}  // namespace yilian
