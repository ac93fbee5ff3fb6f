// Helpers every handler of `yilian serve` uses, and the leases' work.
#include "serve/server.h"

#include "yilian/text.h"

namespace yilian::cli::serve {

std::shared_ptr<const std::vector<WorkItem>> Leases::queue(const std::string& department) {
  const Records& records = api_.records;
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
  if (auto v = api_.records.data_version(); v && *v != seen_version_) {
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
    if (auto data = api_.records.department_data(w.case_id, p.who.department)) j["data"] = values_json(*data);
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

std::string department_file_summary(const json& detail) {
  const json material = detail.is_object() ? detail.value("material", json()) : json();
  return material.is_string() ? fmt::format("file of {} handed in", material.get<std::string>()) : "a material file handed in";
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

http::Response denied(std::string detail) {
  return http::Response::problem(403, "Forbidden", std::move(detail));
}

http::Response not_found(std::string detail) { return http::Response::problem(404, "Not Found", std::move(detail)); }

/// The value of the session cookie, "" when there is none.
std::string session_token(const http::Request& q) { return session_token(q.headers); }

std::string session_token(const http::Headers& headers) {
  std::string token;
  for (std::string_view cookie : headers.all("Cookie")) {
    std::stringstream ss{std::string(cookie)};
    for (std::string part; std::getline(ss, part, ';');) {
      const auto start = part.find_first_not_of(' ');
      if (start != std::string::npos && part.compare(start, 15, "yilian_session=") == 0) token = part.substr(start + 15);
    }
  }
  return token;
}

std::variant<Actor, http::Response> identify(Api& api, const http::Headers& headers, bool write) {
  std::optional<Actor> who;
  if (auto auth = headers.get("Authorization")) {
    constexpr std::string_view bearer = "Bearer ";
    if (auth->substr(0, bearer.size()) != bearer)
      return http::Response::problem(401, "Unauthorized", "Authorization must be `Bearer KEY`");
    auto a = api.accounts.by_api_key(auth->substr(bearer.size()));
    if (!a) return http::Response::problem(401, "Unauthorized", "unknown API key or disabled account");
    who = std::move(*a);
  } else {
    const std::string token = session_token(headers);
    if (token.empty()) return http::Response::problem(401, "Unauthorized", "log in, or send Authorization: Bearer KEY");
    auto s = api.accounts.by_session(token);
    if (!s) return http::Response::problem(401, "Unauthorized", "the session has ended; log in again");
    if (write && headers.get("X-CSRF-Token").value_or("") != s->second)
      return http::Response::problem(403, "Forbidden", "a write with a session cookie needs its X-CSRF-Token header");
    who = std::move(s->first);
  }
  return *who;
}

std::variant<Actor, http::Response> authenticate(Api& api, const http::Request& q) {
  auto who = identify(api, q.headers, q.method != "GET");
  if (const Actor* a = std::get_if<Actor>(&who))
    if (auto d = api.limiter.allow(a->account); !d.allowed)
      return http::Response::too_many_requests(d.retry_after, fmt::format("more than the requests per second allowed for {}", a->account));
  return who;
}

http::Handler guarded(Api& api, std::function<bool(const Actor&)> allowed,
                      std::function<void(Actor, http::Request, http::Responder)> fn) {
  return [&api, allowed = std::move(allowed), fn = std::move(fn)](http::Request q, http::Responder r) {
    auto who = authenticate(api, q);
    if (auto* refused = std::get_if<http::Response>(&who)) return (void)r.send(std::move(*refused));
    Actor& actor = std::get<Actor>(who);
    if (!allowed(actor)) return (void)r.send(denied());
    fn(std::move(actor), std::move(q), std::move(r));
  };
}

http::Handler guarded(Api& api, Permission p, std::function<void(Actor, http::Request, http::Responder)> fn) {
  return guarded(api, [p](const Actor& who) { return permits(who, p); }, std::move(fn));
}

/// The request body as a JSON object, or the answer that refuses it: not
/// JSON (415), nested deeper than kMaxJsonDepth, not an object or not UTF-8
/// (400), and with `keys`, a key
/// not among them (400, naming each).
std::variant<json, http::Response> json_body(const http::Request& q, const Keys* keys) {
  const std::string type(q.header("Content-Type").value_or(""));
  if (type.substr(0, type.find(';')) != "application/json")
    return http::Response::problem(415, "Unsupported Media Type", "send the body as application/json");
  // A deep document would be written and compared by recursion (a stack
  // overflow at 200,000 levels): refused before it is read.
  if (!json_depth_within(q.body, kMaxJsonDepth))
    return http::Response::problem(400, "Bad Request",
                                   fmt::format("the body nests arrays and objects deeper than {} levels", kMaxJsonDepth));
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
  auto v = api.records.case_view(*id);
  if (!v) return v.status().code() == Status::Code::not_found ? not_found(fmt::format("no case {}", *id)) : problem(v.status());
  CaseScope scope;
  if (auto owner = api.records.case_owner(*id)) scope.owner = *owner;
  for (const TaskView& t : v->tasks) scope.departments.push_back(t.department);
  if (!may_see_case(who, scope)) return not_found(fmt::format("no case {}", *id));
  return std::move(*v);
}

/// Answers `respond` once the engine has applied the request.
void apply(Api& api, Request request, const http::Responder& respond, int success) {
  api.backend.apply_async(std::move(request), [respond, success](Result<Receipt> r) {
    respond.send(r ? http::Response::json(success, receipt_json(*r)) : problem(r.status()));
  });
}

/// The application in a body: {chain?, fields, materials} as an application
/// document (the same reader as files), the chain taken from `chain_id`.
std::variant<Application, http::Response> application_of(json body, const std::string& chain_id) {
  body.erase("channel");
  body["chain"] = chain_id;
  // Written out with line breaks and `": "`: the loader's direct YAML
  // reader takes JSON in that shape, while compact JSON (`"a":1`) went to
  // libyaml, which was most of a submission's time in the server.
  Loaded<Application> a = parse_application_text(body.dump(0), "request body");
  if (!a.ok()) {
    json errors = json::array();
    for (const Diagnostic& d : a.diagnostics) errors.push_back({{"message", d.message}, {"path", d.path}});
    return http::Response::problem(400, "Bad Request", "the application cannot be read", errors);
  }
  return std::move(a.value());
}

}  // namespace yilian::cli::serve
