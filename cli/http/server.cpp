// The listener, the connection registry, graceful stop, and Server's
// threads. Connections themselves are in session.h.
#include "session.h"

#include <boost/asio/executor_work_guard.hpp>

#include <future>

namespace yilian::http {

namespace detail {

std::string format_peer(const tcp::endpoint& e) {
  auto a = e.address();
  return a.is_v6() ? fmt::format("[{}]:{}", a.to_string(), e.port()) : fmt::format("{}:{}", a.to_string(), e.port());
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (item.empty()) continue;
    auto eq = item.find('=');
    auto key = percent_decode(item.substr(0, eq), true);
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1), true);
    if (!key || !value) return std::nullopt;
    out.emplace_back(std::move(*key), std::move(*value));
  }
  return out;
}

bool unsafe_field(std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos; }

void ServerState::opened(const std::shared_ptr<Connection>& c) {
  std::lock_guard g(mu_);
  open_.emplace(c.get(), c);
}

void ServerState::closed(Connection* c) {
  std::shared_ptr<Connection> last;  // released outside the lock
  {
    std::lock_guard g(mu_);
    auto it = open_.find(c);
    if (it == open_.end()) return;
    last = std::move(it->second);
    open_.erase(it);
  }
  cv_.notify_all();
}

std::size_t ServerState::open_count() const {
  std::lock_guard g(mu_);
  return open_.size();
}

bool ServerState::wait_closed(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock g(mu_);
  return cv_.wait_until(g, deadline, [&] { return open_.empty(); });
}

Status ServerState::start() {
  beast::error_code ec;
  auto address = asio::ip::make_address(options.address, ec);
  if (ec) return Status::invalid(fmt::format("'{}' is not an IP address to listen on", options.address));
  tcp::endpoint endpoint(address, options.port);
  auto where = format_peer(endpoint);

  if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
#if YILIAN_HTTP_TLS
    if (options.tls_cert_file.empty() || options.tls_key_file.empty())
      return Status::invalid("TLS needs both a certificate and a key file");
    tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                     asio::ssl::context::single_dh_use);
    tls->use_certificate_chain_file(options.tls_cert_file, ec);
    if (ec) return Status::io(fmt::format("cannot read the TLS certificate {}: {}", options.tls_cert_file, ec.message()));
    tls->use_private_key_file(options.tls_key_file, asio::ssl::context::pem, ec);
    if (ec) return Status::io(fmt::format("cannot read the TLS key {}: {}", options.tls_key_file, ec.message()));
#else
    return Status::invalid("this build of yilian has no TLS support (OpenSSL was not found)");
#endif
  }

  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    acceptor.close(ignored);
    return Status::io(fmt::format("cannot listen on {}: {}", where, ec.message()));
  }
  port = acceptor.local_endpoint(ec).port();
  retry_timer_ = std::make_unique<asio::steady_timer>(acceptor.get_executor());
  asio::post(acceptor.get_executor(), [self = shared_from_this()] { self->accept(); });
  return Status::ok();
}

void ServerState::accept() {
  asio::io_context& context = *contexts[next_context++ % contexts.size()];
  acceptor.async_accept(asio::make_strand(context), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (!self->acceptor.is_open()) return;
    if (ec) {
      // Out of descriptors or memory: try again a little later, not in a loop.
      self->retry_timer_->expires_after(std::chrono::milliseconds(50));
      self->retry_timer_->async_wait([self](beast::error_code e) {
        if (!e && self->acceptor.is_open()) self->accept();
      });
      return;
    }
    if (self->open_count() >= self->options.max_connections) self->refuse(std::move(socket));
    else self->start_session(std::move(socket));
    self->accept();
  });
}

void ServerState::start_session(tcp::socket socket) {
  beast::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  auto remote = socket.remote_endpoint(ec);
  if (ec) return;  // already gone
  std::string peer = format_peer(remote);
  std::shared_ptr<Connection> c;
#if YILIAN_HTTP_TLS
  if (tls) {
    auto s = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
        shared_from_this(), beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *tls),
        std::move(peer));
    opened(s);
    s->run();
    return;
  }
#endif
  auto s = std::make_shared<Session<beast::tcp_stream>>(shared_from_this(), beast::tcp_stream(std::move(socket)),
                                                        std::move(peer));
  opened(s);
  s->run();
}

namespace {
/// A connection over the cap: a canned 503, a half-close, a short drain.
struct Refusal : std::enable_shared_from_this<Refusal> {
  Refusal(tcp::socket s, std::string t) : socket(std::move(s)), text(std::move(t)), timer(socket.get_executor()) {}
  tcp::socket socket;
  std::string text;
  asio::steady_timer timer;
  std::array<char, 1024> sink{};

