// analyse(): stages, critical paths and compression over the matters that
// apply (all of them in the worst case, or those a scenario switches on).
#include <algorithm>
#include <functional>
#include <numeric>

#include "analysis/graph.h"
#include "yilian/analysis.h"

namespace yilian {
namespace {

Truth applies_to(const Matter& m, std::optional<Date> on, const FieldValues& values) {
  return applies(m, on, [&](std::string_view k) { return find_value(values, k); });
}

/// Longest path through the applicable matters by a per-matter weight.
struct LongestPath {
  std::vector<int> finish;  // by matter index
  std::vector<int> via;     // predecessor on the longest path, -1 at a start
};

LongestPath longest(const std::vector<int>& order, const std::vector<std::vector<int>>& eff_preds,
                    const std::vector<int>& weight) {
  LongestPath lp;
  lp.finish.assign(weight.size(), 0);
  lp.via.assign(weight.size(), -1);
  for (int m : order) {
    const auto mi = static_cast<std::size_t>(m);
    int start = 0;
    for (int p : eff_preds[mi]) {
      // The first predecessor with the latest finish carries the path.
      const int f = lp.finish[static_cast<std::size_t>(p)];
      if (lp.via[mi] < 0 || f > start) {
        start = f;
        lp.via[mi] = p;
      }
    }
    lp.finish[mi] = start + weight[mi];
  }
  return lp;
}

CriticalPath trace(const Chain& c, const std::vector<int>& order, const LongestPath& lp) {
  CriticalPath cp;
  if (order.empty()) return cp;
  int end = order.front();
  for (int m : order)
    if (lp.finish[static_cast<std::size_t>(m)] > lp.finish[static_cast<std::size_t>(end)]) end = m;
  std::vector<int> path;
  for (int m = end; m >= 0; m = lp.via[static_cast<std::size_t>(m)]) path.push_back(m);
  std::reverse(path.begin(), path.end());
  for (int m : path) {
    const Matter& mt = c.matters[static_cast<std::size_t>(m)];
    cp.matters.push_back(mt.id);
    cp.promised_days += nominal_working_days(mt.promised());
    cp.statutory_days += nominal_working_days(mt.statutory());
  }
  return cp;
}

}  // namespace

Analysis analyse(const ValidChain& valid, const FieldValues* scenario, std::optional<Date> on) {
  const Chain& c = *valid;
  return detail::analyse(c, detail::build_graph(c), scenario, on);
}

Analysis detail::analyse(const Chain& c, const DependencyGraph& g, const FieldValues* scenario,
                         std::optional<Date> on) {
  Analysis a;
  a.chain = c.id;
  a.version = c.version;
  a.mode = scenario ? Analysis::Mode::scenario : Analysis::Mode::worst_case;
  a.on = on;
  if (!g.acyclic()) return a;
  const std::size_t n = c.matters.size();

  // Which matters apply. Produced values are not known before the chain
  // runs, so a scenario that does not give them leaves them unknown.
  std::vector<char> applies(n, 1);
  if (on)
    for (std::size_t m = 0; m < n; ++m)
      if (!c.matters[m].valid.contains(*on)) {
        applies[m] = 0;
        a.not_in_force.push_back(c.matters[m].id);
      }
  if (scenario) {
    for (std::size_t m = 0; m < n; ++m) {
      if (!applies[m]) continue;
      // The one rule of applicability (chain.h), as the flow and the check.
      switch (applies_to(c.matters[m], on, *scenario)) {
        case Truth::yes: break;
        case Truth::no:
          applies[m] = 0;
          a.skipped.push_back(c.matters[m].id);
          break;
        case Truth::unknown: a.undetermined.push_back(c.matters[m].id); break;
      }
    }
  }

  // Effective predecessors: a dependency on a matter that does not apply
  // passes on to that matter's own effective predecessors.
  std::vector<std::vector<int>> eff(n);
  for (int m : g.topo) {
    auto& e = eff[static_cast<std::size_t>(m)];
    for (int p : g.preds[static_cast<std::size_t>(m)]) {
      if (applies[static_cast<std::size_t>(p)]) e.push_back(p);
      else e.insert(e.end(), eff[static_cast<std::size_t>(p)].begin(), eff[static_cast<std::size_t>(p)].end());
    }
    std::sort(e.begin(), e.end());
    e.erase(std::unique(e.begin(), e.end()), e.end());
  }

  // Stages, then a readable order: by stage, then as written in the file.
  std::vector<int> stage(n, 0);
  for (int m : g.topo) {
    if (!applies[static_cast<std::size_t>(m)]) continue;
    for (int p : eff[static_cast<std::size_t>(m)])
      stage[static_cast<std::size_t>(m)] = std::max(stage[static_cast<std::size_t>(m)], stage[static_cast<std::size_t>(p)] + 1);
  }
  std::vector<int> order;
  for (std::size_t m = 0; m < n; ++m)
    if (applies[m]) order.push_back(static_cast<int>(m));
  std::stable_sort(order.begin(), order.end(),
                   [&](int x, int y) { return stage[static_cast<std::size_t>(x)] < stage[static_cast<std::size_t>(y)]; });
  for (int m : order) {
    const auto s = static_cast<std::size_t>(stage[static_cast<std::size_t>(m)]);
    if (a.stages.size() <= s) a.stages.resize(s + 1);
    a.stages[s].push_back(c.matters[static_cast<std::size_t>(m)].id);
    a.applicable.push_back(c.matters[static_cast<std::size_t>(m)].id);
  }
  for (auto& st : a.stages) std::sort(st.begin(), st.end());

  std::vector<int> promised(n), statutory(n), elapsed(n);
  for (std::size_t m = 0; m < n; ++m) {
    promised[m] = nominal_working_days(c.matters[m].promised());
    statutory[m] = nominal_working_days(c.matters[m].statutory());
    elapsed[m] = nominal_working_days(c.matters[m].promised()) + c.matters[m].uncounted_days();
  }
  const LongestPath lp = longest(order, eff, promised);
  const LongestPath ls = longest(order, eff, statutory);
  const LongestPath le = longest(order, eff, elapsed);
  a.critical_path = trace(c, order, lp);
  a.critical_path_statutory = trace(c, order, ls);
  for (int m : order) {
    a.serial_promised_days += promised[static_cast<std::size_t>(m)];
    a.serial_statutory_days += statutory[static_cast<std::size_t>(m)];
    a.elapsed_days = std::max(a.elapsed_days, le.finish[static_cast<std::size_t>(m)]);
  }
  a.compression = a.serial_promised_days > 0
                      ? 1.0 - static_cast<double>(a.critical_path.promised_days) / a.serial_promised_days
                      : 0.0;
  a.compression_statutory = a.serial_statutory_days > 0
                                ? 1.0 - static_cast<double>(a.critical_path_statutory.statutory_days) /
                                            a.serial_statutory_days
                                : 0.0;

  // Slack: latest finish without delaying the chain, backwards over the
  // effective successors.
  std::vector<std::vector<int>> eff_succ(n);
  for (int m : order)
    for (int p : eff[static_cast<std::size_t>(m)]) eff_succ[static_cast<std::size_t>(p)].push_back(m);
  const int total = a.critical_path.promised_days;
  std::vector<int> latest_finish(n, total);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const auto m = static_cast<std::size_t>(*it);
    for (int s : eff_succ[m])
      latest_finish[m] = std::min(latest_finish[m], latest_finish[static_cast<std::size_t>(s)] - promised[static_cast<std::size_t>(s)]);
  }
  std::vector<char> on_path(n, 0);
  for (const auto& id : a.critical_path.matters) on_path[*c.matter_index(id)] = 1;
  for (int mi : order) {
    const auto m = static_cast<std::size_t>(mi);
    MatterTiming t;
    t.matter = c.matters[m].id;
    t.stage = stage[m];
    t.finish = lp.finish[m];
    t.start = t.finish - promised[m];
    t.slack = latest_finish[m] - t.finish;
    t.elapsed_finish = le.finish[m];
    t.elapsed_start = t.elapsed_finish - elapsed[m];
    t.critical = on_path[m] != 0;
    a.timings.push_back(std::move(t));
  }
  return a;
}

