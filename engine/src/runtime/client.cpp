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
  auto engine = Engine::open(path, eo);
  if (engine) {
    impl->engine = std::move(*engine);
  } else if (engine.status().code() == Status::Code::unavailable) {
    auto store = open_sqlite_store(path, StoreOptions{.create = false});
    if (!store) return store.status();
    impl->store = std::move(*store);
    impl->registry = std::make_unique<ChainRegistry>(options.calendar_dirs);
  } else {
    return engine.status();
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
  const auto until = std::chrono::steady_clock::now() + impl_->options.wait;
  auto pause = std::chrono::milliseconds(5);
  for (;;) {
    auto answer = store.inbox_result(*id);
    if (!answer) return answer.status();
    if (*answer) {
      (void)store.inbox_delete(*id);
      return receipt_from_json(**answer);
    }
    if (std::chrono::steady_clock::now() >= until)
      return Status::error(Status::Code::unavailable,
                           fmt::format("the engine running on {} did not answer within {} ms; request #{} stays queued "
                                       "and is applied when it gets to it",
                                       impl_->path, impl_->options.wait.count(), *id));
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

}  // namespace yilian
