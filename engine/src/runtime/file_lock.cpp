#include "runtime/file_lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <csignal>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

namespace yilian::detail {

std::string FileLock::lock_path(const std::string& store_path) {
  std::error_code ec;
  const std::filesystem::path resolved = std::filesystem::weakly_canonical(std::filesystem::absolute(store_path, ec), ec);
  return (ec ? store_path : resolved.string()) + ".lock";
}

Result<std::unique_ptr<FileLock>> FileLock::acquire(const std::string& store_path, std::chrono::milliseconds wait,
                                                    Holder as) {
  const std::string path = lock_path(store_path);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::io(fmt::format("{}: cannot open the engine lock: {}", path, std::strerror(errno)));
  const auto until = std::chrono::steady_clock::now() + wait;
  for (;;) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      // Say what holds it (read by holder()); a failure to say is harmless:
      // a reader then waits as for a short command.
      const std::string who = fmt::format("{} {}\n", as == Holder::live ? "live" : "one-off", ::getpid());
      if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, who.data(), who.size(), 0);
      return std::unique_ptr<FileLock>(new FileLock(fd));
    }
    if (errno != EWOULDBLOCK && errno != EINTR) {
      const int e = errno;
      ::close(fd);
      return Status::io(fmt::format("{}: cannot lock: {}", path, std::strerror(e)));
    }
    if (std::chrono::steady_clock::now() >= until) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::close(fd);
  return Status::error(Status::Code::unavailable,
                       fmt::format("{}: another engine is running on this store (lock {} is held)", store_path, path));
}

FileLock::Holder FileLock::holder(const std::string& store_path) {
  // Read without locking: even a shared flock for a moment would make an
  // engine starting just then find the lock taken.
  const std::string path = lock_path(store_path);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Holder::none;
  char buf[40] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  ::close(fd);
  const std::string_view text(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  Holder h = Holder::unknown;
  std::string_view rest;
  if (text.starts_with("live ")) h = Holder::live, rest = text.substr(5);
  else if (text.starts_with("one-off ")) h = Holder::one_off, rest = text.substr(8);
  else return h;  // just taken, not written yet
  // The holder that wrote it may be gone (the kernel then released its lock).
  const long pid = std::strtol(std::string(rest).c_str(), nullptr, 10);
  if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return Holder::none;
  return h;
}

FileLock::~FileLock() {
  // Unsaid before letting go, so that no reader takes a closed engine in a
  // process that lives on for a live one.
  (void)!::ftruncate(fd_, 0);
  ::close(fd_);
}

}  // namespace yilian::detail
