// The routes of `yilian serve`: the HTTP API v1 (schemas/openapi.json) and
// the web UI's files. Each handler authenticates, checks the permission and
// the scope (serve/server.h), and answers with the CLI's JSON documents.
#include "../calendar_support.h"
#include "serve/server.h"

namespace yilian::cli::serve {
namespace {

/// A list's page size from `limit` (1 to 500), 50 without it; nullopt for
/// any other value (answered 400).
std::optional<std::size_t> page_limit(const http::Request& q) {
  const auto l = q.query_value("limit");
  if (!l) return 50;
  const auto n = case_id_of(*l);
  if (!n || *n == 0 || *n > 500) return std::nullopt;
  return static_cast<std::size_t>(*n);
}

}  // namespace

void add_routes(Api& api, http::Router& router) {
  using HttpRequest = http::Request;
  using http::Responder;
  using http::Response;
  auto guarded = [&api](Permission p, std::function<void(Actor, HttpRequest, Responder)> fn) {
    return serve::guarded(api, p, std::move(fn));
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

  router.get("/api/v1/health", http::sync([&api](const HttpRequest&) {
    return Response::json(200, {{"status", "ok"},
                                {"engine", api.backend.role()},
                                {"store", is_postgres_uri(api.db) ? "postgresql" : "sqlite"},
                                {"version", "0.1.0"}});
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
    auto chains = api.records.chains();
    if (!chains) return (void)r.send(problem(chains.status()));
    json items = json::array();
    for (const ChainInfo& c : *chains) items.push_back({{"id", c.id}, {"version", c.version}, {"name", c.name}});
    r.send(Response::json(200, {{"chains", items}}));
  }));
  router.get("/api/v1/chains/{id}", guarded(Permission::read_chains, [&api](Actor, HttpRequest q, Responder r) {
    auto it = api.chains.find(q.param("id"));
    if (it == api.chains.end()) return (void)r.send(not_found(fmt::format("no chain {}", q.param("id"))));
    const Chain& c = *it->second;
    const Analysis a = analyse(it->second, nullptr, c.dated() ? std::optional<Date>(today()) : std::nullopt);
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
    // As for a case accepted today: the matters in force today apply.
    const CheckResult checked = check_application(*it->second, std::get<Application>(app),
                                                  it->second->dated() ? std::optional<Date>(today()) : std::nullopt);
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
    auto app = application_of(std::move(j), chain_id);
    if (auto* refused = std::get_if<Response>(&app)) return (void)r.send(std::move(*refused));
    Application& a = std::get<Application>(app);
    request::Submit sub{chain_id, std::nullopt, a.fields, a.materials, Channel::window, who, key};
    sub.agent = a.agent;
    sub.commitments = a.commitments;
    sub.reuse_consent = a.reuse_consent;
    if (who.role == Role::portal || channel == "online" || channel == "hotline") {
      sub.channel = Channel::online;
      if (channel == "hotline") sub.actor.channel = ActorChannel::hotline;
    }
    // The engine calls back on its writer thread, which hands the answer at
    // once to this connection's thread to be built there: one hand-over
    // between threads fewer than by way of an engine thread.
    auto answer = [&api, r, chain = it->second, a = std::move(a)](const Result<Receipt>& done) {
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
        missing = fc->missing(a.fields, held, fc->check_date(today()));
      }
      // 容缺受理: what the accepted case still owes comes with the receipt.
      json doc = submit_document(*done, chain->id, chain->version, missing, deferred_views(*chain, done->deferred),
                                 done->deferred_due);
      auto code = api.accounts.query_code(done->case_id);
      if (!code) return (void)r.send(problem(code.status()));
      doc["query_code"] = *code;
      r.send(Response::json(done->result == StepResult::applied ? 201 : 200, doc));
    };
    api.backend.apply_async(
        std::move(sub),
        [r, answer = std::move(answer)](Result<Receipt> done) mutable {
          r.post([answer = std::move(answer), done = std::move(done)] { answer(done); });
        },
        Engine::CallbackOn::commit_thread);
  }));

  router.get("/api/v1/cases", guarded(Permission::read_cases, [&api](Actor who, HttpRequest q, Responder r) {
    CaseFilter f;
    if (auto s = q.query_value("stage")) {
      f.stage = parse_case_stage(*s);
      if (!f.stage) return (void)r.send(Response::problem(400, "Bad Request", fmt::format("unknown stage `{}`", *s)));
    }
    f.chain = q.query_value("chain").value_or("");
    f.agent = q.query_value("agent").value_or("");
    f.overdue = q.query_value("alert").has_value();
    const auto limit = page_limit(q);
    if (!limit) return (void)r.send(Response::problem(400, "Bad Request", "limit is 1 to 500"));
    f.limit = *limit;
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
    auto list = api.records.list(f);
    if (!list) return (void)r.send(problem(list.status()));
    json items = json::array();
    CaseId last = 0;
    bool more = false;
    for (const CaseSummary& c : *list) {
      if (who.role == Role::department) {
        auto scope = api.cache.scope(api.records, c.id);
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
    const Records& records = api.records;
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
      const auto chain = records.case_chain(*id);  // the version the case runs on
      auto may_read = [&](const std::string& material) { return chain && may_read_material(who, **chain, material); };
      for (json& e : j["events"]) {
        // A file of a material its matters ask for is shown whole; of any
        // other, which material only (the file's name may be personal data).
        const bool other_file = e["kind"] == "file-attached" && !may_read(e["detail"].value("material", std::string()));
        if (other_file) e["summary"] = department_file_summary(e["detail"]);
        if (e["kind"] == "submitted" || e["kind"] == "supplemented" || other_file) e.erase("detail");
      }
      auto data = records.department_data(*id, who.department);
      if (!data) return data.status();
      j["data"] = values_json(*data);
      // 一次收齐: of what was reused, only the fields in its view and the
      // licences its matters ask for.
      if (j.contains("reuse")) {
        json kept = json::array();
        for (const json& item : j["reuse"]["reused"]) {
          const std::string key = item["key"];
          const bool seen = item["kind"] == "field" ? data->contains(key) : may_read(key);
          if (seen) kept.push_back(item);
        }
        j["reuse"]["reused"] = std::move(kept);
      }
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

  router.post("/api/v1/cases/{id}/ratings",
              case_action(Permission::rate, {"grade", "matter", "comment"}, [](const CaseView& v, const json& b) -> std::variant<Request, Response> {
                if (!b.contains("grade") || !b["grade"].is_number_integer())
                  return Response::problem(400, "Bad Request", "grade is a whole number from 1 (非常不满意) to 5 (非常满意)");
                if ((b.contains("matter") && !b["matter"].is_string()) || (b.contains("comment") && !b["comment"].is_string()))
                  return Response::problem(400, "Bad Request", "matter and comment are text");
                const auto grade = b["grade"].get<std::int64_t>();
                return Request{request::Rate{v.id, b.value("matter", std::string()),
                                             static_cast<int>(std::clamp<std::int64_t>(grade, -1, 6)),
                                             b.value("comment", std::string())}};
              }));
  router.post("/api/v1/cases/{id}/ratings/{n}/follow-up", guarded(Permission::follow_up, [&api](Actor who, HttpRequest q, Responder r) {
    auto found = case_in_scope(api, who, q.param("id"));
    if (auto* refused = std::get_if<Response>(&found)) return (void)r.send(std::move(*refused));
    const Keys keys{"step", "note"};
    auto body = json_body(q, &keys);
    if (auto* refused = std::get_if<Response>(&body)) return (void)r.send(std::move(*refused));
    const json& b = std::get<json>(body);
    const std::string n = q.param("n");
    std::uint32_t number = 0;
    if (n.empty() || n.size() > 6 || !std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        (number = static_cast<std::uint32_t>(std::stoul(n))) == 0)
      return (void)r.send(Response::problem(400, "Bad Request", "ratings are numbered from 1"));
    auto step = b.contains("step") && b["step"].is_string() ? parse_follow_up_step(b["step"].get<std::string>()) : std::nullopt;
    if (!step)
      return (void)r.send(Response::problem(400, "Bad Request",
                                            "step is called-back, rectified, appealed, appeal-upheld or appeal-rejected"));
    if (b.contains("note") && !b["note"].is_string()) return (void)r.send(Response::problem(400, "Bad Request", "note is text"));
    Request request = request::FollowUp{std::get<CaseView>(found).id, number, *step, b.value("note", std::string())};
    actor_of(request) = who;
    apply(api, std::move(request), r);
  }));
  router.get("/api/v1/ratings", guarded(Permission::read_overdue, [&api](Actor, HttpRequest q, Responder r) {
    auto stats = api.records.rating_stats(q.query_value("chain").value_or(""));
    if (!stats) return (void)r.send(problem(stats.status()));
    r.send(Response::json(200, ratings_document(*stats)));
  }));

  router.get("/api/v1/tasks", guarded(Permission::read_tasks, [&api](Actor who, HttpRequest q, Responder r) {
    std::string department = q.query_value("department").value_or("");
    if (who.role == Role::department) {
      if (!department.empty() && department != who.department)
        return (void)r.send(denied("a department account lists its own department's tasks only"));
      department = who.department;
    }
    const auto status = q.query_value("status");
    // Without `limit` or `after`: the whole queue (as `task list --json`).
    // With either: a page, and `next` for the page after it.
    const auto after = q.query_value("after");
    const bool paged = after || q.query_value("limit");
    const auto size = paged ? page_limit(q) : std::optional<std::size_t>(0);
    if (!size) return (void)r.send(Response::problem(400, "Bad Request", "limit is 1 to 500"));
    const std::size_t limit = *size;
    const Records& records = api.records;
    const std::string key = fmt::format("tasks:{}:{}:{}:{}", department, status.value_or(""), after.value_or(""), limit);
    auto doc = api.cache.get(records, key, [&]() -> Result<std::string> {
      auto page = records.work_queue_page(department, after.value_or(""), limit, [&](const WorkItem& w) {
        return !status || to_string(w.task.status) == *status;
      });
      if (!page) return page.status();
      json j = tasks_document(page->items);
      if (paged) j["next"] = page->next.empty() ? json() : json(page->next);
      return j.dump();
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
      auto head = api.records.last_position();
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
    auto answer = parse_outcome_json(std::get<json>(body).dump());
    if (!answer) return (void)r.send(problem(answer.status()));
    if (!*answer) return (void)r.send(Response::problem(400, "Bad Request", "no outcome in the body"));
    auto lease = api.leases->complete(q.param("token"), who);
    if (auto* why = std::get_if<std::string>(&lease)) {
      std::fprintf(stderr, "yilian serve: refused a completion by %s: %s\n", who.account.c_str(), why->c_str());
      return (void)r.send(Response::problem(409, "Conflict", *why));
    }
    const Leases::Lease& l = std::get<Leases::Lease>(lease);
    Actor worker = who;
    worker.account = who.account + "/" + l.worker;
    apply(api, request::Report{l.case_id, l.matter, l.attempt, std::move(**answer), worker}, r);
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

  router.get("/api/v1/overdue", guarded(Permission::read_overdue, [&api](Actor, HttpRequest q, Responder r) {
    const Date today = engine_clock()().date();
    Date since = default_revoked_since(today);
    if (const auto s = q.query_value("since")) {
      const auto d = Date::parse(*s);
      if (!d) return (void)r.send(Response::problem(400, "Bad Request", "since: expected a date YYYY-MM-DD"));
      since = *d;
    }
    auto late = api.records.overdue();
    if (!late) return (void)r.send(problem(late.status()));
    auto revoked = api.records.revocations(since);
    if (!revoked) return (void)r.send(problem(revoked.status()));
    r.send(Response::json(200, overdue_document(*late, *revoked, since, today)));
  }));
  router.get("/api/v1/audit/verify", guarded(Permission::verify_audit, [&api](Actor, HttpRequest, Responder r) {
    auto report = verify_audit(api.db, {}, calendar_dirs(""));
    if (!report) return (void)r.send(problem(report.status()));
    r.send(Response::json(200, audit_document(*report)));
  }));

  add_file_routes(api, router);

  router.get("/api/v1/public/cases/{id}", http::sync([&api](const HttpRequest& q) {
    const auto id = case_id_of(q.param("id"));
    const std::string code = q.query_value("code").value_or("");
    if (!id || !api.accounts.check_query_code(*id, code)) return not_found("no case with that number and query code");
    auto v = api.records.case_view(*id);
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

}  // namespace yilian::cli::serve
