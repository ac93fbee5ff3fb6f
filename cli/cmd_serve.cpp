// `yilian serve`: the engine and the HTTP API v1 in one process, or an API
// node handing writes to another process's engine (DESIGN.md "The HTTP API
// (v1)" and "Stores", docs/server.md). This file reads the
// options and runs the server; the parts are in cli/serve/ (server.h says
// what each does).
#include "serve/server.h"

namespace yilian::cli {
namespace cmd_serve {

using namespace serve;

struct ServeOptions {
  std::string db, deploy, listen = "127.0.0.1:8080", tls_cert, tls_key;
  std::vector<std::string> chains;
  int threads = 2;
  double rate = 50;
  bool no_engine = false;
  int write_timeout_ms = 30'000;
  // Limits against hostile clients (DESIGN.md: each configurable, each with a safe default).
  std::size_t max_body_kib = 1024;
  std::uint64_t max_file_mb = kDefaultMaxFileBytes / (1024 * 1024);  ///< uploads (material files): the route's and the engine's limit
  std::size_t max_header_kib = 16;
  std::size_t max_connections = 4096;
  int read_timeout_ms = 10'000;
  int idle_timeout_ms = 60'000;
};

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

void run_server(const ServeOptions& o) {
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
    Loaded<Deployment> d = load_deployment(o.deploy);
    print_diagnostics(d.diagnostics);
    if (!d.ok()) return set_exit_code(exit_invalid);
    deployment = std::move(d.value());
    options = deployment->engine;
    chain_files.insert(chain_files.end(), deployment->chains.begin(), deployment->chains.end());
  }
  for (const auto& dir : calendar_dirs("")) options.calendar_dirs.push_back(dir);
  options.clock = engine_clock();
  options.max_file_bytes = o.max_file_mb * 1024 * 1024;
  std::map<std::string, ValidChain> served;  // for checks and forms
  for (const std::string& file : chain_files) {
    Loaded<ValidChain> r = load_chain(file, chain_load_options());
    if (!r.ok()) {
      print_diagnostics(r.diagnostics);
      return set_exit_code(exit_invalid);
    }
    served.insert_or_assign(r.value()->id, std::move(r).value());
  }

  const sigset_t stop = block_stop_signals();

  // This process's engine, when it holds the store: the chains stored, the
  // adapters bound.
  auto activate = [&](Engine& engine) -> Status {
    for (const std::string& file : chain_files)
      if (auto loaded = engine.load_chain_file(file); !loaded) return loaded.status();
    if (deployment) return engine.deploy(*deployment);
    AdapterConfig manual;
    return engine.bind("*", manual);
  };
  std::unique_ptr<Engine> engine;
  Backend::Role role = Backend::Role::api_node;
  if (!o.no_engine) {
    EngineOptions first = options;
    if (is_postgres_uri(o.db)) first.lock_wait = std::chrono::milliseconds(0);
    auto opened = Engine::open(o.db, first);
    if (opened) {
      engine = std::move(*opened);
      role = Backend::Role::active;
      if (Status s = activate(*engine); !s) {
        engine->close();
        return report(s);
      }
    } else if (is_postgres_uri(o.db) && opened.status().code() == Status::Code::unavailable) {
      role = Backend::Role::standby;
    } else {
      return report(opened.status());
    }
  }
  Client::Options co;
  co.calendar_dirs = options.calendar_dirs;
  co.clock = options.clock;
  co.relay = true;
  co.wait = std::chrono::milliseconds(o.write_timeout_ms);
  auto relay = Client::open(o.db, co);
  if (!relay) return report(relay.status());
  if (!engine)  // the active engine (another process) needs the chains served here
    for (const std::string& file : chain_files)
      if (auto loaded = (*relay)->load_chain_file(file); !loaded) return report(loaded.status());
  RecordsOptions ro;
  ro.calendar_dirs = options.calendar_dirs;
  ro.clock = options.clock;
  auto records = Records::open(o.db, ro);
  if (!records) return report(records.status());
  auto accounts = Accounts::open(o.db);
  if (!accounts) return report(accounts.status());

  Backend backend(std::move(*relay), role);
  if (engine) backend.set_engine(engine.get());
  Api api{backend, **records, **accounts, http::RateLimiter(o.rate, o.rate * 2), std::move(served), read_openapi(),
          find_ui_dir(), o.db, !o.tls_cert.empty()};
  api.max_file_bytes = options.max_file_bytes;

  // On PostgreSQL an engine that is not active stands by, and an active one
  // that loses its store stands by again (DESIGN.md "Stores"); meanwhile
  // writes go to the active engine's inbox.
  std::mutex standby_mu;
  std::condition_variable standby_cv;
  bool stopping = false;
  auto say = [](const std::string& line) {
    std::printf("yilian serve: %s\n", line.c_str());
    std::fflush(stdout);
  };
  std::thread standby;
  if (!o.no_engine && is_postgres_uri(o.db))
    standby = std::thread([&] {
      auto pause = [&](std::chrono::milliseconds d) {
        std::unique_lock g(standby_mu);
        return !standby_cv.wait_for(g, d, [&] { return stopping; });
      };
      for (bool lost = false;; lost = true) {
        if (!engine) {
          bool stopped = false;
          engine = open_active(o.db, options, [&] { return pause(std::chrono::seconds(1)); }, say, stopped, lost);
          if (!engine) return;  // stopping, or an error (reported): this node goes on relaying
          if (Status s = activate(*engine); !s) {
            const Status health = engine->health();
            engine->close();
            engine.reset();
            if (!health) {  // lost its store while setting up: as below
              say(fmt::format("{}; standing by again", health.message()));
              continue;
            }
            report(s);
            return;
          }
          backend.set_engine(engine.get());
        }
        if (!pause(std::chrono::milliseconds(200))) return;
        if (Status health = engine->health(); !health) {
          backend.set_engine(nullptr);
          engine->close();
          engine.reset();
          say(fmt::format("{}; standing by again", health.message()));
        }
      }
    });

