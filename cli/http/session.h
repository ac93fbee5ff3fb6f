// One client connection on a Beast stream (plain TCP or TLS): reads
// requests under the limits, routes them, writes answers, and carries an
// event stream. Every member runs on the connection's strand.
#pragma once

#include "internal.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#if YILIAN_HTTP_TLS
#include <boost/beast/ssl.hpp>
#endif

#include <fmt/format.h>

#include <array>
#include <deque>
#include <limits>
#include <type_traits>

namespace yilian::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

template <class Stream>
inline constexpr bool is_tls = !std::is_same_v<Stream, beast::tcp_stream>;

/// "127.0.0.1:54321", "[::1]:54321".
std::string format_peer(const tcp::endpoint& e);
/// Splits a query string into decoded pairs; nullopt for a malformed escape.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view query);
/// True when a header name or value would break the framing (CR, LF, NUL).
bool unsafe_field(std::string_view s);

template <class Stream>
class Session final : public Connection {
 public:
  Session(std::shared_ptr<ServerState> server, Stream stream, std::string peer)
      : server_(std::move(server)), opt_(server_->options), stream_(std::move(stream)), peer_(std::move(peer)) {}

  void run() {
    if constexpr (is_tls<Stream>) {
      phase_ = Phase::idle;
      lowest().expires_after(opt_.read_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server, [s = self()](beast::error_code ec) {
        if (ec) return s->close_now();
        s->wait_request();
      });
    } else {
      wait_request();
    }
  }

  void deliver(std::uint64_t request, Response response) override {
    asio::post(stream_.get_executor(), [s = self(), request, r = std::move(response)]() mutable {
      if (s->phase_ != Phase::handling || request != s->current_) return;
      s->write_response(std::move(r));
    });
  }

  void begin_stream(std::uint64_t request, Response head, std::shared_ptr<StreamState> state) override {
    asio::post(stream_.get_executor(), [s = self(), request, h = std::move(head), st = std::move(state)]() mutable {
      if (s->phase_ != Phase::handling || request != s->current_) return st->mark_closed();
      s->open_stream(std::move(h), std::move(st));
    });
  }

  void stream_push(std::string bytes) override {
    asio::post(stream_.get_executor(), [s = self(), b = std::move(bytes)]() mutable {
      std::size_t n = b.size();
      if (s->phase_ != Phase::streaming || s->ending_) {
        if (s->stream_state_) s->stream_state_->written(n);
        return;
      }
      s->queue(std::move(b), n);
    });
  }

  void stream_end() override {
    asio::post(stream_.get_executor(), [s = self()] { s->end_stream(); });
  }

  void run(std::function<void()> fn) override {
    asio::post(stream_.get_executor(), [s = self(), fn = std::move(fn)] { fn(); });
  }

  void soft_stop() override {
    asio::post(stream_.get_executor(), [s = self()] {
      s->stopping_ = true;
      switch (s->phase_) {
        case Phase::idle: s->close_now(); break;            // nothing in flight
        case Phase::handling: s->keep_alive_ = false; break;  // answered, then closed
        case Phase::streaming: s->end_stream(); break;
        default: break;  // reading: answered with close; writing: closed after it
      }
    });
  }

  void hard_stop() override {
    asio::post(stream_.get_executor(), [s = self()] { s->close_now(); });
  }

  [[nodiscard]] std::size_t stream_queue_limit() const override { return opt_.stream_queue_bytes; }

 private:
  enum class Phase { idle, reading, handling, writing, streaming, closing, closed };
  struct Chunk {
    std::string bytes;
    std::size_t payload;  ///< what the StreamState counted as queued
  };

  std::shared_ptr<Session> self() { return std::static_pointer_cast<Session>(shared_from_this()); }
  auto& lowest() { return beast::get_lowest_layer(stream_); }

  // --- reading ---------------------------------------------------------------

