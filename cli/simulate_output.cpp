#include "simulate_output.h"

#include <fmt/format.h>

#include <cstdio>

#include "common.h"
#include "yilian/analysis.h"

namespace yilian::cli {
namespace {

nlohmann::json summary_json(const Summary& s) {
  return {{"count", s.count}, {"mean", s.mean}, {"sd", s.sd}, {"min", s.min},
          {"max", s.max},     {"p50", s.p50},   {"p90", s.p90}, {"p99", s.p99}};
}

nlohmann::json regime_json(const RegimeResult& g) {
  nlohmann::json j = {{"cases", g.cases},
                      {"arrived", g.arrived},
                      {"rejected", g.rejected},
                      {"lead_time_days", summary_json(g.lead_time_days)},
                      {"on_time_promised", g.on_time_promised},
                      {"on_time_statutory", g.on_time_statutory},
                      {"visits_per_case", g.visits_per_case},
                      {"materials_per_case", g.materials_per_case},
                      {"fields_per_case", g.fields_per_case},
                      {"notices_per_case", g.notices_per_case},
                      {"ratings", {{"rated", g.rated}, {"bad_rate", g.bad_rating_rate}}},
                      {"littles_law",
                       {{"in_system", g.in_system}, {"arrival_rate", g.arrival_rate}, {"time_in_system", g.time_in_system}}},
                      {"events", g.events},
                      {"flow_events", g.flow_events}};
  const Histogram& h = g.lead_time_histogram;
  j["lead_time_histogram"] = {{"lo", h.lo}, {"width", h.width}, {"counts", h.counts}, {"above", h.above}};
  nlohmann::json matters = nlohmann::json::object();
  for (const auto& m : g.matters)
    matters[m.id] = {{"department", m.department},     {"wait_days", summary_json(m.wait_days)},
                     {"service_days", summary_json(m.service_days)}, {"utilisation", m.utilisation},
                     {"applied", m.applied},           {"attempts", m.attempts},
                     {"supplements", m.supplements},   {"rejections", m.rejections}};
  j["matters"] = std::move(matters);
  nlohmann::json depts = nlohmann::json::object();
  for (const auto& d : g.departments)
    depts[d.id] = {{"officers", d.officers},
                   {"utilisation", d.utilisation},
                   {"mean_queue", d.mean_queue},
                   {"max_queue", d.max_queue},
                   {"queue_length", {{"interval_days", d.queue_interval_days}, {"values", d.queue_length}}}};
  j["departments"] = std::move(depts);
  return j;
}

std::string dept_name(const Chain& c, const std::string& id) {
  const Department* d = c.find_department(id);
  return d ? d->name : id;
}

std::string matter_name(const Chain& c, const std::string& id) {
  const Matter* m = c.find_matter(id);
  return m ? m->name : id;
}

std::string pct(double x) { return fmt::format("{:.1f}%", 100 * x); }

}  // namespace

nlohmann::json result_json(const Chain& chain, const SimulationResult& r) {
  nlohmann::json j = regime_json(r.result);
  j["chain"] = r.chain;
  j["version"] = chain.version;
  j["calendar"] = r.calendar;
  j["seed"] = r.seed;
  j["replications"] = r.replications;
  j["measured_days"] = r.measured_days;
  const Limit statutory = chain.statutory().value_or(Limit{kJointHandlingCeilingDays});
  j["promised_days"] = nominal_working_days(chain.promised());
  j["statutory_days"] = nominal_working_days(statutory);
  j["promised"] = to_string(chain.promised());
  j["statutory"] = to_string(statutory);
  double u = 0, w = 0;
  for (const auto& d : r.result.departments)
    if (d.id == r.bottleneck_department) u = d.utilisation;
  for (const auto& m : r.result.matters)
    if (m.id == r.bottleneck_matter) w = m.wait_days.mean;
  j["bottleneck"] = {{"department", r.bottleneck_department},
                     {"utilisation", u},
                     {"matter", r.bottleneck_matter},
                     {"wait_days", w}};
  if (r.baseline) {
    nlohmann::json b = regime_json(*r.baseline);
    b["regime"] = "separate";
    const RegimeResult& c = r.result;
    const RegimeResult& s = *r.baseline;
    b["saved"] = {{"lead_time_days", s.lead_time_days.mean - c.lead_time_days.mean},
                  {"visits_per_case", s.visits_per_case - c.visits_per_case},
                  {"materials_per_case", s.materials_per_case - c.materials_per_case},
                  {"fields_per_case", s.fields_per_case - c.fields_per_case}};
    j["baseline"] = std::move(b);
  } else {
    j["baseline"] = nullptr;
  }
  j["warnings"] = r.warnings;
  return j;
}

void print_tables(const Chain& c, const Scenario& s, const SimulationResult& r) {
  const RegimeResult& g = r.result;
  const Limit statutory = c.statutory().value_or(Limit{kJointHandlingCeilingDays});
  std::printf("%s (%s v%d): %llu applications counted on the %s calendar, seed %llu\n", c.name.c_str(), c.id.c_str(),
              c.version, static_cast<unsigned long long>(g.arrived), r.calendar.c_str(),
              static_cast<unsigned long long>(r.seed));
  if (s.trace.empty())
    std::printf("%d replication%s of %d working days from %s at %g applications per working day%s\n\n", r.replications,
                r.replications == 1 ? "" : "s", s.days.value_or(250), s.start.to_string().c_str(), s.arrival_rate,
                s.warmup_days > 0 ? fmt::format(" (the first {} days not counted)", s.warmup_days).c_str() : "");
  else
    std::printf("Arrivals from %s (%zu applications)\n\n", s.trace_source.c_str(), s.trace.size());
  const double refused = g.arrived ? static_cast<double>(g.rejected) / static_cast<double>(g.arrived) : 0;
  std::printf("Delivered           %llu cases, refused %llu (%s)\n", static_cast<unsigned long long>(g.cases),
              static_cast<unsigned long long>(g.rejected), pct(refused).c_str());
  std::printf("Lead time           mean %.1f  p50 %.1f  p90 %.1f  p99 %.1f working days (submission to results)\n",
              g.lead_time_days.mean, g.lead_time_days.p50, g.lead_time_days.p90, g.lead_time_days.p99);
  std::printf("Within limits       %s within the promised %s, %s within the statutory %s\n",
              pct(g.on_time_promised).c_str(), to_string(c.promised()).c_str(), pct(g.on_time_statutory).c_str(),
              to_string(statutory).c_str());
  std::printf("Per case            %.2f visits, %.1f materials, %.1f form fields, %.2f notices\n", g.visits_per_case,
              g.materials_per_case, g.fields_per_case, g.notices_per_case);
  if (g.rated)
    std::printf("Ratings (好差评)     %llu rated, %s bad (grade 1-2)\n", static_cast<unsigned long long>(g.rated),
                pct(g.bad_rating_rate).c_str());
  std::printf("\n");

  std::printf("%s %s %s %s %s %s %s\n", pad("Matter", 32).c_str(), pad("Wait mean", 9).c_str(), pad("p90", 6).c_str(),
              pad("Service", 7).c_str(), pad("Busy", 6).c_str(), pad("Applied", 8).c_str(), "Supplements  Refused");
  for (const auto& m : g.matters)
    std::printf("%s %s %s %s %s %s %s\n", pad(matter_name(c, m.id), 32).c_str(),
                pad(fmt::format("{:.2f}", m.wait_days.mean), 9).c_str(), pad(fmt::format("{:.2f}", m.wait_days.p90), 6).c_str(),
                pad(fmt::format("{:.2f}", m.service_days.mean), 7).c_str(), pad(pct(m.utilisation), 6).c_str(),
                pad(g.cases ? pct(static_cast<double>(m.applied) / static_cast<double>(g.cases)) : "-", 8).c_str(),
                fmt::format("{:<12} {}", m.supplements, m.rejections).c_str());
  std::printf("\n%s %s %s %s %s\n", pad("Department", 24).c_str(), pad("Officers", 8).c_str(),
              pad("Utilisation", 11).c_str(), pad("Mean queue", 10).c_str(), "Max queue");
  for (const auto& d : g.departments)
    std::printf("%s %s %s %s %llu\n", pad(dept_name(c, d.id), 24).c_str(), pad(std::to_string(d.officers), 8).c_str(),
                pad(pct(d.utilisation), 11).c_str(), pad(fmt::format("{:.2f}", d.mean_queue), 10).c_str(),
                static_cast<unsigned long long>(d.max_queue));
  for (const auto& d : g.departments)
    if (d.id == r.bottleneck_department)
      std::printf("\nBottleneck: %s, busy %s of its office hours", dept_name(c, d.id).c_str(), pct(d.utilisation).c_str());
  for (const auto& m : g.matters)
    if (m.id == r.bottleneck_matter)
      std::printf("; longest wait: %s, %.1f working days on average\n", matter_name(c, m.id).c_str(), m.wait_days.mean);
  std::printf("Little's law: %.2f cases in the system on average = %.4f arrivals a day x %.1f days\n", g.in_system,
              g.arrival_rate, g.time_in_system);

  if (r.baseline) {
    const RegimeResult& b = *r.baseline;
    auto row = [](const char* what, double chain, double sep, const char* unit) {
      const double saved = sep - chain;
      std::printf("%s %s %s %s%s\n", pad(what, 20).c_str(), pad(fmt::format("{:.1f}", chain), 9).c_str(),
                  pad(fmt::format("{:.1f}", sep), 9).c_str(), fmt::format("{:.1f}{}", saved, unit).c_str(),
                  sep > 0 ? fmt::format(" ({:.0f}%)", 100 * saved / sep).c_str() : "");
    };
    std::printf("\nThe chain against applying for each matter separately (same applicants)\n");
    std::printf("%s %s %s %s\n", pad("", 20).c_str(), pad("Chain", 9).c_str(), pad("Separate", 9).c_str(), "Saved");
    row("Lead time, mean", g.lead_time_days.mean, b.lead_time_days.mean, " working days");
    row("Lead time, p90", g.lead_time_days.p90, b.lead_time_days.p90, " working days");
    row("Visits", g.visits_per_case, b.visits_per_case, "");
    row("Materials", g.materials_per_case, b.materials_per_case, "");
    row("Form fields", g.fields_per_case, b.fields_per_case, "");
    std::printf("%s %s %s\n", pad(fmt::format("Within {}", to_string(c.promised())), 20).c_str(),
                pad(pct(g.on_time_promised), 9).c_str(), pct(b.on_time_promised).c_str());
  }
  for (const auto& w : r.warnings) std::printf("\nWarning: %s\n", w.c_str());
}

void ProgressBar::update(const SimulationProgress& p) {
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  drawn_ = true;
  const double f = p.expected ? std::min(1.0, static_cast<double>(p.arrived) / static_cast<double>(p.expected)) : 0;
  const int width = 30, full = static_cast<int>(f * width);
  std::fprintf(stderr, "\r%s [%s%s] %3.0f%% %llu/%llu", p.baseline ? "separate" : "chain   ",
               std::string(static_cast<std::size_t>(full), '#').c_str(),
               std::string(static_cast<std::size_t>(width - full), ' ').c_str(), 100 * f,
               static_cast<unsigned long long>(p.arrived), static_cast<unsigned long long>(p.expected));
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (drawn_) std::fprintf(stderr, "\r%70s\r", "");
  drawn_ = false;
}

}  // namespace yilian::cli
