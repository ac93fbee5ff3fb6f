// The engine's insides, shared by engine.cpp (open, close, the API),
// committer.cpp (the writer thread: requests → flow → one transaction →
// commands) and delivery.cpp (adapters, retries, timeouts, alert timers).
//
// Threads: the committer thread owns the case cache: it steps each batch of
// jobs through the flow and prepares the batch's rows and its commands; the
// writer thread commits a prepared batch in one transaction and only then
// answers its requests and carries out its commands, while the committer
// prepares the next batch (a pipeline of depth two: at most one batch being
// written, one being prepared). `threads` I/O threads run adapters, timers
// and callbacks. Jobs reach the committer through one queue.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>
#include <vector>

#include "runtime/builtin_adapters.h"
#include "runtime/chain_registry.h"
#include "runtime/completion.h"
#include "runtime/file_lock.h"
#include "runtime/store.h"
#include "yilian/engine.h"

namespace yilian {

namespace detail {

struct BatchWork;  // batch_work.h
struct CaseWork;

namespace job {
/// A request from the API, the inbox or an adapter's report.
struct Apply {
  Request request;
  Instant at;
  std::function<void(Result<Receipt>)> done;
  bool inline_done = false;   ///< call `done` on the thread that commits (apply(), CallbackOn::commit_thread)
  std::int64_t inbox_id = 0;  ///< answer this inbox row in the same transaction
  std::uint32_t delivery = 0; ///< an adapter's report: the delivery it answers (0: not from an adapter)
};
/// The case's alert timer fell due.
struct Fire {
  CaseId case_id = 0;
  Instant timer;
};
/// Hand a dispatched task to its adapter (again).
struct Redeliver {
  CaseId case_id = 0;
  int matter = -1;
  std::uint32_t attempt = 0;
  std::uint32_t delivery = 1;
};
/// A delivery failed (error, exception or timeout): retry or incident.
struct Failed {
  CaseId case_id = 0;
  int matter = -1;
  std::uint32_t attempt = 0;
  std::uint32_t delivery = 0;
  std::string error;
};
}  // namespace job
using Job = std::variant<job::Apply, job::Fire, job::Redeliver, job::Failed>;
/// Jobs in arrival order. A deque, not a vector: a job is some 450 bytes,
/// and under load the queue holds tens of thousands; a vector of them grew
/// by copying into blocks of megabytes the allocator gave back between
/// batches (page faults on the threads that enqueue, bench/README.md).
using Jobs = std::deque<Job>;

/// Something worked out from one of a case's shared lists (its materials,
/// its values): kept with the list it came from, and worked out again only
/// when the case holds another (a supplement). Holding the list keeps it
/// alive, so another list is never mistaken for it.
template <class Source, class T>
struct Derived {
  Shared<Source> of;
  T value{};
  bool made = false;
  template <class Make>
  const T& get(const Shared<Source>& now, Make&& make) {
    if (!made || !of.same(now)) {
      value = make(*now);
      of = now;
      made = true;
    }
    return value;
  }
};

/// A case decoded in memory (committer thread only).
struct Slot {
  std::shared_ptr<const ChainEntry> chain;
  CaseState state;
  std::uint64_t seq = 0;
  Hash last{};
  std::map<int, ClaimRow> claims;   ///< by matter: who holds the task (read with the case)
  std::list<CaseId>::iterator lru;
  /// Which of the chain's materials (ChainEntry::materials) the case handed
  /// in, and its values as the departments' views read them: once per list
  /// of the case, not per delivery (start_deliveries(), delivery.cpp).
  Derived<std::vector<std::string>, std::vector<bool>> handed_in;
  Derived<FieldValues, std::shared_ptr<const DepartmentViews::Table>> values_table;
};

struct Binding {
  std::shared_ptr<Adapter> adapter;
  std::chrono::milliseconds timeout{0};
  RetryPolicy retry;
};

/// A dispatch waiting for an adapter to be registered for its department.
struct Parked {
  CaseId case_id = 0;
  int matter = -1;
  std::uint32_t attempt = 0;
  std::uint32_t delivery = 1;
};

/// A delivery ready to hand to its adapter once the batch is committed.
/// The committer, the pipeline's busiest thread, takes only what needs the
/// case's state as the batch left it (the materials held, the deadline, the
/// values); the writer gives it its key and completion (flush_outbox), and
/// the I/O thread that delivers writes the task's texts and the
/// department's view of the values (write_task).
struct Outgoing {
  std::shared_ptr<Adapter> adapter;
  std::chrono::milliseconds timeout{0};
  std::shared_ptr<const ChainEntry> chain;
  CaseId case_id = 0;
  int matter = -1;
  std::uint32_t attempt = 0;
  std::uint32_t delivery = 1;
  Date started;
  Date deadline;
  /// The matter's materials the case holds, by their place in the matter's list.
  std::vector<std::uint32_t> held;
  /// The department's view (task.fields) reads the chain's views and the
  /// case's values as they were (the applicant's are shared, never
  /// changed; the produced ones copied), so the view is the same wherever
  /// it is taken.
  Shared<FieldValues> values;
  std::shared_ptr<const DepartmentViews::Table> values_table;  ///< `values` as the views read them
  FieldValues produced;
  Task task;
  Completion done;
  std::shared_ptr<CompletionState> state;
};

/// The answers an in-process adapter gives while an I/O thread hands it a
/// batch's deliveries (report() inside dispatch()): queued together when
/// the batch is handed out, under one lock each for the queue and the
/// deliveries in flight, instead of both locks per answer (hand_in()).
struct Answers {
  const Engine::Impl* engine = nullptr;  ///< the engine they go to
  Jobs reports;
  std::vector<std::pair<std::string, std::uint32_t>> settled;  ///< (task key, delivery)
};

/// A task attempt the committer hands to its department (start_deliveries).
struct Sending {
  Slot* slot = nullptr;
  int matter = -1;
  std::uint32_t attempt = 0;
  std::uint32_t delivery = 1;
};

struct InFlight {
  CaseId case_id = 0;
  int matter = -1;
  std::uint32_t attempt = 0;
  std::uint32_t delivery = 0;
  std::shared_ptr<boost::asio::steady_timer> timeout;
};

/// The answer to one request, given once its batch is committed.
struct Reply {
  std::function<void(Result<Receipt>)> done;
  Result<Receipt> result;
  bool inline_done = false;
};

/// A batch stepped and encoded by the committer, waiting to be committed by
/// the writer; everything it does after the commit is in here, taken from
/// the cases' states right after this batch (never a later one's).
struct Prepared {
  Batch batch;
  std::vector<CaseId> touched;  ///< every case the batch changed, sorted (forgotten if it fails)
  std::size_t created = 0;      ///< cases opened by the batch
  std::size_t ended = 0;        ///< cases that became final
  std::vector<Reply> replies;
  bool act = false;             ///< live: carry out the commands below
  std::vector<std::pair<std::string, std::string>> cancels;  ///< (task key, department)
  std::vector<Outgoing> outbox;
  std::vector<std::pair<CaseId, Instant>> alerts;
  std::vector<std::pair<job::Redeliver, std::int64_t>> retries;
  Jobs follow;
  std::vector<Notification> notes;
};

}  // namespace detail

struct Engine::Impl final : detail::DeliverySink {
  using Job = detail::Job;

