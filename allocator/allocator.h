// Which malloc the yilian programs run on (allocator/CMakeLists.txt).
#pragma once

#include <string>

namespace yilian::programs {

/// "mimalloc 2.0.9" when the program was linked with mimalloc (its malloc
/// then serves the whole process), else "glibc malloc". Printed by
/// `yilian --version` and by every benchmark.
[[nodiscard]] std::string allocator_name();

/// True when the memory malloc() returns comes from the allocator named by
/// allocator_name() (with mimalloc: the link order put it ahead of the C
/// library). Checked by a test.
[[nodiscard]] bool allocator_serves_malloc();

}  // namespace yilian::programs
