// Engine: opening, closing, chains, adapters and the request API.
#include <fmt/format.h>

#include <future>
#include <thread>

#include "runtime/engine_impl.h"
#include "runtime/thread_name.h"

namespace yilian {

using namespace detail;

Engine::Impl::Impl(std::string p, EngineOptions o)
    : path(std::move(p)),
      options(std::move(o)),
      registry_ptr(std::make_shared<ChainRegistry>(options.calendar_dirs)),
      registry(*registry_ptr) {}

Engine::Impl::~Impl() { close(); }

Status Engine::Impl::start(std::unique_ptr<FileLock> l) {
  lock = std::move(l);
  auto opened = open_store(path, StoreOptions{.create = true,
                                              .read_only = false,
                                              .durability = options.durability,
                                              .cache_kib = options.sqlite_cache_kib,
                                              .checkpoints = options.live ? std::optional(CheckpointerOptions{})
                                                                          : std::nullopt});
  if (!opened) return opened.status();
  store = std::move(*opened);
  // A PostgreSQL store's writer lock is held by the connection that commits.
  if (Status s = store->take_writer(options.live ? WriterKind::live : WriterKind::one_off, options.lock_wait); !s) return s;
  // Requests an engine took and never answered (it stopped before its
  // commit) are offered again: this engine holds the lock.
  if (Status s = store->inbox_release_taken(); !s) return s;
  if (Status s = check_seal(); !s) return s;
  auto last = store->last_case_id();
  if (!last) return last.status();
  last_id = *last;
  auto rec = detail::open_records(path, registry_ptr, options.clock);
  if (!rec) return rec.status();
  records = std::move(*rec);
  rng.seed(options.seed ? options.seed : std::random_device{}());

  work.emplace(io.get_executor());
  const int n = options.live ? std::max(1, options.threads) : 1;
  for (int i = 0; i < n; ++i) io_threads.emplace_back([this] {
      name_this_thread("yilian-io");
      io.run();
    });
  if (options.live) {
    if (Status s = recover(); !s) return s;
    tick = std::make_unique<boost::asio::steady_timer>(io);
    boost::asio::post(io, [this] { alert_tick(); });
  } else {
    auto open = store->count_open();
    if (!open) return open.status();
    n_open = *open;
  }
  {
    std::lock_guard hub_lock(hub->mu);
    hub->sink = this;
  }
  committer = std::thread([this] {
    name_this_thread("yilian-commit");
    committer_main();
  });
  if (options.live) listen_to_inbox();
  return Status::ok();
}

// The engine writes nothing on a record that is visibly broken: the seal
// must count the entries the log holds (one COUNT at open; entries
// deleted or added behind the engine's back show here, an edit within an
// entry only in `audit verify`, which reads every hash).
Status Engine::Impl::check_seal() {
  auto sealed = store->seal();
  if (!sealed) return sealed.status();
  if (!*sealed) return Status::ok();  // before seals: the first commit starts it from the log
  auto counted = store->run_sql("SELECT COUNT(*) FROM log", {});
  if (!counted) return counted.status();
  const std::string n = counted->rows.empty() || counted->rows[0].empty() ? "0" : counted->rows[0][0];
  if (n == std::to_string((*sealed)->entries)) return Status::ok();
  return Status::invalid(fmt::format(
      "the store's log holds {} entries but its seal counts {}: entries were deleted or added outside the engine. "
      "The engine writes nothing to a store whose record is broken; `yilian audit verify` names the break",
      n, (*sealed)->entries));
}

void Engine::Impl::listen_to_inbox() {
  auto notices = store->listen(kInboxChannel);
  if (!notices || !*notices) return;  // SQLite, or no connection for it: polling alone
  inbox_listener = std::thread([this, n = std::move(*notices)] {
    while (!closed) {
      auto got = n->wait(std::chrono::milliseconds(250));
      if (!got) return;  // the listening connection is lost: polling goes on
      if (!*got) continue;
      {
        std::lock_guard q(q_mu);
        inbox_due = true;
      }
      q_cv.notify_all();
    }
  });
}

void Engine::Impl::close() {
  if (closed.exchange(true)) return;
  {
    std::unique_lock hub_lock(hub->mu);
    hub->sink = nullptr;
  }
  {
    std::lock_guard q(q_mu);
    stopping = true;
  }
  q_cv.notify_all();
  if (inbox_listener.joinable()) inbox_listener.join();
  if (committer.joinable()) committer.join();
  // Drain: the answers and notifications of what was committed are queued
  // on the I/O threads; they run. Nothing new starts: the alert tick and
  // the retry timers are cancelled (the tick sees `closed`), and the
  // threads end when the queue is empty. A delivery still running gets a few seconds.
  {
    std::lock_guard a(ad_mu);
    for (const auto& t : retry_timers) t->cancel();
  }
  {
    std::lock_guard g(tick_mu);
    if (tick) tick->cancel();
  }
  work.reset();
  // (An engine whose start failed before its threads ran has nothing to
  // drain: io.stopped() would never turn true, and a standby retrying every
  // second would wait here five seconds each time.)
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!io_threads.empty() && !io.stopped() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  io.stop();
  for (auto& t : io_threads)
    if (t.joinable()) t.join();
  io_threads.clear();
  {
    std::lock_guard a(ad_mu);
    inflight.clear();
    retry_timers.clear();
    bindings.clear();
    parked.clear();
  }
  tick.reset();
  cache.clear();
  lru.clear();
  {
    std::lock_guard s(store_mu);  // chains() and load_chain() read it under this lock
    store.reset();
  }
  lock.reset();  // `records` stays readable until the engine is destroyed
  idle_cv.notify_all();
}

void Engine::Impl::enqueue(Job job) {
  {
    std::lock_guard q(q_mu);
    if (!stopping) {
      queue.push_back(std::move(job));
      // Wake the committer only when it sleeps for want of work or a batch
      // is full: during a group-commit window it collects without wakeups.
      if (committer_idle || queue.size() >= options.group_commit_max) q_cv.notify_one();
      return;
    }
  }
  // Closed: refuse the request (other jobs are re-created by the next open).
  if (auto* a = std::get_if<job::Apply>(&job); a && a->done)
    a->done(Status::error(Status::Code::unavailable, "the engine is closed"));
}

void Engine::Impl::enqueue_all(Jobs jobs) {
  if (jobs.empty()) return;
  {
    std::lock_guard q(q_mu);
    if (!stopping) {
      if (queue.empty()) queue.swap(jobs);
      else for (auto& j : jobs) queue.push_back(std::move(j));
      if (committer_idle || queue.size() >= options.group_commit_max) q_cv.notify_one();
      return;
    }
  }
  for (auto& j : jobs)
    if (auto* a = std::get_if<job::Apply>(&j); a && a->done)
      a->done(Status::error(Status::Code::unavailable, "the engine is closed"));
}

Result<ChainInfo> Engine::Impl::load_chain(StoredChain sc) {
  auto compiled = registry.compile(std::move(sc));
  if (!compiled) return compiled.status();
  {
    std::lock_guard s(store_mu);
    if (!store) return Status::error(Status::Code::unavailable, "the engine is closed");
    if (Status st = store->put_chain((*compiled)->stored); !st) return st;
  }
  if (auto existing = registry.find((*compiled)->stored.id, (*compiled)->stored.version);
      !existing || existing->stored.sha256 != (*compiled)->stored.sha256)
    registry.add(*compiled);
  const auto& c = **compiled;
  return ChainInfo{c.stored.id, c.stored.version, c.flow->chain().name, c.stored.sha256};
}

// ---- Engine -----------------------------------------------------------------

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() {
  if (impl_) impl_->close();
}

Result<std::unique_ptr<Engine>> Engine::open(const std::string& path, const EngineOptions& options) {
  if (options.threads < 1) return Status::invalid("EngineOptions::threads must be at least 1");
  if (options.group_commit_max < 1) return Status::invalid("EngineOptions::group_commit_max must be at least 1");
  // An SQLite store is locked beside its file before it is opened; a
  // PostgreSQL store inside, by the connection that commits (start()).
  std::unique_ptr<FileLock> lock;
  if (!is_postgres_uri(path)) {
    auto taken = FileLock::acquire(path, options.lock_wait, options.live ? WriterKind::live : WriterKind::one_off);
    if (!taken) return taken.status();
    lock = std::move(*taken);
  }
  auto impl = std::make_unique<Impl>(path, options);
  if (Status s = impl->start(std::move(lock)); !s) {
    impl->close();
    return s;
  }
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

void Engine::close() { impl_->close(); }


Result<ChainInfo> Engine::load_chain_file(const std::string& path) {
  if (impl_->closed) return Status::error(Status::Code::unavailable, "the engine is closed");
  auto sc = read_chain_file(path);
  if (!sc) return sc.status();
  return impl_->load_chain(std::move(*sc));
}

Result<ChainInfo> Engine::load_chain_text(std::string_view yaml, const std::string& file_name) {
  if (impl_->closed) return Status::error(Status::Code::unavailable, "the engine is closed");
  return impl_->load_chain(stored_chain(std::string(yaml), file_name));
}

Status Engine::health() const {
  {
    std::lock_guard g(impl_->lost_mu);
    if (!impl_->lost_why) return impl_->lost_why;
  }
  // Lost outside a commit (loading chains, binding adapters): say so too.
  std::lock_guard s(impl_->store_mu);
  if (impl_->store && impl_->store->lost())
    return Status::error(Status::Code::unavailable, "the engine lost its store and commits nothing more: the connection to it is lost");
  return Status::ok();
}

std::vector<ChainInfo> Engine::chains() const {
  if (!impl_->records) return {};
  auto all = impl_->records->chains();
  return all ? std::move(*all) : std::vector<ChainInfo>{};
}

Status Engine::register_adapter(const std::string& department, std::shared_ptr<Adapter> adapter,
                                const AdapterOptions& options) {
  if (impl_->closed) return Status::error(Status::Code::unavailable, "the engine is closed");
  if (!adapter) return Status::invalid(fmt::format("no adapter given for department `{}`", department));
  if (department.empty()) return Status::invalid("the department id is empty (use \"*\" for every department)");
  Binding b{std::move(adapter), options.timeout.value_or(impl_->options.adapter_timeout),
            options.retry.value_or(impl_->options.retry)};
  if (b.retry.attempts < 1) return Status::invalid("a retry policy needs at least one attempt");
  {
    std::lock_guard a(impl_->ad_mu);
    impl_->bindings[department] = std::move(b);
  }
  impl_->unpark(department);
  return Status::ok();
}

Status Engine::bind(const std::string& department, const AdapterConfig& config) {
  if (impl_->closed) return Status::error(Status::Code::unavailable, "the engine is closed");
  AdapterOptions opts = config.options;
  Result<std::shared_ptr<Adapter>> made = Status::invalid("unknown adapter kind");
  switch (config.kind) {
    case AdapterConfig::Kind::manual:
      made = make_manual_adapter();
      if (!opts.timeout) opts.timeout = std::chrono::milliseconds(0);  // people take days
      break;
    case AdapterConfig::Kind::command: {
      // The program is killed at its timeout; the engine's watchdog only
      // backs that up.
      const auto timeout = opts.timeout.value_or(impl_->options.adapter_timeout);
      made = make_command_adapter(config, timeout);
      opts.timeout = timeout.count() > 0 ? timeout + std::chrono::seconds(5) : timeout;
      break;
    }
    case AdapterConfig::Kind::http: made = make_http_adapter(impl_->io, config); break;
  }
  if (!made) return Status::error(made.status().code(), fmt::format("department `{}`: {}", department, made.status().message()));
  return register_adapter(department, std::move(*made), opts);
}

Status Engine::deploy(const Deployment& d) {
  for (const auto& path : d.chains)
    if (auto r = load_chain_file(path); !r) return r.status();
  for (const auto& [department, config] : d.departments)
    if (Status s = bind(department, config); !s) return s;
  return Status::ok();
}

void Engine::set_listener(std::function<void(const Notification&)> listener) {
  std::lock_guard l(impl_->listener_mu);
  impl_->has_listener = static_cast<bool>(listener);
  impl_->listener = std::move(listener);
}

Result<Receipt> Engine::apply(const Request& request) {
  if (impl_->closed) return Status::error(Status::Code::unavailable, "the engine is closed");
  std::promise<Result<Receipt>> promise;
  auto future = promise.get_future();
  impl_->enqueue(job::Apply{request, impl_->now(),
                            [&promise](Result<Receipt> r) { promise.set_value(std::move(r)); }, true, 0});
  return future.get();
}

void Engine::apply_async(Request request, std::function<void(Result<Receipt>)> done, CallbackOn on) {
  if (impl_->closed) {
    if (done) done(Status::error(Status::Code::unavailable, "the engine is closed"));
    return;
  }
  impl_->enqueue(job::Apply{std::move(request), impl_->now(), std::move(done), on == CallbackOn::commit_thread, 0});
}

const Records& Engine::records() const { return *impl_->records; }

EngineStats Engine::stats() const {
  EngineStats s;
  s.commits = impl_->n_commits;
  s.events = impl_->n_events;
  s.ignored = impl_->n_ignored;
  s.deliveries = impl_->n_deliveries;
  s.failures = impl_->n_failures;
  s.recovered_cases = impl_->n_recovered;
  s.open_cases = impl_->n_open;
  std::lock_guard a(impl_->ad_mu);
  s.inflight = impl_->inflight.size();
  for (const auto& [d, v] : impl_->parked) s.parked += v.size();
  return s;
}

void Engine::fire_due_timers() { impl_->check_alerts(); }

bool Engine::wait_idle(std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    bool idle = false;
    {
      std::lock_guard q(impl_->q_mu);
      idle = impl_->queue.empty() && !impl_->busy && !impl_->writing;
    }
    if (idle) {
      std::lock_guard a(impl_->ad_mu);
      idle = impl_->inflight.empty() && impl_->retry_timers.empty();
    }
    if (idle) {
      // A report may have been queued while we looked at the deliveries.
      std::lock_guard q(impl_->q_mu);
      if (impl_->queue.empty() && !impl_->busy && !impl_->writing) return true;
    }
    if (std::chrono::steady_clock::now() >= until || impl_->closed) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace yilian
