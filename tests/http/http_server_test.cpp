// The HTTP layer against toy routes, in-process on 127.0.0.1 with an
// ephemeral port, driven by raw Asio/Beast client sockets on loopback:
// routing, decoding, answers, keep-alive, asynchronous answers, event
// streams, every limit against hostile clients, and graceful stop. Every
// client wait has a limit, so a broken server fails a test instead of
// hanging it.
#include <doctest/doctest.h>

#include "http.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <fmt/format.h>

#if YILIAN_HTTP_TLS
#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#endif

#include <atomic>
#include <filesystem>
#include <future>
#include <thread>

#include <unistd.h>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using yilian::http::Request;
using yilian::http::Responder;
using yilian::http::Response;
using yilian::http::Router;
using yilian::http::Server;
using yilian::http::ServerOptions;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

/// One client connection with its own io_context; every read has a timeout.
class Client {
 public:
  explicit Client(std::uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  void send(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes.data(), bytes.size())); }
  /// Sends without throwing; false once the server closed the connection.
  bool try_send(std::string_view bytes) {
    beast::error_code ec;
    asio::write(socket_, asio::buffer(bytes.data(), bytes.size()), ec);
    return !ec;
  }

  /// One response, or nullopt on end of stream, error or timeout.
  std::optional<bhttp::response<bhttp::string_body>> read(std::chrono::milliseconds timeout = 3000ms) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(16 * 1024 * 1024);
    beast::error_code ec;
    bool done = false;
    bhttp::async_read(socket_, buffer_, parser, [&](beast::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    if (!run(done, timeout) || ec) return std::nullopt;
    return parser.release();
  }

  /// Reads raw bytes until `needle` has been seen `count` times, the end of
  /// the stream or the timeout; returns everything read.
  std::string read_until(std::string_view needle, int count, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (occurrences(raw_, needle) < count && !eof_ && Clock::now() < deadline) read_some(deadline);
    return raw_;
  }

  /// True when the server closes the connection within `timeout`.
  bool closed_within(std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (!eof_ && Clock::now() < deadline) read_some(deadline);
    return eof_;
  }

  void close() {
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }

 private:
  static int occurrences(std::string_view hay, std::string_view needle) {
    int n = 0;
    for (auto p = hay.find(needle); p != std::string_view::npos; p = hay.find(needle, p + needle.size())) ++n;
    return n;
  }

  void read_some(Clock::time_point deadline) {
    // Bytes the response parser buffered come first.
    if (buffer_.size() > 0) {
      raw_ += beast::buffers_to_string(buffer_.data());
      buffer_.consume(buffer_.size());
      return;
    }
    std::array<char, 4096> chunk{};
    beast::error_code ec;
    std::size_t got = 0;
    bool done = false;
    socket_.async_read_some(asio::buffer(chunk), [&](beast::error_code e, std::size_t n) {
      ec = e;
      got = n;
      done = true;
    });
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (!run(done, std::max(left, 1ms))) return;
    raw_.append(chunk.data(), got);
    if (ec) eof_ = true;
  }

  /// Runs the io_context until `done` or the timeout (then cancels).
  bool run(bool& done, std::chrono::milliseconds timeout) {
    io_.restart();
    io_.run_for(timeout);
    if (done) return true;
    beast::error_code ignored;
    socket_.cancel(ignored);
    io_.restart();
    io_.run();
    return false;
  }

  asio::io_context io_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
  std::string raw_;
  bool eof_ = false;
};

std::string get(std::string_view target, std::string_view extra = "") {
  return fmt::format("GET {} HTTP/1.1\r\nHost: test\r\n{}\r\n", target, extra);
}
std::string post(std::string_view target, std::string_view body, std::string_view extra = "") {
  return fmt::format("POST {} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{}\r\n{}",
                     target, body.size(), extra, body);
}

Json body_json(const bhttp::response<bhttp::string_body>& r) { return Json::parse(r.body()); }

/// A problem document with `status`, as RFC 9457 and DESIGN.md say.
void check_problem(const bhttp::response<bhttp::string_body>& r, int status) {
  CHECK(r.result_int() == static_cast<unsigned>(status));
  CHECK(r[bhttp::field::content_type] == "application/problem+json");
  auto doc = body_json(r);
  CHECK(doc["status"] == status);
  CHECK(doc["type"].is_string());
  CHECK(doc["title"].is_string());
  CHECK(doc["detail"].is_string());
  CHECK(doc["errors"].is_array());
}

