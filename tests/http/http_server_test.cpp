// The HTTP layer against toy routes, in-process on 127.0.0.1 with an
// ephemeral port, driven by raw Asio/Beast client sockets on loopback:
// routing, decoding, answers, keep-alive, asynchronous answers, event
// streams, graceful stop, idle streams at scale and TLS (the limits against
// hostile clients: http_limits_test.cpp). Every client wait has a limit, so
// a broken server fails a test instead of hanging it.
#include "http_support.h"

namespace http_server_test {
using namespace http_test;

TEST_CASE("http.router.params_and_precedence") {
  Fixture f;
  Client c(f.server.port());
  c.send(post("/api/v1/tasks/c%2F1/m-2/claim", "{}"));
  auto r = c.read();
  REQUIRE(r);
  CHECK(r->result_int() == 200);
  CHECK(r->keep_alive());
  auto doc = body_json(*r);
  CHECK(doc["case"] == "c/1");  // %2F decoded inside one segment, not a separator
  CHECK(doc["matter"] == "m-2");
  CHECK(doc["body"] == "{}");

  c.send(post("/api/v1/tasks/special/x/claim", ""));
  r = c.read();
  REQUIRE(r);
  CHECK(body_json(*r)["special"] == "x");  // literal segment wins over {case}

  c.send(post("/api/v1/tasks/a/%zz/claim", ""));
  r = c.read();
  REQUIRE(r);
  check_problem(*r, 400);
}

TEST_CASE("http.router.404_and_405") {
  Fixture f;
  Client c(f.server.port());
  c.send(get("/api/v1/nothing-here"));
  auto r = c.read();
  REQUIRE(r);
  check_problem(*r, 404);

  c.send(get("/api/v1/tasks/a/b/claim"));
  r = c.read();
  REQUIRE(r);
  check_problem(*r, 405);
  CHECK((*r)[bhttp::field::allow] == "DELETE, POST");

  c.send(get("/api/v1/tasks/a/b/claim/extra"));
  r = c.read();
  REQUIRE(r);
  CHECK(r->result_int() == 404);
}

TEST_CASE("http.request.query_headers_peer") {
  Fixture f;
  Client c(f.server.port());
  c.send(get("/echo?a=1&b=hello+world&c=%E4%B8%80%E9%93%BE&a=2&flag", "X-Test: yes\r\n"));
  auto r = c.read();
  REQUIRE(r);
  CHECK(r->result_int() == 200);
  CHECK((*r)[bhttp::field::content_type] == "application/json");
  auto doc = body_json(*r);
  CHECK(doc["path"] == "/echo");
  CHECK(doc["query"] == Json::parse(R"([["a","1"],["b","hello world"],["c","一链"],["a","2"],["flag",""]])"));
  CHECK(doc["x_test"] == "yes");  // case-insensitive lookup
  CHECK(doc["peer"].get<std::string>().rfind("127.0.0.1:", 0) == 0);

  c.send(get("/echo?x=%4"));
  r = c.read();
  REQUIRE(r);
  check_problem(*r, 400);
}

TEST_CASE("http.response.json_and_problem") {
  Fixture f;
  Client c(f.server.port());
  c.send(get("/problem"));
  auto r = c.read();
  REQUIRE(r);
  check_problem(*r, 422);
  auto doc = body_json(*r);
  CHECK(doc["type"] == "about:blank");
  CHECK(doc["title"] == "Invalid application");
  CHECK(doc["errors"][0]["path"] == "applicant.name");

  auto p = Response::problem(400, "t", "d", Json::object());
  CHECK(Json::parse(p.body)["errors"] == Json::array());
  auto j = Response::json(201, {{"a", 1}});
  CHECK(j.status == 201);
  CHECK(j.headers.get("content-type") == "application/json");
}

TEST_CASE("http.keep_alive.two_requests_one_connection") {
  Fixture f;
  Client c(f.server.port());
  c.send(get("/echo?n=1"));
  auto first = c.read();
  c.send(get("/echo?n=2"));
  auto second = c.read();
  REQUIRE(first);
  REQUIRE(second);
  CHECK(body_json(*first)["query"][0][1] == "1");
  CHECK(body_json(*second)["query"][0][1] == "2");
  CHECK(f.server.connections() == 1);

  // Two requests sent at once (pipelined) are answered in order.
  c.send(get("/echo?n=3") + get("/echo?n=4"));
  auto third = c.read();
  auto fourth = c.read();
  REQUIRE(third);
  REQUIRE(fourth);
  CHECK(body_json(*third)["query"][0][1] == "3");
  CHECK(body_json(*fourth)["query"][0][1] == "4");

  // Connection: close is honoured.
  c.send(get("/echo", "Connection: close\r\n"));
  auto last = c.read();
  REQUIRE(last);
  CHECK_FALSE(last->keep_alive());
  CHECK(c.closed_within(2000ms));
}

TEST_CASE("http.async.responder_from_another_thread") {
  Fixture f;
  Client c(f.server.port());
  auto start = Clock::now();
  c.send(get("/async"));
  auto r = c.read();
  REQUIRE(r);
  CHECK(r->result_int() == 202);
  CHECK(body_json(*r)["from"] == "another thread");
  CHECK(Clock::now() - start >= 90ms);

  // A handler that drops its responder, and one that throws: 500, and the
  // connection still serves.
  c.send(get("/forget"));
  r = c.read();
  REQUIRE(r);
  check_problem(*r, 500);
  fails_then_serves(c, "/throw", "toy failure");
}

TEST_CASE("http.async.work_posted_to_the_connection_runs_on_its_thread") {
  Fixture f;  // two server threads: each connection stays on one
  for (int i = 0; i < 4; ++i) {
    Client c(f.server.port());
    c.send(get("/posted"));
    auto r = c.read();
    REQUIRE(r);
    CHECK(r->result_int() == 200);
    CHECK(body_json(*r)["on_handler_thread"] == true);
  }
  // Posted work that throws: 500 with its message, and the connection serves on.
  Client c(f.server.port());
  fails_then_serves(c, "/posted-throw", "posted failure");
}

TEST_CASE("http.async.send_after_client_left_is_harmless") {
  Fixture f;
  {
    Client c(f.server.port());
    c.send(get("/park"));
    for (int i = 0; i < 200 && f.toy.parked_count() == 0; ++i) std::this_thread::sleep_for(5ms);
    REQUIRE(f.toy.parked_count() == 1);
    c.close();
  }
  std::this_thread::sleep_for(50ms);
  std::lock_guard g(f.toy.mu);
  CHECK(f.toy.parked[0].send(Response::json(200, {})));  // accepted, dropped quietly
  CHECK_FALSE(f.toy.parked[0].pending());
}

TEST_CASE("http.sse.three_events_then_client_disconnect") {
  Fixture f;
  auto closed = f.toy.stream_closed.get_future();
  Client c(f.server.port());
  c.send(get("/events", "Accept: text/event-stream\r\n"));
  auto text = c.read_until("data: line two\n", 3, 3000ms);
  CHECK(text.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(text.find("Content-Type: text/event-stream\r\n") != std::string::npos);
  CHECK(text.find("Transfer-Encoding: chunked\r\n") != std::string::npos);
  for (int i = 1; i <= 3; ++i)
    CHECK(text.find(fmt::format("id: {}\nevent: entry\ndata: {{\"n\":{}}}\ndata: line two\n\n", i, i)) !=
          std::string::npos);
  CHECK(closed.wait_for(0ms) == std::future_status::timeout);  // still open
  c.close();
  CHECK(closed.wait_for(2000ms) == std::future_status::ready);
  for (int i = 0; i < 100 && f.server.connections() > 0; ++i) std::this_thread::sleep_for(10ms);
  CHECK(f.server.connections() == 0);
}

TEST_CASE("http.stop.graceful_answers_in_flight") {
  Fixture f;
  Client idle(f.server.port());
  idle.send(get("/echo"));
  REQUIRE(idle.read());
  Client busy(f.server.port());
  busy.send(get("/park"));
  for (int i = 0; i < 200 && f.toy.parked_count() == 0; ++i) std::this_thread::sleep_for(5ms);
  REQUIRE(f.toy.parked_count() == 1);

  auto start = Clock::now();
  std::thread stopper([&] { f.server.stop(3000ms); });
  // The idle keep-alive connection is closed at once, the busy one waits.
  CHECK(idle.closed_within(1000ms));
  std::this_thread::sleep_for(300ms);
  {
    std::lock_guard g(f.toy.mu);
    CHECK(f.toy.parked[0].send(Response::json(200, {{"late", true}})));
  }
  auto r = busy.read(2000ms);
  stopper.join();
  auto elapsed = Clock::now() - start;
  REQUIRE(r);
  CHECK(r->result_int() == 200);
  CHECK(body_json(*r)["late"] == true);
  CHECK_FALSE(r->keep_alive());
  CHECK(elapsed < 2000ms);
  CHECK(f.server.connections() == 0);
  // No longer listening.
  beast::error_code ec;
  asio::io_context io;
  tcp::socket s(io);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), f.server.port()), ec);
  CHECK(ec);
}

