// The `manual` and `command` adapters.
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "runtime/builtin_adapters.h"
#include "runtime/thread_name.h"
#include "yilian/text.h"

namespace yilian::detail {

namespace {

class ManualAdapter final : public Adapter {
 public:
  void dispatch(const Task&, Completion done) override { done.accepted(); }
};

/// What running one program gave.
struct RunResult {
  bool started = false;
  bool timed_out = false;
  bool cancelled = false;
  int exit_status = -1;  ///< exit code, or -signal
  std::string out;
  std::string err;
  std::string error;     ///< why it could not be started
};

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

/// The environment a department program gets: not the engine's (which may
/// hold credentials and settings of its own), only PATH (a default when the
/// engine has none), HOME, LANG, LC_ALL, TZ and TMPDIR as the engine has
/// them. docs/engine.md documents the list. Built once per adapter.
std::vector<std::string> program_environment() {
  std::vector<std::string> env;
  for (const char* name : {"PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR"}) {
    const char* value = std::getenv(name);
    if (value) env.push_back(fmt::format("{}={}", name, value));
    else if (std::string_view(name) == "PATH") env.emplace_back("PATH=/usr/local/bin:/usr/bin:/bin");
  }
  return env;
}

class CommandAdapter final : public Adapter {
 public:
  CommandAdapter(std::vector<std::string> argv, std::chrono::milliseconds timeout, int workers)
      : argv_(std::move(argv)), env_(program_environment()), timeout_(timeout) {
    for (int i = 0; i < std::max(1, workers); ++i) workers_.emplace_back([this] {
      detail::name_this_thread("yilian-command");
      work();
    });
  }

