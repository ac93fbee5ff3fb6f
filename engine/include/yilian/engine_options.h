// Settings of the live engine: plain structs with in-class defaults. A
// deployment file (deployment.h) fills the same structs.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "yilian/case_types.h"
#include "yilian/material_file.h"

namespace yilian {

/// How a failed delivery is tried again: exponential backoff with jitter,
/// then an incident on the task.
struct RetryPolicy {
  /// Deliveries of one task attempt before the task goes into incident (1: no retry).
  int attempts = 5;
  /// Wait before the second delivery; each further wait is `multiplier` times longer.
  std::chrono::milliseconds first_delay{500};
  double multiplier = 2.0;
  /// No wait is longer than this.
  std::chrono::milliseconds max_delay{60'000};
  /// Each wait is multiplied by a random factor in [1 - jitter, 1 + jitter].
  double jitter = 0.2;

  /// The wait before delivery `next` (2, 3, …) with `unit` in [0, 1) as the
  /// random draw. Pure.
  [[nodiscard]] std::chrono::milliseconds delay(int next, double unit) const;
};

/// How the deliveries to one department are supervised. Unset fields take
/// the engine's defaults (EngineOptions).
struct AdapterOptions {
  /// No accepted(), report() or failed() within this time counts as a failed
  /// delivery. Zero: no timeout (the manual work queue).
  std::optional<std::chrono::milliseconds> timeout;
  std::optional<RetryPolicy> retry;
};

/// What a commit survives. Both keep the log and the state consistent (one
/// transaction); they differ in when the commit reaches the disk.
enum class Durability : std::uint8_t {
  process_crash,  ///< SQLite WAL, synchronous=NORMAL: a crash of the process loses nothing acknowledged; a power cut may lose the last commits (never half of one)
  power_loss,     ///< SQLite WAL, synchronous=FULL: every commit is fsync'ed before it is acknowledged
};

struct EngineOptions {
  // ---- behaviour ----
  /// Run adapters and timers and recover open cases on open. false: an
  /// operator's session that only records events (the next live engine
  /// dispatches what they cause).
  bool live = true;
  /// Threads of the I/O context that runs adapters and timers (at least 1).
  /// The engine has two threads of its own besides these: the committer
  /// (steps and encodes batches) and the writer (commits them).
  int threads = 2;
  /// Defaults for every department (AdapterOptions overrides them).
  std::chrono::milliseconds adapter_timeout{30'000};
  RetryPolicy retry;
  /// Deliver a case as soon as every matter is approved, by this method
  /// (electronic licences). Unset: an operator delivers (request::Deliver).
  std::optional<DeliveryMethod> auto_deliver;
  /// Directories searched for the chains' calendars, before ./chains/calendars
  /// and a `calendars/` folder next to each chain file loaded.
  std::vector<std::string> calendar_dirs;
  /// The local time of the service center (chains count in local working
  /// days). Unset: the system clock in China Standard Time (UTC+8).
  std::function<Instant()> clock;
  /// How long open() waits for another engine on the same store to close.
  std::chrono::milliseconds lock_wait{5'000};
  /// How often a live engine looks for requests that other processes (the
  /// CLI) left in the store's inbox.
  std::chrono::milliseconds inbox_poll{200};
  /// Seed for the retry jitter (0: from the system's random device).
  std::uint64_t seed = 0;

  // ---- performance ----
  Durability durability = Durability::process_crash;
  /// Group commit: after the first event of a batch arrives, wait this long
  /// for more before committing them in one transaction.
  std::chrono::microseconds group_commit_window{200};
  /// A batch is committed at once when it holds this many requests.
  std::size_t group_commit_max = 4096;
  /// The largest material file (request::Attach) taken, in bytes.
  std::uint64_t max_file_bytes = kDefaultMaxFileBytes;
  /// Open cases kept decoded in memory; others are read from the store when
  /// an event arrives for them.
  std::size_t state_cache = 4096;
  /// SQLite page cache per connection, in KiB.
  int sqlite_cache_kib = 16 * 1024;
};

/// The system clock as a local Instant in China Standard Time (UTC+8).
[[nodiscard]] Instant china_standard_time_now();

}  // namespace yilian