  Impl(std::string path, EngineOptions options);
  ~Impl() override;

  // ---- engine.cpp ----
  Status start(std::unique_ptr<detail::FileLock> lock);
  void close();
  Result<ChainInfo> load_chain(detail::StoredChain sc);
  void enqueue(Job job);
  void enqueue_all(detail::Jobs jobs);
  [[nodiscard]] Instant now() const { return options.clock ? options.clock() : china_standard_time_now(); }

  // ---- committer.cpp ----
  void committer_main();
  /// Steps the jobs of one batch through the flow and prepares its rows and
  /// what it does once committed: one handler per kind of job.
  std::unique_ptr<detail::Prepared> prepare(detail::Jobs::iterator first, detail::Jobs::iterator last);
  void prepare_submit(detail::BatchWork& w, detail::job::Apply& a, const request::Submit& sub);
  void prepare_apply(detail::BatchWork& w, detail::job::Apply& a);
  void prepare_fire(detail::BatchWork& w, const detail::job::Fire& f);
  void fail_delivery(detail::BatchWork& w, detail::Slot& s, const detail::job::Failed& x);
  void record_step(detail::BatchWork& w, detail::job::Apply& a, detail::Slot& s, CaseId id, detail::CaseWork& cw,
                   const Event& ev, const StepOutcome& r);
  void reply(detail::BatchWork& w, detail::job::Apply& a, Result<Receipt> r);
  Result<std::optional<detail::IdempotencyRow>> find_key(detail::BatchWork& w, const std::string& account,
                                                         const std::string& key);
  void put_case_rows(detail::BatchWork& w);
  std::unique_ptr<detail::Prepared> aftermath(detail::BatchWork& w);
  void hand_over(std::unique_ptr<detail::Prepared> p);
  void drain_writer();
  /// Answers a batch that will not be committed with `why`.
  void refuse(detail::Prepared& p, const Status& why);
  /// After a failed commit (w_mu held by `g`, no batch with the writer):
  /// forgets the failed batch's cases and returns why it failed, or ok
  /// when none failed. Unlocks `g` when it forgets.
  /// Forgets a batch that failed to commit: evicts its cases (listed in
  /// `cases` when given) and returns its error, or ok when none failed.
  /// Unlocks `g` when one had failed.
  Status forget_failed(std::unique_lock<std::mutex>& g, std::vector<CaseId>* cases = nullptr);
  void writer_main();
  void finish(detail::Prepared& p);
  void poll_inbox(detail::Jobs& jobs);
  Result<detail::Slot*> slot(CaseId id);
  void evict(CaseId id);
  void trim_cache();