TEST_CASE("http.stop.deadline_closes_what_does_not_answer") {
  Fixture f;
  Client busy(f.server.port());
  busy.send(get("/park"));
  for (int i = 0; i < 200 && f.toy.parked_count() == 0; ++i) std::this_thread::sleep_for(5ms);
  auto start = Clock::now();
  f.server.stop(300ms);
  auto elapsed = Clock::now() - start;
  CHECK(elapsed >= 250ms);
  CHECK(elapsed < 1500ms);
  CHECK(busy.closed_within(1000ms));
  std::lock_guard g(f.toy.mu);
  CHECK(f.toy.parked.at(0).send(Response::json(200, {})));  // harmless after stop
}

TEST_CASE("http.server.port_in_use_is_an_error") {
  Fixture f;
  ServerOptions o;
  o.port = f.server.port();
  Server second(o, Router{});
  auto status = second.start();
  CHECK_FALSE(status.is_ok());
  CHECK(status.message().find("cannot listen on 127.0.0.1:") != std::string::npos);
  ServerOptions bad;
  bad.address = "not-an-address";
  Server third(bad, Router{});
  CHECK_FALSE(third.start().is_ok());
}

TEST_CASE("http.router.bad_patterns_throw") {
  Router r;
  CHECK_THROWS_AS(r.get("no-slash", yilian::http::sync([](const Request&) { return Response{}; })), std::invalid_argument);
  CHECK_THROWS_AS(r.get("/a/x{y}", yilian::http::sync([](const Request&) { return Response{}; })), std::invalid_argument);
  r.get("/a/{b}", yilian::http::sync([](const Request&) { return Response{}; }));
  CHECK_THROWS_AS(r.get("/a/{b}", yilian::http::sync([](const Request&) { return Response{}; })), std::invalid_argument);
  auto m = r.match("GET", "/a/%E4%B8%80");
  REQUIRE(m.handler);
  CHECK(m.params.at(0) == std::pair<std::string, std::string>{"b", "一"});
  CHECK(r.match("POST", "/a/1").status == 405);
  CHECK(r.match("GET", "/a").status == 404);
}

