// BPMN export time for every chain of chains/ and for the generated chain of
// 2,000 matters (bench/gen_chain.h), split into the three steps (process
// graph, layout, XML); and, with --flow-cases, the yilian flow core running
// the cases of a JSON file in memory (the other half of
// tests/js/bench-bpmn-engine.mjs, which runs the same cases in bpmn-engine).
//
//   bench_bpmn [--runs N]
//   bench_bpmn --flow-cases FILE [--runs N] [--json]
//   bench_bpmn --emit-chain FILE     (writes the generated chain's YAML)
//
// FILE: {"chain": "chains/kindergarten-setup.yaml", "cases": [{"fields":
// {...}, "materials": [...]}, ...]}; each case is submitted complete, every
// dispatched task is approved at once (produced values filled in with
// values the chain's rules accept, the simulator's placeholder_value()),
// and the case is delivered. No figure is printed unless every case ends
// delivered in every run: the first case that does not is described and
// the program exits 1.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "export/bpmn_model.h"
#include "gen_chain.h"
#include "sim/setup.h"
#include "yilian/bpmn.h"
#include "yilian/calendar_load.h"
#include "yilian/flow.h"
#include "yilian/load.h"
#include "allocator.h"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

/// Median time of one call, repeating within a run until it has taken 100 ms.
template <class F>
double time_ms(int runs, F&& f) {
  std::vector<double> per_call;
  for (int r = 0; r < runs; ++r) {
    int n = 0;
    const auto t0 = Clock::now();
    do {
      f();
      ++n;
    } while (ms_since(t0) < 100);
    per_call.push_back(ms_since(t0) / n);
  }
  return median(per_call);
}

void export_times(int runs) {
  fmt::print("cores: {}\nallocator: {}\nruns: {} (medians)\n\n", std::thread::hardware_concurrency(),
             yilian::programs::allocator_name(), runs);
  fmt::print("{:<26} {:>7} {:>9} {:>10} {:>12}\n", "chain", "matters", "KiB", "export ms", "µs / matter");
  auto files = yilian::chain_files(std::string(YILIAN_SOURCE_DIR) + "/chains");
  double total = 0;
  if (files.is_ok()) {
    for (const auto& f : *files) {
      auto r = yilian::load_chain(f);
      if (!r.ok()) {
        fmt::print("{:<26} invalid, skipped\n", f.substr(f.rfind('/') + 1));
        continue;
      }
      std::size_t bytes = 0;
      const double ms = time_ms(runs, [&] { bytes = yilian::to_bpmn(*r.value()).size(); });
      total += ms;
      fmt::print("{:<26} {:>7} {:>9.1f} {:>10.3f} {:>12.1f}\n", r.value()->id, r.value()->matters.size(), bytes / 1024.0, ms,
                 1000 * ms / static_cast<double>(r.value()->matters.size()));
    }
    fmt::print("{:<26} {:>7} {:>9} {:>10.3f}\n\n", "all chains (sum)", "", "", total);
  }

  const std::string text = yilian::bench::generate_chain({});
  auto g = yilian::load_chain_text(text, "generated.yaml");
  if (!g.ok()) {
    fmt::print("the generated chain does not load ({} errors)\n", g.diagnostics.error_count());
    return;
  }
  namespace b = yilian::detail::bpmn;
  const yilian::BpmnOptions o;
  std::size_t bytes = 0, nodes = 0, flows = 0;
  std::vector<double> build_t, layout_t, xml_t, total_t;
  for (int r = 0; r < runs; ++r) {
    auto t0 = Clock::now();
    b::Model m = b::build_model(*g.value(), o);
    build_t.push_back(ms_since(t0));
    auto t1 = Clock::now();
    b::layout(m);
    layout_t.push_back(ms_since(t1));
    auto t2 = Clock::now();
    bytes = b::write_xml(m, o).size();
    xml_t.push_back(ms_since(t2));
    total_t.push_back(ms_since(t0));
    nodes = m.nodes.size();
    flows = m.flows.size();
  }
  fmt::print("generated chain: {} matters, 5000 `after` edges; {} flow nodes, {} sequence flows, {:.1f} MiB of XML\n",
             g.value()->matters.size(), nodes, flows, static_cast<double>(bytes) / (1 << 20));
  fmt::print("  process graph {:8.2f} ms\n  layout        {:8.2f} ms\n  XML           {:8.2f} ms\n  to_bpmn total {:8.2f} ms\n",
             median(build_t), median(layout_t), median(xml_t), median(total_t));
}

yilian::Value to_value(const nlohmann::json& j) {
  if (j.is_boolean()) return j.get<bool>();
  if (j.is_number_integer()) return j.get<std::int64_t>();
  if (j.is_number()) return j.get<double>();
  if (j.is_string()) return j.get<std::string>();
  return {};
}

