// The flow core alone: events per second through step() on one thread, for
// the kindergarten chain (submission, every task approved in dependency
// order, delivery: 9 events a case), with alert tracking on (as the live
// engine runs it) and off (as the simulator runs it). Measures, does not
// assert; the table goes into bench/README.md.
//
// Usage: bench_flow [cases-per-round] [rounds]
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

#include "yilian/application.h"
#include "yilian/calendar_load.h"
#include "yilian/flow.h"
#include "yilian/load.h"
#include "allocator.h"

namespace {

using namespace yilian;
using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

/// The events of one case, found by running it once: every dispatched task
/// is approved the next working hour, until delivery.
std::vector<Event> script(const FlowChain& fc, const Application& app) {
  std::vector<Event> events;
  CaseState s = new_case(fc, 1);
  std::vector<Command> out;
  Instant at = *Instant::parse("2025-03-03T09:00");
  events.push_back({at, event::Submitted{app.fields, app.materials, Channel::window}});
  (void)step(fc, s, events.back(), out);
  std::vector<std::pair<int, std::uint32_t>> open;
  for (std::size_t i = 0; i < out.size(); ++i)
    if (const auto* d = std::get_if<command::Dispatch>(&out[i])) open.emplace_back(d->matter, d->attempt);
  while (!open.empty()) {
    auto [m, attempt] = open.front();
    open.erase(open.begin());
    at.seconds += 3600;
    const FieldValues all{{"school.permit_no", std::string("教民1403020001")}, {"applicant.uscc", std::string("52370302MJ0000000M")},
                          {"food.licence_no", std::string("JY13703020000001")}};
    FieldValues produced;  // only what the matter declares: the flow refuses others
    for (const Field& f : fc.chain().matters[static_cast<std::size_t>(m)].produces)
      if (auto it = all.find(f.key); it != all.end()) produced.insert(*it);
    events.push_back({at, event::TaskApproved{m, attempt, produced}});
    out.clear();
    (void)step(fc, s, events.back(), out);
    for (const auto& c : out)
      if (const auto* d = std::get_if<command::Dispatch>(&c)) open.emplace_back(d->matter, d->attempt);
  }
  events.push_back({at, event::Delivered{DeliveryMethod::electronic, {}}});
  out.clear();
  (void)step(fc, s, events.back(), out);
  if (s.stage != CaseStage::delivered) events.clear();  // the application did not go through
  return events;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t cases = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100'000;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  Loaded<ValidChain> loaded = load_chain(std::string(YILIAN_SOURCE_DIR) + "/chains/kindergarten-setup.yaml");
  Loaded<Calendar> cal = load_calendar("cn-mainland", {std::string(YILIAN_SOURCE_DIR) + "/chains/calendars"});
  if (!loaded.ok() || !cal.ok()) {
    fmt::print(stderr, "cannot load the kindergarten chain or its calendar\n");
    return 2;
  }
  // The complete example application: the case runs through every matter.
  const std::string app_file = std::string(YILIAN_SOURCE_DIR) + "/examples/applications/kindergarten-setup-complete.yaml";
  Loaded<Application> app = load_application(app_file);
  if (!app.ok()) {
    fmt::print(stderr, "cannot read {}\n", app_file);
    return 2;
  }
  std::sort(app->materials.begin(), app->materials.end());

  fmt::print("Flow core, kindergarten chain: {} cases per round, {} rounds, one thread ({} cores; {})\n\n", cases,
             rounds, std::thread::hardware_concurrency(), yilian::programs::allocator_name());
  fmt::print("| mode | events per case | all events: median M/s (range) | ns / event | after submission: M/s | submission: µs |\n"
             "|---|---:|---:|---:|---:|---:|\n");
  for (bool alerts : {true, false}) {
    FlowOptions options;
    options.track_alerts = alerts;
    auto fc = FlowChain::compile(loaded.value(), cal.value(), options);
    const std::vector<Event> events = script(*fc, app.value());
    if (events.empty()) {
      fmt::print(stderr, "{}: the kindergarten case does not reach delivery; fix the application\n", app_file);
      return 2;
    }
    std::uint64_t sink = 0;
    std::vector<Command> out;
    out.reserve(64);
    // Round `upto` steps the first `upto` events of every case (all of them,
    // or only the submission): the difference is the cost of the rest.
    auto round = [&](std::size_t upto) {
      const auto t0 = Clock::now();
      for (std::size_t c = 0; c < cases; ++c) {
        CaseState s = new_case(*fc, c + 1);
        for (std::size_t i = 0; i < upto; ++i) {
          out.clear();
          sink += static_cast<std::uint64_t>(step(*fc, s, events[i], out).result);
        }
        sink += s.events;
      }
      return std::chrono::duration<double>(Clock::now() - t0).count();
    };
    std::vector<double> all, rest, submit;
    for (int r = 0; r < rounds; ++r) {
      const double t_all = round(events.size());
      const double t_submit = round(1);
      all.push_back(static_cast<double>(cases * events.size()) / t_all);
      rest.push_back(static_cast<double>(cases * (events.size() - 1)) / std::max(1e-9, t_all - t_submit));
      submit.push_back(t_submit / static_cast<double>(cases) * 1e6);
    }
    const auto [lo, hi] = std::minmax_element(all.begin(), all.end());
    fmt::print("| alerts {} | {} | {:.2f} ({:.2f}–{:.2f}) | {:.0f} | {:.2f} | {:.2f} |   (checksum {})\n", alerts ? "on " : "off",
               events.size(), median(all) / 1e6, *lo / 1e6, *hi / 1e6, 1e9 / median(all), median(rest) / 1e6,
               median(submit), sink);
  }
  return 0;
}
