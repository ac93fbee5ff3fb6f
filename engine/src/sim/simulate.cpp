// simulate(): checks the scenario, runs the chain (and the separate
// applications baseline) through the event loop and turns the streamed
// statistics into results.
#include "yilian/simulate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <thread>

#include "sim/replications.h"
#include "sim/setup.h"
#include "sim/simulator.h"

namespace yilian {
namespace {

/// A round upper end for a chart axis: the next multiple of a round step
/// (1, 2, 2.5 or 5 times a power of ten) about a tenth of x.
double nice_ceiling(double x) {
  if (!(x > 0)) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(x / 10)));
  double step = 10 * p;
  for (double f : {1.0, 2.0, 2.5, 5.0})
    if (f * p * 10 >= x) {
      step = f * p;
      break;
    }
  return std::ceil(x / step) * step;
}

RegimeResult to_result(const detail::Accum& a, const detail::Setup& s, int promised_days) {
  RegimeResult r;
  const Chain& c = s.fc->chain();
  r.arrived = a.arrived;
  r.cases = a.delivered;
  r.rejected = a.rejected;
  r.lead_time_days = a.lead.summary();
  const double hi = nice_ceiling(std::max({r.lead_time_days.p99 * 1.15, promised_days * 1.15, 1.0}));
  r.lead_time_histogram = a.lead.histogram().bins(0, hi, 40);
  auto share = [&](std::uint64_t k) { return a.delivered ? static_cast<double>(k) / static_cast<double>(a.delivered) : 0.0; };
  r.on_time_promised = share(a.on_time);
  r.on_time_statutory = share(a.on_time_statutory);
  r.visits_per_case = a.visits.mean();
  r.materials_per_case = a.materials.mean();
  r.fields_per_case = a.fields.mean();
  r.notices_per_case = a.notices.mean();
  r.rated = a.rated;
  r.bad_rating_rate = a.rated ? static_cast<double>(a.bad_ratings) / static_cast<double>(a.rated) : 0.0;
  if (a.measured_days > 0) {
    r.in_system = a.in_system_integral / a.measured_days;
    r.arrival_rate = static_cast<double>(a.arrived) / a.measured_days;
  }
  r.time_in_system = a.sojourn.mean();
  r.events = a.events;
  r.flow_events = a.flow_events;
  for (std::size_t d = 0; d < s.dept_ids.size(); ++d) {
    const auto& ad = a.depts[d];
    DepartmentResult dr;
    dr.id = s.dept_ids[d];
    dr.officers = s.officers[d];
    const double capacity = ad.measured * s.officers[d];
    dr.utilisation = capacity > 0 ? ad.busy_integral / capacity : 0;
    dr.mean_queue = ad.measured > 0 ? ad.queue_integral / ad.measured : 0;
    dr.max_queue = ad.max_queue;
    for (std::size_t k = 0; k < ad.series_sum.size(); ++k)
      dr.queue_length.push_back(ad.series_n[k] ? ad.series_sum[k] / static_cast<double>(ad.series_n[k]) : 0.0);
    dr.queue_interval_days = a.series_interval;
    r.departments.push_back(std::move(dr));
  }
  for (std::size_t m = 0; m < c.matters.size(); ++m) {
    const auto& am = a.matters[m];
    MatterResult mr;
    mr.id = c.matters[m].id;
    mr.department = c.matters[m].department;
    mr.wait_days = am.wait.summary();
    mr.service_days = am.service.summary();
    const auto d = static_cast<std::size_t>(s.dept_of[m]);
    const double capacity = a.depts[d].measured * s.officers[d];
    mr.utilisation = capacity > 0 ? am.busy / capacity : 0;
    mr.applied = am.applied;
    mr.attempts = am.attempts;
    mr.supplements = am.supplements;
    mr.rejections = am.rejections;
    r.matters.push_back(std::move(mr));
  }
  return r;
}

}  // namespace

Distribution default_service(const Matter& m) {
  const int promised = nominal_working_days(m.promised());
  if (promised <= 0) return Distribution::fixed(0.05);
  const double p = promised;
  return Distribution::triangular(p / 4, p / 2, p);
}