int flow_cases(const std::string& file, int runs, bool json) {
  std::ifstream in(file);
  if (!in) {
    fmt::print(stderr, "{}: cannot read\n", file);
    return 2;
  }
  const nlohmann::json spec = nlohmann::json::parse(in);
  std::string chain_path = spec.at("chain").get<std::string>();
  if (!chain_path.empty() && chain_path[0] != '/') chain_path = std::string(YILIAN_SOURCE_DIR) + "/" + chain_path;
  auto loaded = yilian::load_chain(chain_path);
  if (!loaded.ok()) {
    fmt::print(stderr, "{}: invalid chain\n", chain_path);
    return 1;
  }
  auto cal = yilian::load_calendar(loaded.value()->calendar, {std::string(YILIAN_SOURCE_DIR) + "/chains/calendars"});
  if (!cal.ok()) {
    fmt::print(stderr, "calendar {} not found\n", loaded.value()->calendar);
    return 1;
  }
  yilian::FlowOptions fo;
  fo.track_alerts = false;  // as the simulator runs it: no alert timers, only the flow
  const auto fc = yilian::FlowChain::compile(loaded.value(), cal.value(), fo);

  // Cases as events, built before the clock starts.
  struct Case {
    yilian::FieldValues fields;
    std::vector<std::string> materials;
  };
  std::vector<Case> cases;
  for (const auto& c : spec.at("cases")) {
    Case k;
    for (const auto& [key, v] : c.at("fields").items()) k.fields[key] = to_value(v);
    for (const auto& m : c.at("materials")) k.materials.push_back(m.get<std::string>());
    cases.push_back(std::move(k));
  }
  std::vector<yilian::FieldValues> produced(fc->matter_count());
  for (std::size_t m = 0; m < fc->matter_count(); ++m)
    for (const auto& f : loaded.value()->matters[m].produces) produced[m][f.key] = yilian::detail::placeholder_value(&f);

  const auto start = yilian::Instant::parse("2026-03-02T09:00").value();
  std::vector<double> times;
  std::size_t delivered = 0, tasks = 0;
  std::string first_failure;  // what happened to the first case not delivered
  for (int r = 0; r < runs; ++r) {
    delivered = tasks = 0;
    const auto t0 = Clock::now();
    std::vector<yilian::Command> out;
    std::vector<yilian::Command> pending;
    std::string why;
    for (std::size_t i = 0; i < cases.size(); ++i) {
      yilian::CaseState s = yilian::new_case(*fc, i + 1);
      out.clear();
      why.clear();
      auto note = [&](const yilian::StepOutcome& o, const char* what) {
        if (o.result != yilian::StepResult::applied && why.empty())
          why = fmt::format("{} {}: {}", what, yilian::to_string(o.result), o.reason);
      };
      note(yilian::step(*fc, s, {start, yilian::event::Submitted{cases[i].fields, cases[i].materials}}, out),
           "submission");
      // Approve every dispatched task at once, until nothing is left.
      while (!out.empty()) {
        pending.swap(out);
        out.clear();
        for (const auto& cmd : pending) {
          if (const auto* d = std::get_if<yilian::command::Dispatch>(&cmd)) {
            ++tasks;
            note(yilian::step(*fc, s,
                              {start, yilian::event::TaskApproved{d->matter, d->attempt,
                                                                  produced[static_cast<std::size_t>(d->matter)]}},
                              out),
                 "approval");
          } else if (std::holds_alternative<yilian::command::ReadyForDelivery>(cmd)) {
            note(yilian::step(*fc, s, {start, yilian::event::Delivered{}}, out), "delivery");
          } else if (const auto* n = std::get_if<yilian::command::SendNotice>(&cmd); n && why.empty()) {
            std::string items;
            for (const auto& m : n->missing) items += (items.empty() ? "" : ", ") + m.key + " missing";
            for (const auto& b : n->invalid) items += (items.empty() ? "" : ", ") + b.key + " invalid: " + b.reason;
            why = fmt::format("a notice to the applicant ({})", items);
          }
        }
      }
      if (s.stage == yilian::CaseStage::delivered) ++delivered;
      else if (first_failure.empty())
        first_failure = fmt::format("case {} ended {} after {}", i + 1, yilian::to_string(s.stage),
                                    why.empty() ? std::string("no further command") : why);
    }
    times.push_back(ms_since(t0));
  }
  if (delivered != cases.size()) {
    fmt::print(stderr, "yilian flow core, {}: {} of {} cases delivered, so no figure; {}\n", loaded.value()->id, delivered,
               cases.size(), first_failure);
    return 1;
  }
  const double ms = median(times);
  if (json) {
    fmt::print("{}\n", nlohmann::json{{"engine", "yilian flow core"},
                                      {"chain", loaded.value()->id},
                                      {"cases", cases.size()},
                                      {"delivered", delivered},
                                      {"tasks", tasks},
                                      {"runs", runs},
                                      {"median_ms", ms},
                                      {"run_ms", times}}
                           .dump());
  } else {
    fmt::print("yilian flow core, {}: {} cases ({} delivered, {} tasks) in {:.2f} ms (median of {}), {:.2f} µs / case\n",
               loaded.value()->id, cases.size(), delivered, tasks, ms, runs, 1000 * ms / static_cast<double>(cases.size()));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 7;
  bool json = false;
  std::string cases;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--flow-cases") && i + 1 < argc) cases = argv[++i];
    else if (!std::strcmp(argv[i], "--json")) json = true;
    else if (!std::strcmp(argv[i], "--emit-chain") && i + 1 < argc) {
      std::ofstream(argv[++i]) << yilian::bench::generate_chain({});
      return 0;
    }
    else {
      fmt::print(stderr, "usage: bench_bpmn [--runs N] [--flow-cases FILE [--json]] [--emit-chain FILE]\n");
      return 2;
    }
  }
  if (!cases.empty()) return flow_cases(cases, runs, json);
  export_times(runs);
  return 0;
}
