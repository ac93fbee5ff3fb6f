// Which malloc the yilian programs run on (allocator/CMakeLists.txt).
#pragma once

#include <string>

namespace yilian::programs {

/// "mimalloc 2.0.9" when the program was linked with mimalloc (its malloc
/// then serves the whole process), else "glibc malloc". Printed by
/// `yilian --version` and by every benchmark.
[[nodiscard]] std::string allocator_name();

/// How long mimalloc keeps freed memory before it gives it back to the
/// system, in milliseconds: 1000 in the yilian programs (mimalloc's own
/// default is 25), or what MIMALLOC_DECOMMIT_DELAY says. -1 on glibc malloc.
[[nodiscard]] long allocator_return_delay_ms();

/// True when the memory malloc() returns comes from the allocator named by
/// allocator_name() (with mimalloc: the link order put it ahead of the C
/// library). Checked by a test.
[[nodiscard]] bool allocator_serves_malloc();

}  // namespace yilian::programs
