// Internals shared by the server's files: the type-erased connection that
// responders and event streams talk to, and the server's state. Not part of
// the interface; includes Asio.
#pragma once

#include "http.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>

#if YILIAN_HTTP_TLS
#include <boost/asio/ssl/context.hpp>
#endif

namespace yilian::http::detail {

/// One client connection, whatever its stream type. Every method may be
/// called from any thread: it posts onto the connection's strand.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  virtual ~Connection() = default;
  /// The answer to request number `request`; dropped if that request is no
  /// longer the one waiting (connection closed).
  virtual void deliver(std::uint64_t request, Response response) = 0;
  /// Turns request `request` into an event stream whose state is `state`.
  virtual void begin_stream(std::uint64_t request, Response head, std::shared_ptr<StreamState> state) = 0;
  /// Queues bytes of an open stream (already framed as SSE text).
  virtual void stream_push(std::string bytes) = 0;
  /// Ends an open stream after what is queued.
  virtual void stream_end() = 0;
  /// Runs `fn` on the connection's strand.
  virtual void run(std::function<void()> fn) = 0;
  /// Graceful stop: idle connections and streams close, in-flight requests
  /// are answered with Connection: close.
  virtual void soft_stop() = 0;
  /// Closes the socket now.
  virtual void hard_stop() = 0;
  /// ServerOptions::stream_queue_bytes.
  [[nodiscard]] virtual std::size_t stream_queue_limit() const = 0;
};

/// Runs a handler's work for `r`: an exception it throws becomes a 500
/// problem (when no answer was given).
void guarded(const Responder& r, const std::function<void()>& fn);

/// The shared state behind all copies of one Responder.
class Exchange {
 public:
  Exchange(std::weak_ptr<Connection> connection, std::uint64_t request)
      : connection_(std::move(connection)), request_(request) {}
  ~Exchange();
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  /// True exactly once: the caller gives the answer.
  bool take() { return !answered_.exchange(true); }
  [[nodiscard]] bool answered() const { return answered_.load(); }
  [[nodiscard]] std::shared_ptr<Connection> connection() const { return connection_.lock(); }
  [[nodiscard]] std::uint64_t request() const { return request_; }

 private:
  std::weak_ptr<Connection> connection_;
  std::uint64_t request_;
  std::atomic<bool> answered_{false};
};

/// The shared state behind an EventStream.
class StreamState {
 public:
  StreamState(std::weak_ptr<Connection> connection, std::size_t queue_limit)
      : connection_(std::move(connection)), queue_limit_(queue_limit) {}

  /// Queues framed bytes; false (and the stream closes) when closed or
  /// over the queue limit.
  bool push(std::string bytes);
  void close();
  [[nodiscard]] bool closed() const;
  void on_close(std::function<void()> callback);
  /// Marks the stream closed and runs the callback once (server side).
  void mark_closed();
  /// Bytes written to the socket (server side).
  void written(std::size_t n) { queued_.fetch_sub(n); }

 private:
  std::weak_ptr<Connection> connection_;
  std::size_t queue_limit_;
  std::atomic<std::size_t> queued_{0};
  mutable std::mutex mu_;
  bool closed_ = false;
  std::function<void()> on_close_;
};

/// The server's state, shared by its connections.
class ServerState : public std::enable_shared_from_this<ServerState> {
 public:
  ServerState(boost::asio::io_context& context, ServerOptions opts, Router routes)
      : io(context), options(std::move(opts)), router(std::move(routes)), acceptor(boost::asio::make_strand(context)) {}

  Status start();
  void stop(std::chrono::milliseconds grace);
  /// Registers an open connection (the registry keeps it alive until closed).
  void opened(const std::shared_ptr<Connection>& c);
  /// Unregisters a connection that closed its socket.
  void closed(Connection* c);
  std::size_t open_count() const;

  boost::asio::io_context& io;
  /// Where new connections run, in turn: the server's own io_contexts, one
  /// per thread (a connection stays on one thread, so its reads, timers and
  /// writes never wake another), or the caller's one.
  std::vector<boost::asio::io_context*> contexts{&io};
  std::size_t next_context = 0;  ///< touched by the acceptor's handler only
  const ServerOptions options;
  const Router router;
  boost::asio::ip::tcp::acceptor acceptor;
#if YILIAN_HTTP_TLS
  std::unique_ptr<boost::asio::ssl::context> tls;
#endif
  std::atomic<std::uint16_t> port{0};

 private:
  void accept();
  void refuse(boost::asio::ip::tcp::socket socket);
  void start_session(boost::asio::ip::tcp::socket socket);
  /// Waits until no connection is open or `deadline`; true when none is.
  bool wait_closed(std::chrono::steady_clock::time_point deadline);

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<Connection*, std::shared_ptr<Connection>> open_;
  bool stopping_ = false;
  std::atomic<int> backoff_ms_{0};
  std::unique_ptr<boost::asio::steady_timer> retry_timer_;
};

/// The SSE text of one event, and of one comment.
std::string format_event(std::string_view id, std::string_view event, std::string_view data);
std::string format_comment(std::string_view text);

}  // namespace yilian::http::detail
