#include "allocator.h"

#include <cstdlib>
#include <memory>

#ifdef YILIAN_WITH_MIMALLOC
#include <mimalloc.h>
#endif

namespace yilian::programs {

#ifdef YILIAN_WITH_MIMALLOC
namespace {

/// mimalloc hands memory it no longer uses back to the system 25 ms after
/// it was freed (its default). The engine allocates and frees its batches
/// (the jobs taken together, the rows of one commit, the tasks handed to
/// adapters: a few megabytes) every 20–30 ms, so the same memory went back
/// and was faulted in again, page by page: a fifth of the engine's CPU
/// under load (bench/README.md, "Memory that came back as page faults"). After a
/// second it still goes back; MIMALLOC_DECOMMIT_DELAY, when set, decides.
constexpr long kDecommitDelayMs = 1000;

const bool decommit_delay_set = [] {
  if (std::getenv("MIMALLOC_DECOMMIT_DELAY") == nullptr) mi_option_set(mi_option_decommit_delay, kDecommitDelayMs);
  return true;
}();

}  // namespace
#endif

long allocator_return_delay_ms() {
#ifdef YILIAN_WITH_MIMALLOC
  return mi_option_get(mi_option_decommit_delay);
#else
  return -1;
#endif
}

std::string allocator_name() {
#ifdef YILIAN_WITH_MIMALLOC
  // Calling into mimalloc also keeps it among the program's libraries when
  // the linker drops those nothing refers to (--as-needed).
  const int v = mi_version();  // major·100 + minor·10 + patch
  return "mimalloc " + std::to_string(v / 100) + "." + std::to_string(v / 10 % 10) + "." + std::to_string(v % 10);
#else
  return "glibc malloc";
#endif
}

bool allocator_serves_malloc() {
#ifdef YILIAN_WITH_MIMALLOC
  const std::unique_ptr<void, decltype(&std::free)> p(std::malloc(64), &std::free);
  const std::unique_ptr<int> q = std::make_unique<int>(1);  // operator new too
  return p && mi_is_in_heap_region(p.get()) && mi_is_in_heap_region(q.get());
#else
  return true;
#endif
}

}  // namespace yilian::programs
