// Generic HTTP/1.1 plumbing for `yilian serve`: requests, responses, a
// router with {param} segments, asynchronous responders, Server-Sent Events
// streams, a server with limits against hostile clients, and a token-bucket
// rate limiter. No yilian business logic lives here; Boost.Beast stays in
// the .cpp files (only boost::asio::io_context is forward-declared).
#pragma once

#include <yilian/status.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace yilian::http {

/// Header fields in arrival order; names compare case-insensitively.
/// A value type, not thread-safe.
class Headers {
 public:
  /// The first value of `name`, or nullopt. The view lives as long as this.
  [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const;
  /// Every value of `name` (Cookie and Set-Cookie may repeat).
  [[nodiscard]] std::vector<std::string_view> all(std::string_view name) const;
  [[nodiscard]] bool has(std::string_view name) const { return get(name).has_value(); }
  /// Replaces every field called `name` by one with `value`.
  void set(std::string_view name, std::string value);
  /// Adds a field, keeping others of the same name (Set-Cookie).
  void add(std::string_view name, std::string value);
  void remove(std::string_view name);
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

/// One request as a handler sees it. A value type; the handler owns it.
struct Request {
  std::string method;  ///< "GET", "POST", ... as sent (case-sensitive, RFC 9110)
  std::string target;  ///< the raw request target, "/a/b?x=1"
  std::string path;    ///< the raw path, before '?', not decoded
  std::vector<std::pair<std::string, std::string>> params;  ///< {param} segments, percent-decoded
  std::vector<std::pair<std::string, std::string>> query;   ///< in order; '+' is a space, percent-decoded
  Headers headers;
  std::string body;
  std::string peer;  ///< "127.0.0.1:54321" (IPv6 as "[::1]:54321")

  /// The path parameter `name` ("" when the route has no such segment).
  [[nodiscard]] std::string param(std::string_view name) const;
  /// The first query value of `name`, or nullopt when absent.
  [[nodiscard]] std::optional<std::string> query_value(std::string_view name) const;
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const { return headers.get(name); }
};

/// One answer. Content-Length is computed when it is written.
struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  /// `value` serialised, Content-Type application/json.
  static Response json(int status, const nlohmann::json& value);
  /// An RFC 9457 problem document (application/problem+json):
  /// {"type", "title", "status", "detail", "errors"}. `errors` must be an
  /// array (anything else is replaced by []).
  static Response problem(int status, std::string title, std::string detail,
                          nlohmann::json errors = nlohmann::json::array(), std::string type = "about:blank");
  /// 429 with Retry-After in whole seconds (at least 1).
  static Response too_many_requests(std::chrono::milliseconds retry_after, std::string detail = "");
  static Response text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
};

/// The usual reason phrase of a status ("Not Found"), "Unknown" otherwise.
[[nodiscard]] std::string_view reason(int status);

/// Percent-decodes `s` ('+' becomes a space when `plus_is_space`); nullopt
/// for a malformed escape.
[[nodiscard]] std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);

namespace detail {
class Exchange;
class StreamState;
}  // namespace detail

/// A Server-Sent Events stream that owns its connection once started.
/// Shared and thread-safe: write from any thread; every call after the
/// client went away or after close() is a harmless no-op returning false.
class EventStream {
 public:
  /// Queues one event ("id: ..\nevent: ..\ndata: ..\n\n"; a multi-line
  /// `data` becomes several data lines; empty id/event are left out).
  /// False when the stream is closed, or when the client reads so slowly
  /// that the queue passed ServerOptions::stream_queue_bytes (the stream is
  /// then closed).
  bool write_event(std::string_view id, std::string_view event, std::string_view data);
  /// Queues a comment line (": text"), the usual keep-alive ping.
  bool write_comment(std::string_view text);
  /// Ends the stream after what is queued and closes the connection.
  void close();
  /// True once the client disconnected, close() was called or the server stops.
  [[nodiscard]] bool closed() const;
  /// Called once, on some server thread, when the stream closes for any
  /// reason (at once when it is already closed). Must not block.
  void on_close(std::function<void()> callback);

  explicit EventStream(std::shared_ptr<detail::StreamState> state) : state_(std::move(state)) {}

 private:
  std::shared_ptr<detail::StreamState> state_;
};

/// The way a handler answers, now or later, from any thread. Copyable; all
/// copies share one exchange. Exactly one of send() or stream() takes
/// effect; later calls return false/nullptr. If the connection died
/// meanwhile, the answer is dropped harmlessly. When the last copy is
/// destroyed without an answer, the client gets a 500 problem.
class Responder {
 public:
  /// Sends `response`. False if an answer was already given.
  bool send(Response response) const;
  /// Takes the connection over as an SSE stream: writes `head` (status and
  /// headers; its body is ignored; Content-Type text/event-stream and
  /// Cache-Control no-cache are set when absent) with chunked encoding.
  /// nullptr if an answer was already given.
  std::shared_ptr<EventStream> stream(Response head = {}) const;
  /// False once an answer was given.
  [[nodiscard]] bool pending() const;
  /// Runs `fn` on the connection's thread, in turn with its reads and
  /// writes (dropped when the connection is gone). For an answer that
  /// arrives on another thread (an engine's) and takes work to build: the
  /// other thread hands it over at once. An exception `fn` throws becomes a
  /// 500 problem, as a handler's does.
  void post(std::function<void()> fn) const;

  explicit Responder(std::shared_ptr<detail::Exchange> exchange) : exchange_(std::move(exchange)) {}

 private:
  std::shared_ptr<detail::Exchange> exchange_;
};

/// A handler runs on a server thread and must not block it: answer at once
/// or keep the Responder and answer later. An exception it throws becomes a
/// 500 problem (when it has not answered).
using Handler = std::function<void(Request request, Responder responder)>;
/// Adapts a synchronous function to a Handler.
[[nodiscard]] Handler sync(std::function<Response(const Request&)> fn);

