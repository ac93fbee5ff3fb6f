// Client: one-off requests on a store, applied by this process's own
// recording engine when no engine runs, else through the store's inbox:
// put there, answered by the live engine in the transaction that commits
// what the request caused. One thread waits for every answer.
#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "runtime/chain_registry.h"
#include "runtime/json_codec.h"
#include "runtime/store.h"
#include "yilian/engine.h"

namespace yilian {

using namespace detail;

namespace {

using Done = std::function<void(Result<Receipt>)>;
using Clock = std::chrono::steady_clock;

}  // namespace

struct Client::Impl {
  // A nested type rather than one of the unnamed namespace: Impl has
  // external linkage (GCC's -Wsubobject-linkage, in a unity build).
  struct Waiting {
    Done done;
    Clock::time_point until;
    bool taken_grace = false;  ///< the engine took it; waited for as long again
  };

  std::string path;
  Options options;
  std::unique_ptr<Engine> engine;  ///< when no engine runs on the store
  std::unique_ptr<Store> store;    ///< when one does (or relay): its inbox, read by the waiter
  std::unique_ptr<ChainRegistry> registry;
  std::mutex mu;  ///< the store (one connection)

  // Requests put in the inbox by the sender thread, all that arrived in one
  // transaction, through a connection of its own.
  std::unique_ptr<Store> put_store;
  std::vector<std::pair<std::string, Done>> outgoing;
  std::thread sender;

  // Requests in the inbox waiting for their answers, by inbox row.
  std::unique_ptr<Notices> answers;  ///< null: poll
  std::mutex w_mu;  ///< outgoing, waiting, stop
  std::condition_variable w_cv;  ///< the waiter's
  std::condition_variable s_cv;  ///< the sender's
  std::map<std::int64_t, Waiting> waiting;
  bool stop = false;
  std::thread waiter;

  ~Impl() {
    {
      std::lock_guard g(w_mu);
      stop = true;
    }
    w_cv.notify_all();
    s_cv.notify_all();
    if (sender.joinable()) sender.join();
    if (waiter.joinable()) waiter.join();
  }

  void put(Request request, Done done);
  void send_main();
  void wait_main();
  /// One look at every waiting request: answered ones are taken out with
  /// their answers, expired ones withdrawn (or given their grace).
  std::vector<std::pair<Done, Result<Receipt>>> look();
  std::vector<std::pair<Done, Result<Receipt>>> give_up_all();
};

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::open(const std::string& path, const Options& options) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->options = options;
  auto relay = [&](bool create) -> Status {
    auto store = open_store(path, StoreOptions{.create = create});
    if (!store) return store.status();
    impl->store = std::move(*store);
    auto put_store = open_store(path, StoreOptions{.create = false});
    if (!put_store) return put_store.status();
    impl->put_store = std::move(*put_store);
    impl->registry = std::make_unique<ChainRegistry>(options.calendar_dirs);
    auto notices = impl->store->listen(kAnswerChannel);
    if (notices) impl->answers = std::move(*notices);  // else: polling alone
    return Status::ok();
  };
  if (options.relay) {
    if (Status s = relay(true); !s) return s;
    return std::unique_ptr<Client>(new Client(std::move(impl)));
  }
  EngineOptions eo;
  eo.live = false;
  eo.threads = 1;
  eo.calendar_dirs = options.calendar_dirs;
  eo.clock = options.clock;
  eo.lock_wait = std::chrono::milliseconds(0);
  // The lock held by another short command (yilian case …, task …) is let
  // go in a moment: wait for it and apply the request here. Only a live
  // engine, which answers the inbox, is handed the request.
  const auto until = Clock::now() + options.wait;
  for (;;) {
    auto engine = Engine::open(path, eo);
    if (engine) {
      impl->engine = std::move(*engine);
      break;
    }
    if (engine.status().code() != Status::Code::unavailable) return engine.status();
    auto writer = store_writer(path);
    if (!writer) return writer.status();
    if (*writer == WriterKind::live) {
      if (Status s = relay(false); !s) return s;
      break;
    }
    if (Clock::now() >= until)
      return Status::error(Status::Code::unavailable,
                           fmt::format("{}: another yilian command kept the store for {} ms; nothing was done, try again",
                                       path, options.wait.count()));
    eo.lock_wait = std::chrono::milliseconds(100);
  }
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

bool Client::remote() const { return impl_->engine == nullptr; }

Result<ChainInfo> Client::load_chain_file(const std::string& path) {
  std::lock_guard g(impl_->mu);
  if (impl_->engine) return impl_->engine->load_chain_file(path);
  auto sc = read_chain_file(path);
  if (!sc) return sc.status();
  auto compiled = impl_->registry->compile(std::move(*sc));
  if (!compiled) return compiled.status();
  if (Status s = impl_->store->put_chain((*compiled)->stored); !s) return s;
  const auto& c = **compiled;
  return ChainInfo{c.stored.id, c.stored.version, c.flow->chain().name, c.stored.sha256};
}

Result<Receipt> Client::apply(const Request& request) {
  if (impl_->engine) return impl_->engine->apply(request);
  std::promise<Result<Receipt>> answer;
  auto got = answer.get_future();
  impl_->put(request, [&answer](Result<Receipt> r) { answer.set_value(std::move(r)); });
  return got.get();
}

void Client::apply_async(Request request, std::function<void(Result<Receipt>)> done) {
  if (impl_->engine) return impl_->engine->apply_async(std::move(request), std::move(done));
  impl_->put(std::move(request), std::move(done));
}

void Client::Impl::put(Request request, Done done) {
  std::string text = request_to_json(request);
  {
    std::lock_guard g(w_mu);
    outgoing.emplace_back(std::move(text), std::move(done));
    if (!sender.joinable()) {
      sender = std::thread([this] { send_main(); });
      waiter = std::thread([this] { wait_main(); });
    }
  }
  s_cv.notify_one();
}

void Client::Impl::send_main() {
  std::vector<std::pair<std::string, Done>> batch;
  std::vector<std::string> texts;
  for (;;) {
    {
      std::unique_lock g(w_mu);
      s_cv.wait(g, [&] { return stop || !outgoing.empty(); });
      if (outgoing.empty()) break;  // stopping, nothing left to put
      batch.swap(outgoing);
    }
    texts.clear();
    for (auto& [text, done] : batch) texts.push_back(std::move(text));
    auto ids = put_store->inbox_put(texts);
    if (!ids) {
      for (auto& [text, done] : batch) done(ids.status());
    } else {
      const auto until = Clock::now() + options.wait;
      {
        std::lock_guard g(w_mu);
        for (std::size_t i = 0; i < batch.size(); ++i) waiting.emplace((*ids)[i], Waiting{std::move(batch[i].second), until});
      }
      w_cv.notify_all();
    }
    batch.clear();
  }
}

void Client::Impl::wait_main() {
  // Answers wake this thread through the store's notifications where it has
  // them; it looks every 100 ms anyway (a notification can be missed).
  // Without them it polls, quickly at first.
  auto pause = std::chrono::milliseconds(2);
  for (;;) {
    {
      std::unique_lock g(w_mu);
      w_cv.wait(g, [&] { return stop || !waiting.empty(); });
      if (stop) break;
    }
    if (answers) {
      if (auto got = answers->wait(std::chrono::milliseconds(100)); !got) answers.reset();  // lost: poll
    } else {
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::milliseconds(20));
    }
    auto ready = look();
    if (!ready.empty()) pause = std::chrono::milliseconds(2);
    for (auto& [done, result] : ready) done(std::move(result));
  }
  for (auto& [done, result] : give_up_all()) done(std::move(result));
}

