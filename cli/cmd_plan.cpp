// yilian plan CHAIN: stages, critical path, compression (and dates).
#include <fmt/format.h>

#include <algorithm>

#include "calendar_support.h"
#include "commands.h"
#include "common.h"
#include "yilian/analysis.h"
#include "yilian/form.h"
#include "engine_support.h"
#include "yilian/schedule.h"

namespace yilian::cli {
namespace cmd_plan {

struct PlanOptions {
  std::string chain;
  bool json = false;
  std::vector<std::string> set;
  std::string start;  ///< acceptance date; empty: no dates
  CalendarOptions calendar;
  const CLI::App* cmd = nullptr;
};

/// The one form's reduction (worst case, every matter applying), for plan.
nlohmann::json form_stats_json(const FormStats& s) {
  nlohmann::json targets = nlohmann::json::array();
  for (const auto& t : s.targets) targets.push_back({{"year", t.year}, {"reduction", t.reduction}, {"met", t.met}});
  return {{"fields_before", s.fields_before},         {"fields_after", s.fields_after},
          {"materials_before", s.materials_before},   {"materials_after", s.materials_after},
          {"materials_shared", s.materials_shared},
          {"fields_reduction", s.fields_reduction},   {"materials_reduction", s.materials_reduction},
          {"targets", targets}};
}

// A limit in a plan's table: the bare count for working days (the table's
// unit), "3 months" otherwise.
std::string limit_cell(const Limit& l) { return l.in_working_days() ? std::to_string(l.count) : to_string(l); }

bool any_calendar_limit(const Chain& c) {
  if (!c.promised().in_working_days() || (c.statutory() && !c.statutory()->in_working_days())) return true;
  return std::any_of(c.matters.begin(), c.matters.end(), [](const Matter& m) {
    return !m.promised().in_working_days() || !m.statutory().in_working_days();
  });
}

nlohmann::json path_json(const CriticalPath& p) {
  return {{"matters", p.matters}, {"promised_days", p.promised_days}, {"statutory_days", p.statutory_days}};
}

}  // namespace cmd_plan

nlohmann::json plan_document(const Chain& chain, const Analysis& a, const FormStats& stats,
                             const std::optional<Schedule>& dates) {
  nlohmann::json timings = nlohmann::json::array();
  for (const auto& t : a.timings)
    timings.push_back({{"matter", t.matter}, {"stage", t.stage}, {"start", t.start}, {"finish", t.finish},
                       {"slack", t.slack}, {"elapsed_start", t.elapsed_start}, {"elapsed_finish", t.elapsed_finish},
                       {"critical", t.critical}});
  nlohmann::json out = {{"chain", a.chain},
              {"version", a.version},
              {"mode", a.mode == Analysis::Mode::worst_case ? "worst-case" : "scenario"},
              {"applicable", a.applicable},
              {"skipped", a.skipped},
              {"undetermined", a.undetermined},
              {"stages", a.stages},
              {"critical_path", cmd_plan::path_json(a.critical_path)},
              {"critical_path_statutory", cmd_plan::path_json(a.critical_path_statutory)},
              {"serial_promised_days", a.serial_promised_days},
              {"serial_statutory_days", a.serial_statutory_days},
              {"compression", a.compression},
              {"compression_statutory", a.compression_statutory},
              {"chain_promised_days", nominal_working_days(chain.promised())},
              {"chain_promised", to_string(chain.promised())},
              {"elapsed_days", a.elapsed_days},
              {"timings", timings},
              {"form", cmd_plan::form_stats_json(stats)}};
  if (a.on) {
    out["as_of"] = a.on->to_string();
    out["not_in_force"] = a.not_in_force;
  }
  if (dates) {
    nlohmann::json ms = nlohmann::json::array();
    for (const auto& d : dates->matters)
      ms.push_back({{"matter", d.matter}, {"start", d.start.to_string()}, {"finish", d.finish.to_string()},
                    {"promised_days", nominal_working_days(d.promised)}, {"promised", to_string(d.promised)},
                    {"uncounted_days", d.uncounted_days}, {"critical", d.critical}});
    out["schedule"] = {{"accepted", dates->accepted.to_string()},
                       {"finish", dates->finish.to_string()},
                       {"promised_deadline", dates->promised_deadline.to_string()},
                       {"provisional", dates->provisional},
                       {"provisional_years", dates->provisional_years},
                       {"matters", ms}};
  }
  return out;
}

namespace cmd_plan {

void run(const PlanOptions& o) {
  auto chain_loaded = load_chain_or_report(o.chain, o.json);
  if (!chain_loaded) return;
  const ValidChain& chain = *chain_loaded;
  FieldValues scenario;
  for (const auto& kv : o.set) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      usage_error(fmt::format("--set {}: expected KEY=VALUE", kv));
      return;
    }
    const std::string key = kv.substr(0, eq);
    if (!chain->find_field(key)) {
      usage_error(fmt::format("--set {}: `{}` is not a field of chain {}", kv, key, chain->id));
      return;
    }
    scenario[key] = parse_value(kv.substr(eq + 1));
  }
  std::optional<Date> start_day;
  if (!o.start.empty()) {
    start_day = Date::parse(o.start);
    if (!start_day) {
      usage_error(fmt::format("--start {}: expected a date YYYY-MM-DD", o.start));
      return;
    }
  }
  // A chain with valid_from / valid_until is shown as it was on the start
  // date (a case accepted then), or as it is today.
  std::optional<Date> as_of;
  if (chain->dated()) as_of = start_day ? *start_day : today();
  if (as_of && !chain->valid.contains(*as_of)) {
    std::fprintf(stderr, "yilian: error: chain %s v%d is in force %s; a case accepted on %s cannot use it\n",
                 chain->id.c_str(), chain->version, chain->valid.to_string().c_str(), as_of->to_string().c_str());
    set_exit_code(exit_invalid);
    return;
  }
  const Analysis a = analyse(chain, o.set.empty() ? nullptr : &scenario, as_of);
  const FormStats stats = merge_form(*chain).stats;

