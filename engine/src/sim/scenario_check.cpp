// check_scenario() and parse_field_value(): a scenario against the chain it
// is run on.
#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "load/doc_reader.h"
#include "yilian/scenario.h"

namespace yilian {
namespace {

void error(Diagnostics& d, std::string path, std::string code, std::string message, std::string hint = "") {
  d.add({Severity::error, std::move(code), std::move(message), {}, std::move(path), std::move(hint)});
}

bool is_probability(double p) { return p >= 0 && p <= 1; }

void check_distribution(Diagnostics& d, const std::string& path, const Distribution& x) {
  const bool finite = std::isfinite(x.a) && std::isfinite(x.b) && std::isfinite(x.c);
  bool ok = finite && x.a >= 0 && x.b >= 0 && x.c >= 0;
  if (x.kind == Distribution::Kind::exponential || x.kind == Distribution::Kind::lognormal) ok = ok && x.a > 0;
  if (x.kind == Distribution::Kind::triangular) ok = ok && x.a <= x.b && x.b <= x.c;
  if (x.kind == Distribution::Kind::empirical) ok = !x.samples.empty();
  if (!ok) error(d, path, "distribution", fmt::format("`{}` is not a valid distribution of working days", x.to_string()));
}

std::vector<std::string> matter_ids(const Chain& c) {
  std::vector<std::string> v;
  for (const auto& m : c.matters) v.push_back(m.id);
  return v;
}
std::vector<std::string> department_ids(const Chain& c) {
  std::vector<std::string> v;
  for (const auto& d : c.departments) v.push_back(d.id);
  return v;
}

bool value_fits(const Field& f, const Value& v) {
  switch (f.type) {
    case FieldType::boolean: return std::holds_alternative<bool>(v);
    case FieldType::integer: return std::holds_alternative<std::int64_t>(v);
    case FieldType::number:
    case FieldType::area: return is_number(v);
    case FieldType::enumeration:
    case FieldType::set:  // a branch of a set lists its values one by one
      return std::holds_alternative<std::string>(v) && f.allows(std::get<std::string>(v));
    default: return std::holds_alternative<std::string>(v);
  }
}

}  // namespace

Result<Value> parse_field_value(const Chain& chain, std::string_view key, std::string_view text) {
  const Field* f = chain.find_field(key);
  if (!f) {
    return Status::invalid(fmt::format("`{}` is not a field of chain {}{}", key, chain.id,
                                       [&] {
                                         std::string h = detail::did_you_mean(key, chain.field_keys());
                                         return h.empty() ? std::string() : "; " + h;
                                       }()));
  }
  const std::string t(text);
  switch (f->type) {
    case FieldType::boolean:
      if (t == "true") return Value{true};
      if (t == "false") return Value{false};
      return Status::invalid(fmt::format("{} is a yes/no field: expected true or false, got `{}`", key, t));
    case FieldType::integer: {
      std::int64_t v = 0;
      const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      if (ec != std::errc() || p != t.data() + t.size() || t.empty())
        return Status::invalid(fmt::format("{} is an integer field: `{}` is not an integer", key, t));
      return Value{v};
    }
    case FieldType::number:
    case FieldType::area: {
      double v = 0;
      const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      if (ec != std::errc() || p != t.data() + t.size() || t.empty() || !std::isfinite(v))
        return Status::invalid(fmt::format("{} is a number field: `{}` is not a number", key, t));
      return Value{v};
    }
    case FieldType::enumeration:
    case FieldType::set:
      if (!f->allows(t))
        return Status::invalid(fmt::format("`{}` is not a value of {}: expected one of {}{}", t, key,
                                           fmt::join(f->values, ", "),
                                           [&] {
                                             std::string h = detail::did_you_mean(t, f->values);
                                             return h.empty() ? std::string() : "; " + h;
                                           }()));
      return Value{t};
    case FieldType::date:
      if (!Date::parse(t)) return Status::invalid(fmt::format("{} is a date field: `{}` is not YYYY-MM-DD", key, t));
      return Value{t};
    default: return Value{t};
  }
}

Diagnostics check_scenario(const Chain& chain, const Scenario& s) {
  Diagnostics d;
  if (s.days && (*s.days < 1 || *s.days > 2'000'000))
    error(d, "horizon.days", "range", fmt::format("{} working days: expected 1 to 2000000", *s.days));
  if (s.cases && (*s.cases < 1 || *s.cases > 1'000'000'000))
    error(d, "horizon.cases", "range", fmt::format("{} cases: expected 1 to 1000000000", *s.cases));
  if (s.warmup_days < 0 || (s.days && s.warmup_days >= *s.days))
    error(d, "horizon.warmup_days", "range",
          fmt::format("a warm-up of {} working days must be at least 0 and shorter than the {} days of arrivals",
                      s.warmup_days, s.days.value_or(250)));
  if (!std::isfinite(s.arrival_rate) || s.arrival_rate < 0 || s.arrival_rate > 1e6)
    error(d, "arrivals.poisson", "range", fmt::format("arrival rate {}: expected 0 to 1000000 per working day", s.arrival_rate));
  const TimeOfDay closes = s.closes.value_or(TimeOfDay::parse(chain.office_close).value_or(TimeOfDay::at(17, 0)));
  if (!(s.opens < closes))
    error(d, "office_hours", "hours", fmt::format("offices open at {} and close at {}: opening must come first",
                                                  s.opens.to_string(), closes.to_string()));
  const auto depts = department_ids(chain);
  for (const auto& [id, ds] : s.departments) {
    const std::string path = "departments." + id;
    if (!chain.find_department(id)) {
      error(d, path, "unknown-department", fmt::format("`{}` is not a department of chain {}", id, chain.id),
            detail::did_you_mean(id, depts));
      continue;
    }
    if (ds.officers < 1 || ds.officers > 100000)
      error(d, path + ".officers", "range", fmt::format("{} officers: expected 1 to 100000", ds.officers));
    const TimeOfDay o = ds.opens.value_or(s.opens), e = ds.closes.value_or(closes);
    if (!(o < e))
      error(d, path, "hours", fmt::format("department {} opens at {} and closes at {}: opening must come first", id,
                                          o.to_string(), e.to_string()));
  }
  const auto matters = matter_ids(chain);
  for (const auto& [id, ms] : s.matters) {
    const std::string path = "matters." + id;
    if (!chain.find_matter(id)) {
      error(d, path, "unknown-matter", fmt::format("`{}` is not a matter of chain {}", id, chain.id),
            detail::did_you_mean(id, matters));
      continue;
    }
    if (!is_probability(ms.supplement) || ms.supplement >= 1)
      error(d, path + ".supplement", "probability",
            fmt::format("{} is not a probability below 1 (at 1 every attempt would ask again)", ms.supplement));
    if (!is_probability(ms.reject))
      error(d, path + ".reject", "probability", fmt::format("{} is not a probability (0 to 1)", ms.reject));
    if (is_probability(ms.supplement) && is_probability(ms.reject) && ms.supplement + ms.reject > 1)
      error(d, path, "probability",
            fmt::format("supplement {} and reject {} add up to more than 1", ms.supplement, ms.reject));
    if (ms.service) check_distribution(d, path + ".service", *ms.service);
    if (ms.suspension) check_distribution(d, path + ".suspension", *ms.suspension);
  }
  if (!is_probability(s.incomplete))
    error(d, "applicant.incomplete", "probability", fmt::format("{} is not a share (0 to 1)", s.incomplete));
  for (const auto& [path, share] : {std::pair<const char*, double>{"applicant.commitment", s.commitment},
                                    {"applicant.deferring", s.deferring},
                                    {"applicant.assisted", s.assisted},
                                    {"applicant.returning", s.returning},
                                    {"ratings.share", s.ratings.share},
                                    {"ratings.bad", s.ratings.bad},
                                    {"ratings.bad_late", s.ratings.bad_late}})
    if (!is_probability(share)) error(d, path, "probability", fmt::format("{} is not a share (0 to 1)", share));
  if (s.returning > 0 && chain.holder.id.empty())
    error(d, "applicant.returning", "no-holder",
          fmt::format("returning applicants are known to the holder registry, but chain `{}` names no `holder` field",
                      chain.id));
  if (!is_probability(s.supplement_in_person))
    error(d, "applicant.supplement_in_person", "probability",
          fmt::format("{} is not a share (0 to 1)", s.supplement_in_person));
  check_distribution(d, "applicant.response", s.response);
  check_distribution(d, "delivery.after", s.pickup);
  check_distribution(d, "baseline.gap", s.baseline_gap);
  const DeliveryShares& ds = s.delivery;
  if (!is_probability(ds.in_person) || !is_probability(ds.express) || !is_probability(ds.electronic) ||
      std::abs(ds.in_person + ds.express + ds.electronic - 1) > 1e-6)
    error(d, "delivery.method", "shares",
          fmt::format("delivery shares in-person {}, express {}, electronic {} must each be 0 to 1 and add up to 1",
                      ds.in_person, ds.express, ds.electronic));
  for (const auto& [key, shares] : s.branches) {
    const std::string path = "branches." + key;
    const Field* f = chain.find_field(key);
    if (!f) {
      error(d, path, "unknown-field", fmt::format("`{}` is not a field of chain {}", key, chain.id),
            detail::did_you_mean(key, chain.field_keys()));
      continue;
    }
    if (shares.empty()) {
      error(d, path, "shares", "list at least one value with its share");
      continue;
    }
    double sum = 0;
    for (const auto& sh : shares) {
      if (!value_fits(*f, sh.value))
        error(d, path, "value", fmt::format("`{}` is not a value of {} ({})", to_display(sh.value), key, to_string(f->type)));
      if (!(sh.share > 0 && sh.share <= 1))
        error(d, path, "shares", fmt::format("share {} of `{}`: expected above 0 and at most 1", sh.share, to_display(sh.value)));
      sum += sh.share;
    }
    if (f->type == FieldType::set) {
      // Each value is chosen on its own with its share: they need not add up to 1.
      if (shares.size() > kMaxSetBranchValues)
        error(d, path, "shares",
              fmt::format("{} values of the set {}: list at most {} (each is drawn on its own)", shares.size(), key,
                          kMaxSetBranchValues));
      continue;
    }
    const bool boolean_rest = f->type == FieldType::boolean && shares.size() == 1;
    if (sum > 1 + 1e-6 || (!boolean_rest && std::abs(sum - 1) > 1e-6))
      error(d, path, "shares",
            fmt::format("the shares of {} add up to {}; they must add up to 1{}", key, sum,
                        f->type == FieldType::boolean ? " (or list one value of a yes/no field)" : ""));
  }
  return d;
}

}  // namespace yilian
