// 一次收齐、后续反复使用 in step(): what a submission takes from the holder
// registry, with the applicant's consent (event::Submitted::reuse). The
// registry's lookup is the runtime's (I/O); what is taken is decided here,
// so that a replay of the log takes the same.
#include <algorithm>

#include "flow/step_context.h"

namespace yilian::flow_step {

std::vector<Reused> take_from_registry(Ctx& c, const HolderRecord& record, Shared<FieldValues>& values,
                                       Shared<std::vector<std::string>>& materials) {
  const Chain& chain = c.fc.chain();
  std::vector<Reused> reused;
  FieldValues fields;
  // Values the application lacks, of fields this chain knows, that meet
  // this chain's rules for them (another chain may define a key less strictly).
  for (const HolderRecord::Item& item : record.values)
    if (chain.find_field(item.key) && !find_value(*values, item.key) && !fields.contains(item.key) &&
        c.fc.supplied_problems(FieldValues{{item.key, item.value}}, {}).empty()) {
      fields.emplace(item.key, item.value);
      reused.push_back({Reused::Kind::field, item.key, item.from_case, {}});
    }
  // Licences for the materials of their kind that a matter asks for, valid
  // on the day the case would be accepted.
  std::vector<std::string> added;
  const Date on = c.start_date();
  for (const Material& m : chain.materials) {
    if (!m.licence || std::binary_search(materials->begin(), materials->end(), m.id)) continue;
    // Asked of the applicant: a matter lists it, and none of this chain
    // issues it (what the chain issues comes from its own matter).
    auto lists = [&](const std::vector<Ref>& refs) {
      return std::any_of(refs.begin(), refs.end(), [&](const Ref& r) { return r.id == m.id; });
    };
    const bool asked = std::any_of(chain.matters.begin(), chain.matters.end(), [&](const Matter& x) { return lists(x.materials); });
    const bool issued_here = std::any_of(chain.matters.begin(), chain.matters.end(), [&](const Matter& x) { return lists(x.results); });
    if (!asked || issued_here) continue;
    const HolderRecord::Licence* best = nullptr;  // the latest issued of the kind still valid
    for (const HolderRecord::Licence& l : record.licences)
      if (l.kind == m.licence->kind && (!l.valid_until || *l.valid_until >= on) && (!best || l.issued_on >= best->issued_on))
        best = &l;
    if (!best) continue;
    added.push_back(m.id);
    reused.push_back({Reused::Kind::licence, m.id, best->from_case, best->number});
  }
  if (!fields.empty() || !added.empty()) c.fc.supplement(values, materials, fields, added, c.memo);
  return reused;
}

void register_holder(Ctx& c, int matter) {
  const Chain& chain = c.fc.chain();
  if (chain.holder.id.empty()) return;
  const Value* holder = c.s.value(chain.holder.id);
  const auto* id = holder ? std::get_if<std::string>(holder) : nullptr;
  if (!id || id->empty()) return;
  const Matter& m = matter_of(c, matter);
  HolderRecord r;
  r.holder = *id;
  // The values the matter asked for and produced: it verified them.
  auto add = [&](const std::string& key) {
    if (const Value* v = c.s.value(key); v && !std::holds_alternative<std::monostate>(*v) &&
                                          std::none_of(r.values.begin(), r.values.end(),
                                                       [&](const HolderRecord::Item& i) { return i.key == key; }))
      r.values.push_back({key, *v, c.s.id});
  };
  for (const Ref& f : m.fields) add(f.id);
  for (const Field& f : m.produces) add(f.key);
  // The electronic licences it issued.
  const Department* dept = chain.find_department(m.department);
  for (const Ref& res : m.results) {
    const Material* mat = chain.find_material(res.id);
    if (!mat || !mat->licence) continue;
    HolderRecord::Licence l;
    l.kind = mat->licence->kind;
    if (!mat->licence->number.id.empty())
      if (const Value* n = c.s.value(mat->licence->number.id)) l.number = to_display(*n);
    l.issuer = dept && !dept->name.empty() ? dept->name : m.department;
    l.issued_on = c.today;
    if (mat->licence->valid_for) l.valid_until = limit_end(c, c.today, *mat->licence->valid_for);
    l.from_case = c.s.id;
    r.licences.push_back(std::move(l));
  }
  if (!r.values.empty() || !r.licences.empty()) c.out.push_back(command::Register{std::move(r)});
}

}  // namespace yilian::flow_step
