// `yilian serve`: the engine and the HTTP API v1 in one process
// (DESIGN.md "The HTTP API (v1)"). A thin shell: identities and permissions
// come from yilian/identity.h, every change goes through Engine::apply, and
// every answer is the same JSON document the CLI's --json prints.
#include <fmt/format.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
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

namespace yilian::cli {
namespace {

using nlohmann::json;

struct ServeOptions {
  std::string db, deploy, listen = "127.0.0.1:8080", tls_cert, tls_key;
  std::vector<std::string> chains;
  int threads = 2;
  double rate = 50;
  // Limits against hostile clients (DESIGN.md: each configurable, each with a safe default).
  std::size_t max_body_kib = 1024;
  std::size_t max_header_kib = 16;
  std::size_t max_connections = 4096;
  int read_timeout_ms = 10'000;
  int idle_timeout_ms = 60'000;
};

struct Api;
json values_json(const FieldValues& values);
std::string random_token();

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

/// What the handlers share. The engine, the accounts and the chain map are
/// thread-safe or read-only once the server runs.
struct Api {
  Engine& engine;
  Accounts& accounts;
  http::RateLimiter limiter;
  std::map<std::string, std::shared_ptr<const Chain>> chains;  ///< by id: the version served for checks and forms
  std::string openapi;
  std::string ui_dir;  ///< the web UI's files (ui/ in the source tree, share/yilian/ui installed)
  std::string db;  ///< the store's path, for audit verify
  bool tls = false;  ///< cookies are Secure over TLS
  std::chrono::seconds session_ttl{12 * 3600};
  EventHub* events = nullptr;
  Leases* leases = nullptr;
  DocCache cache;
};

std::shared_ptr<const std::vector<WorkItem>> Leases::queue(const std::string& department) {
  const Records& records = api_.engine.records();
  auto version = records.data_version();
  if (!version) return std::make_shared<const std::vector<WorkItem>>();
  {
    std::lock_guard g(queues_mu_);
    if (auto it = queues_.find(department); it != queues_.end() && it->second.version == *version && it->second.items)
      return it->second.items;
  }
  auto read = records.work_queue(department);
  auto items = std::make_shared<const std::vector<WorkItem>>(read ? std::move(*read) : std::vector<WorkItem>{});
  std::lock_guard g(queues_mu_);
  if (queues_.size() > 1000) queues_.clear();
  queues_[department] = Queue{*version, items};
  return items;
}

json Leases::take(const Poll& p) { return take(p, *queue(p.who.department)); }

void Leases::serve_polls() {
  std::vector<Poll> polls;
  bool look = false;
  {
    std::lock_guard g(mu_);
    if (polls_.empty()) return;
    polls.swap(polls_);
    look = fresh_;
    fresh_ = false;
    const auto now = std::chrono::steady_clock::now();  // a lease ran out: its task is free again
    look = look || std::any_of(leases_.begin(), leases_.end(), [&](const auto& kv) { return kv.second.until < now; });
  }
  if (auto v = api_.engine.records().data_version(); v && *v != seen_version_) {
    seen_version_ = *v;
    look = true;
  }
  std::vector<Poll> keep;
  const auto now = std::chrono::steady_clock::now();
  for (Poll& p : polls) {
    if (!p.respond.pending()) continue;  // the client went away
    json items = json::array();
    if (look) items = take(p);
    if (!items.empty() || now >= p.deadline) p.respond.send(http::Response::json(200, {{"tasks", items}}));
    else keep.push_back(std::move(p));
  }
  std::lock_guard g(mu_);
  for (Poll& p : keep) polls_.push_back(std::move(p));
}

json Leases::take(const Poll& p, const std::vector<WorkItem>& queue) {
  json items = json::array();
  std::lock_guard g(mu_);
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(leases_, [&](const auto& kv) { return kv.second.until < now; });
  for (const WorkItem& w : queue) {
    if (items.size() >= p.max) break;
    if (w.task.status != TaskStatus::dispatched || !w.task.claimed_by.empty()) continue;  // an officer has it
    const bool leased = std::any_of(leases_.begin(), leases_.end(), [&](const auto& kv) {
      return kv.second.case_id == w.case_id && kv.second.matter == w.task.matter && kv.second.attempt == w.task.attempt;
    });
    if (leased) continue;
    const std::string token = "lease_" + std::to_string(w.case_id) + "_" + w.task.matter + "_" + random_token();
    leases_.emplace(token, Lease{w.case_id, w.task.matter, w.task.attempt, p.worker, p.who.account, now + p.lock});
    json j = to_json(w.task);
    j["case"] = w.case_id;
    j["chain"] = w.chain;
    j["version"] = w.version;
    j["lease"] = token;
    j["lock_ms"] = p.lock.count();
    if (auto data = api_.engine.records().department_data(w.case_id, p.who.department)) j["data"] = values_json(*data);
    items.push_back(std::move(j));
  }
  return items;
}

/// 128 random bits in hex (lease tokens).
std::string random_token() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:016x}{:016x}", rng(), rng());
}

json values_json(const FieldValues& values) {
  json out = json::object();
  for (const auto& [key, v] : values)
    std::visit([&, k = &key](const auto& x) {
      if constexpr (std::is_same_v<std::decay_t<decltype(x)>, std::monostate>) out[*k] = nullptr;
      else out[*k] = x;
    }, v);
  return out;
}

std::optional<DeliveryMethod> delivery_method(std::string_view s) {
  for (auto m : {DeliveryMethod::in_person, DeliveryMethod::express, DeliveryMethod::electronic})
    if (to_string(m) == s) return m;
  return std::nullopt;
}