  /// Waits for the first byte of the next request (idle timeout), then reads it.
  void wait_request() {
    phase_ = Phase::idle;
    if (stopping_) return close_now();
    if (buffer_.size() > 0) return start_request();
    lowest().expires_after(served_ == 0 ? opt_.read_timeout : opt_.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096), [s = self()](beast::error_code ec, std::size_t n) {
      s->buffer_.commit(n);
      if (ec || s->phase_ != Phase::idle) return s->close_now();
      s->start_request();
    });
  }

  void start_request() {
    phase_ = Phase::reading;
    deadline_ = std::chrono::steady_clock::now() + opt_.read_timeout;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(opt_.max_header_bytes, UINT32_MAX)));
    // No limit until the route is known: on_header sets the route's or the
    // server's before a byte of the body is read. (Not boost::none: Beast
    // 1.74 compares an announced length with it as with 0.)
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    body_limit_ = opt_.max_body_bytes;
    withheld_limit_ = 0;
    lowest().expires_at(deadline_);
    bhttp::async_read_header(stream_, buffer_, *parser_, [s = self()](beast::error_code ec, std::size_t) {
      if (ec) return s->read_failed(ec);
      s->on_header();
    });
  }

  void on_header() {
    const auto& h = parser_->get();
    // The route's own body limit (an upload's) or the server's: a length
    // announced over it is refused now, before a byte of the body is read;
    // a chunked body is cut off as soon as it passes it.
    const std::string_view target(h.target().data(), h.target().size());
    const std::string_view method(h.method_string().data(), h.method_string().size());
    const auto route = server_->router.match(method, target.substr(0, target.find('?')));
    body_limit_ = opt_.max_body_bytes;
    withheld_limit_ = 0;
    if (route.options && route.options->max_body_bytes) {
      if (!route.options->admit || admits(*route.options, h)) body_limit_ = route.options->max_body_bytes;
      else withheld_limit_ = route.options->max_body_bytes;
    }
    if (const auto length = parser_->content_length(); length && *length > body_limit_)
      return read_failed(bhttp::error::body_limit);
    parser_->body_limit(body_limit_);
    if (parser_->is_done()) return dispatch();
    auto expect = h[bhttp::field::expect];
    if (h.version() >= 11 && beast::iequals(expect, "100-continue")) {
      static constexpr std::string_view go = "HTTP/1.1 100 Continue\r\n\r\n";
      lowest().expires_at(deadline_);
      asio::async_write(stream_, asio::buffer(go.data(), go.size()), [s = self()](beast::error_code ec, std::size_t) {
        if (ec) return s->close_now();
        s->read_body();
      });
      return;
    }
    read_body();
  }

  void read_body() {
    lowest().expires_at(deadline_);
    bhttp::async_read(stream_, buffer_, *parser_, [s = self()](beast::error_code ec, std::size_t) {
      if (ec) return s->read_failed(ec);
      s->dispatch();
    });
  }

  void read_failed(beast::error_code ec) {
    if (phase_ == Phase::closed) return;
    keep_alive_ = false;
    version_ = 11;
    if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow)
      return write_response(Response::problem(
          431, "Request Header Fields Too Large",
          fmt::format("The request line and header fields pass the limit of {} bytes.", opt_.max_header_bytes)));
    if (ec == bhttp::error::body_limit)
      return write_response(Response::problem(
          413, "Content Too Large",
          withheld_limit_ ? fmt::format("The request body passes the limit of {} bytes; this route takes up to {} bytes "
                                        "from a caller it admits (send valid credentials).",
                                        body_limit_, withheld_limit_)
                          : fmt::format("The request body passes the limit of {} bytes.", body_limit_)));
    bool http_error = ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
    if (http_error && ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message)
      return write_response(Response::problem(400, "Bad Request", fmt::format("Malformed HTTP request: {}.", ec.message())));
    close_now();  // end of stream, timeout, reset, stop
  }

  // --- routing -----------------------------------------------------------------

  void dispatch() {
    phase_ = Phase::handling;
    auto msg = parser_->release();
    parser_.reset();
    ++served_;
    version_ = msg.version() == 10 ? 10 : 11;
    keep_alive_ = msg.keep_alive() && !stopping_ && served_ < opt_.max_requests_per_connection;
    current_ = ++sequence_;

    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    req.peer = peer_;
    auto q = req.target.find('?');
    req.path = req.target.substr(0, q);
    if (req.path.empty() || req.path.front() != '/')
      return write_response(Response::problem(400, "Bad Request", "The request target must be a path (origin form)."));
    if (q != std::string::npos) {
      auto query = parse_query(std::string_view(req.target).substr(q + 1));
      if (!query) return write_response(Response::problem(400, "Bad Request", "The query string has a malformed %-escape."));
      req.query = std::move(*query);
    }
    req.headers = fields_of(msg);
    req.body = std::move(msg.body());

    auto match = server_->router.match(req.method, req.path);
    if (!match.handler) {
      if (match.status == 405) {
        auto r = Response::problem(405, "Method Not Allowed",
                                   fmt::format("{} is not allowed on {}; allowed: {}.", req.method, req.path, match.allow));
        r.headers.set("Allow", match.allow);
        return write_response(std::move(r));
      }
      if (match.status == 400)
        return write_response(Response::problem(400, "Bad Request", "A path segment has a malformed %-escape."));
      return write_response(Response::problem(404, "Not Found", fmt::format("Nothing is at {}.", req.path)));
    }
    req.params = std::move(match.params);
    Responder responder(std::make_shared<Exchange>(weak_from_this(), current_));
    guarded(responder, [&] { (*match.handler)(std::move(req), responder); });
  }

  /// The route's admit() on this header; a failure of its own admits nobody.
  template <class Header>
  static bool admits(const RouteOptions& route, const Header& h) {
    try {
      return route.admit(fields_of(h));
    } catch (...) {
      return false;
    }
  }

  template <class Fields>
  static Headers fields_of(const Fields& message) {
    Headers out;
    for (const auto& f : message) out.add(std::string(f.name_string()), std::string(f.value()));
    return out;
  }

  // --- writing -----------------------------------------------------------------

  void write_response(Response r) {
    if (phase_ == Phase::closed || phase_ == Phase::closing) return;
    phase_ = Phase::writing;
    auto msg = std::make_shared<bhttp::response<bhttp::string_body>>();
    msg->version(version_);
    msg->result(static_cast<unsigned>(r.status >= 100 && r.status <= 999 ? r.status : 500));
    for (const auto& [name, value] : r.headers.fields())
      if (!unsafe_field(name) && !unsafe_field(value) && !name.empty()) msg->insert(name, value);
    if (!r.headers.has("Server") && !opt_.server_header.empty()) msg->set(bhttp::field::server, opt_.server_header);
    msg->body() = std::move(r.body);
    msg->keep_alive(keep_alive_);
    msg->prepare_payload();
    lowest().expires_after(opt_.write_timeout);
    bhttp::async_write(stream_, *msg, [s = self(), msg](beast::error_code ec, std::size_t) {
      if (ec) return s->close_now();
      if (!s->keep_alive_) return s->close_graceful();
      s->wait_request();
    });
  }

  // --- event streams -------------------------------------------------------------

  void open_stream(Response head, std::shared_ptr<StreamState> state) {
    phase_ = Phase::streaming;
    stream_state_ = std::move(state);
    chunked_ = version_ == 11;
    if (!head.headers.has("Content-Type")) head.headers.set("Content-Type", "text/event-stream");
    if (!head.headers.has("Cache-Control")) head.headers.set("Cache-Control", "no-cache");
    std::string text = fmt::format("HTTP/1.{} {} {}\r\n", version_ == 10 ? 0 : 1, head.status, reason(head.status));
    for (const auto& [name, value] : head.headers.fields()) {
      if (beast::iequals(name, "Content-Length") || beast::iequals(name, "Transfer-Encoding") ||
          beast::iequals(name, "Connection") || unsafe_field(name) || unsafe_field(value) || name.empty())
        continue;
      text += fmt::format("{}: {}\r\n", name, value);
    }
    if (!head.headers.has("Server") && !opt_.server_header.empty()) text += fmt::format("Server: {}\r\n", opt_.server_header);
    if (chunked_) text += "Transfer-Encoding: chunked\r\n";
    text += "Connection: close\r\n\r\n";
    out_.push_back({std::move(text), 0});
    lowest().expires_never();
    watch_client();
    if (stopping_) return end_stream();
    write_next();
  }

  /// Reads (and drops) whatever the client sends, to learn when it leaves.
  void watch_client() {
    stream_.async_read_some(asio::buffer(discard_), [s = self()](beast::error_code ec, std::size_t) {
      if (ec) return s->close_now();
      if (s->phase_ == Phase::streaming) s->watch_client();
    });
  }

  void queue(std::string bytes, std::size_t payload) {
    if (chunked_ && !bytes.empty()) bytes = fmt::format("{:x}\r\n", bytes.size()) + bytes + "\r\n";
    out_.push_back({std::move(bytes), payload});
    if (!writing_) write_next();
  }

  void end_stream() {
    if (phase_ != Phase::streaming || ending_) return;
    ending_ = true;
    if (chunked_) {
      out_.push_back({"0\r\n\r\n", 0});
    }
    if (!writing_) write_next();
  }

  void write_next() {
    if (phase_ != Phase::streaming) return;
    if (out_.empty()) {
      writing_ = false;
      if (ending_) {
        beast::error_code ignored;
        lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
        close_now();
      }
      return;
    }
    writing_ = true;
    lowest().expires_after(opt_.write_timeout);
    asio::async_write(stream_, asio::buffer(out_.front().bytes), [s = self()](beast::error_code ec, std::size_t) {
      if (s->stream_state_) s->stream_state_->written(s->out_.front().payload);
      s->out_.pop_front();
      if (ec) return s->close_now();
      s->write_next();
    });
  }

  // --- closing -----------------------------------------------------------------

  /// After the last answer: half-close, then drop what the client still
  /// sends for a moment, so that it reads the answer instead of a reset.
  void close_graceful() {
    if (phase_ == Phase::closed) return;
    phase_ = Phase::closing;
    lowest().expires_after(std::chrono::seconds(1));
    if constexpr (is_tls<Stream>) {
      stream_.async_shutdown([s = self()](beast::error_code) { s->close_now(); });
    } else {
      beast::error_code ignored;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      drain();
    }
  }

  void drain() {
    stream_.async_read_some(asio::buffer(discard_), [s = self()](beast::error_code ec, std::size_t n) {
      s->drained_ += n;
      if (ec || s->drained_ > 1024 * 1024) return s->close_now();
      s->drain();
    });
  }

  void close_now() {
    if (phase_ == Phase::closed) return;
    phase_ = Phase::closed;
    lowest().close();
    if (stream_state_) stream_state_->mark_closed();
    server_->closed(this);
  }

  std::shared_ptr<ServerState> server_;
  const ServerOptions& opt_;
  Stream stream_;
  std::string peer_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::size_t body_limit_ = 0;      ///< the current request's: its route's or the server's
  std::size_t withheld_limit_ = 0;  ///< its route's own, when the route did not admit it
  Phase phase_ = Phase::idle;
  std::chrono::steady_clock::time_point deadline_;
  std::size_t served_ = 0;
  std::uint64_t sequence_ = 0;
  std::uint64_t current_ = 0;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool stopping_ = false;
  // event stream
  std::shared_ptr<StreamState> stream_state_;
  std::deque<Chunk> out_;
  bool writing_ = false;
  bool ending_ = false;
  bool chunked_ = true;
  std::array<char, 2048> discard_{};
  std::size_t drained_ = 0;
};

}  // namespace yilian::http::detail
