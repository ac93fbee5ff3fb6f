// The WAL checkpointer (wal_checkpointer.h).
#include "runtime/wal_checkpointer.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>

#include "runtime/thread_name.h"

namespace yilian::detail {

Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::start(const std::string& path, CheckpointerOptions options) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return Status::io(fmt::format("{}: cannot open for checkpoints: {}", path, msg));
  }
  // The checkpoint's fsyncs follow this connection's setting: the WAL is
  // synced before its frames are copied, the database after, so a frame is
  // never overwritten before the database holding it is on disk.
  const char* sync = options.full_sync ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;";
  if (sqlite3_exec(db, sync, nullptr, nullptr, nullptr) != SQLITE_OK) {
    std::string msg = sqlite3_errmsg(db);
    sqlite3_close_v2(db);
    return Status::io(fmt::format("{}: {}", path, msg));
  }
  std::unique_ptr<WalCheckpointer> c(new WalCheckpointer(db, options));
  c->thread_ = std::thread([p = c.get()] {
    name_this_thread("yilian-ckpt");
    p->run();
  });
  return c;
}

WalCheckpointer::WalCheckpointer(sqlite3* db, CheckpointerOptions options) : db_(db), options_(options) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  sqlite3_close_v2(db_);
}

void WalCheckpointer::attach(sqlite3* writer) { sqlite3_wal_hook(writer, &WalCheckpointer::hook, this); }

int WalCheckpointer::hook(void* self, sqlite3*, const char*, int frames) {
  static_cast<WalCheckpointer*>(self)->grew(frames);
  return SQLITE_OK;
}

void WalCheckpointer::grew(int frames) {
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    frames_ = frames;
    wake = frames_ >= wait_for_;
  }
  if (wake) cv_.notify_all();
}

void WalCheckpointer::enter() {
  std::unique_lock lock(mu_);
  if (gate_closed_) {
    const auto t0 = std::chrono::steady_clock::now();
    cv_.wait(lock, [&] { return !gate_closed_; });
    const auto us = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count());
    stats_.gate_wait_us += us;
    stats_.max_gate_wait_us = std::max(stats_.max_gate_wait_us, us);
  }
  in_transaction_ = true;
}

void WalCheckpointer::leave() {
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    in_transaction_ = false;
    wake = gate_closed_;
  }
  if (wake) cv_.notify_all();
}

CheckpointerStats WalCheckpointer::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void WalCheckpointer::run() {
  const CheckpointerOptions& o = options_;
  int gate_at = o.restart_frames;  // the WAL's size from which a tail is copied behind the gate
  int gated_log = -1;              // the WAL's size at the last gated pass, until a restart is seen
  std::unique_lock lock(mu_);
  wait_for_ = o.start_frames;
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || frames_ >= wait_for_; });
    if (stop_) return;
    lock.unlock();
    int log = 0, copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    lock.lock();
    ++stats_.passes;
    if (rc != SQLITE_OK) {
      // Another connection is checkpointing (SQLITE_BUSY), or an I/O error
      // the writer will meet and report itself: try again after more frames.
      wait_for_ = frames_ + o.step_frames;
      continue;
    }
    if (gated_log >= 0) {
      // Started again (smaller than at the gated pass), or a reader held
      // the old frames at that moment: then the next gate waits for a
      // quarter of the threshold more, not for every commit.
      if (log < gated_log) {
        ++stats_.restarts;
        gate_at = o.restart_frames;
      } else {
        gate_at = log + std::max(1, o.restart_frames / 4);
      }
      gated_log = -1;
    }
    if (log >= gate_at && (log - copied <= o.tail_frames || log >= std::max(gate_at, o.hard_frames))) {
      gate_closed_ = true;
      cv_.wait(lock, [&] { return stop_ || !in_transaction_; });
      lock.unlock();
      rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
      lock.lock();
      gate_closed_ = false;
      cv_.notify_all();
      ++stats_.gated;
      gated_log = log;
      // The writer's next commit reports a small WAL if it started again,
      // a larger one if not; either way the next pass comes from there.
      frames_ = 0;
      wait_for_ = o.start_frames;
      if (stop_) return;
      continue;
    }
    wait_for_ = std::max(o.start_frames, copied + o.step_frames);
  }
}

}  // namespace yilian::detail
