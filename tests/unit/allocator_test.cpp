// The programs run on the allocator they were built for (allocator/): the
// test binary and the command are linked the same way.
#include <doctest/doctest.h>

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

}  // namespace allocator_test
