// The HTTP layer's limits against hostile clients, in-process on 127.0.0.1:
// header and body sizes (a route's own limit and its admission by the
// header), Expect: 100-continue, slow and idle clients, the connection cap,
// malformed requests and the per-caller rate limiter. Every client wait has
// a limit, so a broken server fails a test instead of hanging it.
#include "http_support.h"

namespace http_limits_test {
using namespace http_test;

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

}  // namespace http_limits_test