std::vector<std::pair<Done, Result<Receipt>>> Client::Impl::look() {
  std::vector<std::int64_t> ids;
  {
    std::lock_guard g(w_mu);
    for (const auto& [id, w] : waiting) ids.push_back(id);
  }
  std::vector<std::pair<Done, Result<Receipt>>> ready;
  auto finish = [&](std::int64_t id, Result<Receipt> r) {
    std::lock_guard g(w_mu);
    auto it = waiting.find(id);
    ready.emplace_back(std::move(it->second.done), std::move(r));
    waiting.erase(it);
  };
  std::lock_guard g(mu);
  // Every answer that arrived, in one read and one delete.
  auto got = store->inbox_results(ids);
  if (!got) {
    for (std::int64_t id : ids)
      finish(id, Status::error(Status::Code::unavailable,
                               fmt::format("lost the store while waiting for request #{}: {}; it may still be applied: "
                                           "see `yilian case list` before trying again",
                                           id, got.status().message())));
    return ready;
  }
  std::vector<std::int64_t> answered;
  for (auto& [id, text] : *got) {
    answered.push_back(id);
    finish(id, receipt_from_json(text));
  }
  if (!answered.empty()) (void)store->inbox_delete(answered);  // a row left behind harms nothing
  const auto now = Clock::now();
  for (std::int64_t id : ids) {
    if (std::find(answered.begin(), answered.end(), id) != answered.end()) continue;
    bool grace = false;
    {
      std::lock_guard w(w_mu);
      const Waiting& wt = waiting.at(id);
      if (now < wt.until) continue;
      grace = wt.taken_grace;
    }
    // Withdrawn while still pending, it is never applied; once the engine
    // took it, its answer comes with its commit: wait for that a while more.
    auto withdrawn = store->inbox_withdraw(id);
    if (!withdrawn) {
      finish(id, withdrawn.status());
    } else if (*withdrawn) {
      finish(id, Status::error(Status::Code::unavailable,
                               fmt::format("the engine running on {} did not take the request within {} ms; it was "
                                           "withdrawn and will not be applied",
                                           path, options.wait.count())));
    } else if (!grace) {
      std::lock_guard w(w_mu);
      waiting.at(id).taken_grace = true;
      waiting.at(id).until = now + options.wait;
    } else {
      finish(id, Status::error(Status::Code::unavailable,
                               fmt::format("the engine running on {} took request #{} but has not answered within {} ms; "
                                           "it was not withdrawn: see `yilian case list` before trying again",
                                           path, id, 2 * options.wait.count())));
    }
  }
  return ready;
}

std::vector<std::pair<Done, Result<Receipt>>> Client::Impl::give_up_all() {
  // Closing with requests still waiting: withdraw what no engine took.
  std::map<std::int64_t, Waiting> left;
  {
    std::lock_guard g(w_mu);
    left.swap(waiting);
  }
  std::vector<std::pair<Done, Result<Receipt>>> out;
  std::lock_guard g(mu);
  for (auto& [id, w] : left) {
    auto withdrawn = store->inbox_withdraw(id);
    out.emplace_back(std::move(w.done),
                     Status::error(Status::Code::unavailable,
                                   withdrawn && *withdrawn
                                       ? fmt::format("closed before the engine took request #{}; it was withdrawn", id)
                                       : fmt::format("closed before the engine answered request #{}; it may still be "
                                                     "applied: see `yilian case list`",
                                                     id)));
  }
  return out;
}

}  // namespace yilian
