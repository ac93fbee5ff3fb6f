// API nodes and standbys: `yilian serve --no-engine` reads from the store
// and hands writes to another process's engine through the inbox (on both
// backends); on PostgreSQL a `yilian serve` that finds another engine
// active stands by, relaying writes, takes over when it ends, and stands by
// again when its own session is cut. Everything goes over HTTP to real
// processes.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>

#include "engine_fixture.h"
#include "api_support.h"
#include "pg_fixture.h"
#include "run_support.h"
#include "yilian/material_file.h"

using namespace yilian;
using namespace yilian::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace api_node_test {

namespace {

struct Node {
  std::uint16_t port = 0;
  std::string key;
  HttpAnswer submit(const std::string& idempotency, bool meals = true, std::chrono::milliseconds timeout = 60s) const {
    return http_call(port, "POST", "/api/v1/cases",
                     {{"Authorization", "Bearer " + key}, {"Idempotency-Key", idempotency}}, application_body(meals), timeout);
  }
  std::string engine() const {
    const HttpAnswer h = http_call(port, "GET", "/api/v1/health");
    if (h.status != 200) return fmt::format("(health answered {})", h.status);
    return json::parse(h.body).value("engine", "");
  }
  /// Polls health until it says `state` or `timeout` passes.
  bool becomes(const std::string& state, std::chrono::milliseconds timeout) const {
    return eventually([&] { return engine() == state; }, timeout);
  }
};

/// The case a submission made (201), or found under its key again (200).
std::uint64_t case_of(const HttpAnswer& a, int status = 201) {
  REQUIRE_MESSAGE(a.status == status, a.status << " " << a.body);
  return json::parse(a.body).at("case").get<std::uint64_t>();
}

/// With no engine running, a write handed to the inbox is withdrawn after
/// the write timeout and never applied when an engine comes.
void api_node_contract(const std::string& db, const ScratchDir& dir) {
  const std::string answers = dir.file("answers.log"), output = dir.file("out.log");
  {
    std::ofstream deploy(dir.file("deploy.yaml"));
    deploy << deploy_text(kChain, answers);
  }
  Node node;
  node.key = window_key(db, dir.file("account.log"));
  const pid_t api = spawn({YILIAN_CLI, "serve", "--db", db, "--no-engine", "--chain", kChain, "--listen", "127.0.0.1:0",
                           "--write-timeout-ms", "1000"},
                          output);
  node.port = served_port(output);
  REQUIRE_MESSAGE(node.port > 0, read_file(output));
  CHECK(node.engine() == "none");

  // No engine anywhere: the write waits its timeout, is withdrawn, says so.
  const HttpAnswer lonely = node.submit("first");
  CHECK(lonely.status == 503);
  CHECK_MESSAGE(lonely.body.find("withdrawn and will not be applied") != std::string::npos, lonely.body);

  const std::vector<std::string> run{YILIAN_CLI, "run",   "--db",          db, "--deploy", dir.file("deploy.yaml"),
                                     "--quiet",  "--max-file-mb", "1"};
  const pid_t engine = spawn(run, output);
  const HttpAnswer a = node.submit("second");
  const std::uint64_t id = case_of(a);
  // The same key again: the same case (the engine keeps the keys).
  CHECK(case_of(node.submit("second"), 200) == id);
  // Reads come from the store: the case as the engine left it.
  const HttpAnswer seen = http_call(node.port, "GET", fmt::format("/api/v1/cases/{}", id), {{"Authorization", "Bearer " + node.key}});
  CHECK(seen.status == 200);
  CHECK(json::parse(seen.body).at("chain") == "kindergarten-setup");
  // A material file through the API node: an application without its floor
  // plan waits (incomplete) until the file of it comes; the inbox carries
  // the bytes (in base64 in the request's JSON) to the engine, the case
  // starts, and the node reads the file back from the store.
  const std::map<std::string, std::string> auth{{"Authorization", "Bearer " + node.key}};
  json without_plan = json::parse(application_body(true));
  json& materials = without_plan["materials"];
  materials.erase(std::remove(materials.begin(), materials.end(), json("floor-plan")), materials.end());
  auto submit_headers = auth;
  submit_headers["Idempotency-Key"] = "without-the-plan";
  const HttpAnswer waiting = http_call(node.port, "POST", "/api/v1/cases", submit_headers, without_plan.dump());
  const std::uint64_t planless = case_of(waiting);
  CHECK(json::parse(waiting.body).at("stage") == "incomplete");
  auto upload_headers = auth;
  upload_headers["Content-Type"] = "application/pdf";
  const std::string target = fmt::format("/api/v1/cases/{}/materials/floor-plan", planless);
  // The engine's refusal comes back through the inbox as a problem document.
  const HttpAnswer text = http_call(node.port, "POST", target, upload_headers, "plain text, not a PDF");
  CHECK(text.status == 400);
  CHECK_MESSAGE(text.body.find("not a PDF, JPEG or PNG") != std::string::npos, text.body);
  // The engine's own limit (yilian run --max-file-mb 1), not the node's (20 MiB), decides.
  const HttpAnswer large = http_call(node.port, "POST", target, upload_headers,
                                     "%PDF-1.4\n" + std::string(1024 * 1024, '\x02') + "\n%%EOF\n");
  CHECK(large.status == 400);
  CHECK_MESSAGE(large.body.find("files of at most 1048576 bytes are taken") != std::string::npos, large.body);
  const std::string pdf = "%PDF-1.4\n" + std::string(300 * 1024, '\x01') + "\n%%EOF\n";
  const HttpAnswer up = http_call(node.port, "POST", target + "?name=plan.pdf", upload_headers, pdf);
  REQUIRE_MESSAGE(up.status == 201, up.body);
  CHECK(json::parse(up.body).at("stage") == "running");
  CHECK(json::parse(up.body).at("file").at("sha256") == sha256_hex(pdf));
  CHECK(json::parse(up.body).at("file").at("bytes") == pdf.size());
  const HttpAnswer back = http_call(node.port, "GET", target, auth);
  CHECK(back.status == 200);
  CHECK_MESSAGE(back.body == pdf, back.body.size() << " bytes came back");

  ::kill(engine, SIGTERM);
  CHECK(wait_for(engine, 20s) == 0);
  ::kill(api, SIGTERM);
  CHECK(wait_for(api, 20s) == 0);
  run_until_done(run, output);
  // Two cases (the second started by its file): the withdrawn request was never applied.
  check_every_case_finished_once(db, client_options(), 2, answers, 0);
}

}  // namespace

TEST_CASE("serve.api_node.hands_writes_to_the_engine_of_another_process.sqlite") {
  ScratchDir dir("api-node");
  api_node_contract(dir.file("cases.db"), dir);
}

TEST_CASE("serve.api_node.hands_writes_to_the_engine_of_another_process.postgresql") {
  ScratchDir dir("api-node-pg");
  api_node_contract(pg_database("api_node"), dir);
}

TEST_CASE("engine.postgresql.a_serve_stands_by_takes_over_and_stands_by_again_when_its_session_is_cut") {
  const std::string db = pg_database("serve_standby");
  ScratchDir dir("serve-standby");
  const std::string answers = dir.file("answers.log");
  {
    std::ofstream deploy(dir.file("deploy.yaml"));
    deploy << deploy_text(kChain, answers);
  }
  const std::string key = window_key(db, dir.file("account.log"));
  auto serve = [&](const std::string& output) {
    return spawn({YILIAN_CLI, "serve", "--db", db, "--deploy", dir.file("deploy.yaml"), "--listen", "127.0.0.1:0"}, output);
  };
  const pid_t first = serve(dir.file("first.log"));
  Node a{served_port(dir.file("first.log")), key};
  REQUIRE_MESSAGE(a.port > 0, read_file(dir.file("first.log")));
  CHECK(a.engine() == "active");
  const pid_t second = serve(dir.file("second.log"));
  Node b{served_port(dir.file("second.log")), key};
  REQUIRE_MESSAGE(b.port > 0, read_file(dir.file("second.log")));
  CHECK(b.engine() == "standby");
  int cases = 0;

  // The standby hands its writes to the active engine.
  case_of(b.submit("through-the-standby"));
  ++cases;

  // The active one dies: the standby takes over within 5 s.
  kill_hard(first);
  CHECK_MESSAGE(b.becomes("active", 5s), read_file(dir.file("second.log")));
  case_of(b.submit("after-the-takeover"));
  ++cases;

  // Its session is cut: it says so, stands by again, and (no other engine
  // being there) takes the store back.
  cut_the_active_session(db);
  CHECK(eventually(
      [&] {
        const std::string out = read_file(dir.file("second.log"));
        return out.find("lost its store") != std::string::npos && out.find("standing by again") != std::string::npos;
      },
      10s));
  CHECK_MESSAGE(b.becomes("active", 10s), read_file(dir.file("second.log")));
  CHECK(read_file(dir.file("second.log")).find("taking over") != std::string::npos);
  case_of(b.submit("after-the-cut"));
  ++cases;

  ::kill(second, SIGTERM);
  CHECK(wait_for(second, 20s) == 0);
  run_until_done({YILIAN_CLI, "run", "--db", db, "--deploy", dir.file("deploy.yaml"), "--quiet"}, dir.file("run.log"));
  check_every_case_finished_once(db, client_options(), cases, answers, 0);
}

}  // namespace api_node_test