namespace {
std::size_t thread_count() {
  std::size_t n = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}
}  // namespace

TEST_CASE("http.scale.idle_streams_and_long_polls_on_two_threads") {
  ServerOptions o;
  o.threads = 2;
  Fixture f(o);
  auto threads_before = thread_count();
  asio::io_context io;
  std::vector<tcp::socket> sockets;
  const tcp::endpoint at(asio::ip::make_address("127.0.0.1"), f.server.port());
  const std::string poll = get("/park"), listen = get("/quiet");
  for (int i = 0; i < 1500; ++i) {
    sockets.emplace_back(io);
    sockets.back().connect(at);
    const auto& text = i < 1000 ? poll : listen;
    asio::write(sockets.back(), asio::buffer(text));
  }
  for (int i = 0; i < 500 && (f.toy.parked_count() < 1000 || f.toy.quiet_count() < 500); ++i)
    std::this_thread::sleep_for(10ms);
  CHECK(f.toy.parked_count() == 1000);
  CHECK(f.toy.quiet_count() == 500);
  CHECK(f.server.connections() == 1500);
  CHECK(thread_count() == threads_before);  // no thread per connection

  // Every long-poll answered from this thread, every stream gets an event.
  {
    std::lock_guard g(f.toy.mu);
    for (auto& r : f.toy.parked) CHECK(r.send(Response::json(200, {{"polled", true}})));
    for (auto& s : f.toy.quiet) CHECK(s->write_event("9", "", "ping"));
  }
  std::vector<std::array<char, 512>> chunks(sockets.size());
  std::atomic<int> answered{0}, pinged{0};
  for (std::size_t i = 0; i < sockets.size(); ++i) {
    auto want = i < 1000 ? std::string("\"polled\":true") : std::string("data: ping");
    auto seen = std::make_shared<std::string>();
    auto step = std::make_shared<std::function<void()>>();
    *step = [&, i, want, seen, step] {
      sockets[i].async_read_some(asio::buffer(chunks[i]), [&, i, want, seen, step](beast::error_code ec, std::size_t n) {
        seen->append(chunks[i].data(), n);
        if (seen->find(want) != std::string::npos) {
          ++(i < 1000 ? answered : pinged);
          *step = nullptr;  // break the cycle
          return;
        }
        if (ec) { *step = nullptr; return; }
        (*step)();
      });
    };
    (*step)();
  }
  io.run_for(5000ms);
  CHECK(answered == 1000);
  CHECK(pinged == 500);
  auto start = Clock::now();
  f.server.stop(2000ms);  // streams end at once, the answered polls have closed or idle
  CHECK(Clock::now() - start < 1500ms);
  CHECK(f.server.connections() == 0);
  std::lock_guard g(f.toy.mu);
  for (auto& s : f.toy.quiet) CHECK(s->closed());
}

