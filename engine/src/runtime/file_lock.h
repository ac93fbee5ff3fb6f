// The engine lock: an exclusive flock on "<store>.lock", so that one engine
// at a time writes a store. The store's path is resolved first (symlinks,
// relative paths), so every path to one store takes the same lock; a bind
// mount of the store's folder shows the same lock file. The kernel releases
// the lock when the process dies, however it dies. The descriptor is
// close-on-exec, so programs the engine starts (the command adapter) never
// hold it. The holder writes what it is into the file ("live PID" or
// "one-off PID"), so that a command finding the lock held can tell a running
// engine, which answers the inbox, from another short command, which is
// about to let go.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "runtime/writer.h"
#include "yilian/status.h"

namespace yilian::detail {

class FileLock {
 public:
  using Holder = WriterKind;
  /// Takes the lock of the store at `store_path`, waiting up to `wait`, and
  /// says in it what holds it (`as`: live or one_off). `unavailable` when
  /// another process (or another engine in this one) keeps it; io_error
  /// when the lock file cannot be opened.
  static Result<std::unique_ptr<FileLock>> acquire(const std::string& store_path, std::chrono::milliseconds wait,
                                                   Holder as = Holder::live);
  /// Who holds the lock of the store at `store_path` now.
  static Holder holder(const std::string& store_path);
  /// The lock file of a store: its resolved path and ".lock".
  static std::string lock_path(const std::string& store_path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace yilian::detail
