// The pool that runs replications. A regime hands out its replications in
// index order (with the arrivals each may take when the scenario's total of
// cases ends inside it) and merges their floating-point sums in index
// order; each thread keeps its own event loop, Setup and flow chain per
// regime, and adds its counts at the end. The thread that asked reports
// progress.
#include "sim/replications.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

namespace yilian::detail {
namespace {

std::shared_ptr<const FlowChain> compile_for_simulation(const ValidChain& chain, const Calendar& calendar) {
  // Levels are read at the end of a case (no alert timers).
  FlowOptions options;
  options.track_alerts = false;
  return FlowChain::compile(chain, calendar, options);
}

/// One regime's replications. Not thread-safe: the pool's mutex guards it.
class Regime {
 public:
  Regime(const RegimeSpec& spec, const Calendar& calendar, const Scenario& sc)
      : spec_(spec), sc_(sc), setup_(make_setup(compile_for_simulation(spec.chain, calendar), calendar, sc, spec.separate)) {
    acc_.resize(setup_->fc->matter_count(), setup_->dept_ids.size());
    // A trace, or a horizon of days alone, is one replication; `cases` with
    // Poisson arrivals runs replications until that many have arrived.
    single_ = !sc.trace.empty() || !sc.cases;
    if (!single_) remaining_ = *sc.cases;
    if (!sc.trace.empty()) expected_ = sc.trace.size();
    else if (sc.cases) expected_ = *sc.cases;
    else expected_ = static_cast<std::uint64_t>(sc.arrival_rate * sc.days.value_or(250));
  }

  [[nodiscard]] const RegimeSpec& spec() const { return spec_; }
  [[nodiscard]] std::uint64_t expected() const { return expected_; }

  /// The next replication to run; none when all are handed out, after a
  /// failure, or once stopped.
  std::optional<ReplicationPlan> next() {
    if (failure_ || stopped_) return std::nullopt;
    ReplicationPlan plan{handed_, std::nullopt};
    if (single_) {
      if (handed_ > 0) return std::nullopt;
      plan.cap = sc_.cases;
    } else {
      // The total ends in the replication whose arrivals reach it, which
      // stops after the arrivals still missing, as a run on one thread
      // does: each replication may take what the ones before it left. Their
      // arrivals are known once they have run; for one still running they
      // are counted from its stream (poisson_arrivals(), the same numbers).
      for (; summed_ < handed_; ++summed_) {
        const auto it = reported_.find(summed_);
        const std::uint64_t n = it != reported_.end() ? it->second : poisson_arrivals(*setup_, sc_, summed_);
        if (it != reported_.end()) reported_.erase(it);
        remaining_ -= std::min(n, remaining_);
      }
      if (remaining_ == 0) return std::nullopt;
      plan.cap = remaining_;  // reached only when this replication's arrivals reach it
    }
    ++handed_;
    ++running_;
    return plan;
  }

  /// A replication ended well after `arrivals`: its sums join those
  /// before it, in order.
  void finished(std::uint64_t index, Accum::Sums sums, std::uint64_t arrivals) {
    --running_;
    if (!single_ && index >= summed_) reported_.emplace(index, arrivals);
    pending_.emplace(index, std::move(sums));
    while (!pending_.empty() && pending_.begin()->first == merged_) {
      acc_.merge_sums(pending_.begin()->second);
      pending_.erase(pending_.begin());
      ++merged_;
    }
  }

  /// A replication failed: no later one is handed out; the lowest failing
  /// index is the run's error.
  void failed(std::uint64_t index, Status st) {
    --running_;
    if (!failure_ || index < failure_->first) failure_.emplace(index, std::move(st));
  }

  /// An earlier regime failed: the rest of this one would never have run.
  void stop() { stopped_ = true; }
  [[nodiscard]] bool has_failed() const { return failure_.has_value(); }
  /// Nothing left to hand out and nothing running.
  [[nodiscard]] bool done() const {
    return running_ == 0 && (failure_ || stopped_ || (single_ ? handed_ > 0 : exhausted()));
  }

  void merge_counts(const Accum& a) { acc_.merge_counts(a); }

  /// The error with its place: the baseline, and the replication when the
  /// run has several.
  [[nodiscard]] Status error() const {
    const Status& st = failure_->second;
    std::string where;
    if (spec_.separate) where = "the separate-applications baseline";
    if (!single_) where += fmt::format("{}replication {}", where.empty() ? "" : ", ", failure_->first + 1);
    if (where.empty()) return st;
    return Status::error(st.code(), fmt::format("{}: {}", where, st.message()), st.where());
  }

  RegimeOutcome take() { return RegimeOutcome{std::move(setup_), std::move(acc_)}; }

 private:
  /// Every case of the total has arrived in the replications handed out.
  [[nodiscard]] bool exhausted() const {
    std::uint64_t left = remaining_;
    for (std::uint64_t i = summed_; i < handed_ && left > 0; ++i) {
      const auto it = reported_.find(i);
      if (it == reported_.end()) return false;  // still running
      left -= std::min(it->second, left);
    }
    return left == 0;
  }

  RegimeSpec spec_;
  const Scenario& sc_;
  std::unique_ptr<Setup> setup_;  ///< plans the replications (its clock); read by to_result()
  Accum acc_;
  bool single_ = true, stopped_ = false;
  std::uint64_t expected_ = 0, remaining_ = 0, handed_ = 0, merged_ = 0;
  std::uint64_t summed_ = 0;  ///< replications whose arrivals are taken off remaining_
  std::map<std::uint64_t, std::uint64_t> reported_;  ///< arrivals of replications run, not yet summed
  int running_ = 0;
  std::map<std::uint64_t, Accum::Sums> pending_;  ///< finished ahead of an earlier one
  std::optional<std::pair<std::uint64_t, Status>> failure_;
};

class Pool {
 public:
  Pool(std::vector<std::unique_ptr<Regime>>& regimes, const Calendar& calendar, const Scenario& sc,
       const ProgressCallback& progress)
      : regimes_(regimes), calendar_(calendar), sc_(sc), progress_(progress) {
    for (const auto& g : regimes_) expected_ += g->expected();
  }

