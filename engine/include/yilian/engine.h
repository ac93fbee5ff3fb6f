// The live engine: cases of loaded chains run on a durable SQLite store,
// tasks go to department adapters, deadlines and retries are watched by
// timers. The engine is the imperative shell around the pure flow core
// (flow.h): every request becomes an event, the event and the case's new
// state are committed in one transaction, and only then are the commands
// the event caused carried out (dispatches, cancellations, timers,
// notifications).
//
//   auto opened = yilian::Engine::open("cases.db");
//   if (!opened) return report(opened.status());   // value() on an error aborts
//   std::unique_ptr<yilian::Engine> engine = std::move(opened).value();
//   engine->load_chain_file("chains/kindergarten-setup.yaml");
//   engine->register_adapter("*", std::make_shared<MyAdapter>());
//   auto receipt = engine->apply(yilian::request::Submit{"kindergarten-setup", {}, fields, materials});
//
// Guarantees (DESIGN.md "Engine guarantees"): an acknowledged request is
// never lost and never half-applied; dispatch is at-least-once with an
// idempotency key; adapters see only their department's data; the log is
// hash-chained (records.h: verify_audit); timers are stored and re-armed;
// a case runs on the chain version it started with. Full guide:
// docs/library.md.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "yilian/adapter.h"
#include "yilian/deployment.h"
#include "yilian/case_types.h"
#include "yilian/engine_options.h"
#include "yilian/records.h"
#include "yilian/request.h"
#include "yilian/status.h"

