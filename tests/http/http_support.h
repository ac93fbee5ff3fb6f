// What the HTTP layer's tests share: a blocking client with timeouts, raw
// requests, the problem-document check, the toy routes and a server on an
// ephemeral port of 127.0.0.1 (http_server_test.cpp, http_limits_test.cpp).
#pragma once

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

namespace http_test {


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

inline std::string get(std::string_view target, std::string_view extra = "") {
  return fmt::format("GET {} HTTP/1.1\r\nHost: test\r\n{}\r\n", target, extra);
}
inline std::string post(std::string_view target, std::string_view body, std::string_view extra = "") {
  return fmt::format("POST {} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{}\r\n{}",
                     target, body.size(), extra, body);
}

inline Json body_json(const bhttp::response<bhttp::string_body>& r) { return Json::parse(r.body()); }

/// A problem document with `status`, as RFC 9457 and DESIGN.md say.
inline void check_problem(const bhttp::response<bhttp::string_body>& r, int status) {
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

inline Router toy_router(Toy& toy) {
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
inline void fails_then_serves(Client& c, const std::string& path, const std::string& what) {
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


}  // namespace http_test
