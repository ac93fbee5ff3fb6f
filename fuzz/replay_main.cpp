// The harnesses without libFuzzer: runs LLVMFuzzerTestOneInput on every file
// of the folders given (the seed corpus and the regression folder of one
// harness), one at a time, naming each before it runs so that a crash
// points at its input. Exit 0 when every file ran; a crash or an abort
// ends the process, which ctest reports as a failure, and so does an input
// that takes more than 10 s of CPU time (a hang, as libFuzzer's -timeout
// would report it). An empty or missing folder list is an error too: a
// replay that replays nothing proves nothing.
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

constexpr int kCpuSecondsPerInput = 10;

/// Stops the replay when one input has used its CPU time.
void on_cpu_limit(int) {
  constexpr char message[] = "replay: the input above took more than 10 s of CPU time (a hang)\n";
  (void)!write(2, message, sizeof message - 1);
  _exit(1);
}

/// Gives the next input kCpuSecondsPerInput of CPU time (SIGPROF counts the
/// process's CPU time, so a busy machine does not make a slow input of a
/// quick one).
void start_cpu_limit() {
  itimerval limit{};
  limit.it_value.tv_sec = kCpuSecondsPerInput;
  setitimer(ITIMER_PROF, &limit, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    std::error_code ec;
    if (fs::is_regular_file(argv[i], ec)) {
      files.emplace_back(argv[i]);
      continue;
    }
    if (!fs::is_directory(argv[i], ec)) continue;  // a harness may have no regressions yet
    for (const auto& e : fs::recursive_directory_iterator(argv[i], ec))
      if (e.is_regular_file() && e.path().filename().string().front() != '.') files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  signal(SIGPROF, on_cpu_limit);
  if (files.empty()) {
    std::fprintf(stderr, "replay: no input files under the folders given\n");
    return 1;
  }
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "replay: cannot read %s\n", f.string().c_str());
      return 1;
    }
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::fprintf(stderr, "replay: %s\n", f.string().c_str());
    start_cpu_limit();
    (void)LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("replay: %zu inputs ran without a crash\n", files.size());
  return 0;
}