  std::optional<Schedule> dates;
  if (start_day) {
    // The chain's own calendar unless --calendar names another.
    CalendarOptions copt = o.calendar;
    if (o.cmd->count("--calendar") == 0) copt.calendar = chain->calendar;
    copt.chain_file = o.chain;
    auto cal = open_calendar(copt);
    if (!cal) return;
    dates = schedule(*chain, a, *cal, *start_day);
    if (dates->provisional)
      std::fprintf(stderr, "yilian: warning: dates in %s are provisional: no holiday data for that year\n",
                   describe_years(dates->provisional_years).c_str());
  }

  if (o.json) {
    print_json(plan_document(*chain, a, stats, dates));
    return;
  }

  const Chain& c = *chain;
  const Department* lead = c.find_department(c.lead);
  std::printf("%s (%s v%d): lead %s, promised %s\n", c.name.c_str(), c.id.c_str(), c.version,
              lead ? lead->name.c_str() : c.lead.c_str(), to_string(c.promised()).c_str());
  if (a.on)
    std::printf("As on %s%s: %s.\n", a.on->to_string().c_str(), o.start.empty() ? " (today; --start to choose)" : "",
                a.not_in_force.empty()
                    ? std::string("every matter is in force").c_str()
                    : fmt::format("not in force (valid_from / valid_until): {}", fmt::join(a.not_in_force, ", ")).c_str());
  if (a.mode == Analysis::Mode::worst_case)
    std::printf("Worst case: every conditional matter is assumed to apply.\n\n");
  else
    std::printf("Scenario: %zu matters apply, %zu skipped%s.\n\n", a.applicable.size(), a.skipped.size(),
                a.undetermined.empty() ? "" : fmt::format(", {} undetermined (counted)", a.undetermined.size()).c_str());
  // With --start, the offsets become dates on the chain's calendar.
  const bool with_dates = dates.has_value();
  const std::size_t when_w = with_dates ? 10 : 6;
  std::printf("%s %s %s %s %s %s %s %s\n", pad("Stage", 5).c_str(), pad("Matter", 34).c_str(),
              pad("Department", 20).c_str(), pad("Promised", 8).c_str(), pad("Statutory", 9).c_str(),
              pad("Start", when_w).c_str(), pad("Finish", when_w).c_str(), "Slack");
  for (std::size_t i = 0; i < a.timings.size(); ++i) {
    const auto& t = a.timings[i];
    const Matter& m = *c.find_matter(t.matter);
    const Department* d = c.find_department(m.department);
    const std::string name = m.name + (m.conditional() ? " ◇" : "");
    const std::string start = with_dates ? dates->matters[i].start.to_string() : std::to_string(t.start);
    const std::string finish = with_dates ? dates->matters[i].finish.to_string() : std::to_string(t.finish);
    std::printf("%s %s %s %s %s %s %s %s\n", pad(std::to_string(t.stage + 1), 5).c_str(), pad(name, 34).c_str(),
                pad(d ? d->name : m.department, 20).c_str(), pad(limit_cell(m.promised()), 8).c_str(),
                pad(limit_cell(m.statutory()), 9).c_str(), pad(start, when_w).c_str(), pad(finish, when_w).c_str(),
                (std::to_string(t.slack) + (t.critical ? "  ★ critical" : "")).c_str());
    if (m.uncounted_days() > 0) {
      std::string kinds;
      for (const auto& ph : m.phases)
        if (!ph.counted) kinds += (kinds.empty() ? "" : ", ") + std::string(to_string(ph.kind));
      std::printf("      %s + %d working days not counted (Art. 45: %s)%s\n", pad("", 34).c_str(), m.uncounted_days(),
                  kinds.c_str(), with_dates ? ", included in the finish date" : "");
    }
  }
  std::printf("\n◇ conditional matter   ★ on the critical path; %s\n",
              with_dates ? "dates on the chain's calendar, the acceptance day not counted"
                         : "days are working days from acceptance");
  if (any_calendar_limit(c))
    std::printf("Limits in days or months count as working days at 250 a year in the sums below (60 days ≈ 42, "
                "3 months ≈ 63);\n`yilian deadline --limit` gives their exact dates.\n");
  std::printf("\n");
  std::printf("Critical path (promised):  %s = %s\n", fmt::format("{}", fmt::join(a.critical_path.matters, " → ")).c_str(),
              plural(a.critical_path.promised_days, "working day").c_str());
  std::printf("Critical path (statutory): %s = %s\n",
              fmt::format("{}", fmt::join(a.critical_path_statutory.matters, " → ")).c_str(),
              plural(a.critical_path_statutory.statutory_days, "working day").c_str());
  std::printf("One after another:         %d promised, %d statutory working days\n", a.serial_promised_days,
              a.serial_statutory_days);
  std::printf("Compression:               %.1f%% promised, %.1f%% statutory\n", 100 * a.compression,
              100 * a.compression_statutory);
  if (a.elapsed_days != a.critical_path.promised_days)
    std::printf("With uncounted phases:     %d working days elapse\n", a.elapsed_days);
  std::printf("Chain promise:             %s%s\n", to_string(c.promised()).c_str(),
              nominal_working_days(c.promised()) >= a.critical_path.promised_days ? " (covers the critical path)"
                                                                                  : " (shorter than the critical path!)");
  if (with_dates) {
    std::printf("\nAccepted %s: the last matter finishes %s; the chain's promise falls due %s%s.\n",
                dates->accepted.to_string().c_str(), dates->finish.to_string().c_str(),
                dates->promised_deadline.to_string().c_str(), dates->provisional ? " (provisional)" : "");
  }
  std::printf("\nOne form (一表申请), every matter applying; `yilian form` shows it:\n");
  std::printf("  Fields:    %d asked by the matters one by one, %d in the one form (-%.1f%%)\n", stats.fields_before,
              stats.fields_after, 100 * stats.fields_reduction);
  std::printf("  Materials: %d asked by the matters one by one, %d in the one set (-%.1f%%)\n",
              stats.materials_before, stats.materials_after, 100 * stats.materials_reduction);
  if (stats.materials_shared > 0)
    std::printf("             %d fetched by data sharing (共享获取), counted as saved\n", stats.materials_shared);
  std::string targets;
  for (const auto& t : stats.targets)
    targets += fmt::format("{}{:.0f}% by end {} {}", targets.empty() ? "" : ", ", 100 * t.reduction, t.year,
                           t.met ? "met" : "not met");
  std::printf("  Plan targets for materials: %s\n", targets.c_str());
}

}  // namespace cmd_plan

