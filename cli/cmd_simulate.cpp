// yilian simulate CHAIN [SCENARIO]: case-flow simulation. A scenario file
// (schemas/scenario.schema.json) and options give the assumptions; options
// override the file. Output: tables, --json (the DESIGN.md contract), and
// --report FILE.html.
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <thread>

#include "calendar_support.h"
#include "commands.h"
#include "common.h"
#include "simulate_output.h"
#include "yilian/report.h"
#include "yilian/simulate.h"

namespace yilian::cli {
namespace cmd_simulate {

struct Options {
  std::string chain, scenario;
  std::optional<int> days;
  std::optional<std::uint64_t> cases;
  std::optional<int> warmup;
  std::string arrival, arrival_trace;
  std::vector<std::string> capacity, service, supplement, reject, branch;
  std::string calendar, calendars_dir, baseline, report;
  std::optional<std::uint64_t> seed;
  std::optional<long long> threads;
  bool json = false;
};

void fail(const std::string& message) {
  std::fprintf(stderr, "yilian simulate: error: %s\n", message.c_str());
  set_exit_code(exit_usage);
}

/// Splits "KEY=VALUE" at the first '='.
std::optional<std::pair<std::string, std::string>> key_value(const std::string& option, const std::string& text,
                                                             const char* form) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    fail(fmt::format("{} `{}`: expected {}", option, text, form));
    return std::nullopt;
  }
  return std::pair{text.substr(0, eq), text.substr(eq + 1)};
}

std::optional<double> number(const std::string& option, const std::string& text) {
  try {
    std::size_t pos = 0;
    const double v = std::stod(text, &pos);
    if (pos == text.size() && std::isfinite(v)) return v;
  } catch (...) {
  }
  fail(fmt::format("{}: `{}` is not a number", option, text));
  return std::nullopt;
}

std::optional<double> probability(const std::string& option, const std::string& text) {
  auto v = number(option, text);
  if (v && !(*v >= 0 && *v <= 1)) {
    fail(fmt::format("{}: {} is not a probability (0 to 1)", option, *v));
    return std::nullopt;
  }
  return v;
}

/// Applies the command-line options over the scenario; false after a usage error.
bool apply_options(const Options& o, const Chain& c, Scenario& s) {
  if (o.days) s.days = *o.days;
  if (o.cases) {
    s.cases = *o.cases;
    if (!o.days && o.scenario.empty()) s.days.reset();
  }
  if (o.warmup) s.warmup_days = *o.warmup;
  if (o.seed) s.seed = *o.seed;
  if (!o.arrival.empty()) {
    if (!o.arrival.starts_with("poisson:")) {
      fail(fmt::format("--arrival `{}`: expected poisson:RATE (applications per working day), or --arrival-trace FILE",
                       o.arrival));
      return false;
    }
    auto rate = number("--arrival", o.arrival.substr(8));
    if (!rate) return false;
    if (!(*rate > 0)) {
      fail("--arrival: the rate must be above 0 applications per working day");
      return false;
    }
    s.arrival_rate = *rate;
    s.trace.clear();
  }
  if (!o.arrival_trace.empty()) {
    auto t = read_arrival_trace(o.arrival_trace);
    if (!t) {
      fail(fmt::format("--arrival-trace: {}", t.status().message()));
      return false;
    }
    s.trace = std::move(*t);
    s.trace_source = o.arrival_trace;
  }
  for (const auto& text : o.capacity) {
    auto kv = key_value("--capacity", text, "DEPT=N, e.g. education=2");
    if (!kv) return false;
    auto n = number("--capacity", kv->second);
    if (!n) return false;
    if (*n < 1 || *n > 100000 || *n != std::floor(*n)) {
      fail(fmt::format("--capacity {}: expected a whole number of officers, 1 to 100000", text));
      return false;
    }
    s.departments[kv->first].officers = static_cast<int>(*n);
  }
  for (const auto& text : o.service) {
    auto kv = key_value("--service", text, "MATTER=DIST, e.g. school-permit=lognormal:6,3");
    if (!kv) return false;
    auto d = parse_distribution(kv->second, ".");
    if (!d) {
      fail(fmt::format("--service {}: {}", kv->first, d.status().message()));
      return false;
    }
    s.matters[kv->first].service = std::move(*d);
  }
  for (const auto& [list, option] : {std::pair{&o.supplement, "--supplement"}, std::pair{&o.reject, "--reject"}}) {
    for (const auto& text : *list) {
      auto kv = key_value(option, text, "MATTER=P, e.g. school-permit=0.3");
      if (!kv) return false;
      auto p = probability(option, kv->second);
      if (!p) return false;
      (std::string_view(option) == "--supplement" ? s.matters[kv->first].supplement : s.matters[kv->first].reject) = *p;
    }
  }
  std::map<std::string, std::vector<BranchShare>, std::less<>> branches;
  for (const auto& text : o.branch) {
    auto kv = key_value("--branch", text, "KEY=VALUE:SHARE, e.g. school.serves_meals=true:0.7");
    if (!kv) return false;
    const auto colon = kv->second.rfind(':');
    if (colon == std::string::npos || colon == 0) {
      fail(fmt::format("--branch `{}`: expected KEY=VALUE:SHARE, e.g. school.serves_meals=true:0.7", text));
      return false;
    }
    auto value = parse_field_value(c, kv->first, kv->second.substr(0, colon));
    if (!value) {
      fail(fmt::format("--branch: {}", value.status().message()));
      return false;
    }
    auto share = probability("--branch", kv->second.substr(colon + 1));
    if (!share) return false;
    branches[kv->first].push_back({std::move(*value), *share});
  }
  // The shares of a key given on the command line replace the file's.
  for (auto& [key, shares] : branches) s.branches[key] = std::move(shares);
  if (!o.baseline.empty()) {
    if (o.baseline != "separate") {
      fail(fmt::format("--baseline `{}`: the one baseline is `separate` (each matter applied for on its own)", o.baseline));
      return false;
    }
    s.baseline_separate = true;
  }
  return true;
}