  ~CommandAdapter() override {
    {
      std::lock_guard g(mu_);
      stopping_ = true;
      for (const auto& [key, pid] : running_) ::kill(-pid, SIGKILL);
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
  }

  void dispatch(const Task& task, Completion done) override {
    {
      std::lock_guard g(mu_);
      if (stopping_) return;  // the engine is closing: the task is re-issued at the next open
      queue_.push_back({task.key, task_to_json(task), std::move(done)});
    }
    cv_.notify_one();
  }

  void cancel(const std::string& key) noexcept override {
    std::lock_guard g(mu_);
    for (auto it = queue_.begin(); it != queue_.end(); ++it)
      if (it->key == key) {
        queue_.erase(it);
        return;
      }
    if (auto it = running_.find(key); it != running_.end()) {
      cancelled_.insert(key);
      ::kill(-it->second, SIGKILL);
    }
  }

 private:
  struct Job {
    std::string key;
    std::string input;
    Completion done;
  };

  void work() {
    // A program that exits without reading its input must not kill the
    // engine with SIGPIPE: the write then fails with EPIPE instead.
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, nullptr);
    for (;;) {
      Job job;
      {
        std::unique_lock g(mu_);
        cv_.wait(g, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      RunResult r = run(job.key, job.input);
      if (r.cancelled) continue;
      finish(job, r);
    }
  }

  void finish(const Job& job, const RunResult& r) {
    const std::string program = argv_.front();
    if (!r.started) return job.done.failed(fmt::format("{}: {}", program, r.error));
    if (r.timed_out) return job.done.failed(fmt::format("{}: no answer within {} ms; killed", program, timeout_.count()));
    if (r.exit_status != 0) {
      std::string_view raw = r.err;
      while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.remove_suffix(1);
      const std::string err = valid_utf8(raw, 300);
      return job.done.failed(r.exit_status > 0
                                 ? fmt::format("{} exited with status {}{}{}", program, r.exit_status,
                                               err.empty() ? "" : ": ", err)
                                 : fmt::format("{} was killed by signal {}", program, -r.exit_status));
    }
    auto outcome = parse_outcome_json(r.out);
    if (!outcome) return job.done.failed(fmt::format("{}: {}", program, outcome.status().message()));
    if (!*outcome) return job.done.accepted();
    job.done.report(std::move(**outcome));
  }

  RunResult run(const std::string& key, const std::string& input) {
    RunResult r;
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
      r.error = fmt::format("cannot create pipes: {}", std::strerror(errno));
      for (int* p : {in, out, err}) close_fd(p[0]), close_fd(p[1]);
      return r;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setpgroup(&attr, 0);  // its own group: a timeout kills it and its children
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    std::vector<char*> argv, envp;
    for (const auto& a : argv_) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto& e : env_) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    pid_t pid = -1;
    int rc = 0;
    {
      std::lock_guard g(mu_);
      if (stopping_) {
        rc = ECANCELED;
      } else {
        rc = ::posix_spawnp(&pid, argv[0], &fa, &attr, argv.data(), envp.data());
        if (rc == 0) running_[key] = pid;
      }
    }
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close_fd(in[0]);
    close_fd(out[1]);
    close_fd(err[1]);
    if (rc != 0) {
      r.error = rc == ECANCELED ? "the engine is closing" : fmt::format("cannot start: {}", std::strerror(rc));
      close_fd(in[1]);
      close_fd(out[0]);
      close_fd(err[0]);
      return r;
    }
    r.started = true;
    ::fcntl(in[1], F_SETFL, O_NONBLOCK);
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    std::size_t written = 0;
    if (input.empty()) close_fd(in[1]);
    char buf[8192];
    while (out[0] >= 0 || err[0] >= 0) {
      pollfd fds[3];
      int n = 0;
      if (in[1] >= 0) fds[n++] = {in[1], POLLOUT, 0};
      if (out[0] >= 0) fds[n++] = {out[0], POLLIN, 0};
      if (err[0] >= 0) fds[n++] = {err[0], POLLIN, 0};
      int wait_ms = -1;
      if (timeout_.count() > 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
          r.timed_out = true;
          break;
        }
        wait_ms = static_cast<int>(std::min<std::int64_t>(left.count(), 1000));
      }
      const int ready = ::poll(fds, static_cast<nfds_t>(n), wait_ms);
      if (ready < 0 && errno != EINTR) break;
      for (int i = 0; i < n && ready > 0; ++i) {
        if (!fds[i].revents) continue;
        if (fds[i].fd == in[1]) {
          const ssize_t w = ::write(in[1], input.data() + written, input.size() - written);
          if (w > 0) written += static_cast<std::size_t>(w);
          if (w < 0 && errno != EAGAIN && errno != EINTR) written = input.size();  // EPIPE: it does not read
          if (written >= input.size()) close_fd(in[1]);
        } else {
          int& fd = fds[i].fd == out[0] ? out[0] : err[0];
          std::string& sink = fds[i].fd == out[0] ? r.out : r.err;
          const ssize_t got = ::read(fd, buf, sizeof buf);
          if (got > 0) {
            if (sink.size() < (1u << 20)) sink.append(buf, static_cast<std::size_t>(got));
          } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
            close_fd(fd);
          }
        }
      }
    }
    close_fd(in[1]);
    close_fd(out[0]);
    close_fd(err[0]);
    // A program that closed its output may still run: it gets the rest of
    // its time to exit, then it is killed like one that never answered.
    int status = 0;
    for (auto nap = std::chrono::milliseconds(1);;) {
      if (r.timed_out) {
        ::kill(-pid, SIGKILL);
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        break;
      }
      const pid_t done = timeout_.count() > 0 ? ::waitpid(pid, &status, WNOHANG) : ::waitpid(pid, &status, 0);
      if (done == pid || (done < 0 && errno != EINTR)) break;
      if (done == 0) {
        if (std::chrono::steady_clock::now() >= deadline) {
          r.timed_out = true;
          continue;
        }
        std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
            nap, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()) +
                     std::chrono::milliseconds(1)));
        nap = std::min<std::chrono::milliseconds>(nap * 2, std::chrono::milliseconds(50));
      }
    }
    r.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? -WTERMSIG(status) : -1;
    std::lock_guard g(mu_);
    running_.erase(key);
    r.cancelled = cancelled_.erase(key) > 0;
    return r;
  }

  std::vector<std::string> argv_;
  std::vector<std::string> env_;  ///< "NAME=value" of program_environment()
  std::chrono::milliseconds timeout_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  std::map<std::string, pid_t> running_;
  std::set<std::string> cancelled_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace

std::shared_ptr<Adapter> make_manual_adapter() { return std::make_shared<ManualAdapter>(); }

Result<std::shared_ptr<Adapter>> make_command_adapter(const AdapterConfig& config, std::chrono::milliseconds timeout) {
  if (config.command.empty() || config.command.front().empty())
    return Status::invalid("a command adapter needs `command`: the program and its arguments");
  if (config.concurrency < 1) return Status::invalid("`concurrency` must be at least 1");
  return std::shared_ptr<Adapter>(std::make_shared<CommandAdapter>(config.command, timeout, config.concurrency));
}

}  // namespace yilian::detail