  /// Runs everything on `threads` threads, this one reporting progress;
  /// with one, on this thread.
  void run(unsigned threads) {
    if (threads <= 1) {
      inline_progress_ = true;
      work();
      return;
    }
    std::vector<std::thread> pool;
    for (unsigned i = 0; i < threads; ++i) {
      try {
        pool.emplace_back([this] {
          work();
          {
            std::lock_guard lock(mu_);
            ++finished_;
          }
          cv_.notify_all();
        });
      } catch (const std::system_error&) {
        break;  // fewer threads than asked: the ones started do the work
      }
    }
    if (pool.empty()) {
      inline_progress_ = true;
      work();
      return;
    }
    std::unique_lock lock(mu_);
    while (finished_ < pool.size()) {
      cv_.wait_for(lock, std::chrono::milliseconds(100));
      if (progress_ && finished_ < pool.size()) {
        const SimulationProgress p = progress_locked();
        lock.unlock();
        progress_(p);
        lock.lock();
      }
    }
    lock.unlock();
    for (auto& t : pool) t.join();
  }

 private:
  /// What one thread keeps per regime.
  struct Lane {
    std::unique_ptr<Setup> setup;
    std::unique_ptr<ReplicationRunner> runner;
  };

  void work() {
    std::vector<Lane> lanes(regimes_.size());
    for (;;) {
      std::size_t g = 0;
      std::optional<ReplicationPlan> plan;
      {
        std::lock_guard lock(mu_);
        for (std::size_t k = 0; k < regimes_.size() && !plan; ++k) {
          g = (turn_ + k) % regimes_.size();
          plan = regimes_[g]->next();
        }
        if (!plan) break;
        turn_ = (g + 1) % regimes_.size();
      }
      Lane& lane = lanes[g];
      Status st = run_one(lane, *regimes_[g], *plan);
      Accum::Sums sums;
      if (st) lane.runner->acc().take_sums(sums);
      const std::uint64_t arrivals = lane.runner ? lane.runner->arrivals() : 0;
      std::lock_guard lock(mu_);
      if (st) {
        regimes_[g]->finished(plan->index, std::move(sums), arrivals);
      } else {
        regimes_[g]->failed(plan->index, std::move(st));
        for (std::size_t later = g + 1; later < regimes_.size(); ++later) regimes_[later]->stop();
      }
    }
    std::lock_guard lock(mu_);
    for (std::size_t g = 0; g < regimes_.size(); ++g)
      if (lanes[g].runner) regimes_[g]->merge_counts(lanes[g].runner->acc());
  }

  Status run_one(Lane& lane, const Regime& regime, const ReplicationPlan& plan) {
    try {
      if (!lane.runner) {
        lane.setup = make_setup(compile_for_simulation(regime.spec().chain, calendar_), calendar_, sc_,
                                regime.spec().separate);
        lane.runner = std::make_unique<ReplicationRunner>(*lane.setup, sc_, [this](std::uint64_t n) { arrived(n); });
      }
      return lane.runner->run(plan);
    } catch (const std::exception& e) {
      return Status::error(Status::Code::internal, fmt::format("simulator bug: {}", e.what()));
    }
  }

  void arrived(std::uint64_t n) {
    const std::uint64_t before = arrived_.fetch_add(n, std::memory_order_relaxed);
    // On one thread, every 4096 arrivals; otherwise run() reports.
    if (inline_progress_ && progress_ && (before >> 12) != ((before + n) >> 12)) {
      SimulationProgress p;
      {
        std::lock_guard lock(mu_);
        p = progress_locked();
      }
      progress_(p);
    }
  }

  SimulationProgress progress_locked() const {
    SimulationProgress p;
    p.arrived = arrived_.load(std::memory_order_relaxed);
    p.expected = expected_;
    p.baseline = regimes_.size() > 1 && regimes_[0]->done() && !regimes_[1]->done();
    return p;
  }

  std::vector<std::unique_ptr<Regime>>& regimes_;
  const Calendar& calendar_;
  const Scenario& sc_;
  const ProgressCallback& progress_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::size_t turn_ = 0, finished_ = 0;
  std::uint64_t expected_ = 0;
  std::atomic<std::uint64_t> arrived_{0};
  bool inline_progress_ = false;
};

}  // namespace

Result<std::vector<RegimeOutcome>> run_replications(const std::vector<RegimeSpec>& specs, const Calendar& calendar,
                                                    const Scenario& scenario, unsigned threads,
                                                    const ProgressCallback& progress) {
  std::vector<std::unique_ptr<Regime>> regimes;
  for (const auto& spec : specs) regimes.push_back(std::make_unique<Regime>(spec, calendar, scenario));
  // A trace, or days without cases, is one replication per regime: no more
  // threads than regimes.
  const bool single = !scenario.trace.empty() || !scenario.cases;
  if (single) threads = std::min(threads, static_cast<unsigned>(specs.size()));
  Pool pool(regimes, calendar, scenario, progress);
  pool.run(threads);
  for (const auto& g : regimes)
    if (g->has_failed()) return g->error();
  std::vector<RegimeOutcome> out;
  for (auto& g : regimes) out.push_back(g->take());
  return out;
}

}  // namespace yilian::detail