int http_status(const Status& s) {
  switch (s.code()) {
    case Status::Code::invalid_input: return 400;
    case Status::Code::not_found: return 404;
    case Status::Code::conflict: return 409;
    case Status::Code::mismatch: return 422;
    case Status::Code::unavailable: return 503;
    default: return 500;
  }
}

http::Response problem(const Status& s) {
  const int code = http_status(s);
  json errors = json::array();
  if (s.where().known())
    errors.push_back({{"message", s.message()}, {"line", s.where().line}, {"column", s.where().column}});
  return http::Response::problem(code, std::string(http::reason(code)), s.message(), errors);
}

http::Response denied(std::string detail = "your role may not do this") {
  return http::Response::problem(403, "Forbidden", std::move(detail));
}

http::Response not_found(std::string detail) { return http::Response::problem(404, "Not Found", std::move(detail)); }

/// The value of the session cookie, "" when there is none.
std::string session_token(const http::Request& q) {
  std::string token;
  for (std::string_view cookie : q.headers.all("Cookie")) {
    std::stringstream ss{std::string(cookie)};
    for (std::string part; std::getline(ss, part, ';');) {
      const auto start = part.find_first_not_of(' ');
      if (start != std::string::npos && part.compare(start, 15, "yilian_session=") == 0) token = part.substr(start + 15);
    }
  }
  return token;
}

/// The caller, from `Authorization: Bearer KEY` or the session cookie (with
/// the CSRF header on writes); an answer (401, 429) when there is none.
std::variant<Actor, http::Response> authenticate(Api& api, const http::Request& q) {
  std::optional<Actor> who;
  if (auto auth = q.header("Authorization")) {
    constexpr std::string_view bearer = "Bearer ";
    if (auth->substr(0, bearer.size()) != bearer)
      return http::Response::problem(401, "Unauthorized", "Authorization must be `Bearer KEY`");
    auto a = api.accounts.by_api_key(auth->substr(bearer.size()));
    if (!a) return http::Response::problem(401, "Unauthorized", "unknown API key or disabled account");
    who = std::move(*a);
  } else {
    const std::string token = session_token(q);
    if (token.empty()) return http::Response::problem(401, "Unauthorized", "log in, or send Authorization: Bearer KEY");
    auto s = api.accounts.by_session(token);
    if (!s) return http::Response::problem(401, "Unauthorized", "the session has ended; log in again");
    if (q.method != "GET" && q.header("X-CSRF-Token").value_or("") != s->second)
      return http::Response::problem(403, "Forbidden", "a write with a session cookie needs its X-CSRF-Token header");
    who = std::move(s->first);
  }
  if (auto d = api.limiter.allow(who->account); !d.allowed)
    return http::Response::too_many_requests(d.retry_after, fmt::format("more than the requests per second allowed for {}", who->account));
  return *who;
}

using Keys = std::vector<std::string_view>;
const Keys kCredentialKeys{"name", "password"};
const Keys kFetchKeys{"worker", "max", "lock_ms", "wait_ms"};

/// The request body as a JSON object, or the answer that refuses it: not
/// JSON (415), not an object or not UTF-8 (400), and with `keys`, a key
/// not among them (400, naming each).
std::variant<json, http::Response> json_body(const http::Request& q, const Keys* keys = nullptr) {
  const std::string type(q.header("Content-Type").value_or(""));
  if (type.substr(0, type.find(';')) != "application/json")
    return http::Response::problem(415, "Unsupported Media Type", "send the body as application/json");
  json j = json::parse(q.body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return http::Response::problem(400, "Bad Request", "the body is not a JSON object (or not UTF-8)");
  if (keys) {
    json errors = json::array();
    for (const auto& [k, v] : j.items())
      if (std::find(keys->begin(), keys->end(), k) == keys->end())
        errors.push_back({{"message", fmt::format("unknown key `{}`", k)}, {"path", k}});
    if (!errors.empty())
      return http::Response::problem(400, "Bad Request", keys->empty() ? std::string("this request takes an empty object {}")
                                                   : fmt::format("unknown keys in the body; it takes {}", fmt::join(*keys, ", ")),
                                     errors);
  }
  return j;
}

std::optional<CaseId> case_id_of(const std::string& text) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return static_cast<CaseId>(std::stoull(text));
}

/// Who may see case `id`: the case's view for the answer, or 404 (outside
/// the caller's scope looks exactly like a case that does not exist).
std::variant<CaseView, http::Response> case_in_scope(Api& api, const Actor& who, const std::string& id_text) {
  const auto id = case_id_of(id_text);
  if (!id) return not_found(fmt::format("no case {}", id_text));
  auto v = api.engine.records().case_view(*id);
  if (!v) return v.status().code() == Status::Code::not_found ? not_found(fmt::format("no case {}", *id)) : problem(v.status());
  CaseScope scope;
  if (auto owner = api.engine.records().case_owner(*id)) scope.owner = *owner;
  for (const TaskView& t : v->tasks) scope.departments.push_back(t.department);
  if (!may_see_case(who, scope)) return not_found(fmt::format("no case {}", *id));
  return std::move(*v);
}

/// Answers `respond` once the engine has applied the request.
void apply(Api& api, Request request, const http::Responder& respond, int success = 200) {
  api.engine.apply_async(std::move(request), [respond, success](Result<Receipt> r) {
    respond.send(r ? http::Response::json(success, receipt_json(*r)) : problem(r.status()));
  });
}

