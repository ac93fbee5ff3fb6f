#include "analysis/condition_sets.h"

#include <algorithm>

namespace yilian::detail {
namespace {

/// A literal as a set element: its type and its text.
std::string element(const Value& v) {
  return std::to_string(v.index()) + ":" + to_display(v);
}

/// The key that stands for "the set field `field` holds `value`": each
/// membership of a set field is a yes/no of its own (\x1f never occurs in
/// a field key).
std::string membership_key(const std::string& field, const Value& value) {
  return field + '\x1f' + to_display(value);
}

/// The finite domain of a field (enum values, booleans), if it has one; a
/// membership key (membership_key) is a yes/no.
std::optional<std::set<std::string>> domain(const Chain& chain, const std::string& key) {
  if (key.find('\x1f') != std::string::npos) return std::set<std::string>{element(Value{true}), element(Value{false})};
  const Field* f = chain.find_field(key);
  if (!f) return std::nullopt;
  if (f->type == FieldType::boolean) return std::set<std::string>{element(Value{true}), element(Value{false})};
  if (f->type == FieldType::enumeration) {
    std::set<std::string> d;
    for (const auto& v : f->values) d.insert(element(Value{v}));
    return d;
  }
  return std::nullopt;
}

std::set<std::string> minus(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::set<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
  return out;
}

std::set<std::string> intersect(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::set<std::string> out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
  return out;
}

/// Constraints of one node: a map with at most the fields it pins.
FieldSets sets_of(const Expr& e, const Chain& chain) {
  switch (e.kind) {
    case Expr::Kind::field:
      if (auto d = domain(chain, e.field); d && d->size() == 2) return {{e.field, {element(Value{true})}}};
      return {};
    case Expr::Kind::compare: {
      const Expr* field = nullptr;
      const Expr* lit = nullptr;
      for (const auto& o : e.operands) {
        if (o.kind == Expr::Kind::field) field = &o;
        if (o.kind == Expr::Kind::literal) lit = &o;
      }
      if (!field || !lit) return {};
      const std::string v = element(lit->literal);
      if (e.op == CompareOp::eq) return {{field->field, {v}}};
      if (e.op == CompareOp::ne)
        if (auto d = domain(chain, field->field)) return {{field->field, minus(*d, {v})}};
      return {};
    }
    case Expr::Kind::in: {
      if (e.operands[0].kind != Expr::Kind::field) return {};
      std::set<std::string> listed;
      for (const auto& v : e.list) listed.insert(element(v));
      if (!e.negated) return {{e.operands[0].field, listed}};
      if (auto d = domain(chain, e.operands[0].field)) return {{e.operands[0].field, minus(*d, listed)}};
      return {};
    }
    case Expr::Kind::member: {
      // 'v' in s: the membership of v in s is yes (no for `not in`). The
      // memberships of different values are treated as independent, which
      // is exact but for the ties of a given set (it holds at least one value,
      // and `min`/`max` bound how many), so
      // the answers stay conservative: never "disjoint" or "covers" wrongly.
      if (e.operands[0].kind != Expr::Kind::literal || e.operands[1].kind != Expr::Kind::field) return {};
      return {{membership_key(e.operands[1].field, e.operands[0].literal), {element(Value{!e.negated})}}};
    }
    case Expr::Kind::negate: {
      // not f, for a boolean field f; not ('v' in s).
      const Expr& inner = e.operands[0];
      if (inner.kind == Expr::Kind::field)
        if (auto d = domain(chain, inner.field); d && d->size() == 2) return {{inner.field, {element(Value{false})}}};
      if (inner.kind == Expr::Kind::member) {
        FieldSets s = sets_of(inner, chain);
        for (auto& [k, v] : s) v = minus({element(Value{true}), element(Value{false})}, v);
        return s;
      }
      return {};
    }
    case Expr::Kind::all_of: {
      FieldSets out;
      for (const auto& o : e.operands)
        for (auto& [k, s] : sets_of(o, chain)) {
          auto it = out.find(k);
          if (it == out.end()) out.emplace(k, std::move(s));
          else it->second = intersect(it->second, s);
        }
      return out;
    }
    case Expr::Kind::any_of: {
      // Only when every alternative pins the same single field.
      std::optional<std::string> key;
      std::set<std::string> all;
      for (const auto& o : e.operands) {
        FieldSets s = sets_of(o, chain);
        if (s.size() != 1 || (key && *key != s.begin()->first)) return {};
        key = s.begin()->first;
        all.insert(s.begin()->second.begin(), s.begin()->second.end());
      }
      return key ? FieldSets{{*key, all}} : FieldSets{};
    }
    case Expr::Kind::literal: return {};
  }
  return {};
}

}  // namespace

FieldSets field_sets(const Condition& c, const Chain& chain) {
  if (c.empty()) return {};
  return sets_of(c.root(), chain);
}

bool disjoint(const Condition& a, const Condition& b, const Chain& chain) {
  const FieldSets sa = field_sets(a, chain), sb = field_sets(b, chain);
  for (const auto& [k, s] : sa) {
    auto it = sb.find(k);
    if (it != sb.end() && intersect(s, it->second).empty()) return true;
  }
  return false;
}

bool covers_domain(const std::vector<const Condition*>& conditions, const Chain& chain) {
  std::optional<std::string> key;
  std::set<std::string> all;
  for (const Condition* c : conditions) {
    if (c->empty()) return true;
    FieldSets s = field_sets(*c, chain);
    if (s.size() != 1 || (key && *key != s.begin()->first)) return false;
    key = s.begin()->first;
    all.insert(s.begin()->second.begin(), s.begin()->second.end());
  }
  if (!key) return false;
  auto d = domain(chain, *key);
  return d && std::includes(all.begin(), all.end(), d->begin(), d->end());
}

bool exclusive(const Matter& a, const Matter& b, const Chain& chain) {
  return !a.valid.overlaps(b.valid) || disjoint(a.when, b.when, chain);
}

}  // namespace yilian::detail
