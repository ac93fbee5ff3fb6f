// The programs run on the allocator they were built for (allocator/): the
// test binary and the command are linked the same way.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <thread>

#include "allocator.h"
#include "cli_support.h"

namespace allocator_test {

TEST_CASE("programs.allocator.serves_malloc_on_every_thread") {
  CHECK(yilian::programs::allocator_serves_malloc());
  bool other = false;
  std::thread t([&] { other = yilian::programs::allocator_serves_malloc(); });
  t.join();
  CHECK(other);
}

TEST_CASE("programs.allocator.named_by_the_command") {
  const auto r = yilian::test::run_cli("--version");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("yilian 0.1.0") != std::string::npos);
  CHECK(r.out.find(yilian::programs::allocator_name()) != std::string::npos);
}

// The engine's batches come and go every few tens of milliseconds: on
// mimalloc, freed memory stays a second before it goes back to the system
// (bench/README.md), unless the environment says otherwise.
TEST_CASE("programs.allocator.keeps_freed_memory_a_second") {
  using namespace yilian::programs;
  if (allocator_name().rfind("mimalloc", 0) != 0) {
    CHECK(allocator_return_delay_ms() == -1);
    return;
  }
  const char* env = std::getenv("MIMALLOC_DECOMMIT_DELAY");
  CHECK(allocator_return_delay_ms() == (env ? std::atol(env) : 1000));
}

}  // namespace allocator_test
