// The `http` adapter: one POST per delivery with Boost.Beast, every step
// under a timeout, at most `concurrency` requests at once.
#include <fmt/format.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdint>
#include <deque>
#include <mutex>

#include "runtime/builtin_adapters.h"
#include "yilian/text.h"

namespace yilian::detail {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct Url {
  std::string host;
  std::string port = "80";
  std::string target = "/";
};

Result<Url> parse_url(const std::string& url) {
  constexpr std::string_view scheme = "http://";
  if (url.rfind(scheme, 0) != 0)
    return Status::invalid(fmt::format("url `{}` must start with http:// (https is not supported; put a TLS proxy in front)", url));
  std::string rest = url.substr(scheme.size());
  Url u;
  const auto slash = rest.find('/');
  if (slash != std::string::npos) {
    u.target = rest.substr(slash);
    rest = rest.substr(0, slash);
  }
  const auto colon = rest.rfind(':');
  if (colon != std::string::npos && rest.find(']') == std::string::npos) {
    u.port = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
    if (u.port.empty() || u.port.find_first_not_of("0123456789") != std::string::npos || u.port.size() > 5 ||
        std::stoi(u.port) < 1 || std::stoi(u.port) > 65535)
      return Status::invalid(fmt::format("url `{}`: the port must be a number from 1 to 65535", url));
  }
  if (rest.empty()) return Status::invalid(fmt::format("url `{}` names no host", url));
  u.host = rest;
  return u;
}

class HttpAdapter;

/// The largest answer body read (1 MiB), with or without a Content-Length.
constexpr std::uint64_t kMaxAnswerBytes = 1u << 20;

/// The stream's timer closes the socket on a timeout; depending on timing
/// the operation reports `timeout` or `operation_aborted` (nothing else
/// cancels an exchange while the engine runs).
bool timed_out(const beast::error_code& ec) {
  return ec == beast::error::timeout || ec == asio::error::operation_aborted;
}

/// One POST: resolve, connect, write, read, each bounded in time.
class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(asio::io_context& io, std::shared_ptr<HttpAdapter> owner, std::string body, std::string key, Completion done);
  void run();

 private:
  void fail(const std::string& what, const beast::error_code& ec);
  void read_failed(const beast::error_code& ec);
  void finish();

  std::shared_ptr<HttpAdapter> owner_;
  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  asio::steady_timer resolve_timer_;
  http::request<http::string_body> req_;
  beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
  std::string key_;
  Completion done_;
  bool reported_ = false;
};

class HttpAdapter final : public Adapter, public std::enable_shared_from_this<HttpAdapter> {
 public:
  HttpAdapter(asio::io_context& context, Url target, const AdapterConfig& c)
      : io(context), url(std::move(target)), headers(c.headers), connect_timeout(c.connect_timeout), io_timeout(c.io_timeout),
        concurrency(std::max(1, c.concurrency)) {}

  void dispatch(const Task& task, Completion done) override {
    auto ex = std::make_shared<Exchange>(io, shared_from_this(), task_to_json(task), task.key, std::move(done));
    {
      std::lock_guard g(mu);
      if (active >= concurrency) {
        waiting.push_back(std::move(ex));
        return;
      }
      ++active;
    }
    ex->run();
  }

  /// An exchange ended: start the next waiting one.
  void released() {
    std::shared_ptr<Exchange> next;
    {
      std::lock_guard g(mu);
      if (waiting.empty()) {
        --active;
        return;
      }
      next = std::move(waiting.front());
      waiting.pop_front();
    }
    asio::post(io, [next] { next->run(); });
  }

  asio::io_context& io;
  const Url url;
  const std::map<std::string, std::string> headers;
  const std::chrono::milliseconds connect_timeout;
  const std::chrono::milliseconds io_timeout;
  const int concurrency;

 private:
  std::mutex mu;
  int active = 0;
  std::deque<std::shared_ptr<Exchange>> waiting;
};

Exchange::Exchange(asio::io_context& io, std::shared_ptr<HttpAdapter> owner, std::string body, std::string key,
                   Completion done)
    : owner_(std::move(owner)), resolver_(io), stream_(io), resolve_timer_(io), key_(std::move(key)), done_(std::move(done)) {
  req_.method(http::verb::post);
  req_.target(owner_->url.target);
  req_.version(11);
  req_.set(http::field::host, owner_->url.host + (owner_->url.port == "80" ? "" : ":" + owner_->url.port));
  req_.set(http::field::user_agent, "yilian");
  req_.set(http::field::content_type, "application/json");
  req_.set("Idempotency-Key", key_);
  req_.set(http::field::connection, "close");
  for (const auto& [k, v] : owner_->headers) req_.set(k, v);
  req_.body() = std::move(body);
  req_.prepare_payload();
  parser_.body_limit(kMaxAnswerBytes);
}