std::optional<Calendar> pick_calendar(const Options& o, const Chain& c, const Scenario& s) {
  std::string name = !o.calendar.empty() ? o.calendar : !s.calendar.empty() ? s.calendar : c.calendar;
  if (name == "continuous") return Calendar::continuous();
  return open_calendar(CalendarOptions{name, o.calendars_dir, o.chain});
}

void run(const Options& o) {
  auto chain_loaded = load_chain_or_report(o.chain, o.json);
  if (!chain_loaded) return;
  const ValidChain& chain = *chain_loaded;
  Scenario s;
  if (!o.scenario.empty()) {
    Loaded<Scenario> r = load_scenario_file(o.scenario, *chain);
    print_diagnostics(r.diagnostics);
    if (!r.ok()) {
      const bool io = std::any_of(r.diagnostics.begin(), r.diagnostics.end(), [](const Diagnostic& d) {
        return d.code == "io" && d.path.empty();
      });
      set_exit_code(io ? exit_usage : exit_invalid);
      return;
    }
    s = std::move(r.value());
  } else {
    s.days = 250;  // a working year when nothing else is said
  }
  if (!apply_options(o, *chain, s)) return;
  SimulateOptions options;
  if (o.threads) {
    if (*o.threads < 1 || *o.threads > 1024) {
      fail(fmt::format("--threads {}: expected 1 to 1024 threads (leave it out for one per core, {} here)", *o.threads,
                       std::max(1U, std::thread::hardware_concurrency())));
      return;
    }
    options.threads = static_cast<unsigned>(*o.threads);
  }
  // What the options named (matters, departments, shares) is checked here;
  // the file's own errors were reported, located, by the loader.
  bool bad = false;
  for (const Diagnostic& d : check_scenario(*chain, s)) {
    if (d.severity != Severity::error) continue;
    fail(fmt::format("{}: {}{}", d.path, d.message, d.hint.empty() ? "" : " (" + d.hint + ")"));
    bad = true;
  }
  if (bad) return;
  auto calendar = pick_calendar(o, *chain, s);
  if (!calendar) return;

  ProgressCallback progress;
  std::unique_ptr<ProgressBar> bar;
  if (is_terminal(2) && !o.json) {
    bar = std::make_unique<ProgressBar>();
    progress = [&bar](const SimulationProgress& p) { bar->update(p); };
  }
  auto result = simulate(chain, *calendar, s, options, progress);
  if (bar) bar->finish();
  if (!result) {
    std::fprintf(stderr, "yilian simulate: error: %s\n", result.status().message().c_str());
    set_exit_code(result.status().code() == Status::Code::internal ? exit_usage : exit_invalid);
    return;
  }
  for (const auto& w : result->warnings) std::fprintf(stderr, "yilian simulate: warning: %s\n", w.c_str());
  if (!o.report.empty()) {
    std::ofstream out(o.report, std::ios::binary | std::ios::trunc);
    out << simulation_report_html(*chain, s, *result, o.scenario);
    out.close();
    if (!out) {
      fail(fmt::format("--report {}: cannot write the file", o.report));
      return;
    }
    if (!o.json) std::fprintf(stderr, "Report written to %s\n", o.report.c_str());
  }
  if (o.json) print_json(result_json(*chain, *result));
  else print_tables(*chain, s, *result);
}

}  // namespace cmd_simulate