  // ---- delivery.cpp ----
  Status recover();
  /// The deliveries of a batch: each goes to its department's adapter (or
  /// waits, parked, for one to be registered). The adapters are looked up
  /// under one lock for the whole batch.
  void start_deliveries(const std::vector<detail::Sending>& sends, std::vector<detail::Outgoing>& out);
  void flush_outbox(std::vector<detail::Outgoing>& out);
  void cancel_delivery(const std::string& key, const std::string& department);
  const detail::Binding* binding_for(const std::string& department) const;  // ad_mu_ held
  void park(const std::string& department, detail::Parked p);
  void unpark(const std::string& department);
  void arm_alert(CaseId case_id, Instant at);
  void arm_retry(detail::job::Redeliver r, std::int64_t due_ms);
  void alert_tick();
  void check_alerts();
  bool settle(const std::string& key, std::uint32_t delivery);
  bool settle_locked(const std::string& key, std::uint32_t delivery);  // ad_mu held
  void hand_in(detail::Answers& answers);
  void on_accepted(const detail::CompletionState& c) override;
  void on_report(const detail::CompletionState& c, Outcome outcome) override;
  void on_failed(const detail::CompletionState& c, std::string error) override;
  void notify(Notification n);
  double random_unit();

  std::string path;
  EngineOptions options;
  std::unique_ptr<detail::FileLock> lock;
  std::unique_ptr<detail::Store> store;  ///< the writer connection
  std::mutex store_mu;
  std::unique_ptr<Records> records;
  std::shared_ptr<detail::ChainRegistry> registry_ptr;
  detail::ChainRegistry& registry;

  boost::asio::io_context io;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
  std::vector<std::thread> io_threads;
  std::thread committer;

  // The committer's queue.
  std::mutex q_mu;
  std::condition_variable q_cv;
  std::condition_variable idle_cv;
  detail::Jobs queue;
  bool busy = false;     ///< the committer holds jobs or a prepared batch
  bool writing = false;  ///< a batch is with the writer (committed and acted on when it clears)
  bool committer_idle = false;  ///< waiting for a first job (wake it on enqueue)
  bool stopping = false;
  bool inbox_due = false;  ///< a notification says a request waits in the inbox
  std::atomic<bool> closed{false};
  std::thread inbox_listener;  ///< waits for the store's inbox notifications (PostgreSQL)

  /// Why the engine stopped committing: its store's connection is lost.
  mutable std::mutex lost_mu;
  Status lost_why = Status::ok();
  void check_lost(const Status& failure);
  void listen_to_inbox();
  /// Refuses a store whose seal does not count the entries its log holds.
  Status check_seal();

  // Committer-owned.
  std::unordered_map<CaseId, detail::Slot> cache;
  std::list<CaseId> lru;  ///< most recent first
  CaseId last_id = 0;
  std::int64_t inbox_seen = 0;
  std::set<std::pair<CaseId, int>> retry_rows;  ///< (case, matter) with a stored retry timer

  // The writer: one prepared batch at a time, handed over by the committer.
  std::thread writer;
  std::mutex w_mu;
  std::condition_variable w_cv;
  std::unique_ptr<detail::Prepared> w_batch;  ///< handed over, not yet finished
  bool w_stop = false;
  Status w_failed = Status::ok();        ///< a batch's commit failed (the committer forgets its cases)
  std::vector<CaseId> w_failed_cases;

  // Adapters and deliveries.
  mutable std::mutex ad_mu;
  std::map<std::string, detail::Binding, std::less<>> bindings;
  std::map<std::string, std::vector<detail::Parked>, std::less<>> parked;
  std::unordered_map<std::string, detail::InFlight> inflight;
  std::set<std::shared_ptr<boost::asio::steady_timer>> retry_timers;
  std::shared_ptr<detail::Hub> hub = std::make_shared<detail::Hub>();
  std::mt19937_64 rng;

  // Alert timers: (due, case), earliest first.
  std::mutex tm_mu;
  std::priority_queue<std::pair<std::int64_t, CaseId>, std::vector<std::pair<std::int64_t, CaseId>>, std::greater<>> alerts;
  std::unique_ptr<boost::asio::steady_timer> tick;
  std::mutex tick_mu;  ///< guards the timer's calls: alert_tick() re-arms it, close() cancels it

  std::mutex listener_mu;
  std::function<void(const Notification&)> listener;
  /// The listener is called on this strand: one call at a time, in the
  /// order the notifications were committed.
  boost::asio::strand<boost::asio::io_context::executor_type> listener_strand{io.get_executor()};
  std::atomic<bool> has_listener{false};

  // Statistics.
  std::atomic<std::uint64_t> n_commits{0}, n_events{0}, n_ignored{0}, n_deliveries{0}, n_failures{0},
      n_recovered{0}, n_open{0};
};

}  // namespace yilian