  void run() {
    timer.expires_after(std::chrono::seconds(1));
    timer.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      beast::error_code ignored;
      self->socket.close(ignored);
    });
    asio::async_write(socket, asio::buffer(text), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      beast::error_code ignored;
      if (ec) return self->finish();
      self->socket.shutdown(tcp::socket::shutdown_send, ignored);
      self->drain();
    });
  }
  void drain() {
    socket.async_read_some(asio::buffer(sink), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->finish();
      self->drain();
    });
  }
  void finish() {
    beast::error_code ignored;
    timer.cancel();
    socket.close(ignored);
  }
};
}  // namespace

void ServerState::refuse(tcp::socket socket) {
#if YILIAN_HTTP_TLS
  if (tls) {  // a TLS client cannot read a plain answer
    beast::error_code ignored;
    socket.close(ignored);
    return;
  }
#endif
  auto problem = Response::problem(503, "Service Unavailable",
                                   fmt::format("The server holds its limit of {} connections; try again later.",
                                               options.max_connections));
  std::string text = fmt::format(
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\nContent-Length: {}\r\n"
      "Retry-After: 1\r\nConnection: close\r\n\r\n{}",
      problem.body.size(), problem.body);
  std::make_shared<Refusal>(std::move(socket), std::move(text))->run();
}

void ServerState::stop(std::chrono::milliseconds grace) {
  auto now = std::chrono::steady_clock::now;
  {
    std::lock_guard g(mu_);
    stopping_ = true;
  }
  // Stop accepting (on the acceptor's strand), waiting at most a second in
  // case nothing runs the io_context.
  auto closed_acceptor = std::make_shared<std::promise<void>>();
  auto done = closed_acceptor->get_future();
  asio::post(acceptor.get_executor(), [self = shared_from_this(), closed_acceptor] {
    beast::error_code ignored;
    self->acceptor.close(ignored);
    if (self->retry_timer_) self->retry_timer_->cancel();
    closed_acceptor->set_value();
  });
  done.wait_for(std::chrono::seconds(1));

  auto snapshot = [&] {
    std::vector<std::shared_ptr<Connection>> all;
    std::lock_guard g(mu_);
    for (auto& [p, c] : open_) all.push_back(c);
    return all;
  };
  for (auto& c : snapshot()) c->soft_stop();
  if (wait_closed(now() + grace)) return;
  for (auto& c : snapshot()) c->hard_stop();
  wait_closed(now() + std::chrono::seconds(1));
}

}  // namespace detail

class Server::Impl {
 public:
  // The server's own io_contexts, one per thread (ServerState::contexts);
  // destroyed last: they drop the handlers that hold connections.
  std::vector<std::unique_ptr<boost::asio::io_context>> own_io;
  std::shared_ptr<detail::ServerState> state;
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guards;
  std::vector<std::thread> threads;
  std::mutex mu;
  bool started = false;
  bool stopped = false;
};

Server::Server(ServerOptions options, Router router) : impl_(std::make_unique<Impl>()) {
  const int n = std::max(1, options.threads);
  for (int i = 0; i < n; ++i) impl_->own_io.push_back(std::make_unique<boost::asio::io_context>(1));
  impl_->state = std::make_shared<detail::ServerState>(*impl_->own_io.front(), std::move(options), std::move(router));
  impl_->state->contexts.clear();
  for (auto& io : impl_->own_io) impl_->state->contexts.push_back(io.get());
}

Server::Server(boost::asio::io_context& io, ServerOptions options, Router router) : impl_(std::make_unique<Impl>()) {
  impl_->state = std::make_shared<detail::ServerState>(io, std::move(options), std::move(router));
}

Server::~Server() {
  stop(std::chrono::milliseconds(0));
  impl_->state.reset();
}

Status Server::start() {
  std::lock_guard g(impl_->mu);
  if (impl_->started) return Status::invalid("the server was already started");
  Status s = impl_->state->start();
  if (!s) return s;
  impl_->started = true;
  for (auto& own : impl_->own_io) {
    auto& io = *own;
    impl_->guards.push_back(boost::asio::make_work_guard(io));
    impl_->threads.emplace_back([&io] {
      for (;;) {
        try {
          io.run();
          return;
        } catch (...) {
          // A handler's exception must not end the thread; go on serving.
        }
      }
    });
  }
  return Status::ok();
}

std::uint16_t Server::port() const { return impl_->state->port.load(); }

std::size_t Server::connections() const { return impl_->state->open_count(); }

void Server::stop(std::chrono::milliseconds grace) {
  std::lock_guard g(impl_->mu);
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  impl_->state->stop(grace);
  impl_->guards.clear();
  for (auto& io : impl_->own_io) io->stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

}  // namespace yilian::http