void add_simulate(CLI::App& app) {
  using namespace cmd_simulate;  // this command's options and helpers
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("simulate", "Simulate a year of applications through the chain");
  cmd->description(
      "Simulate case flows: applications arrive, wait in each department's queue for an officer\n"
      "working office hours on working days, are asked for supplements or refused now and then,\n"
      "and go through the same flow rules as live cases. Prints lead times, the share within the\n"
      "promised and statutory limits, visits and materials per case, waits and utilisation per\n"
      "matter and department, and the bottleneck. Durations are working days.\n"
      "Replications (and the --baseline run beside them) run on --threads threads; each replication\n"
      "draws its own random numbers from the seed and its number, so the results are the same,\n"
      "byte for byte, whatever the thread count.");
  cmd->add_option("chain", o->chain, "Chain file, or a chain id found in ./chains")->required()->type_name("CHAIN");
  cmd->add_option("scenario", o->scenario, "Scenario file (YAML; schemas/scenario.schema.json)")->type_name("SCENARIO");
  cmd->add_option("--days", o->days, "Working days of arrivals (per replication)")->check(CLI::Range(1, 2'000'000));
  cmd->add_option("--cases", o->cases, "Cases in all (replications of --days until reached)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000'000}));
  cmd->add_option("--warmup", o->warmup, "Working days not counted at the start of each replication")
      ->check(CLI::Range(0, 2'000'000));
  cmd->add_option("--arrival", o->arrival, "poisson:RATE, applications per working day")->type_name("poisson:RATE");
  cmd->add_option("--arrival-trace", o->arrival_trace, "CSV of arrival times instead of Poisson arrivals")
      ->type_name("FILE.csv");
  cmd->add_option("--capacity", o->capacity, "Officers of a department")->type_name("DEPT=N");
  cmd->add_option("--service", o->service,
                  "Service time: fixed:D, exp:MEAN, lognormal:MEAN,SD, triangular:MIN,MODE,MAX, empirical:FILE.csv")
      ->type_name("MATTER=DIST");
  cmd->add_option("--supplement", o->supplement, "Probability an attempt asks for supplements")->type_name("MATTER=P");
  cmd->add_option("--reject", o->reject, "Probability an attempt ends in a refusal")->type_name("MATTER=P");
  cmd->add_option("--branch", o->branch, "Share of applicants giving a value, e.g. school.serves_meals=true:0.7")
      ->type_name("KEY=VALUE:SHARE");
  cmd->add_option("--calendar", o->calendar, "continuous (24-hour days), or a calendar name or file; default the chain's")
      ->type_name("continuous|NAME");
  cmd->add_option("--calendars", o->calendars_dir, "Directory of calendar files")->type_name("DIR");
  cmd->add_option("--baseline", o->baseline, "Also simulate applying for each matter separately")->type_name("separate");
  cmd->add_option("--seed", o->seed, "Seed of the random numbers (same seed, same results)");
  cmd->add_option("--threads", o->threads,
                  "Threads running replications (default: one per core); the results are the same for every count")
      ->type_name("N");
  cmd->add_flag("--json", o->json, "Print one JSON document (see docs/simulation.md)");
  cmd->add_option("--report", o->report, "Write a self-contained HTML report with charts")->type_name("FILE.html");
  cmd->footer(
      "Examples:\n"
      "  yilian simulate kindergarten-setup chains/scenarios/kindergarten-setup.yaml\n"
      "  yilian simulate kindergarten-setup --days 250 --arrival poisson:0.2 --capacity education=2 \\\n"
      "      --service school-permit=lognormal:6,3 --branch school.serves_meals=true:0.7 --baseline separate\n"
      "  yilian simulate kindergarten-setup chains/scenarios/kindergarten-setup.yaml --report report.html");
  cmd->callback([o] { run(*o); });
}

}  // namespace yilian::cli
