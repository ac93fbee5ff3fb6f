// Client: one-off requests on a store, applied by this process's own
// recording engine when no engine runs, else through the store's inbox.
#include <fmt/format.h>

#include <mutex>
#include <thread>

#include "runtime/chain_registry.h"
#include "runtime/json_codec.h"
#include "runtime/store.h"
#include "yilian/engine.h"

namespace yilian {

using namespace detail;

struct Client::Impl {
  std::string path;
  Options options;
  std::unique_ptr<Engine> engine;  ///< when no engine runs on the store
  std::unique_ptr<Store> store;    ///< when one does: its inbox
  std::unique_ptr<ChainRegistry> registry;
  std::mutex mu;
};

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::open(const std::string& path, const Options& options) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->options = options;
  EngineOptions eo;
  eo.live = false;
  eo.threads = 1;
  eo.calendar_dirs = options.calendar_dirs;
  eo.clock = options.clock;
  eo.lock_wait = std::chrono::milliseconds(0);
  // The lock held by another short command (yilian case …, task …) is let
  // go in a moment: wait for it and apply the request here. Only a live
  // engine, which answers the inbox, is handed the request.
  const auto until = std::chrono::steady_clock::now() + options.wait;
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
      auto store = open_store(path, StoreOptions{.create = false});
      if (!store) return store.status();
      impl->store = std::move(*store);
      impl->registry = std::make_unique<ChainRegistry>(options.calendar_dirs);
      break;
    }
    if (std::chrono::steady_clock::now() >= until)
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
  std::lock_guard g(impl_->mu);
  if (impl_->engine) return impl_->engine->apply(request);
  Store& store = *impl_->store;
  auto id = store.inbox_put(request_to_json(request));
  if (!id) return id.status();
  auto until = std::chrono::steady_clock::now() + impl_->options.wait;
  bool taken_grace = false;
  auto pause = std::chrono::milliseconds(5);
  for (;;) {
    auto answer = store.inbox_result(*id);
    if (!answer) return answer.status();
    if (*answer) {
      (void)store.inbox_delete(*id);
      return receipt_from_json(**answer);
    }
    if (std::chrono::steady_clock::now() >= until) {
      // Withdrawn while still pending, it is never applied; once the engine
      // took it, its answer comes with its commit: wait for that a while more.
      auto withdrawn = store.inbox_withdraw(*id);
      if (!withdrawn) return withdrawn.status();
      if (*withdrawn)
        return Status::error(Status::Code::unavailable,
                             fmt::format("the engine running on {} did not take the request within {} ms; it was "
                                         "withdrawn and will not be applied",
                                         impl_->path, impl_->options.wait.count()));
      if (!taken_grace) {
        taken_grace = true;
        until = std::chrono::steady_clock::now() + impl_->options.wait;
      } else {
        return Status::error(Status::Code::unavailable,
                             fmt::format("the engine running on {} took request #{} but has not answered within {} ms; "
                                         "it was not withdrawn: see `yilian case list` before trying again",
                                         impl_->path, *id, 2 * impl_->options.wait.count()));
      }
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

}  // namespace yilian
