// `yilian serve`: the engine and the HTTP API v1 in one process
// (DESIGN.md "The HTTP API (v1)", docs/server.md). This file reads the
// options and runs the server; the parts are in cli/serve/ (server.h says
// what each does).
#include "serve/server.h"

namespace yilian::cli {
namespace {

using namespace serve;

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
    DeploymentLoad d = load_deployment(o.deploy);
    print_diagnostics(d.diagnostics);
    if (!d.deployment) return set_exit_code(exit_invalid);
    deployment = std::move(*d.deployment);
    options = deployment->engine;
    chain_files.insert(chain_files.end(), deployment->chains.begin(), deployment->chains.end());
  }
  for (const auto& dir : calendar_dirs("")) options.calendar_dirs.push_back(dir);
  options.clock = engine_clock();

  const sigset_t stop = block_stop_signals();

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
    LoadResult r = load_chain(file, chain_load_options());
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
  cmd->callback([o] { run_server(*o); });
}

}  // namespace yilian::cli
