// A department system for the command adapter's tests: reads a task as JSON
// on stdin and answers with an outcome on stdout.
//
//   yilian_test_department [--log FILE] [--sleep-ms N] [--fail-percent P]
//                          [--hang-percent P] [--seed S]
//
// --log appends "<key> <delivery>" to FILE (O_APPEND, one write) before
// answering, so a test can count the answers given. --sleep-ms waits a
// random 0..N ms first. --fail-percent exits 3 without an answer, and
// --hang-percent sleeps an hour (the adapter must kill it), P% of the time.
// Approvals carry the values the kindergarten chain's matters produce
// (valid ones, and only the matter's own: the engine refuses others), and
// the flow tests' a.kind.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <random>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

int main(int argc, char** argv) {
  std::string log;
  int sleep_ms = 0, fail = 0, hang = 0;
  unsigned seed = static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count() ^ ::getpid());
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--log") log = argv[i + 1];
    else if (a == "--sleep-ms") sleep_ms = std::atoi(argv[i + 1]);
    else if (a == "--fail-percent") fail = std::atoi(argv[i + 1]);
    else if (a == "--hang-percent") hang = std::atoi(argv[i + 1]);
    else if (a == "--seed") seed = static_cast<unsigned>(std::atoi(argv[i + 1]));
  }
  const std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  const auto task = nlohmann::json::parse(input, nullptr, false);
  if (task.is_discarded() || !task.contains("key")) {
    std::fprintf(stderr, "not a task: %.80s\n", input.c_str());
    return 2;
  }
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> pct(0, 99);
  if (sleep_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, sleep_ms)(rng)));
  if (pct(rng) < fail) {
    std::fprintf(stderr, "simulated failure\n");
    return 3;
  }
  if (pct(rng) < hang) std::this_thread::sleep_for(std::chrono::hours(1));
  const std::string key = task["key"].get<std::string>();
  if (!log.empty()) {
    const std::string line = key + " " + std::to_string(task.value("delivery", 0)) + "\n";
    const int fd = ::open(log.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) {
      (void)::write(fd, line.data(), line.size());
      ::close(fd);
    }
  }
  const std::string n = std::to_string(task.value("case", 0));
  const std::string matter = task.value("matter", "");
  // Only what the matter declares under `produces` (the engine refuses others).
  nlohmann::json produced = nlohmann::json::object();
  if (matter == "school-permit") produced["school.permit_no"] = "教民1403020" + n;
  if (matter == "nonprofit-registration") produced["applicant.uscc"] = "52370302MJ0000000M";  // its check character is right
  if (matter == "food-permit")
    produced["food.licence_no"] = "JY13703020" + std::string(6 - std::min<std::size_t>(6, n.size()), '0') + n;
  if (matter == "a") produced["a.kind"] = "big";  // the flow tests' chain
  nlohmann::json out{{"outcome", "approved"}, {"produced", produced}};  // the flow tests' chain
  std::cout << out.dump() << std::endl;
  return 0;
}
