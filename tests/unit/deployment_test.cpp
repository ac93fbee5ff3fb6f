// Deployment files: what they bind and set, and located errors for every
// mistake an operator makes.
#include <doctest/doctest.h>

#include "engine_fixture.h"
#include "yilian/deployment.h"

using namespace yilian;
using namespace yilian::test;

namespace deployment_test {

namespace {

Loaded<Deployment> parse(const std::string& text) { return parse_deployment_text(text, "deploy.yaml", "/srv/yilian"); }

/// The diagnostics as "line:column code path" lines, for compact checks.
std::vector<std::string> problems(const Loaded<Deployment>& r) {
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics)
    if (d.severity == Severity::error)
      out.push_back(std::to_string(d.where.line) + ":" + std::to_string(d.where.column) + " " + d.code + " " + d.path);
  return out;
}

}  // namespace

TEST_CASE("deployment.a_full_file") {
  auto r = parse(R"(chains: []
engine:
  threads: 3
  durability: power-loss
  adapter_timeout_ms: 15000
  auto_deliver: express
  group_commit_window_us: 500
  group_commit_max: 256
  state_cache: 100
  inbox_poll_ms: 50
  calendars: [calendars, /etc/yilian/calendars]
  retry: { attempts: 4, first_delay_ms: 250, multiplier: 3, max_delay_ms: 9000, jitter: 0.1 }
departments:
  education: { adapter: manual }
  health:
    adapter: command
    command: [./bin/health-system, --batch]
    timeout_ms: 5000
    concurrency: 2
  market:
    adapter: http
    url: "http://10.0.0.7:8080/tasks"
    headers: { Authorization: "Bearer abc" }
    connect_timeout_ms: 1000
    io_timeout_ms: 20000
    retry: { attempts: 8 }
  "*": { adapter: manual }
)");
  for (const auto& d : r.diagnostics) MESSAGE(d.to_string());
  REQUIRE(r.ok());
  const Deployment& d = r.value();
  CHECK(d.engine.threads == 3);
  CHECK(d.engine.durability == Durability::power_loss);
  CHECK(d.engine.adapter_timeout == std::chrono::milliseconds(15000));
  CHECK(d.engine.auto_deliver == DeliveryMethod::express);
  CHECK(d.engine.group_commit_window == std::chrono::microseconds(500));
  CHECK(d.engine.group_commit_max == 256);
  CHECK(d.engine.state_cache == 100);
  CHECK(d.engine.inbox_poll == std::chrono::milliseconds(50));
  CHECK(d.engine.calendar_dirs == std::vector<std::string>{"/srv/yilian/calendars", "/etc/yilian/calendars"});
  CHECK(d.engine.retry.attempts == 4);
  CHECK(d.engine.retry.multiplier == 3);
  REQUIRE(d.departments.size() == 4);
  CHECK(d.departments.at("education").kind == AdapterConfig::Kind::manual);
  const AdapterConfig& health = d.departments.at("health");
  CHECK(health.kind == AdapterConfig::Kind::command);
  CHECK(health.command == std::vector<std::string>{"/srv/yilian/bin/health-system", "--batch"});
  CHECK(health.options.timeout == std::chrono::milliseconds(5000));
  CHECK(health.concurrency == 2);
  CHECK_FALSE(health.options.retry.has_value());
  const AdapterConfig& market = d.departments.at("market");
  CHECK(market.url == "http://10.0.0.7:8080/tasks");
  CHECK(market.headers.at("Authorization") == "Bearer abc");
  CHECK(market.io_timeout == std::chrono::milliseconds(20000));
  REQUIRE(market.options.retry.has_value());
  CHECK(market.options.retry->attempts == 8);
  CHECK(market.options.retry->first_delay == std::chrono::milliseconds(250));  // the rest from engine.retry
  CHECK(market.where.line == 21);
  CHECK(d.departments.count("*") == 1);
}