  Leases leases(api);
  api.leases = &leases;
  EventHub events(api.records, std::chrono::milliseconds(100), [&leases] { leases.serve_polls(); });
  api.events = &events;
  http::Router router;
  add_routes(api, router);
  http::Server server(so, std::move(router));
  Status started = server.start();
  if (started)
    say(fmt::format("{} on http{}://{}:{}, {} chains, engine {}", o.db, o.tls_cert.empty() ? "" : "s", so.address,
                    server.port(), api.chains.size(), backend.role()));
  int got = 0;
  if (started)
    while ((got = sigwaitinfo(&stop, nullptr)) < 0) {
    }
  events.stop();
  if (started) server.stop(std::chrono::seconds(5));
  {
    std::lock_guard g(standby_mu);
    stopping = true;
  }
  standby_cv.notify_all();
  if (standby.joinable()) standby.join();
  backend.set_engine(nullptr);
  if (engine) engine->close();
  if (!started) return report(started);
  say(fmt::format("stopped ({})", got == SIGINT ? "SIGINT" : "SIGTERM"));
}


}  // namespace cmd_serve

void add_serve(CLI::App& app) {
  using namespace cmd_serve;  // this command's options and helpers
  auto o = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand("serve", "Run the engine with the HTTP API v1 (accounts: yilian account)");
  cmd->footer(
      "Serves DESIGN.md's HTTP API on --listen until SIGINT/SIGTERM (in-flight requests are answered first).\n"
      "Callers authenticate with `Authorization: Bearer KEY` (yilian account add --api-key).\n"
      "On PostgreSQL one engine is active: a serve that finds another stands by (serving reads, handing\n"
      "writes to the active engine) and takes over within a second of its end; --no-engine never runs one.\n"
      "GET /api/v1/health says which: engine active, standby or none.\n"
      "Examples:\n"
      "  yilian serve --db cases.db --chain chains/kindergarten-setup.yaml --listen 127.0.0.1:8080\n"
      "  yilian serve --db cases.db --deploy examples/deploy/kindergarten.yaml\n"
      "  yilian serve --db postgresql://yilian@db.example:5432/cases --deploy deploy.yaml --listen 0.0.0.0:8080\n"
      "  yilian serve --db postgresql://yilian@db.example:5432/cases --no-engine --chain chains/kindergarten-setup.yaml");
  add_db_option(*cmd, o->db);
  cmd->add_option("--deploy", o->deploy, "Deployment file: chains, adapters per department, engine settings");
  cmd->add_option("--chain", o->chains, "A chain file to load and serve (repeat); departments get work queues")->type_name("FILE");
  cmd->add_option("--listen", o->listen, "ADDRESS:PORT (port 0: any free port, printed at start)")->capture_default_str();
  cmd->add_flag("--no-engine", o->no_engine,
                "An API node: read from the store, hand writes to the active engine (yilian run or serve) through its inbox");
  cmd->add_option("--write-timeout-ms", o->write_timeout_ms,
                  "A write handed to another process's engine that it does not take within this is withdrawn (503)")
      ->capture_default_str()->check(CLI::Range(100, 600'000));
  cmd->add_option("--threads", o->threads, "Server threads")->capture_default_str();
  cmd->add_option("--rate", o->rate, "Requests per second per account (twice that at once)")->capture_default_str();
  cmd->add_option("--max-body-kib", o->max_body_kib, "Largest request body (larger: 413)")->capture_default_str()->check(CLI::Range(1, 1024 * 1024));
  cmd->add_option("--max-file-mb", o->max_file_mb,
                  "Largest material file uploaded (POST /api/v1/cases/{id}/materials/{material}; larger: 413), in MiB; "
                  "JSON bodies keep --max-body-kib")
      ->capture_default_str()->check(CLI::Range(1, 1024));
  cmd->add_option("--max-header-kib", o->max_header_kib, "Largest request head (larger: 431)")->capture_default_str()->check(CLI::Range(1, 1024));
  cmd->add_option("--max-connections", o->max_connections, "Open connections at most (more: 503)")->capture_default_str()->check(CLI::Range(1, 1'000'000));
  cmd->add_option("--read-timeout-ms", o->read_timeout_ms, "A request must arrive whole within this (a slow client is cut off)")
      ->capture_default_str()->check(CLI::Range(100, 600'000));
  cmd->add_option("--idle-timeout-ms", o->idle_timeout_ms, "A kept-alive connection idle this long is closed")
      ->capture_default_str()->check(CLI::Range(100, 3'600'000));
  cmd->add_option("--tls-cert", o->tls_cert, "PEM certificate (HTTPS with --tls-key)");
  cmd->add_option("--tls-key", o->tls_key, "PEM private key");
  cmd->callback([o] { run_server(*o); });
}

}  // namespace yilian::cli
