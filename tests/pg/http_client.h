// A blocking HTTP/1.1 client for the tests that drive `yilian serve` from
// C++: one request per connection to 127.0.0.1, the whole answer read.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <string>

#include "process.h"

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
    if (!body.empty()) q += "Content-Type: application/json\r\n";
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

}  // namespace yilian::test