namespace yilian {

/// Something the applicant or an operator should hear about, raised after
/// the event that caused it is durable.
struct Notification {
  enum class Kind : std::uint8_t {
    notice,     ///< 一次告知 or a supplement request to the applicant (`items`)
    alert,      ///< a limit turned yellow or red, or supervision rose (`matter` empty: the case)
    ready,      ///< every matter approved: results can be handed out
    ended,      ///< rejected or withdrawn (`text` says why), or a result revoked on a failed verification (告知承诺; `matter`, `items` the matters after it)
    delivered,  ///< results handed out
    incident,   ///< a task's delivery failed past its retries (`text` is the last error)
  };
  Kind kind = Kind::notice;
  CaseId case_id = 0;
  std::string matter;
  std::string text;                 ///< one line for people
  std::vector<std::string> items;   ///< notice: what is missing or requested
};
[[nodiscard]] std::string_view to_string(Notification::Kind k);

/// Counters since open (for monitoring and benchmarks).
struct EngineStats {
  std::uint64_t commits = 0;        ///< transactions
  std::uint64_t events = 0;         ///< log entries written (events and notes)
  std::uint64_t ignored = 0;        ///< events recorded as ignored (repeated or late)
  std::uint64_t deliveries = 0;     ///< tasks handed to adapters (retries included)
  std::uint64_t failures = 0;       ///< failed deliveries (exceptions, errors, timeouts)
  std::uint64_t recovered_cases = 0;///< open cases found on open
  std::uint64_t open_cases = 0;     ///< cases not yet delivered, rejected or withdrawn
  std::uint64_t inflight = 0;       ///< deliveries waiting for an adapter's report
  std::uint64_t parked = 0;         ///< dispatches waiting for an adapter to be registered
};

/// A store is an SQLite file, or a PostgreSQL database named by a libpq URI
/// (postgresql://USER@HOST:PORT/DB, or postgres://…): true for the latter.
[[nodiscard]] bool is_postgres_uri(std::string_view location);

/// The engine. Create with open(); every member function is thread-safe.
/// Destroying it closes it (see close()).
class Engine {
 public:
  /// Opens (creating if needed) the store at `path`, takes its engine lock
  /// (waiting up to options.lock_wait; `unavailable` if another engine
  /// keeps it), applies requests left in the store's inbox, and, when
  /// options.live, recovers every open case: its alert timer and stored
  /// retry timers are re-armed and its pending dispatches re-issued (to the
  /// adapters as they are registered). Errors: io_error (cannot open or
  /// write the file), invalid_input (not a yilian store, a chain or
  /// calendar of an open case cannot be loaded), unavailable (locked).
  [[nodiscard]] static Result<std::unique_ptr<Engine>> open(const std::string& path, const EngineOptions& options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// Commits what has arrived, runs every answer (apply_async's callbacks)
  /// and every listener call of what was committed, stops timers and
  /// adapters' timeouts (work in flight is re-issued by the next open; a
  /// delivery still running is given up to 5 s), stops the threads and
  /// releases the lock. Requests after close fail with `unavailable`.
  /// Idempotent.
  /// Must not be called from an adapter callback or a listener.
  void close();

  // ---- chains ----

  /// Loads and validates a chain and stores its text under (id, version).
  /// Loading the same text again is a no-op; a different text under an
  /// existing (id, version) is a `conflict` (bump `version:`). Cases keep
  /// the version they started on. Diagnostics are in the message.
  [[nodiscard]] Result<ChainInfo> load_chain_file(const std::string& path);
  [[nodiscard]] Result<ChainInfo> load_chain_text(std::string_view yaml, const std::string& file_name);
  /// Every chain version in the store, by id then version.
  [[nodiscard]] std::vector<ChainInfo> chains() const;

  // ---- adapters ----

  /// Serves `department` with `adapter` ("*": every department without its
  /// own). The engine keeps a reference. Dispatches that waited for an
  /// adapter go out now. Replacing an adapter affects later deliveries only.
  Status register_adapter(const std::string& department, std::shared_ptr<Adapter> adapter,
                          const AdapterOptions& options = {});
  /// Serves `department` with a built-in adapter (manual, command, http).
  Status bind(const std::string& department, const AdapterConfig& config);
  /// Loads the deployment's chains and binds its adapters (engine settings
  /// are for open(): pass deployment.engine there). Stops at the first error.
  Status deploy(const Deployment& deployment);
  /// Called after each notification's event is durable, on an engine
  /// thread, one call at a time and in commit order (it need not be
  /// thread-safe); keep it short and do not call close() from it. close()
  /// runs the calls for what was committed before it returns. Replaces the
  /// previous listener; an empty function removes it.
  void set_listener(std::function<void(const Notification&)> listener);

  // ---- cases ----

  /// Applies a request and waits until its event is durable. Errors:
  /// not_found (unknown case or chain), invalid_input (the request cannot
  /// apply: an unknown matter, a delivery before the case is ready, …; the
  /// message says why; nothing is recorded), unavailable (closed),
  /// io_error (the commit failed; nothing was applied).
  [[nodiscard]] Result<Receipt> apply(const Request& request);
  /// Where apply_async's `done` runs.
  enum class CallbackOn : std::uint8_t {
    engine_thread,  ///< one of the engine's I/O threads (queued there after the commit)
    /// the engine's writer thread, right after the commit, saving a hand-over
    /// between threads: `done` must return at once without blocking or
    /// calling the engine (hand the work to an executor of your own, as
    /// `yilian serve` hands it to the connection's thread), since the next
    /// commit waits for it
    commit_thread,
  };
  /// The same without waiting: `done` runs once the event is durable (or
  /// refused), where `on` says. Requests arriving together share a
  /// transaction (group commit).
  void apply_async(Request request, std::function<void(Result<Receipt>)> done,
                   CallbackOn on = CallbackOn::engine_thread);

  /// Reads committed data (see records.h). Valid until the engine is
  /// destroyed (after close() it still reads the store, without the lock).
  [[nodiscard]] const Records& records() const;
  [[nodiscard]] EngineStats stats() const;
  /// ok while the engine can commit; `unavailable`, saying why, once the
  /// connection to its store is lost (PostgreSQL: the server ended the
  /// session or the network dropped it). Its writer lock went with the
  /// session, so a standby may take over: nothing more is committed here
  /// (requests fail). close() it, and open again to stand by.
  [[nodiscard]] Status health() const;
  /// Fires every alert timer that is due by the clock now (timers otherwise
  /// fire within a second of falling due). For programs that drive the
  /// clock themselves.
  void fire_due_timers();
  /// Waits until no request is queued or being committed, no delivery waits
  /// for an adapter's report and no retry is scheduled, or until the timeout
  /// passes; true when idle. Dispatches waiting for an adapter to be
  /// registered and tasks an adapter accepted do not count. For tests and
  /// batch runs.
  [[nodiscard]] bool wait_idle(std::chrono::milliseconds timeout);

  struct Impl;

 private:
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// A session on a store for one-off changes (the CLI's `case` and `task`
/// commands, a web front-end in another process): when no engine runs on
/// the store, it opens one that only records (live = false) and applies
/// requests itself; when a live engine runs, it leaves each request in the
/// store's inbox and waits for that engine to apply it. Another Client
/// holding the store for a moment is waited for (up to Options::wait),
/// never handed the request. Either way the request goes through the same
/// flow and the same transaction. Thread-safe.
class Client {
 public:
  struct Options {
    std::vector<std::string> calendar_dirs;       ///< as EngineOptions::calendar_dirs
    std::function<Instant()> clock;               ///< as EngineOptions::clock
    /// How long to wait for the store (another one-off session holding it)
    /// and for a running engine to take a request.
    std::chrono::milliseconds wait{30'000};
    /// Never apply here: hand every request to the store's live engine
    /// through the inbox and wait for its answer, also while no engine is
    /// active yet (a standby takes the inbox over). For API nodes without
    /// an engine of their own (`yilian serve --no-engine`).
    bool relay = false;
  };
  /// Opens the store (creating it if needed).
  [[nodiscard]] static Result<std::unique_ptr<Client>> open(const std::string& path, const Options& options);
  [[nodiscard]] static Result<std::unique_ptr<Client>> open(const std::string& path) { return open(path, Options{}); }
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// True when another process's engine applies the requests.
  [[nodiscard]] bool remote() const;
  /// As Engine::load_chain_text/file (stored for the running engine to use).
  [[nodiscard]] Result<ChainInfo> load_chain_file(const std::string& path);
  /// As Engine::apply. With a running engine, `unavailable` when it does not
  /// take the request within Options::wait: the request is then withdrawn
  /// and never applied. One that the engine took is waited for as long
  /// again; `unavailable` after that says it was not withdrawn.
  [[nodiscard]] Result<Receipt> apply(const Request& request);
  /// The same without waiting: `done` runs on the Client's thread (or, with
  /// this process's own engine, an engine thread) once the request was
  /// applied, refused, or given up as apply() says. Many requests may wait
  /// at once; on PostgreSQL their answers wake the Client
  /// (LISTEN/NOTIFY), elsewhere it polls.
  void apply_async(Request request, std::function<void(Result<Receipt>)> done);

  struct Impl;

 private:
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace yilian
