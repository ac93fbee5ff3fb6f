// Responder and EventStream: the thread-safe handles handlers keep to
// answer later or to push events.
#include <fmt/format.h>

#include "internal.h"

namespace yilian::http {

namespace detail {

Exchange::~Exchange() {
  // The last Responder copy went away without an answer: the client must
  // not wait for ever.
  if (take())
    if (auto c = connection())
      c->deliver(request_, Response::problem(500, "Internal Server Error", "The request's handler gave no answer."));
}

bool StreamState::push(std::string bytes) {
  std::shared_ptr<Connection> c;
  {
    std::lock_guard g(mu_);
    if (closed_) return false;
    c = connection_.lock();
    if (!c) return false;
    if (queued_.load() + bytes.size() > queue_limit_) {
      c->hard_stop();  // a client this slow is cut off; mark_closed follows
      return false;
    }
    queued_.fetch_add(bytes.size());
  }
  c->stream_push(std::move(bytes));
  return true;
}

void StreamState::close() {
  std::shared_ptr<Connection> c;
  {
    std::lock_guard g(mu_);
    if (closed_) return;
    c = connection_.lock();
  }
  if (c) c->stream_end();
  else mark_closed();
}

bool StreamState::closed() const {
  std::lock_guard g(mu_);
  return closed_;
}

void StreamState::on_close(std::function<void()> callback) {
  {
    std::lock_guard g(mu_);
    if (!closed_) {
      on_close_ = std::move(callback);
      return;
    }
  }
  if (callback) callback();
}

void StreamState::mark_closed() {
  std::function<void()> callback;
  {
    std::lock_guard g(mu_);
    if (closed_) return;
    closed_ = true;
    callback = std::move(on_close_);
  }
  if (callback) callback();
}

namespace {
// Appends `field: value` lines, one per line of `value` (SSE has no escapes).
void append_lines(std::string& out, std::string_view field, std::string_view value) {
  for (;;) {
    auto nl = value.find_first_of("\r\n");
    out.append(field).append(": ").append(value.substr(0, nl)).push_back('\n');
    if (nl == std::string_view::npos) return;
    if (value[nl] == '\r' && nl + 1 < value.size() && value[nl + 1] == '\n') ++nl;
    value.remove_prefix(nl + 1);
  }
}
std::string_view first_line(std::string_view v) { return v.substr(0, v.find_first_of("\r\n")); }
}  // namespace

std::string format_event(std::string_view id, std::string_view event, std::string_view data) {
  std::string out;
  out.reserve(data.size() + id.size() + event.size() + 24);
  if (!id.empty()) append_lines(out, "id", first_line(id));
  if (!event.empty()) append_lines(out, "event", first_line(event));
  append_lines(out, "data", data);
  out.push_back('\n');
  return out;
}

std::string format_comment(std::string_view text) {
  std::string out;
  append_lines(out, "", text);
  out.push_back('\n');
  return out;
}

}  // namespace detail

bool Responder::send(Response response) const {
  if (!exchange_->take()) return false;
  if (auto c = exchange_->connection()) c->deliver(exchange_->request(), std::move(response));
  return true;
}

std::shared_ptr<EventStream> Responder::stream(Response head) const {
  if (!exchange_->take()) return nullptr;
  auto c = exchange_->connection();
  auto state = std::make_shared<detail::StreamState>(c, c ? c->stream_queue_limit() : 0);
  if (!c) {
    state->mark_closed();
    return std::make_shared<EventStream>(state);
  }
  c->begin_stream(exchange_->request(), std::move(head), state);
  return std::make_shared<EventStream>(state);
}

bool Responder::pending() const { return !exchange_->answered(); }

void Responder::post(std::function<void()> fn) const {
  if (auto c = exchange_->connection()) c->run([self = *this, fn = std::move(fn)] { detail::guarded(self, fn); });
}

void detail::guarded(const Responder& r, const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    r.send(Response::problem(500, "Internal Server Error", fmt::format("The handler failed: {}", e.what())));
  } catch (...) {
    r.send(Response::problem(500, "Internal Server Error", "The handler failed."));
  }
}

bool EventStream::write_event(std::string_view id, std::string_view event, std::string_view data) {
  return state_->push(detail::format_event(id, event, data));
}

bool EventStream::write_comment(std::string_view text) { return state_->push(detail::format_comment(text)); }

void EventStream::close() { state_->close(); }

bool EventStream::closed() const { return state_->closed(); }

void EventStream::on_close(std::function<void()> callback) { state_->on_close(std::move(callback)); }

}  // namespace yilian::http