/// The application in a body: {chain?, fields, materials} as an application
/// document (the same reader as files), the chain taken from `chain_id`.
std::variant<Application, http::Response> application_of(json body, const std::string& chain_id) {
  body.erase("channel");
  body["chain"] = chain_id;
  ApplicationLoad a = parse_application_text(body.dump(), "request body");
  if (!a.application) {
    json errors = json::array();
    for (const Diagnostic& d : a.diagnostics) errors.push_back({{"message", d.message}, {"path", d.path}});
    return http::Response::problem(400, "Bad Request", "the application cannot be read", errors);
  }
  return std::move(*a.application);
}

void add_routes(Api& api, http::Router& router) {
  using HttpRequest = http::Request;
  using http::Responder;
  using http::Response;
  auto guarded = [&api](Permission p, std::function<void(Actor, HttpRequest, Responder)> fn) {
    return http::Handler([&api, p, fn = std::move(fn)](HttpRequest q, Responder r) {
      auto who = authenticate(api, q);
      if (auto* refused = std::get_if<Response>(&who)) return (void)r.send(std::move(*refused));
      Actor& actor = std::get<Actor>(who);
      if (!permits(actor, p)) return (void)r.send(denied());
      fn(std::move(actor), std::move(q), std::move(r));
    });
  };

  // The web UI: flat files of one folder, read at each request (small; the
  // browser caches them), with their types; nothing else on disk is served.
  auto ui_file = [&api](const std::string& name) {
    static const std::map<std::string, std::string> types{
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},   {".svg", "image/svg+xml"},
        {".png", "image/png"},                 {".json", "application/json"}};
    const auto dot = name.rfind('.');
    const auto type = dot == std::string::npos ? types.end() : types.find(name.substr(dot));
    if (name.empty() || name[0] == '.' || name.find('/') != std::string::npos || type == types.end())
      return not_found("no such file");
    std::ifstream in(api.ui_dir + "/" + name, std::ios::binary);
    if (!in) return not_found("no such file");
    Response r = Response::text(200, std::string(std::istreambuf_iterator<char>(in), {}), type->second);
    r.headers.set("Cache-Control", "no-cache");
    r.headers.set("X-Content-Type-Options", "nosniff");
    r.headers.set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'");
    return r;
  };
  router.get("/", http::sync([ui_file](const HttpRequest&) { return ui_file("index.html"); }));
  router.get("/ui/{file}", http::sync([ui_file](const HttpRequest& q) { return ui_file(q.param("file")); }));

  router.get("/api/v1/health", http::sync([](const HttpRequest&) {
    return Response::json(200, {{"status", "ok"}, {"engine", "active"}, {"store", "sqlite"}, {"version", "0.1.0"}});
  }));
  router.get("/api/v1/openapi.json", http::sync([&api](const HttpRequest&) {
    Response r = Response::text(200, api.openapi, "application/json");
    return r;
  }));

  // People log in with name and password: an HttpOnly, SameSite=Strict
  // cookie, and a CSRF token the client sends back on writes.
  router.post("/api/v1/session", [&api](HttpRequest q, Responder r) {
    auto body = json_body(q, &kCredentialKeys);
    if (auto* refused = std::get_if<Response>(&body)) return (void)r.send(std::move(*refused));
    const json& j = std::get<json>(body);
    if (!j.contains("name") || !j["name"].is_string() || !j.contains("password") || !j["password"].is_string())
      return (void)r.send(Response::problem(400, "Bad Request", "log in with {\"name\", \"password\"}"));
    const std::string name = j["name"];
    // Guessing is limited per name as any caller's requests are.
    if (auto d = api.limiter.allow("login:" + name); !d.allowed)
      return (void)r.send(Response::too_many_requests(d.retry_after, "too many log-in attempts for this name"));
    auto who = api.accounts.by_password(name, j["password"]);
    if (!who) return (void)r.send(Response::problem(401, "Unauthorized", "unknown name or wrong password"));
    auto session = api.accounts.open_session(name, api.session_ttl);
    if (!session) return (void)r.send(problem(session.status()));
    json doc{{"account", who->account}, {"role", to_string(who->role)}, {"csrf", session->csrf}};
    if (!who->department.empty()) doc["department"] = who->department;
    Response res = Response::json(200, doc);
    res.headers.add("Set-Cookie", fmt::format("yilian_session={}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}", session->token,
                                              api.session_ttl.count(), api.tls ? "; Secure" : ""));
    r.send(std::move(res));
  });
  // Who the session cookie belongs to (a page opened in a new tab).
  router.get("/api/v1/session", [&api](HttpRequest q, Responder r) {
    const std::string token = session_token(q);
    auto s = token.empty() ? Result<std::pair<Actor, std::string>>(Status::not_found("no session"))
                           : api.accounts.by_session(token);
    if (!s) return (void)r.send(Response::problem(401, "Unauthorized", "no session; log in"));
    json doc{{"account", s->first.account}, {"role", to_string(s->first.role)}, {"csrf", s->second}};
    if (!s->first.department.empty()) doc["department"] = s->first.department;
    r.send(Response::json(200, doc));
  });
  router.del("/api/v1/session", [&api](HttpRequest q, Responder r) {
    auto who = authenticate(api, q);
    if (auto* refused = std::get_if<Response>(&who)) return (void)r.send(std::move(*refused));
    if (Status s = api.accounts.close_session(session_token(q)); !s) return (void)r.send(problem(s));
    Response res;
    res.status = 204;
    res.headers.add("Set-Cookie", "yilian_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    r.send(std::move(res));
  });

  router.get("/api/v1/chains", guarded(Permission::read_chains, [&api](Actor, HttpRequest, Responder r) {
    json items = json::array();
    for (const ChainInfo& c : api.engine.chains()) items.push_back({{"id", c.id}, {"version", c.version}, {"name", c.name}});
    r.send(Response::json(200, {{"chains", items}}));
  }));
  router.get("/api/v1/chains/{id}", guarded(Permission::read_chains, [&api](Actor, HttpRequest q, Responder r) {
    auto it = api.chains.find(q.param("id"));
    if (it == api.chains.end()) return (void)r.send(not_found(fmt::format("no chain {}", q.param("id"))));
    const Chain& c = *it->second;
    const Analysis a = analyse(c);
    const FormStats stats = merge_form(c).stats;
    r.send(Response::json(200, {{"id", c.id},
                                {"version", c.version},
                                {"name", c.name},
                                {"form", json::parse(form_to_json(merge_form(c)))},
                                {"plan", plan_document(c, a, stats, std::nullopt)}}));
  }));
  router.post("/api/v1/chains/{id}/check", guarded(Permission::check, [&api](Actor, HttpRequest q, Responder r) {
    auto it = api.chains.find(q.param("id"));
    if (it == api.chains.end()) return (void)r.send(not_found(fmt::format("no chain {}", q.param("id"))));
    auto body = json_body(q);
    if (auto* refused = std::get_if<Response>(&body)) return (void)r.send(std::move(*refused));
    auto app = application_of(std::get<json>(std::move(body)), it->first);
    if (auto* refused = std::get_if<Response>(&app)) return (void)r.send(std::move(*refused));
    const CheckResult checked = check_application(*it->second, std::get<Application>(app));
    r.send(Response::json(200, json::parse(check_to_json(checked))));
  }));

  router.post("/api/v1/cases", guarded(Permission::submit, [&api](Actor who, HttpRequest q, Responder r) {
    const std::string key(q.header("Idempotency-Key").value_or(""));
    if (key.empty() || key.size() > 200)
      return (void)r.send(Response::problem(400, "Bad Request", "POST /api/v1/cases needs an Idempotency-Key header (1 to 200 characters)"));
    auto body = json_body(q);
    if (auto* refused = std::get_if<Response>(&body)) return (void)r.send(std::move(*refused));
    json& j = std::get<json>(body);
    const std::string chain_id = j.contains("chain") && j["chain"].is_string() ? j["chain"].get<std::string>() : "";
    auto it = api.chains.find(chain_id);
    if (it == api.chains.end()) return (void)r.send(not_found(fmt::format("no chain `{}`", chain_id)));
    const std::string channel = j.contains("channel") && j["channel"].is_string() ? j["channel"].get<std::string>() : "";
    auto app = application_of(j, chain_id);
    if (auto* refused = std::get_if<Response>(&app)) return (void)r.send(std::move(*refused));
    Application& a = std::get<Application>(app);
    request::Submit sub{chain_id, std::nullopt, a.fields, a.materials, Channel::window, who, key};
    if (who.role == Role::portal || channel == "online" || channel == "hotline") {
      sub.channel = Channel::online;
      if (channel == "hotline") sub.actor.channel = ActorChannel::hotline;
    }
    auto chain = it->second;
    api.engine.apply_async(std::move(sub), [&api, r, chain, a](Result<Receipt> done) {
      if (!done && done.status().code() == Status::Code::invalid_input) {
        // The engine refuses invalid values; the check locates each one.
        const CheckResult checked = check_application(*chain, a);
        if (!checked.invalid.empty())
          return (void)r.send(Response::problem(400, "Bad Request", "the application has invalid values; correct them first",
                                                json::parse(check_to_json(checked)).value("invalid", json::array())));
      }
      if (!done) return (void)r.send(problem(done.status()));
      std::vector<FlowChain::Missing> missing;
      if (done->stage == CaseStage::incomplete) {
        auto fc = FlowChain::compile(chain, Calendar());
        std::vector<std::string> held = a.materials;
        std::sort(held.begin(), held.end());
        missing = fc->missing(a.fields, held);
      }
      json doc = submit_document(*done, chain->id, chain->version, missing);
      auto code = api.accounts.query_code(done->case_id);
      if (!code) return (void)r.send(problem(code.status()));
      doc["query_code"] = *code;
      r.send(Response::json(done->result == StepResult::applied ? 201 : 200, doc));
    });
  }));

  router.get("/api/v1/cases", guarded(Permission::read_cases, [&api](Actor who, HttpRequest q, Responder r) {
    CaseFilter f;
    if (auto s = q.query_value("stage")) {
      f.stage = parse_case_stage(*s);
      if (!f.stage) return (void)r.send(Response::problem(400, "Bad Request", fmt::format("unknown stage `{}`", *s)));
    }
    f.chain = q.query_value("chain").value_or("");
    f.overdue = q.query_value("alert").has_value();
    f.limit = 50;
    if (auto l = q.query_value("limit")) {
      auto n = case_id_of(*l);
      if (!n || *n == 0 || *n > 500) return (void)r.send(Response::problem(400, "Bad Request", "limit is 1 to 500"));
      f.limit = static_cast<std::size_t>(*n);
    }
    if (auto after = q.query_value("after")) {
      auto n = case_id_of(*after);
      if (!n) return (void)r.send(Response::problem(400, "Bad Request", "after is a cursor from `next`"));
      f.before = *n;
    }
    if (who.role == Role::portal) f.owner = who.account;
    const std::size_t want = f.limit;
    // One more than a page tells whether another page follows; a department
    // reads the list whole and keeps the cases where it has a task.
    f.limit = who.role == Role::department ? 0 : want + 1;
    auto list = api.engine.records().list(f);
    if (!list) return (void)r.send(problem(list.status()));
    json items = json::array();
    CaseId last = 0;
    bool more = false;
    for (const CaseSummary& c : *list) {
      if (who.role == Role::department) {
        auto scope = api.cache.scope(api.engine.records(), c.id);
        if (!scope || !may_see_case(who, *scope)) continue;
      }
      if (items.size() == want) {
        more = true;
        break;
      }
      items.push_back(to_json(c));
      last = c.id;
    }
    r.send(Response::json(200, {{"cases", items}, {"next", more ? json(std::to_string(last)) : json()}}));
  }));

  router.get("/api/v1/cases/{id}", guarded(Permission::read_cases, [&api](Actor who, HttpRequest q, Responder r) {
    const Records& records = api.engine.records();
    const auto id = case_id_of(q.param("id"));
    const auto scope = id ? api.cache.scope(records, *id) : std::nullopt;
    if (!scope || !may_see_case(who, *scope)) return (void)r.send(not_found(fmt::format("no case {}", q.param("id"))));
    const bool all = sees_all_data(who);
    auto doc = api.cache.get(records, fmt::format("case:{}:{}", *id, all ? "*" : who.department), [&]() -> Result<std::string> {
      auto v = records.case_view(*id);
      if (!v) return v.status();
      if (all) {
        // The receipt can be printed again: the query code goes with the full view.
        json j = to_json(*v);
        if (auto code = api.accounts.query_code(*id)) j["query_code"] = *code;
        return j.dump();
      }
      // A department: its own tasks, no applicant data in the timeline, and
      // the case's values through its view only.
      std::erase_if(v->tasks, [&](const TaskView& t) { return t.department != who.department; });
      json j = to_json(*v);
      for (json& e : j["events"])
        if (e["kind"] == "submitted" || e["kind"] == "supplemented") e.erase("detail");
      auto data = records.department_data(*id, who.department);
      if (!data) return data.status();
      j["data"] = values_json(*data);
      return j.dump();
    });
    if (!doc) return (void)r.send(problem(doc.status()));
    r.send(Response::text(200, std::move(*doc), "application/json"));
  }));

  auto case_action = [&api, guarded](Permission p, Keys keys,
                                     std::function<std::variant<Request, http::Response>(const CaseView&, const json&)> make) {
    return guarded(p, [&api, keys, make](Actor who, http::Request q, Responder r) {
      auto found = case_in_scope(api, who, q.param("id"));
      if (auto* refused = std::get_if<Response>(&found)) return (void)r.send(std::move(*refused));
      auto body = json_body(q, &keys);
      if (auto* refused = std::get_if<Response>(&body)) return (void)r.send(std::move(*refused));
      auto req = make(std::get<CaseView>(found), std::get<json>(body));
      if (auto* refused = std::get_if<Response>(&req)) return (void)r.send(std::move(*refused));
      Request& request = std::get<Request>(req);
      actor_of(request) = who;
      apply(api, std::move(request), r);
    });
  };
  router.post("/api/v1/cases/{id}/supplement",
              case_action(Permission::supplement, {"fields", "materials", "in_person"}, [](const CaseView& v, const json& b) -> std::variant<Request, Response> {
                json fields_and_materials = b;
                fields_and_materials.erase("in_person");
                auto app = application_of(std::move(fields_and_materials), v.chain);
                if (auto* refused = std::get_if<Response>(&app)) return std::move(*refused);
                Application& a = std::get<Application>(app);
                if (b.contains("in_person") && !b["in_person"].is_boolean())
                  return Response::problem(400, "Bad Request", "in_person is true or false");
                const bool in_person = b.contains("in_person") && b["in_person"].get<bool>();
                return Request{request::Supplement{v.id, a.fields, a.materials, in_person}};
              }));
  router.post("/api/v1/cases/{id}/withdraw",
              case_action(Permission::withdraw, {"reason"}, [](const CaseView& v, const json& b) -> std::variant<Request, Response> {
                return Request{request::Withdraw{v.id, b.value("reason", std::string())}};
              }));
  router.post("/api/v1/cases/{id}/deliver",
              case_action(Permission::deliver, {"method", "tracking"}, [](const CaseView& v, const json& b) -> std::variant<Request, Response> {
                auto method = delivery_method(b.value("method", std::string("in-person")));
                if (!method) return Response::problem(400, "Bad Request", "method is in-person, express or electronic");
                return Request{request::Deliver{v.id, *method, b.value("tracking", std::string())}};
              }));

  router.post("/api/v1/cases/{id}/urge",
              case_action(Permission::urge, {"note", "matter"}, [](const CaseView& v, const json& b) -> std::variant<Request, Response> {
                if ((b.contains("note") && !b["note"].is_string()) || (b.contains("matter") && !b["matter"].is_string()))
                  return Response::problem(400, "Bad Request", "note and matter are text");
                return Request{request::Urge{v.id, b.value("matter", std::string()), b.value("note", std::string())}};
              }));

  router.get("/api/v1/tasks", guarded(Permission::read_tasks, [&api](Actor who, HttpRequest q, Responder r) {
    std::string department = q.query_value("department").value_or("");
    if (who.role == Role::department) {
      if (!department.empty() && department != who.department)
        return (void)r.send(denied("a department account lists its own department's tasks only"));
      department = who.department;
    }
    const auto status = q.query_value("status");
    const Records& records = api.engine.records();
    auto doc = api.cache.get(records, fmt::format("tasks:{}:{}", department, status.value_or("")), [&]() -> Result<std::string> {
      auto items = records.work_queue(department);
      if (!items) return items.status();
      if (status) std::erase_if(*items, [&](const WorkItem& w) { return to_string(w.task.status) != *status; });
      return tasks_document(*items).dump();
    });
    if (!doc) return (void)r.send(problem(doc.status()));
    r.send(Response::text(200, std::move(*doc), "application/json"));
  }));

  // A task action: the task must be in the caller's scope (404 otherwise)
  // and its department the caller's (403 for a department's other tasks
  // would reveal them: 404 as well).
  auto task_action = [&api, guarded](Keys keys, std::function<std::variant<Request, http::Response>(CaseId, const std::string&, const json&)> make) {
    return guarded(Permission::work_tasks, [&api, keys, make](Actor who, http::Request q, Responder r) {
      auto found = case_in_scope(api, who, q.param("case"));
      if (auto* refused = std::get_if<Response>(&found)) return (void)r.send(std::move(*refused));
      const CaseView& v = std::get<CaseView>(found);
      const std::string matter = q.param("matter");
      auto t = std::find_if(v.tasks.begin(), v.tasks.end(), [&](const TaskView& x) { return x.matter == matter; });
      if (t == v.tasks.end() || !may_work_task(who, t->department))
        return (void)r.send(not_found(fmt::format("no task {} of case {}", matter, v.id)));
      auto body = json_body(q, &keys);
      if (auto* refused = std::get_if<Response>(&body)) return (void)r.send(std::move(*refused));
      auto req = make(v.id, matter, std::get<json>(body));
      if (auto* refused = std::get_if<Response>(&req)) return (void)r.send(std::move(*refused));
      Request& request = std::get<Request>(req);
      actor_of(request) = who;
      apply(api, std::move(request), r);
    });
  };
  auto outcome = [](CaseId id, const std::string& matter, json j) -> std::variant<Request, http::Response> {
    auto parsed = parse_outcome_json(j.dump());
    if (!parsed) return problem(parsed.status());
    if (!*parsed) return Response::problem(400, "Bad Request", "no outcome in the body");
    return Request{request::Report{id, matter, 0, std::move(**parsed)}};
  };
  router.post("/api/v1/tasks/{case}/{matter}/claim", task_action({"force"}, [](CaseId id, const std::string& m, const json& b) -> std::variant<Request, Response> {
    const bool force = b.contains("force") && b["force"].is_boolean() && b["force"].get<bool>();
    return Request{request::Claim{id, m, 0, "", force}};
  }));
  router.post("/api/v1/tasks/{case}/{matter}/release", task_action({}, [](CaseId id, const std::string& m, const json&) -> std::variant<Request, Response> {
    return Request{request::Release{id, m}};
  }));
  router.post("/api/v1/tasks/{case}/{matter}/approve", task_action({"produce", "note"}, [outcome](CaseId id, const std::string& m, const json& b) {
    return outcome(id, m, {{"outcome", "approved"}, {"produced", b.value("produce", json::object())}});
  }));
  router.post("/api/v1/tasks/{case}/{matter}/reject", task_action({"reason"}, [outcome](CaseId id, const std::string& m, const json& b) {
    return outcome(id, m, {{"outcome", "rejected"}, {"reason", b.value("reason", std::string())}});
  }));
  router.post("/api/v1/tasks/{case}/{matter}/request-supplement",
              task_action({"materials", "fields", "note"}, [outcome](CaseId id, const std::string& m, const json& b) {
                json items = json::array();
                for (const char* k : {"materials", "fields"})
                  if (b.contains(k) && b[k].is_array())
                    for (const json& x : b[k]) items.push_back(x);
                return outcome(id, m, {{"outcome", "supplement"}, {"items", items}, {"reason", b.value("note", std::string())}});
              }));

  router.get("/api/v1/events", guarded(Permission::read_cases, [&api](Actor who, HttpRequest q, Responder r) {
    std::uint64_t after = 0;
    if (auto last = q.header("Last-Event-ID")) {
      auto n = case_id_of(std::string(*last));
      if (!n) return (void)r.send(Response::problem(400, "Bad Request", "Last-Event-ID is a position from an earlier `id:`"));
      after = *n;
    } else {
      auto head = api.engine.records().last_position();
      if (!head) return (void)r.send(problem(head.status()));
      after = *head;
    }
    auto stream = r.stream();
    if (!stream) return;
    stream->write_comment(fmt::format("yilian events after {}", after));
    api.events->subscribe(std::move(who), std::move(stream), after);
  }));

  // Department systems behind their own firewall pull their work.
  router.post("/api/v1/work/fetch-and-lock", guarded(Permission::work_tasks, [&api](Actor who, HttpRequest q, Responder r) {
    if (who.role != Role::department)
      return (void)r.send(denied("fetch-and-lock is for department accounts (their department's work)"));
    auto body = json_body(q, &kFetchKeys);
    if (auto* refused = std::get_if<Response>(&body)) return (void)r.send(std::move(*refused));
    const json& j = std::get<json>(body);
    auto number = [&](const char* k, std::int64_t fallback, std::int64_t lo, std::int64_t hi) -> std::optional<std::int64_t> {
      if (!j.contains(k)) return fallback;
      if (!j[k].is_number_integer() || j[k].get<std::int64_t>() < lo || j[k].get<std::int64_t>() > hi) return std::nullopt;
      return j[k].get<std::int64_t>();
    };
    const auto max = number("max", 1, 1, 100);
    const auto lock = number("lock_ms", 60'000, 1'000, 3'600'000);
    const auto wait = number("wait_ms", 0, 0, 60'000);
    if (!j.contains("worker") || !j["worker"].is_string() || j["worker"].get<std::string>().empty() || !max || !lock || !wait)
      return (void)r.send(Response::problem(400, "Bad Request",
                                            "fetch-and-lock takes {\"worker\": name, \"max\": 1-100, \"lock_ms\": 1000-3600000, \"wait_ms\": 0-60000}"));
    Leases::Poll poll{who, j["worker"], static_cast<std::size_t>(*max), std::chrono::milliseconds(*lock),
                      std::chrono::steady_clock::now() + std::chrono::milliseconds(*wait), r};
    if (*wait > 0) return api.leases->wait(std::move(poll));  // the hub's next tick looks (no scan on this thread)
    r.send(Response::json(200, {{"tasks", api.leases->take(poll)}}));
  }));
  router.post("/api/v1/work/{token}/complete", guarded(Permission::work_tasks, [&api](Actor who, HttpRequest q, Responder r) {
    auto body = json_body(q);
    if (auto* refused = std::get_if<Response>(&body)) return (void)r.send(std::move(*refused));
    auto outcome = parse_outcome_json(std::get<json>(body).dump());
    if (!outcome) return (void)r.send(problem(outcome.status()));
    if (!*outcome) return (void)r.send(Response::problem(400, "Bad Request", "no outcome in the body"));
    auto lease = api.leases->complete(q.param("token"), who);
    if (auto* why = std::get_if<std::string>(&lease)) {
      std::fprintf(stderr, "yilian serve: refused a completion by %s: %s\n", who.account.c_str(), why->c_str());
      return (void)r.send(Response::problem(409, "Conflict", *why));
    }
    const Leases::Lease& l = std::get<Leases::Lease>(lease);
    Actor worker = who;
    worker.account = who.account + "/" + l.worker;
    apply(api, request::Report{l.case_id, l.matter, l.attempt, std::move(**outcome), worker}, r);
  }));

  // An Art. 45 activity (expert review, inspection, …) stops the task's
  // clock; resume starts it again.
  router.post("/api/v1/tasks/{case}/{matter}/suspend", task_action({"for", "told_days", "note"}, [outcome](CaseId id, const std::string& m, const json& b) {
    json o{{"outcome", "suspended"}, {"suspension", b.value("for", std::string())}, {"reason", b.value("note", std::string())}};
    if (b.contains("told_days")) o["told_days"] = b["told_days"];
    return outcome(id, m, o);
  }));
  router.post("/api/v1/tasks/{case}/{matter}/resume", task_action({"note"}, [outcome](CaseId id, const std::string& m, const json& b) {
    return outcome(id, m, {{"outcome", "resumed"}, {"reason", b.value("note", std::string())}});
  }));

  router.get("/api/v1/overdue", guarded(Permission::read_overdue, [&api](Actor, HttpRequest, Responder r) {
    auto late = api.engine.records().overdue();
    if (!late) return (void)r.send(problem(late.status()));
    r.send(Response::json(200, overdue_document(*late, engine_clock()().date())));
  }));
  router.get("/api/v1/audit/verify", guarded(Permission::verify_audit, [&api](Actor, HttpRequest, Responder r) {
    auto report = verify_audit(api.db);
    if (!report) return (void)r.send(problem(report.status()));
    r.send(Response::json(200, audit_document(*report)));
  }));

  router.get("/api/v1/public/cases/{id}", http::sync([&api](const HttpRequest& q) {
    const auto id = case_id_of(q.param("id"));
    const std::string code = q.query_value("code").value_or("");
    if (!id || !api.accounts.check_query_code(*id, code)) return not_found("no case with that number and query code");
    auto v = api.engine.records().case_view(*id);
    if (!v) return not_found("no case with that number and query code");
    json matters = json::array();
    for (const TaskView& t : v->tasks)
      matters.push_back({{"name", t.name}, {"status", to_string(t.status)},
                         {"finished", t.finished ? json(t.finished->to_string()) : json()}});
    auto date = [](const std::optional<Date>& d) { return d ? json(d->to_string()) : json(); };
    return Response::json(200, {{"id", v->id},
                                {"chain_name", v->chain_name},
                                {"stage", to_string(v->stage)},
                                {"submitted_on", v->submitted_at.date().to_string()},
                                {"accepted_on", date(v->accepted_on)},
                                {"finished_on", date(v->finished_on)},
                                {"deadline", date(v->deadline)},
                                {"matters", matters}});
  }));
}

/// The web UI's folder: installed beside the program, else the source tree's.
std::string find_ui_dir() {
  for (const std::string& share : installed_share_dirs())
    if (std::filesystem::exists(share + "/ui/index.html")) return share + "/ui";
  return YILIAN_SOURCE_TREE "/ui";
}

/// The OpenAPI document served at /api/v1/openapi.json: installed beside
/// the program, else the source tree's.
std::string read_openapi() {
  std::vector<std::string> places;
  for (const std::string& share : installed_share_dirs()) places.push_back(share + "/schemas/openapi.json");
  places.emplace_back(YILIAN_SOURCE_TREE "/schemas/openapi.json");
  for (const std::string& p : places) {
    std::ifstream in(p, std::ios::binary);
    if (in) return std::string(std::istreambuf_iterator<char>(in), {});
  }
  return "{}";
}

void serve(const ServeOptions& o) {
  const auto colon = o.listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return usage_error(fmt::format("--listen {}: expected ADDRESS:PORT", o.listen));
  http::ServerOptions so;
  so.address = o.listen.substr(0, colon);
  if (so.address.size() > 2 && so.address.front() == '[') so.address = so.address.substr(1, so.address.size() - 2);
  try {
    const int port = std::stoi(o.listen.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::out_of_range("port");
    so.port = static_cast<std::uint16_t>(port);
  } catch (const std::exception&) {
    return usage_error(fmt::format("--listen {}: the port is 0 to 65535", o.listen));
  }
  so.threads = o.threads;
  so.max_body_bytes = o.max_body_kib * 1024;
  so.max_header_bytes = o.max_header_kib * 1024;
  so.max_connections = o.max_connections;
  so.read_timeout = std::chrono::milliseconds(o.read_timeout_ms);
  so.idle_timeout = std::chrono::milliseconds(o.idle_timeout_ms);
  so.tls_cert_file = o.tls_cert;
  so.tls_key_file = o.tls_key;

  EngineOptions options;
  std::optional<Deployment> deployment;
  std::vector<std::string> chain_files = o.chains;
  if (!o.deploy.empty()) {
    DeploymentLoad d = load_deployment(o.deploy);
    print_diagnostics(d.diagnostics);
    if (!d.deployment) return set_exit_code(exit_invalid);
    deployment = std::move(*d.deployment);
    options = deployment->engine;
    chain_files.insert(chain_files.end(), deployment->chains.begin(), deployment->chains.end());
  }
  for (const auto& dir : calendar_dirs("")) options.calendar_dirs.push_back(dir);
  options.clock = engine_clock();

  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  auto accounts = Accounts::open(o.db);
  if (!accounts) return report(accounts.status());
  auto opened = Engine::open(o.db, options);
  if (!opened) return report(opened.status());
  Engine& engine = **opened;
  Api api{engine, **accounts, http::RateLimiter(o.rate, o.rate * 2), {}, read_openapi(), find_ui_dir(), o.db, !o.tls_cert.empty()};
  for (const std::string& file : chain_files) {
    auto loaded = engine.load_chain_file(file);
    if (!loaded) {
      engine.close();
      return report(loaded.status());
    }
    LoadResult r = load_chain(file);
    if (r.chain) api.chains[r.chain->id] = std::move(r.chain);
  }
  if (deployment) {
    if (Status s = engine.deploy(*deployment); !s) {
      engine.close();
      return report(s);
    }
  } else {
    AdapterConfig manual;
    (void)engine.bind("*", manual);
  }

  Leases leases(api);
  api.leases = &leases;
  EventHub events(engine.records(), std::chrono::milliseconds(100), [&leases] { leases.serve_polls(); });
  api.events = &events;
  http::Router router;
  add_routes(api, router);
  http::Server server(so, std::move(router));
  if (Status s = server.start(); !s) {
    engine.close();
    return report(s);
  }
  std::printf("yilian serve: %s on http%s://%s:%u, %zu chains\n", o.db.c_str(), o.tls_cert.empty() ? "" : "s",
              so.address.c_str(), server.port(), api.chains.size());
  std::fflush(stdout);
  int got = 0;
  while ((got = sigwaitinfo(&stop, nullptr)) < 0) {
  }
  events.stop();
  server.stop(std::chrono::seconds(5));
  engine.close();
  std::printf("yilian serve: stopped (%s)\n", got == SIGINT ? "SIGINT" : "SIGTERM");
}

}  // namespace

void add_serve(CLI::App& app) {
  auto o = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand("serve", "Run the engine with the HTTP API v1 (accounts: yilian account)");
  cmd->footer(
      "Serves DESIGN.md's HTTP API on --listen until SIGINT/SIGTERM (in-flight requests are answered first).\n"
      "Callers authenticate with `Authorization: Bearer KEY` (yilian account add --api-key).\n"
      "Examples:\n"
      "  yilian serve --db cases.db --chain chains/kindergarten-setup.yaml --listen 127.0.0.1:8080\n"
      "  yilian serve --db cases.db --deploy examples/deploy/kindergarten.yaml");
  add_db_option(*cmd, o->db);
  cmd->add_option("--deploy", o->deploy, "Deployment file: chains, adapters per department, engine settings");
  cmd->add_option("--chain", o->chains, "A chain file to load and serve (repeat); departments get work queues")->type_name("FILE");
  cmd->add_option("--listen", o->listen, "ADDRESS:PORT (port 0: any free port, printed at start)")->capture_default_str();
  cmd->add_option("--threads", o->threads, "Server threads")->capture_default_str();
  cmd->add_option("--rate", o->rate, "Requests per second per account (twice that at once)")->capture_default_str();
  cmd->add_option("--max-body-kib", o->max_body_kib, "Largest request body (larger: 413)")->capture_default_str()->check(CLI::Range(1, 1024 * 1024));
  cmd->add_option("--max-header-kib", o->max_header_kib, "Largest request head (larger: 431)")->capture_default_str()->check(CLI::Range(1, 1024));
  cmd->add_option("--max-connections", o->max_connections, "Open connections at most (more: 503)")->capture_default_str()->check(CLI::Range(1, 1'000'000));
  cmd->add_option("--read-timeout-ms", o->read_timeout_ms, "A request must arrive whole within this (a slow client is cut off)")
      ->capture_default_str()->check(CLI::Range(100, 600'000));
  cmd->add_option("--idle-timeout-ms", o->idle_timeout_ms, "A kept-alive connection idle this long is closed")
      ->capture_default_str()->check(CLI::Range(100, 3'600'000));
  cmd->add_option("--tls-cert", o->tls_cert, "PEM certificate (HTTPS with --tls-key)");
  cmd->add_option("--tls-key", o->tls_key, "PEM private key");
  cmd->callback([o] { serve(*o); });
}

}  // namespace yilian::cli