Chain chain_as_on(const ValidChain& valid, Date day) {
  const Chain& c = *valid;
  Chain out = c;
  const std::size_t n = c.matters.size();
  std::vector<char> keep(n);
  for (std::size_t m = 0; m < n; ++m) keep[m] = c.matters[m].valid.contains(day) ? 1 : 0;
  // What each matter's `after` comes to once the matters out of force are
  // left out: their own `after`, recursively (memoised; 2 marks a visit in
  // progress, which a valid chain never meets again).
  std::vector<std::vector<Ref>> eff(n);
  std::vector<char> state(n, 0);
  std::function<const std::vector<Ref>&(std::size_t)> resolve = [&](std::size_t m) -> const std::vector<Ref>& {
    if (state[m] != 0) return eff[m];
    state[m] = 2;
    std::vector<Ref> refs;
    for (const Ref& a : c.matters[m].after) {
      const auto p = c.matter_index(a.id);
      if (!p) continue;
      if (keep[*p]) refs.push_back(a);
      else
        for (const Ref& r : resolve(*p))
          if (std::none_of(refs.begin(), refs.end(), [&](const Ref& x) { return x.id == r.id; })) refs.push_back(r);
    }
    eff[m] = std::move(refs);
    state[m] = 1;
    return eff[m];
  };
  // Whether `a` comes before `b` in the whole chain (through `after`).
  std::function<bool(const std::string&, const std::string&, int)> before = [&](const std::string& a,
                                                                             const std::string& b, int depth) {
    const Matter* mb = c.find_matter(b);
    if (!mb || depth > static_cast<int>(n)) return false;
    return std::any_of(mb->after.begin(), mb->after.end(),
                       [&](const Ref& r) { return r.id == a || before(a, r.id, depth + 1); });
  };
  std::vector<Matter> kept;
  for (std::size_t m = 0; m < n; ++m) {
    if (!keep[m]) continue;
    Matter mt = c.matters[m];
    // A dependency passed on that another one already implies is left out
    // (a versions' common predecessor is no new arrow).
    const std::vector<Ref>& refs = resolve(m);
    mt.after.clear();
    for (const Ref& r : refs)
      if (std::none_of(refs.begin(), refs.end(), [&](const Ref& o) { return o.id != r.id && before(r.id, o.id, 0); }))
        mt.after.push_back(r);
    // The version it replaces is not in the view.
    if (const auto r = c.matter_index(mt.replaces.id); r && !keep[*r]) mt.replaces = Ref{};
    kept.push_back(std::move(mt));
  }
  out.matters = std::move(kept);
  out.build_index();
  return out;
}

}  // namespace yilian