TEST_CASE("deployment.every_mistake_is_located") {
  auto r = parse(R"(chains: [no/such/chain.yaml]
engine:
  threads: 0
  durability: sometimes
  auto_deliver: drone
  retry: { attempts: 0, jitter: 2 }
  treads: 2
departments:
  education: { adapter: manul }
  health: { adapter: command }
  market: { adapter: http, url: "https://x.example/" }
  police: { adapter: manual, url: "http://x/" }
  Tax: { adapter: manual }
  civil: { adpter: manual }
)");
  CHECK_FALSE(r.ok());
  const auto p = problems(r);
  for (const auto& x : p) MESSAGE(x);
  auto has = [&](const std::string& s) { return std::find(p.begin(), p.end(), s) != p.end(); };
  CHECK(has("1:10 not-found chains[0]"));
  CHECK(has("3:12 range engine.threads"));
  CHECK(has("4:15 enum engine.durability"));
  CHECK(has("5:17 enum engine.auto_deliver"));
  CHECK(has("6:22 range engine.retry.attempts"));
  CHECK(has("6:33 range engine.retry.jitter"));
  CHECK(has("7:3 unknown-key engine.treads"));
  CHECK(has("9:25 enum departments.education.adapter"));
  CHECK(has("10:11 missing-key departments.health"));
  CHECK(has("11:33 url departments.market.url"));
  CHECK(has("12:35 misplaced-key departments.police.url"));
  CHECK((has("13:3 identifier departments[Tax]") || has("13:3 identifier departments.Tax")));
  CHECK(has("14:12 unknown-key departments.civil.adpter"));
  // Hints name the likely intent.
  bool manual_hint = false, threads_hint = false;
  for (const auto& d : r.diagnostics) {
    if (d.path == "departments.education.adapter" && d.hint.find("manual") != std::string::npos) manual_hint = true;
    if (d.path == "engine.treads" && d.hint.find("threads") != std::string::npos) threads_hint = true;
  }
  CHECK(manual_hint);
  CHECK(threads_hint);
}

TEST_CASE("deployment.shape_errors_and_limits") {
  CHECK(problems(parse("")).size() == 1);
  CHECK(problems(parse("departments: []")).front().find("type departments") != std::string::npos);
  CHECK(problems(parse("departments: {}")).front().find("empty departments") != std::string::npos);
  CHECK(problems(parse("departments: {x: {adapter: command, command: []}}")).front().find("empty") != std::string::npos);
  CHECK_FALSE(parse("departments: {x: {adapter: manual}}\n  bad: [").has_value());
  auto missing = load_deployment("/no/such/deploy.yaml");
  REQUIRE(missing.diagnostics.has_errors());
  CHECK(missing.diagnostics.items().front().code == "io");
  // A billion laughs is refused by the reader's limits, not expanded.
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'k'; ++c)
    bomb += std::string(1, c) + ": &" + c + " [*" + static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) + ", *" +
            static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) + ", *" +
            static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) + "]\n";
  bomb += "departments: {x: {adapter: manual}}\n";
  CHECK_FALSE(parse(bomb).has_value());
}

TEST_CASE("deployment.binds_an_engine") {
  ScratchDir dir("deploy-bind");
  TestClock clock;
  {
    std::ofstream f(dir.file("deploy.yaml"));
    f << "chains: [" << YILIAN_SOURCE_DIR << "/chains/kindergarten-setup.yaml]\n"
      << "departments:\n  \"*\": { adapter: manual }\n  health: { adapter: command, command: [/bin/true] }\n";
  }
  auto d = load_deployment(dir.file("deploy.yaml"));
  REQUIRE(d.ok());
  EngineOptions o = d->engine;
  o.clock = clock.fn();
  o.calendar_dirs.push_back(std::string(YILIAN_SOURCE_DIR) + "/chains/calendars");
  auto e = open_engine(dir.file("cases.db"), o);
  REQUIRE(e->deploy(d.value()).is_ok());
  REQUIRE(e->chains().size() == 1);
  CHECK(e->chains().front().id == "kindergarten-setup");
  CHECK(e->chains().front().name == "幼儿园设立");
  AdapterConfig bad;
  bad.kind = AdapterConfig::Kind::command;
  CHECK(e->bind("health", bad).code() == Status::Code::invalid_input);
  CHECK(e->register_adapter("x", nullptr).code() == Status::Code::invalid_input);
}

}  // namespace deployment_test
