// The parts of `yilian serve` (cli/cmd_serve.cpp runs it): what the
// handlers share (Api), the event hub that streams the log and serves long
// polls, leases of pulled work, the document cache, and the helpers every
// handler uses (authentication, bodies, problems, scope). The routes are in
// routes.cpp. No flow rule, SQL or permission rule is written here: those
// come from the engine and yilian/identity.h.
#pragma once

#include <fmt/format.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <shared_mutex>
#include <sstream>
#include <condition_variable>
#include <thread>
#include <unordered_map>

#include "calendar_support.h"
#include "commands.h"
#include "common.h"
#include "engine_support.h"
#include "http.h"
#include "yilian/analysis.h"
#include "yilian/application.h"
#include "yilian/calendar_load.h"
#include "yilian/check.h"
#include "yilian/deployment.h"
#include "yilian/form.h"
#include "yilian/form_export.h"
#include "yilian/identity.h"
#include "yilian/load.h"
#include "yilian/material_file.h"

namespace yilian::cli::serve {

using nlohmann::json;

struct Api;

/// What a department reader sees of the upload of a file it may not read
/// (a log entry of kind "file-attached" whose detail is `detail`): which
/// material, not the file's name (data minimisation).
std::string department_file_summary(const json& detail);

/// The event stream (GET /api/v1/events): one thread reads the log after the
/// last position it saw, every `tick`, and hands each subscriber the
/// entries of the cases it may see, from its own position on. A subscriber
/// behind the shared read (one that resumed from an old Last-Event-ID)
/// catches up from the store a batch per tick, so nothing is lost or
/// repeated and a slow reader does not hold the others up.
class EventHub {
 public:
  EventHub(const Records& records, std::chrono::milliseconds tick, std::function<void()> on_tick)
      : records_(records), tick_(tick), on_tick_(std::move(on_tick)) {
    thread_ = std::thread([this] { run(); });
  }
  ~EventHub() { stop(); }
  void stop() {
    {
      std::lock_guard g(mu_);
      if (stopping_) return;
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  void subscribe(Actor who, std::shared_ptr<http::EventStream> stream, std::uint64_t after) {
    std::lock_guard g(mu_);
    subscribers_.push_back(Subscriber{std::move(who), std::move(stream), after, std::chrono::steady_clock::now()});
  }
  [[nodiscard]] std::size_t subscribers() const {
    std::lock_guard g(mu_);
    return subscribers_.size();
  }

 private:
  struct Subscriber {
    Actor who;
    std::shared_ptr<http::EventStream> stream;
    std::uint64_t cursor = 0;  ///< the last position handed to it (or skipped as out of scope)
    std::chrono::steady_clock::time_point last_write;
  };
  static constexpr std::size_t kBatch = 1000;

  void run() {
    auto last = records_.last_position();
    std::uint64_t head = last ? *last : 0;
    std::vector<StreamEntry> fresh;  // entries after the previous head, up to `head`
    std::unique_lock g(mu_);
    while (!stopping_) {
      cv_.wait_for(g, tick_, [&] { return stopping_; });
      if (stopping_) break;
      std::vector<Subscriber> subs = subscribers_;
      g.unlock();
      const std::uint64_t from = head;
      fresh.clear();
      if (subs.empty()) {  // nobody listens: only keep up with where the log is
        if (auto at = records_.last_position()) head = *at;
        if (on_tick_) on_tick_();
        g.lock();
        continue;
      }
      for (;;) {
        auto batch = records_.entries_after(head, kBatch);
        if (!batch || batch->empty()) break;
        head = batch->back().position;
        fresh.insert(fresh.end(), std::make_move_iterator(batch->begin()), std::make_move_iterator(batch->end()));
        if (batch->size() < kBatch) break;
      }
      for (Subscriber& s : subs) serve(s, from, fresh, head);
      if (on_tick_) on_tick_();
      g.lock();
      // Keep the cursors served; drop closed streams; keep newcomers.
      for (auto& live : subscribers_)
        for (const Subscriber& s : subs)
          if (live.stream == s.stream) {
            live.cursor = s.cursor;
            live.last_write = s.last_write;
          }
      std::erase_if(subscribers_, [](const Subscriber& s) { return s.stream->closed(); });
    }
    for (auto& s : subscribers_) s.stream->close();
  }

  void serve(Subscriber& s, std::uint64_t from, const std::vector<StreamEntry>& fresh, std::uint64_t head) {
    if (s.stream->closed()) return;
    if (s.cursor < from) {  // behind the shared read: one batch from the store
      auto batch = records_.entries_after(s.cursor, kBatch);
      if (batch)
        for (const StreamEntry& e : *batch) {
          if (e.position > head) break;  // the shared read takes over from there
          if (!send(s, e)) return;
        }
    }
    if (s.cursor >= from)
      for (const StreamEntry& e : fresh)
        if (e.position > s.cursor && !send(s, e)) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - s.last_write > std::chrono::seconds(15)) {
      s.stream->write_comment("keep-alive");
      s.last_write = now;
    }
  }

  /// Hands one entry over if the subscriber may see its case.
  bool send(Subscriber& s, const StreamEntry& e) {
    s.cursor = e.position;
    if (!may_see(s.who, e.case_id)) return true;
    json data{{"position", e.position}, {"case", e.case_id},      {"chain", e.chain},
              {"seq", e.entry.seq},     {"at", e.entry.at.to_string()}, {"kind", e.entry.kind},
              {"result", e.entry.result}, {"summary", e.entry.summary}};
    if (s.who.role == Role::department && e.entry.kind == "file-attached") {  // as GET /api/v1/cases/{id} shows it
      const json detail = json::parse(e.entry.detail_json, nullptr, false);
      const auto chain = records_.case_chain(e.case_id);
      if (!chain || !may_read_material(s.who, **chain, detail.is_object() ? detail.value("material", std::string()) : ""))
        data["summary"] = department_file_summary(detail);
    }
    if (e.entry.actor) data["actor"] = to_json(*e.entry.actor);
    s.last_write = std::chrono::steady_clock::now();
    return s.stream->write_event(std::to_string(e.position), e.entry.kind, data.dump());
  }

  bool may_see(const Actor& who, CaseId id) {
    if (sees_all_data(who) && who.role != Role::portal) return permits(who, Permission::read_cases);
    auto it = scopes_.find(id);
    if (it == scopes_.end()) {
      if (scopes_.size() > 100'000) scopes_.clear();
      CaseScope scope;
      if (auto owner = records_.case_owner(id)) scope.owner = *owner;
      if (auto v = records_.case_view(id))
        for (const TaskView& t : v->tasks) scope.departments.push_back(t.department);
      it = scopes_.emplace(id, std::move(scope)).first;
    }
    return may_see_case(who, it->second);
  }

  const Records& records_;
  std::chrono::milliseconds tick_;
  std::function<void()> on_tick_;  ///< other periodic work of the server (long polls)
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::vector<Subscriber> subscribers_;
  std::map<CaseId, CaseScope> scopes_;  ///< the hub thread's own: who a case belongs to never changes
  std::thread thread_;
};

/// Work pulled by department systems (POST /api/v1/work/fetch-and-lock):
/// an open task is leased to one worker for a while; the lease's token
/// completes it. An expired lease is handed out again; a completion with an
/// unknown, expired or another worker's token is refused. Leases live in
/// this process: after a restart every open task can be fetched again, and
/// the engine ignores a second completion of the same attempt.
/// Long polls wait here, served by the event hub's clock, without a thread.
class Leases {
 public:
  struct Lease {
    CaseId case_id = 0;
    std::string matter;
    std::uint32_t attempt = 0;
    std::string worker;
    std::string account;
    std::chrono::steady_clock::time_point until;
  };
  struct Poll {
    Actor who;
    std::string worker;
    std::size_t max = 1;
    std::chrono::milliseconds lock{60'000};
    std::chrono::steady_clock::time_point deadline;
    http::Responder respond;
  };

  explicit Leases(Api& api) : api_(api) {}

  /// Leases up to `max` open tasks of the caller's department from its
  /// work queue `queue`; the JSON items to answer with (empty when none is
  /// free now).
  json take(const Poll& p, const std::vector<WorkItem>& queue);
  /// The same, reading the department's queue (once per change of the
  /// store: a thousand polls of one department read it once).
  json take(const Poll& p);
  /// Answers the long polls that have work now or whose wait is over. The
  /// queues are read only when the store changed or a poll came in since
  /// the last tick, once per department: a thousand idle polls cost nothing.
  void serve_polls();
  void wait(Poll p) {
    std::lock_guard g(mu_);
    polls_.push_back(std::move(p));
    fresh_ = true;
  }
  /// The lease of `token` when it is live and the caller's; it is removed.
  std::variant<Lease, std::string> complete(const std::string& token, const Actor& who) {
    std::lock_guard g(mu_);
    auto it = leases_.find(token);
    if (it == leases_.end()) return std::string("no lease with this token (completed, or handed out again after it expired)");
    if (it->second.account != who.account) return std::string("this lease belongs to another account");
    if (it->second.until < std::chrono::steady_clock::now()) {
      leases_.erase(it);
      return std::string("the lease expired; the task may have been handed to another worker");
    }
    Lease l = std::move(it->second);
    leases_.erase(it);
    return l;
  }

 private:
  Api& api_;
  std::mutex mu_;
  std::map<std::string, Lease> leases_;  ///< by token
  std::vector<Poll> polls_;
  bool fresh_ = false;                   ///< a poll came in since the last tick
  std::uint64_t seen_version_ = 0;       ///< the store's data_version at the last tick
  struct Queue {
    std::uint64_t version = 0;
    std::shared_ptr<const std::vector<WorkItem>> items;
  };
  std::mutex queues_mu_;
  std::map<std::string, Queue> queues_;  ///< each department's work queue as of a data_version
  std::shared_ptr<const std::vector<WorkItem>> queue(const std::string& department);
};

/// Documents already built (a case's status as one kind of reader sees it,
/// a task list), valid while the store has not changed (Records::
/// data_version) and the day is the same (alert levels are as of today).
/// Under read load the store does not change and reads cost a lookup;
/// every commit, by this process or any other, empties it. Who may see a
/// case (its owner, its departments) never changes, so that is kept apart.
class DocCache {
 public:
  /// The document under `key`, built by `build` when missing or stale.
  Result<std::string> get(const Records& records, const std::string& key, const std::function<Result<std::string>()>& build) {
    auto version = records.data_version();
    if (!version) return version.status();
    const Date today = engine_clock()().date();
    {
      std::lock_guard g(mu_);
      if (*version != version_ || today != today_ || docs_.size() > 10'000) {
        docs_.clear();
        version_ = *version;
        today_ = today;
      }
      if (auto it = docs_.find(key); it != docs_.end()) return it->second;
    }
    auto built = build();
    if (!built) return built;
    std::lock_guard g(mu_);
    if (version_ == *version) docs_.emplace(key, *built);  // built from the store as it was at `version` or later
    return built;
  }
  /// Who may see case `id`, or nothing when there is no such case.
  std::optional<CaseScope> scope(const Records& records, CaseId id) {
    {
      std::lock_guard g(mu_);
      if (auto it = scopes_.find(id); it != scopes_.end()) return it->second;
    }
    auto v = records.case_view(id);
    if (!v) return std::nullopt;
    CaseScope scope;
    if (auto owner = records.case_owner(id)) scope.owner = *owner;
    for (const TaskView& t : v->tasks) scope.departments.push_back(t.department);
    std::lock_guard g(mu_);
    if (scopes_.size() > 100'000) scopes_.clear();
    scopes_.emplace(id, scope);
    return scope;
  }

 private:
  std::mutex mu_;
  std::uint64_t version_ = 0;
  Date today_;
  std::unordered_map<std::string, std::string> docs_;
  std::unordered_map<CaseId, CaseScope> scopes_;
};

/// Where the server's writes go: this process's engine while it is the
/// active one, else (an API node, `--no-engine`, or a standby) the active
/// engine's inbox through `relay`, whose answers wake it (LISTEN/NOTIFY on
/// PostgreSQL, polling on SQLite). The engine is swapped in when this
/// process takes over and out when it loses its store.
class Backend {
 public:
  enum class Role { active, standby, api_node };
  Backend(std::unique_ptr<Client> relay, Role role) : relay_(std::move(relay)), role_(role) {}

  /// `on`: where this process's engine runs `done` (the relay runs it on
  /// its own thread).
  void apply_async(Request request, std::function<void(Result<Receipt>)> done,
                   Engine::CallbackOn on = Engine::CallbackOn::engine_thread) {
    std::shared_lock g(mu_);
    if (engine_) return engine_->apply_async(std::move(request), std::move(done), on);
    relay_->apply_async(std::move(request), std::move(done));
  }
  /// `engine` active from now on; null: standing by (its engine is closed after).
  void set_engine(Engine* engine) {
    std::unique_lock g(mu_);
    engine_ = engine;
    role_ = engine ? Role::active : Role::standby;
  }
  [[nodiscard]] std::string_view role() const {
    std::shared_lock g(mu_);
    switch (role_) {
      case Role::active: return "active";
      case Role::standby: return "standby";
      case Role::api_node: return "none";
    }
    return "none";
  }

 private:
  std::unique_ptr<Client> relay_;
  mutable std::shared_mutex mu_;
  Engine* engine_ = nullptr;
  Role role_;
};

/// What the handlers share. The backend, the records, the accounts and the
/// chain map are thread-safe or read-only once the server runs.
struct Api {
  Backend& backend;
  const Records& records;
  Accounts& accounts;
  http::RateLimiter limiter;
  std::map<std::string, ValidChain> chains;  ///< by id: the version served for checks and forms
  std::string openapi;
  std::string ui_dir;  ///< the web UI's files (ui/ in the source tree, share/yilian/ui installed)
  std::string db;  ///< the store's path, for audit verify
  bool tls = false;  ///< cookies are Secure over TLS
  std::chrono::seconds session_ttl{12 * 3600};
  std::uint64_t max_file_bytes = kDefaultMaxFileBytes;  ///< the largest upload (the route's body limit, as the engine's)
  EventHub* events = nullptr;
  Leases* leases = nullptr;
  DocCache cache;
};

using Keys = std::vector<std::string_view>;
inline const Keys kCredentialKeys{"name", "password"};
inline const Keys kFetchKeys{"worker", "max", "lock_ms", "wait_ms"};

/// 128 random bits in hex (lease tokens).
std::string random_token();

json values_json(const FieldValues& values);

std::optional<DeliveryMethod> delivery_method(std::string_view s);

int http_status(const Status& s);

http::Response problem(const Status& s);

http::Response denied(std::string detail = "your role may not do this");

http::Response not_found(std::string detail);

/// The value of the session cookie, "" when there is none.
std::string session_token(const http::Request& q);
std::string session_token(const http::Headers& headers);

/// The caller the header fields name, from `Authorization: Bearer KEY` or
/// the session cookie (with the CSRF header when `write`); an answer (401,
/// 403) when there is none. No rate limit: authenticate() is the handlers'.
std::variant<Actor, http::Response> identify(Api& api, const http::Headers& headers, bool write);

/// The caller, from `Authorization: Bearer KEY` or the session cookie (with
/// the CSRF header on writes); an answer (401, 429) when there is none.
std::variant<Actor, http::Response> authenticate(Api& api, const http::Request& q);

/// A handler that runs `fn` for an authenticated caller (401 and 429 from
/// authenticate()) whom `allowed` lets in (403 otherwise).
http::Handler guarded(Api& api, std::function<bool(const Actor&)> allowed,
                      std::function<void(Actor, http::Request, http::Responder)> fn);
/// The same for the callers whose role has permission `p`.
http::Handler guarded(Api& api, Permission p, std::function<void(Actor, http::Request, http::Responder)> fn);

/// The request body as a JSON object, or the answer that refuses it: not
/// JSON (415), not an object or not UTF-8 (400), and with `keys`, a key
/// not among them (400, naming each).
std::variant<json, http::Response> json_body(const http::Request& q, const Keys* keys = nullptr);

std::optional<CaseId> case_id_of(const std::string& text);

/// Who may see case `id`: the case's view for the answer, or 404 (outside
/// the caller's scope looks exactly like a case that does not exist).
std::variant<CaseView, http::Response> case_in_scope(Api& api, const Actor& who, const std::string& id_text);

/// Answers `respond` once the engine has applied the request.
void apply(Api& api, Request request, const http::Responder& respond, int success = 200);

/// The application in a body: {chain?, fields, materials} as an application
/// document (the same reader as files), the chain taken from `chain_id`.
std::variant<Application, http::Response> application_of(json body, const std::string& chain_id);

/// Adds every route of the API v1 and the web UI's files to `router`.
void add_routes(Api& api, http::Router& router);
/// Adds the routes of a case's material files (files.cpp): upload, list, download.
void add_file_routes(Api& api, http::Router& router);

}  // namespace yilian::cli::serve
