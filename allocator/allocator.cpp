#include "allocator.h"

#include <cstdlib>
#include <memory>

#ifdef YILIAN_WITH_MIMALLOC
#include <mimalloc.h>
#endif

namespace yilian::programs {

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
