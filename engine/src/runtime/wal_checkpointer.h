// The WAL checkpointer of an engine's SQLite store: it copies the WAL back
// into the database on a thread and connection of its own, so that the
// engine's commits do not wait for a checkpoint (its copy and its fsync of
// the database file were the slow tail of a commit: issue 17's p99).
//
// SQLite starts its WAL again from the beginning only when a writer begins
// a transaction after every frame was copied back. Beside a writer that
// commits every few milliseconds, a checkpoint on another connection never
// reaches the WAL's end on its own, and the WAL would grow without bound.
// So the thread copies in the background while the writer goes on, and
// when the WAL has passed `restart_frames` and only a short tail is left,
// it closes a gate between two of the writer's transactions, copies the
// tail, and opens the gate: the writer's next commit starts the WAL again.
// The writer waits only for that tail (a few milliseconds, once per
// `restart_frames` pages written), not for the whole copy.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "yilian/status.h"

struct sqlite3;

namespace yilian::detail {

struct CheckpointerOptions {
  int start_frames = 1024;     ///< begin copying once the WAL holds this many frames (4 MiB of 4 KiB pages)
  int step_frames = 512;       ///< then copy again after this many more
  int restart_frames = 8192;   ///< make the WAL start again past this size (32 MiB)
  int tail_frames = 1024;      ///< ...when at most this much is left to copy behind the gate
  int hard_frames = 32768;     ///< past this, close the gate whatever is left (the writer outruns the copy)
  bool full_sync = false;      ///< synchronous=FULL on the checkpointer's connection (as the store's)
};

/// Counts of what the thread did, for tests and benchmarks.
struct CheckpointerStats {
  std::uint64_t passes = 0;        ///< checkpoints run beside the writer
  std::uint64_t gated = 0;         ///< checkpoints run behind the closed gate
  std::uint64_t restarts = 0;      ///< the WAL seen started again after a gated pass
  std::uint64_t gate_wait_us = 0;  ///< total time the writer waited at the gate
  std::uint64_t max_gate_wait_us = 0;
};

class WalCheckpointer {
 public:
  /// Opens a connection of its own to the store at `path` and starts the
  /// thread. The writer's connection must stop checkpointing itself
  /// (`attach` does it with its WAL hook).
  static Result<std::unique_ptr<WalCheckpointer>> start(const std::string& path, CheckpointerOptions options);
  ~WalCheckpointer();  ///< stops and joins the thread
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  /// Installs the WAL hook on the writer's connection: SQLite's automatic
  /// checkpoint there is off, and each commit tells the thread the WAL's
  /// size.
  void attach(sqlite3* writer);

  /// The writer brackets each write transaction with these (Gate does).
  void enter();
  void leave();
  class Gate {
   public:
    explicit Gate(WalCheckpointer* c) : c_(c) {
      if (c_) c_->enter();
    }
    ~Gate() {
      if (c_) c_->leave();
    }
    Gate(const Gate&) = delete;
    Gate& operator=(const Gate&) = delete;

   private:
    WalCheckpointer* c_;
  };

  [[nodiscard]] CheckpointerStats stats() const;

 private:
  WalCheckpointer(sqlite3* db, CheckpointerOptions options);
  void run();
  void grew(int frames);
  static int hook(void* self, sqlite3* db, const char* name, int frames);

  sqlite3* db_;
  CheckpointerOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int frames_ = 0;        ///< the WAL's size the writer last reported
  int wait_for_ = 0;      ///< the thread wakes when frames_ reaches this
  bool stop_ = false;
  bool gate_closed_ = false;
  bool in_transaction_ = false;
  CheckpointerStats stats_;
  std::thread thread_;
};

}  // namespace yilian::detail