/// What the toy handlers share with the tests.
struct Toy {
  std::atomic<int> uploads{0};
  std::mutex mu;
  std::vector<Responder> parked;  ///< /park: answered by the test
  std::vector<std::shared_ptr<yilian::http::EventStream>> quiet;  ///< /quiet: idle streams
  std::promise<void> stream_closed;
  std::atomic<bool> stream_close_seen{false};
  yilian::http::RateLimiter limiter{1.0, 2.0};
  std::vector<std::thread> threads;
  ~Toy() {
    for (auto& t : threads) t.join();
  }
  std::size_t parked_count() {
    std::lock_guard g(mu);
    return parked.size();
  }
  std::size_t quiet_count() {
    std::lock_guard g(mu);
    return quiet.size();
  }
};

Router toy_router(Toy& toy) {
  using yilian::http::sync;
  Router r;
  r.post("/api/v1/tasks/{case}/{matter}/claim", sync([](const Request& q) {
    return Response::json(200, {{"case", q.param("case")}, {"matter", q.param("matter")}, {"body", q.body}});
  }));
  r.post("/api/v1/tasks/special/{matter}/claim",
         sync([](const Request& q) { return Response::json(200, {{"special", q.param("matter")}}); }));
  r.del("/api/v1/tasks/{case}/{matter}/claim", sync([](const Request&) { return Response::json(200, {}); }));
  r.get("/echo", sync([](const Request& q) {
    Json query = Json::array();
    for (const auto& [k, v] : q.query) query.push_back({k, v});
    return Response::json(200, {{"method", q.method},
                                {"path", q.path},
                                {"query", query},
                                {"x_test", std::string(q.header("x-TEST").value_or("-"))},
                                {"peer", q.peer}});
  }));
  r.get("/problem", sync([](const Request&) {
    return Response::problem(422, "Invalid application", "Two fields are wrong.",
                             Json::array({{{"path", "applicant.name"}, {"message", "required"}}}));
  }));
  r.post("/upload", sync([&toy](const Request& q) {
    ++toy.uploads;
    return Response::json(200, {{"bytes", q.body.size()}});
  }));
  r.post("/big-upload", sync([&toy](const Request& q) {
    ++toy.uploads;
    return Response::json(200, {{"bytes", q.body.size()}});
  }), {.max_body_bytes = 5000});
  yilian::http::RouteOptions admitted{.max_body_bytes = 5000};
  admitted.admit = [](const yilian::http::Headers& h) { return h.get("x-key") == std::optional<std::string_view>("ok"); };
  r.post("/admitted-upload", sync([](const Request& q) { return Response::json(200, {{"bytes", q.body.size()}}); }),
         std::move(admitted));
  r.get("/async", [&toy](Request, Responder responder) {
    std::lock_guard g(toy.mu);
    toy.threads.emplace_back([responder] {
      std::this_thread::sleep_for(100ms);
      CHECK(responder.send(Response::json(202, {{"from", "another thread"}})));
      CHECK_FALSE(responder.send(Response::json(200, {})));  // exactly one answer
    });
  });
  r.get("/park", [&toy](Request, Responder responder) {
    std::lock_guard g(toy.mu);
    toy.parked.push_back(std::move(responder));
  });
  r.get("/quiet", [&toy](Request, Responder responder) {
    auto stream = responder.stream();
    std::lock_guard g(toy.mu);
    toy.quiet.push_back(std::move(stream));
  });
  // An answer that arrives on another thread and is built on the
  // connection's own (Responder::post), as `yilian serve` builds a
  // submission's: it must run on the thread that ran the handler.
  r.get("/posted", [&toy](Request, Responder responder) {
    const auto handler_thread = std::this_thread::get_id();
    std::lock_guard g(toy.mu);
    toy.threads.emplace_back([responder, handler_thread] {
      std::this_thread::sleep_for(20ms);
      responder.post([responder, handler_thread] {
        responder.send(Response::json(200, {{"on_handler_thread", std::this_thread::get_id() == handler_thread}}));
      });
    });
  });
  r.get("/posted-throw", [&toy](Request, Responder responder) {
    std::lock_guard g(toy.mu);
    toy.threads.emplace_back([responder] {
      responder.post([]() -> void { throw std::runtime_error("posted failure"); });
    });
  });
  r.get("/forget", [](Request, Responder) {});
  r.get("/throw", [](Request, Responder) -> void { throw std::runtime_error("toy failure"); });
  r.get("/events", [&toy](Request, Responder responder) {
    auto stream = responder.stream();
    REQUIRE(stream);
    stream->on_close([&toy] {
      if (!toy.stream_close_seen.exchange(true)) toy.stream_closed.set_value();
    });
    std::lock_guard g(toy.mu);
    toy.threads.emplace_back([stream] {
      for (int i = 1; i <= 3; ++i) {
        CHECK(stream->write_event(std::to_string(i), "entry", fmt::format("{{\"n\":{}}}\nline two", i)));
        std::this_thread::sleep_for(20ms);
      }
    });
  });
  r.get("/limited", sync([&toy](const Request& q) {
    auto d = toy.limiter.allow(q.header("X-Key").value_or("anonymous"));
    if (!d.allowed) return Response::too_many_requests(d.retry_after);
    return Response::json(200, {{"ok", true}});
  }));
  return r;
}

