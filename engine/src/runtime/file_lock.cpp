#include "runtime/file_lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace yilian::detail {

Result<std::unique_ptr<FileLock>> FileLock::acquire(const std::string& store_path, std::chrono::milliseconds wait) {
  const std::string path = store_path + ".lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::io(fmt::format("{}: cannot open the engine lock: {}", path, std::strerror(errno)));
  const auto until = std::chrono::steady_clock::now() + wait;
  for (;;) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return std::unique_ptr<FileLock>(new FileLock(fd));
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

FileLock::~FileLock() { ::close(fd_); }

}  // namespace yilian::detail