ValidChain separate_applications_chain(const ValidChain& valid) {
  const Chain& chain = *valid;
  auto fc = FlowChain::compile(valid, Calendar{}, FlowOptions{false});
  auto out = std::make_shared<Chain>(chain);
  const std::vector<int>& order = fc->order();
  for (std::size_t i = 0; i < order.size(); ++i) {
    Matter& m = out->matters[static_cast<std::size_t>(order[i])];
    m.after.clear();
    if (i > 0) m.after.push_back(Ref{chain.matters[static_cast<std::size_t>(order[i - 1])].id, m.where});
  }
  out->id = chain.id + "-separate";
  out->name = chain.name + "（分别办理）";
  out->build_index();
  // Valid as the chain is: the same matters and references, in one line.
  return validated(std::move(out)).value();
}

Result<SimulationResult> simulate(const ValidChain& chain, const Calendar& calendar, const Scenario& scenario,
                                  const ProgressCallback& progress) {
  return simulate(chain, calendar, scenario, SimulateOptions{}, progress);
}

Result<SimulationResult> simulate(const ValidChain& chain, const Calendar& calendar, const Scenario& scenario,
                                  const SimulateOptions& options, const ProgressCallback& progress) {
  Diagnostics diags = check_scenario(*chain, scenario);
  for (const auto& d : diags)
    if (d.severity == Severity::error) return Status::invalid(d.to_string(), d.where);
  Scenario sc = scenario;
  if (sc.trace.empty() && !sc.days && !sc.cases)
    return Status::invalid("the horizon is missing: give days (working days of arrivals) or cases");
  if (sc.trace.empty() && !(sc.arrival_rate > 0))
    return Status::invalid("the arrival rate must be above 0 cases per working day");
  if (!sc.trace.empty() && sc.trace.front().at && sc.trace.front().at->date() < sc.start)
    sc.start = sc.trace.front().at->date();
  if (sc.trace.empty()) {
    const double days = sc.days.value_or(250);
    const double per_replication = sc.arrival_rate * days;
    if (sc.cases && static_cast<double>(*sc.cases) / per_replication > 5e7)
      return Status::invalid(fmt::format("{} cases at {} per working day need over 50 million replications of {} days; "
                                         "raise the rate or the days",
                                         *sc.cases, sc.arrival_rate, days));
    // Seven calendar days hold at least five working days (fewer only with
    // long holidays): a rough bound to refuse a horizon past year 9998 early.
    const double stretch = calendar.is_continuous() ? 1.0 : 1.6;
    if (static_cast<double>(sc.start.days()) + days * stretch > static_cast<double>(Date::from_ymd(9998, 1, 1)->days()))
      return Status::invalid(fmt::format("{} working days from {} run past the year 9998; shorten the horizon", days,
                                         sc.start.to_string()));
  }

  SimulationResult out;
  out.chain = chain->id;
  out.calendar = calendar.name();
  out.seed = sc.seed;
  // The chain and, side by side, the separate-applications baseline.
  std::vector<detail::RegimeSpec> regimes{{chain, false}};
  if (sc.baseline_separate) regimes.push_back({separate_applications_chain(chain), true});
  const unsigned threads = options.threads ? options.threads : std::max(1U, std::thread::hardware_concurrency());
  auto outcomes = detail::run_replications(regimes, calendar, sc, threads, progress);
  if (!outcomes) return outcomes.status();
  const int promised = nominal_working_days(chain->promised());
  const detail::RegimeOutcome& main = (*outcomes)[0];
  out.replications = main.acc.replications;
  out.measured_days = main.acc.measured_days;
  out.result = to_result(main.acc, *main.setup, promised);
  if (sc.baseline_separate)
    out.baseline = to_result((*outcomes)[1].acc, *(*outcomes)[1].setup, nominal_working_days(regimes[1].chain->promised()));
  const RegimeResult& r = out.result;
  double best_u = -1, best_w = -1;
  for (const auto& d : r.departments)
    if (d.utilisation > best_u) {
      best_u = d.utilisation;
      out.bottleneck_department = d.id;
    }
  for (const auto& m : r.matters)
    if (m.wait_days.count > 0 && m.wait_days.mean > best_w) {
      best_w = m.wait_days.mean;
      out.bottleneck_matter = m.id;
    }
  for (const auto& d : r.departments)
    if (d.utilisation >= 0.98)
      out.warnings.push_back(fmt::format(
          "department {} was busy {:.1f}% of its office hours: its queue grows without bound; add officers or "
          "shorten its service times",
          d.id, 100 * d.utilisation));
  if (r.cases == 0) out.warnings.push_back("no counted case was delivered: lengthen the horizon or shorten the warm-up");
  return out;
}

}  // namespace yilian