/// GET `path` answers a 500 problem whose detail names `what`, and the
/// connection serves the next request.
void fails_then_serves(Client& c, const std::string& path, const std::string& what) {
  c.send(get(path));
  auto r = c.read();
  REQUIRE(r);
  check_problem(*r, 500);
  CHECK(body_json(*r)["detail"].get<std::string>().find(what) != std::string::npos);
  c.send(get("/echo"));
  r = c.read();
  REQUIRE(r);
  CHECK(r->result_int() == 200);
}

struct Fixture {
  explicit Fixture(ServerOptions options = {}) : server(options, toy_router(toy)) {
    auto status = server.start();
    REQUIRE_MESSAGE(status.is_ok(), status.message());
    REQUIRE(server.port() != 0);
  }
  Toy toy;
  Server server;
};

}  // namespace

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

TEST_CASE("http.limits.header_too_large_431") {
  ServerOptions o;
  o.max_header_bytes = 4096;
  Fixture f(o);
  Client c(f.server.port());
  c.try_send(get("/echo", "X-Big: " + std::string(8000, 'x') + "\r\n"));
  auto r = c.read();
  REQUIRE(r);
  check_problem(*r, 431);
  CHECK_FALSE(r->keep_alive());
  CHECK(c.closed_within(2000ms));
}

TEST_CASE("http.limits.body_too_large_413_before_reading") {
  ServerOptions o;
  o.max_body_bytes = 1000;
  Fixture f(o);
  Client c(f.server.port());
  // Only the header: an answer proves the server did not wait for the body.
  auto start = Clock::now();
  c.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100000000\r\n\r\n");
  auto r = c.read(2000ms);
  REQUIRE(r);
  check_problem(*r, 413);
  CHECK(Clock::now() - start < 1000ms);
  CHECK(c.closed_within(2000ms));
  CHECK(f.toy.uploads == 0);

  // A chunked body that grows past the limit is refused too; one within it passes.
  Client d(f.server.port());
  std::string big(1500, 'y');
  d.try_send(fmt::format("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{}\r\n0\r\n\r\n",
                         big.size(), big));
  r = d.read();
  REQUIRE(r);
  check_problem(*r, 413);
  Client e(f.server.port());
  e.send(post("/upload", std::string(1000, 'z')));
  r = e.read();
  REQUIRE(r);
  CHECK(body_json(*r)["bytes"] == 1000);
  CHECK(f.toy.uploads == 1);
}