void Exchange::run() {
  auto self = shared_from_this();
  resolve_timer_.expires_after(owner_->connect_timeout);
  resolve_timer_.async_wait([self](const beast::error_code& ec) {
    if (!ec) self->resolver_.cancel();
  });
  resolver_.async_resolve(owner_->url.host, owner_->url.port, [self](const beast::error_code& ec, tcp::resolver::results_type results) {
    self->resolve_timer_.cancel();
    if (ec) return self->fail(ec == asio::error::operation_aborted ? "resolving timed out" : "resolving", ec);
    self->stream_.expires_after(self->owner_->connect_timeout);
    self->stream_.async_connect(results, [self](const beast::error_code& ec2, const tcp::endpoint&) {
      if (ec2) return self->fail(timed_out(ec2) ? "connecting timed out" : "connecting", ec2);
      self->stream_.expires_after(self->owner_->io_timeout);
      http::async_write(self->stream_, self->req_, [self](const beast::error_code& ec3, std::size_t) {
        if (ec3) return self->fail(timed_out(ec3) ? "sending the task timed out" : "sending the task", ec3);
        // The header first, on its own: Beast 1.74 reads on past the body
        // limit when the header and the start of a body with a
        // Content-Length arrive together (the limit's error is overwritten
        // while its eager parser goes on), so a 50 MB answer was read whole.
        // Read alone, the header fails on a Content-Length over the limit;
        // the body is then read under the limit as well.
        http::async_read_header(self->stream_, self->buffer_, self->parser_, [self](const beast::error_code& ec4, std::size_t) {
          if (ec4) return self->read_failed(ec4);
          http::async_read(self->stream_, self->buffer_, self->parser_, [self](const beast::error_code& ec5, std::size_t) {
            if (ec5) return self->read_failed(ec5);
            self->finish();
          });
        });
      });
    });
  });
}

void Exchange::read_failed(const beast::error_code& ec) {
  if (ec == http::error::body_limit)
    return fail(fmt::format("the answer is larger than {} MiB", kMaxAnswerBytes >> 20), ec);
  fail(timed_out(ec) ? "no answer in time" : "reading the answer", ec);
}

void Exchange::fail(const std::string& what, const beast::error_code& ec) {
  if (reported_) return;
  reported_ = true;
  beast::error_code ignored;
  stream_.socket().close(ignored);
  done_.failed(timed_out(ec) ? fmt::format("POST {}{}: {}", owner_->url.host, owner_->url.target, what)
                             : fmt::format("POST {}{}: {}: {}", owner_->url.host, owner_->url.target, what, ec.message()));
  owner_->released();
}

void Exchange::finish() {
  reported_ = true;
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  const auto& res = parser_.get();
  const unsigned status = res.result_int();
  std::string body = res.body();
  owner_->released();
  if (status < 200 || status >= 300) {
    std::string head = valid_utf8(body, 200);
    for (char& c : head)
      if (c == '\n' || c == '\r') c = ' ';
    return done_.failed(fmt::format("POST {}{}: HTTP {}{}{}", owner_->url.host, owner_->url.target, status,
                                    head.empty() ? "" : ": ", head));
  }
  if (status == 202 && body.find_first_not_of(" \t\r\n") == std::string::npos) return done_.accepted();
  auto outcome = parse_outcome_json(body);
  if (!outcome) return done_.failed(fmt::format("POST {}{}: {}", owner_->url.host, owner_->url.target, outcome.status().message()));
  if (!*outcome) return done_.accepted();
  done_.report(std::move(**outcome));
}

}  // namespace

Result<std::shared_ptr<Adapter>> make_http_adapter(asio::io_context& io, const AdapterConfig& config) {
  auto url = parse_url(config.url);
  if (!url) return url.status();
  if (config.concurrency < 1) return Status::invalid("`concurrency` must be at least 1");
  return std::shared_ptr<Adapter>(std::make_shared<HttpAdapter>(io, std::move(*url), config));
}

}  // namespace yilian::detail
