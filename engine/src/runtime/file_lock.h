// The engine lock: an exclusive flock on "<store>.lock", so that one engine
// at a time writes a store. The kernel releases it when the process dies,
// however it dies. The descriptor is close-on-exec, so programs the engine
// starts (the command adapter) never hold it.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "yilian/status.h"

namespace yilian::detail {

class FileLock {
 public:
  /// Takes the lock of the store at `store_path`, waiting up to `wait`.
  /// `unavailable` when another process (or another engine in this one)
  /// keeps it; io_error when the lock file cannot be opened.
  static Result<std::unique_ptr<FileLock>> acquire(const std::string& store_path, std::chrono::milliseconds wait);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace yilian::detail