TEST_CASE("http.limits.a_route_declares_its_own_body_limit") {
  ServerOptions o;
  o.max_body_bytes = 1000;
  Fixture f(o);
  // The route's larger limit: a body the server's limit would refuse passes.
  Client a(f.server.port());
  a.send(post("/big-upload", std::string(4000, 'a')));
  auto r = a.read();
  REQUIRE(r);
  CHECK(r->result_int() == 200);
  CHECK(body_json(*r)["bytes"] == 4000);
  // Every other route keeps the server's limit, though the header is read
  // under the largest one.
  Client b(f.server.port());
  b.send(post("/upload", std::string(4000, 'b')));
  r = b.read();
  REQUIRE(r);
  check_problem(*r, 413);
  CHECK(body_json(*r)["detail"].get<std::string>().find("1000 bytes") != std::string::npos);
  // Over the route's own limit, announced: 413 from the header alone.
  Client c(f.server.port());
  const auto start = Clock::now();
  c.send("POST /big-upload HTTP/1.1\r\nHost: t\r\nContent-Length: 5001\r\n\r\n");
  r = c.read(2000ms);
  REQUIRE(r);
  check_problem(*r, 413);
  CHECK(body_json(*r)["detail"].get<std::string>().find("5000 bytes") != std::string::npos);
  CHECK(Clock::now() - start < 1000ms);
  CHECK(c.closed_within(2000ms));
  // Chunked, growing past it: refused as soon as it passes (the rest never sent).
  Client d(f.server.port());
  const std::string piece(3000, 'd');
  d.send(fmt::format("POST /big-upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{}\r\n",
                     piece.size(), piece));
  d.try_send(fmt::format("{:x}\r\n{}\r\n", piece.size(), piece));
  r = d.read(2000ms);
  REQUIRE(r);
  check_problem(*r, 413);
  CHECK(f.toy.uploads == 1);
  // With Expect: 100-continue, an announced length over the route's limit
  // is refused instead of invited.
  Client x(f.server.port());
  x.send("POST /big-upload HTTP/1.1\r\nHost: t\r\nContent-Length: 6000\r\nExpect: 100-continue\r\n\r\n");
  const std::string refused = x.read_until("}", 1, 2000ms);
  CHECK(refused.rfind("HTTP/1.1 413 ", 0) == 0);
  CHECK(refused.find("100 Continue") == std::string::npos);
  // An unknown path and a known one with another method keep the server's limit.
  Client e(f.server.port());
  e.send("PUT /big-upload HTTP/1.1\r\nHost: t\r\nContent-Length: 2000\r\n\r\n");
  r = e.read(2000ms);
  REQUIRE(r);
  check_problem(*r, 413);
}

TEST_CASE("http.limits.a_route_admits_its_own_limit_by_the_header") {
  ServerOptions o;
  o.max_body_bytes = 1000;
  Fixture f(o);
  // Admitted (X-Key: ok): the route's 5000 bytes.
  Client a(f.server.port());
  a.send(post("/admitted-upload", std::string(4000, 'a'), "X-Key: ok\r\n"));
  auto r = a.read();
  REQUIRE(r);
  CHECK(r->result_int() == 200);
  CHECK(body_json(*r)["bytes"] == 4000);
  // Not admitted: the server's 1000, refused from the announced length, and
  // the problem says what would be taken.
  Client b(f.server.port());
  b.send("POST /admitted-upload HTTP/1.1\r\nHost: t\r\nX-Key: no\r\nContent-Length: 4000\r\n\r\n");
  r = b.read(2000ms);
  REQUIRE(r);
  check_problem(*r, 413);
  const std::string detail = body_json(*r)["detail"];
  CHECK(detail.find("limit of 1000 bytes") != std::string::npos);
  CHECK(detail.find("up to 5000 bytes from a caller it admits") != std::string::npos);
  // Within the server's limit, a request the route does not admit still reaches its handler.
  Client c(f.server.port());
  c.send(post("/admitted-upload", std::string(900, 'c')));
  r = c.read();
  REQUIRE(r);
  CHECK(body_json(*r)["bytes"] == 900);
}

TEST_CASE("http.limits.expect_100_continue") {
  Fixture f;
  Client c(f.server.port());
  c.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  auto interim = c.read_until("\r\n\r\n", 1, 2000ms);
  CHECK(interim.rfind("HTTP/1.1 100 Continue\r\n", 0) == 0);
  c.send("hello");
  auto all = c.read_until("\"bytes\":5", 1, 2000ms);
  CHECK(all.find("HTTP/1.1 200 OK") != std::string::npos);
}

TEST_CASE("http.limits.slow_client_cut_off") {
  ServerOptions o;
  o.read_timeout = 1000ms;
  Fixture f(o);
  Client c(f.server.port());
  std::atomic<bool> stop{false};
  std::string request = get("/echo") + std::string(200, ' ');
  auto start = Clock::now();
  std::thread trickle([&] {
    for (char ch : request) {
      if (stop || !c.try_send(std::string_view(&ch, 1))) return;
      std::this_thread::sleep_for(200ms);
    }
  });
  bool closed = c.closed_within(4000ms);
  auto elapsed = Clock::now() - start;
  stop = true;
  trickle.join();
  CHECK(closed);
  CHECK(elapsed >= 900ms);
  CHECK(elapsed < 2500ms);
}