void add_plan(CLI::App& app) {
  using namespace cmd_plan;  // this command's options and helpers
  auto o = std::make_shared<PlanOptions>();
  auto* cmd = app.add_subcommand("plan", "Stages, critical path and compression of a chain");
  cmd->description(
      "Plan a chain: which matters run in parallel (stages), the critical path by promised\n"
      "and by statutory working days, the sum one after another, and the compression\n"
      "1 - critical/serial. Without --set, the worst case: every conditional matter applies.");
  cmd->add_option("chain", o->chain, "Chain file, or a chain id found in ./chains")->required()->type_name("CHAIN");
  cmd->add_flag("--json", o->json, "Print one JSON document (see docs/cli.md)");
  cmd->add_option("--set", o->set, "A form value for the scenario, e.g. school.serves_meals=false")
      ->type_name("KEY=VALUE");
  cmd->add_option("--start", o->start,
                  "Acceptance date: print each matter's start and finish dates; a chain with valid_from / "
                  "valid_until is shown as it was that day (default: today)")
      ->type_name("DATE");
  add_calendar_options(*cmd, o->calendar);
  o->cmd = cmd;
  cmd->footer(
      "Examples:\n"
      "  yilian plan chains/kindergarten-setup.yaml\n"
      "  yilian plan kindergarten-setup --start 2025-09-26\n"
      "  yilian plan kindergarten-setup --set school.serves_meals=false --json");
  cmd->callback([o] { run(*o); });
}

}  // namespace yilian::cli