#if YILIAN_HTTP_TLS
TEST_CASE("http.tls.self_signed_round_trip") {
  auto dir = std::filesystem::temp_directory_path() / fmt::format("yilian-http-tls-{}", ::getpid());
  std::filesystem::create_directories(dir);
  auto cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  auto cmd = fmt::format(
      "openssl req -x509 -newkey rsa:2048 -nodes -keyout '{}' -out '{}' -days 1 -subj /CN=127.0.0.1 >/dev/null 2>&1",
      key, cert);
  if (std::system(cmd.c_str()) != 0) {
    MESSAGE("openssl is not available; TLS test skipped");
    return;
  }
  ServerOptions o;
  o.tls_cert_file = cert;
  o.tls_key_file = key;
  Fixture f(o);

  asio::io_context io;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.set_verify_mode(asio::ssl::verify_none);
  beast::ssl_stream<tcp::socket> tls(io, ctx);
  tls.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), f.server.port()));
  tls.handshake(asio::ssl::stream_base::client);
  for (int i = 1; i <= 2; ++i) {  // keep-alive over TLS
    auto text = get(fmt::format("/echo?n={}", i));
    asio::write(tls, asio::buffer(text));
    beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> r;
    bhttp::read(tls, buffer, r);
    CHECK(r.result_int() == 200);
    CHECK(body_json(r)["query"][0][1] == std::to_string(i));
  }
  // A plain-HTTP client on the TLS port gets no answer and is closed.
  Client plain(f.server.port());
  plain.try_send(get("/echo"));
  CHECK(plain.closed_within(2000ms));

  ServerOptions missing = o;
  missing.port = 0;
  missing.tls_key_file = (dir / "nope.pem").string();
  Server broken(missing, Router{});
  auto status = broken.start();
  CHECK_FALSE(status.is_ok());
  CHECK(status.message().find("TLS key") != std::string::npos);
  std::filesystem::remove_all(dir);
}
#endif

}  // namespace http_server_test
