// What the tests that drive `yilian serve` from C++ share: a blocking
// HTTP/1.1 client (one request per connection to 127.0.0.1, the whole
// answer read), the port a server prints, a window account's API key, the
// kindergarten application as an API body, and cutting the active engine's
// PostgreSQL session.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <regex>
#include <string>

#include "pg_fixture.h"
#include "process.h"
#include "run_support.h"
#include "runtime/json_codec.h"

namespace yilian::test {

struct HttpAnswer {
  int status = 0;  ///< 0: no answer (refused, cut, timed out)
  std::string body;
};

inline HttpAnswer http_call(std::uint16_t port, const std::string& method, const std::string& target,
                            const std::map<std::string, std::string>& headers = {}, const std::string& body = {},
                            std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  HttpAnswer a;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return a;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string raw;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    std::string q = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const auto& [k, v] : headers) q += k + ": " + v + "\r\n";
    if (!body.empty() && !headers.count("Content-Type")) q += "Content-Type: application/json\r\n";
    q += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    bool sent = true;
    for (std::size_t off = 0; off < q.size() && sent;) {
      const ssize_t n = ::send(fd, q.data() + off, q.size() - off, MSG_NOSIGNAL);
      sent = n > 0;
      off += sent ? static_cast<std::size_t>(n) : 0;
    }
    const auto until = std::chrono::steady_clock::now() + timeout;
    char buf[8192];
    while (sent) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      pollfd p{fd, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      raw.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  const auto head_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || head_end == std::string::npos) return a;
  a.status = std::atoi(raw.c_str() + 9);
  a.body = raw.substr(head_end + 4);
  return a;
}

/// The port a `yilian serve` started with `--listen 127.0.0.1:0` prints,
/// read from its output file; 0 when it did not say within `timeout`.
inline std::uint16_t served_port(const std::string& output, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  const std::string mark = "on http://127.0.0.1:";
  for (;;) {
    const std::string out = read_file(output);
    if (const auto at = out.find(mark); at != std::string::npos)
      return static_cast<std::uint16_t>(std::atoi(out.c_str() + at + mark.size()));
    if (std::chrono::steady_clock::now() >= until) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

/// An account of the window with an API key, added through the CLI; the key.
inline std::string window_key(const std::string& db, const std::string& output) {
  const pid_t pid = spawn({YILIAN_CLI, "account", "add", "--db", db, "窗口一", "--role", "window", "--api-key"}, output);
  REQUIRE(wait_for(pid, std::chrono::seconds(30)) == 0);
  std::smatch m;
  const std::string out = read_file(output);
  REQUIRE_MESSAGE(std::regex_search(out, m, std::regex("yk_[0-9a-f]+")), out);
  return m.str();
}

/// The kindergarten application (run_support.h) as the body of POST /api/v1/cases.
inline std::string application_body(bool meals) {
  const request::Submit s = application(meals);
  nlohmann::json materials = nlohmann::json::array();
  for (const auto& m : s.materials) materials.push_back(m);
  return nlohmann::json{{"chain", s.chain}, {"fields", detail::to_json(s.fields)}, {"materials", materials}}.dump();
}

/// Ends the session of the engine holding the store's writer lock, from the
/// server's side (as a network cut or an operator would).
inline void cut_the_active_session(const std::string& uri) {
  pg_admin("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = 1 "
           "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
           uri);
}

}  // namespace yilian::test