/// What a route declares besides its handler.
struct RouteOptions {
  /// The largest body this route takes, in bytes; 0: the server's
  /// ServerOptions::max_body_bytes. A file upload declares its own (larger)
  /// limit here while every JSON route keeps the server's.
  std::size_t max_body_bytes = 0;
  /// When set, max_body_bytes applies only to a request whose header fields
  /// it admits (a caller with valid credentials, say); any other keeps the
  /// server's limit, so an anonymous client cannot make the server hold the
  /// larger body. Called on a server thread before the body is read, from
  /// any thread at once: thread-safe, and quick.
  std::function<bool(const Headers&)> admit;
};

/// Method + path pattern → handler. Patterns are literal segments and
/// whole-segment `{name}` parameters ("/api/v1/tasks/{case}/{matter}/claim");
/// where several match, literal segments win over parameters from the left.
/// Unknown path → 404, known path with another method → 405 with Allow.
/// Built before the server starts; read-only (thread-safe) afterwards.
class Router {
 public:
  /// Adds a route. Throws std::invalid_argument for a malformed pattern or
  /// a duplicate method + pattern (a programming error).
  Router& add(std::string method, std::string pattern, Handler handler, RouteOptions options = {});
  Router& get(std::string pattern, Handler h) { return add("GET", std::move(pattern), std::move(h)); }
  Router& post(std::string pattern, Handler h, RouteOptions options = {}) {
    return add("POST", std::move(pattern), std::move(h), std::move(options));
  }
  Router& del(std::string pattern, Handler h) { return add("DELETE", std::move(pattern), std::move(h)); }

  /// The outcome of matching one request.
  struct Match {
    const Handler* handler = nullptr;  ///< null: see `status`
    int status = 200;                  ///< 404 or 405 when there is no handler, 400 for a bad escape
    std::string allow;                 ///< for 405: "GET, POST"
    std::vector<std::pair<std::string, std::string>> params;
    const RouteOptions* options = nullptr;  ///< the route's (with a handler)
  };
  /// Matches `method` and the raw (undecoded) `path`.
  [[nodiscard]] Match match(std::string_view method, std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  ///< "{x}" for a parameter
    Handler handler;
    RouteOptions options;
  };
  std::vector<Route> routes_;
};

/// Server settings; every limit has a safe default.
struct ServerOptions {
  // Where and how.
  std::string address = "127.0.0.1";  ///< IPv4 or IPv6 literal to listen on
  std::uint16_t port = 0;             ///< 0: an ephemeral port, see Server::port()
  int threads = 2;                    ///< threads of the server (one io_context each; ignored with the caller's io_context)
  std::string server_header = "yilian";

  // Hostile clients.
  std::size_t max_header_bytes = 16 * 1024;   ///< request line + fields; more → 431
  /// More (announced or sent) → 413, refused before reading. A route may
  /// declare a limit of its own (RouteOptions::max_body_bytes).
  std::size_t max_body_bytes = 1024 * 1024;
  std::chrono::milliseconds read_timeout{10'000};   ///< from a request's first byte to its last; then closed
  std::chrono::milliseconds idle_timeout{60'000};   ///< keep-alive wait for the next request's first byte
  std::chrono::milliseconds write_timeout{10'000};  ///< per answer or stream write; a client not reading is cut off
  std::size_t max_connections = 4096;         ///< open connections; the next gets 503 and is closed
  std::size_t max_requests_per_connection = 10'000;  ///< then Connection: close
  std::size_t stream_queue_bytes = 1024 * 1024;  ///< unsent SSE bytes per stream before it is closed

  // TLS: both set → HTTPS only (PEM files). Empty → plain HTTP.
  std::string tls_cert_file;
  std::string tls_key_file;
};

/// An HTTP/1.1 server. Runs on its own io_contexts, one per thread of
/// ServerOptions::threads, each connection on one of them, or on the
/// caller's io_context (which the caller runs). Thread-safe: port(),
/// stop() and connections() may be called from any thread except that stop()
/// must not be called from a thread running the io_context.
class Server {
 public:
  /// A server on its own io_context.
  Server(ServerOptions options, Router router);
  /// A server on `io` (which must outlive the server and be run by the caller).
  Server(boost::asio::io_context& io, ServerOptions options, Router router);
  ~Server();  ///< stop(0 ms) when still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds, listens and starts accepting (and starts the threads of an own
  /// io_context). An error names the address, e.g. a port in use or an
  /// unreadable TLS key.
  [[nodiscard]] Status start();
  /// The bound port (the ephemeral one when options.port was 0); 0 before start().
  [[nodiscard]] std::uint16_t port() const;
  /// Open connections now.
  [[nodiscard]] std::size_t connections() const;
  /// Graceful stop: stops accepting, closes idle keep-alive connections and
  /// event streams, lets in-flight requests answer (then closes them) for up
  /// to `grace`, then closes everything. Blocks until done; idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5'000));

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// A per-key token bucket: `rate` requests per second on average, `burst`
/// at once. Thread-safe. Keys idle long enough to be full again are
/// forgotten, so memory stays bounded by the active keys.
class RateLimiter {
 public:
  RateLimiter(double rate_per_second, double burst);

  struct Decision {
    bool allowed = true;
    std::chrono::milliseconds retry_after{0};  ///< when not allowed: until one token is back
  };
  /// Takes one token of `key`'s bucket if there is one.
  [[nodiscard]] Decision allow(std::string_view key);
  /// As allow(), with an explicit clock (tests).
  [[nodiscard]] Decision allow(std::string_view key, std::chrono::steady_clock::time_point now);

  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace yilian::http
