// The runtime's one reading of the system clock. Every event of a case
// takes its instant from the engine's clock (EngineOptions::clock, China
// Standard Time by default, a fixed instant in tests and simulations);
// what runs in real time reads wall_clock_ms().
#pragma once

#include <chrono>
#include <cstdint>

namespace yilian::detail {

/// The wall clock, in milliseconds since the epoch: the one reading of the
/// system clock in the runtime, for what runs in real time (retry backoff
/// of deliveries, when an inbox row or idempotency key was written). A
/// case's events take the engine's clock (EngineOptions::clock) instead.
inline std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace yilian::detail