TEST_CASE("http.limits.idle_keep_alive_closed") {
  ServerOptions o;
  o.idle_timeout = 300ms;
  Fixture f(o);
  Client c(f.server.port());
  c.send(get("/echo"));
  REQUIRE(c.read());
  auto start = Clock::now();
  CHECK(c.closed_within(2000ms));
  CHECK(Clock::now() - start >= 250ms);
}

TEST_CASE("http.limits.connection_cap_503") {
  ServerOptions o;
  o.max_connections = 2;
  Fixture f(o);
  auto a = std::make_unique<Client>(f.server.port());
  Client b(f.server.port());
  a->send(get("/echo"));
  b.send(get("/echo"));
  REQUIRE(a->read());
  REQUIRE(b.read());
  CHECK(f.server.connections() == 2);

  Client third(f.server.port());
  auto start = Clock::now();
  third.try_send(get("/echo"));
  auto r = third.read(2000ms);
  REQUIRE(r);
  check_problem(*r, 503);
  CHECK(Clock::now() - start < 1000ms);
  CHECK(third.closed_within(2000ms));

  a->close();
  for (int i = 0; i < 200 && f.server.connections() > 1; ++i) std::this_thread::sleep_for(5ms);
  Client fourth(f.server.port());
  fourth.send(get("/echo"));
  r = fourth.read();
  REQUIRE(r);
  CHECK(r->result_int() == 200);
}

TEST_CASE("http.limits.malformed_400") {
  Fixture f;
  for (std::string bad : {std::string("GARBAGE\r\n\r\n"), std::string("GET / HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n"),
                          std::string("GET / HTTP/9.9\r\n\r\n"), std::string("GET /\x01 HTTP/1.1\r\n\r\n"),
                          std::string("GET http://elsewhere/echo HTTP/1.1\r\nHost: t\r\n\r\n")}) {
    CAPTURE(bad);
    Client c(f.server.port());
    c.send(bad);
    auto r = c.read();
    REQUIRE(r);
    check_problem(*r, 400);
    CHECK(c.closed_within(2000ms) == !r->keep_alive());
  }
  // The server still serves.
  Client c(f.server.port());
  c.send(get("/echo"));
  auto r = c.read();
  REQUIRE(r);
  CHECK(r->result_int() == 200);
}

TEST_CASE("http.rate_limiter.token_bucket") {
  yilian::http::RateLimiter limiter(2.0, 3.0);  // 2/s, bursts of 3
  auto t0 = Clock::now();
  CHECK(limiter.allow("a", t0).allowed);
  CHECK(limiter.allow("a", t0).allowed);
  CHECK(limiter.allow("a", t0).allowed);
  auto denied = limiter.allow("a", t0);
  CHECK_FALSE(denied.allowed);
  CHECK(denied.retry_after == 500ms);
  CHECK(limiter.allow("b", t0).allowed);  // keys are apart
  CHECK_FALSE(limiter.allow("a", t0 + 400ms).allowed);
  CHECK(limiter.allow("a", t0 + 1000ms).allowed);  // 0.2 + 0.6 * 2 tokens back
  // Many keys: memory stays bounded, old full buckets are forgotten.
  for (int i = 0; i < 5000; ++i) (void)limiter.allow("k" + std::to_string(i), t0 + std::chrono::seconds(10 + i));
  CHECK(limiter.allow("a", t0 + std::chrono::hours(1)).allowed);
}

TEST_CASE("http.rate_limiter.429_with_retry_after") {
  Fixture f;
  Client c(f.server.port());
  int ok = 0;
  std::optional<bhttp::response<bhttp::string_body>> refused;
  for (int i = 0; i < 3; ++i) {
    c.send(get("/limited", "X-Key: officer-7\r\n"));
    auto r = c.read();
    REQUIRE(r);
    if (r->result_int() == 200) ++ok;
    else refused = std::move(r);
  }
  CHECK(ok == 2);
  REQUIRE(refused);
  check_problem(*refused, 429);
  CHECK((*refused)[bhttp::field::retry_after] == "1");
  c.send(get("/limited", "X-Key: someone-else\r\n"));
  auto r = c.read();
  REQUIRE(r);
  CHECK(r->result_int() == 200);
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
