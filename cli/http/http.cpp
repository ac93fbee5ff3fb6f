// Value types of the HTTP layer, the router and the rate limiter. The
// server itself (Beast) is in server.cpp.
#include "http.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

namespace yilian::http {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  for (;;) {
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

// --- Headers ----------------------------------------------------------------

std::optional<std::string_view> Headers::get(std::string_view name) const {
  for (const auto& [k, v] : fields_)
    if (iequals(k, name)) return std::string_view(v);
  return std::nullopt;
}

std::vector<std::string_view> Headers::all(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : fields_)
    if (iequals(k, name)) out.emplace_back(v);
  return out;
}

void Headers::set(std::string_view name, std::string value) {
  remove(name);
  fields_.emplace_back(std::string(name), std::move(value));
}

void Headers::add(std::string_view name, std::string value) { fields_.emplace_back(std::string(name), std::move(value)); }

void Headers::remove(std::string_view name) {
  std::erase_if(fields_, [&](const auto& f) { return iequals(f.first, name); });
}

// --- Request, Response ----------------------------------------------------------

std::string Request::param(std::string_view name) const {
  for (const auto& [k, v] : params)
    if (k == name) return v;
  return {};
}

std::optional<std::string> Request::query_value(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return v;
  return std::nullopt;
}

Response Response::json(int status, const nlohmann::json& value) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", "application/json");
  // Invalid UTF-8 in a string is replaced rather than thrown at the caller.
  r.body = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response Response::problem(int status, std::string title, std::string detail, nlohmann::json errors,
                           std::string type) {
  if (!errors.is_array()) errors = nlohmann::json::array();
  nlohmann::json doc = {{"type", std::move(type)},
                        {"title", std::move(title)},
                        {"status", status},
                        {"detail", std::move(detail)},
                        {"errors", std::move(errors)}};
  Response r = json(status, doc);
  r.headers.set("Content-Type", "application/problem+json");
  return r;
}

Response Response::too_many_requests(std::chrono::milliseconds retry_after, std::string detail) {
  auto seconds = std::max<long long>(1, (retry_after.count() + 999) / 1000);
  if (detail.empty()) detail = fmt::format("Too many requests; try again in {} s.", seconds);
  Response r = problem(429, "Too Many Requests", std::move(detail));
  r.headers.set("Retry-After", std::to_string(seconds));
  return r;
}

Response Response::text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

std::string_view reason(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = hex_value(s[i + 1]);
      int lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Handler sync(std::function<Response(const Request&)> fn) {
  return [fn = std::move(fn)](Request request, Responder responder) { responder.send(fn(request)); };
}

// --- Router -------------------------------------------------------------------

Router& Router::add(std::string method, std::string pattern, Handler handler, RouteOptions options) {
  if (pattern.empty() || pattern.front() != '/')
    throw std::invalid_argument(fmt::format("route pattern '{}' must start with '/'", pattern));
  if (!handler) throw std::invalid_argument(fmt::format("route {} {} has no handler", method, pattern));
  Route r;
  r.method = std::move(method);
  for (auto seg : split_path(pattern)) {
    bool open = seg.find('{') != std::string_view::npos || seg.find('}') != std::string_view::npos;
    if (open && !is_param(seg))
      throw std::invalid_argument(
          fmt::format("route pattern '{}': a parameter must be a whole segment like {{name}}", pattern));
    r.segments.emplace_back(seg);
  }
  for (const auto& other : routes_)
    if (other.method == r.method && other.segments == r.segments)
      throw std::invalid_argument(fmt::format("route {} {} is defined twice", r.method, pattern));
  r.pattern = std::move(pattern);
  r.handler = std::move(handler);
  r.options = std::move(options);
  routes_.push_back(std::move(r));
  return *this;
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match m;
  auto segments = split_path(path);
  // Specificity: the position of the first parameter segment (literals to
  // the left win); a route with no parameter beats every other.
  auto specificity = [](const Route& r) {
    for (std::size_t i = 0; i < r.segments.size(); ++i)
      if (is_param(r.segments[i])) return i;
    return r.segments.size() + 1;
  };
  auto matches = [&](const Route& r) {
    if (r.segments.size() != segments.size()) return false;
    for (std::size_t i = 0; i < segments.size(); ++i)
      if (!is_param(r.segments[i]) && r.segments[i] != segments[i]) return false;
    return true;
  };
  const Route* best = nullptr;
  std::vector<std::string> allowed;
  for (const auto& r : routes_) {
    if (!matches(r)) continue;
    if (r.method == method) {
      if (!best || specificity(r) > specificity(*best)) best = &r;
    } else if (std::find(allowed.begin(), allowed.end(), r.method) == allowed.end()) {
      allowed.push_back(r.method);
    }
  }
  if (!best) {
    if (allowed.empty()) {
      m.status = 404;
    } else {
      m.status = 405;
      std::sort(allowed.begin(), allowed.end());
      for (const auto& a : allowed) m.allow += (m.allow.empty() ? "" : ", ") + a;
    }
    return m;
  }
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (!is_param(best->segments[i])) continue;
    auto decoded = percent_decode(segments[i], false);
    if (!decoded) {
      m.status = 400;
      m.params.clear();
      return m;
    }
    const auto& name = best->segments[i];
    m.params.emplace_back(name.substr(1, name.size() - 2), std::move(*decoded));
  }
  m.handler = &best->handler;
  m.options = &best->options;
  return m;
}

// --- RateLimiter ------------------------------------------------------------------

struct RateLimiter::State {
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
  };
  double rate;
  double burst;
  std::mutex mu;
  std::unordered_map<std::string, Bucket> buckets;
  std::size_t prune_at = 1024;
};

RateLimiter::RateLimiter(double rate_per_second, double burst) : state_(std::make_unique<State>()) {
  state_->rate = rate_per_second > 0 ? rate_per_second : 1e-9;
  state_->burst = burst >= 1 ? burst : 1;
}

RateLimiter::~RateLimiter() = default;

RateLimiter::Decision RateLimiter::allow(std::string_view key) { return allow(key, std::chrono::steady_clock::now()); }

RateLimiter::Decision RateLimiter::allow(std::string_view key, std::chrono::steady_clock::time_point now) {
  State& s = *state_;
  std::lock_guard g(s.mu);
  if (s.buckets.size() >= s.prune_at) {
    // Forget keys whose bucket is full again: they behave like new keys.
    std::erase_if(s.buckets, [&](const auto& kv) {
      double elapsed = std::chrono::duration<double>(now - kv.second.last).count();
      return kv.second.tokens + elapsed * s.rate >= s.burst;
    });
    s.prune_at = std::max<std::size_t>(1024, s.buckets.size() * 2);
  }
  auto [it, fresh] = s.buckets.try_emplace(std::string(key), State::Bucket{s.burst, now});
  auto& b = it->second;
  if (!fresh && now > b.last) {
    double elapsed = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min(s.burst, b.tokens + elapsed * s.rate);
    b.last = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return {};
  }
  double wait = (1.0 - b.tokens) / s.rate;
  auto ms = static_cast<long long>(std::ceil(wait * 1000.0));
  return {false, std::chrono::milliseconds(std::max<long long>(1, ms))};
}

}  // namespace yilian::http
