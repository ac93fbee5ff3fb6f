// A chain that passed validation, as a type: what compiling it for the
// flow (FlowChain::compile), analysing it (analyse()), and simulating it
// require. Only validation makes one (validated(), and the loaders that
// validate: load_chain(), load_chain_text()), so a chain with a cycle or a
// dangling reference never reaches them through the public API.
#pragma once

#include <memory>

#include "yilian/chain.h"
#include "yilian/status.h"

namespace yilian {

class ValidChain;

/// Validates `chain` (validate() in analysis.h): a ValidChain when there is
/// no error, with the warnings; otherwise no value and every diagnostic.
/// A null chain is an error. Pure; thread-safe.
[[nodiscard]] Loaded<ValidChain> validated(std::shared_ptr<const Chain> chain);

/// A chain without validation errors. Immutable and cheap to copy (it
/// shares the chain); share it between threads. Reads like a pointer to
/// the chain, and converts to one for what only reads a chain.
class ValidChain {
 public:
  [[nodiscard]] const Chain& chain() const { return *chain_; }
  [[nodiscard]] const Chain& operator*() const { return *chain_; }
  [[nodiscard]] const Chain* operator->() const { return chain_.get(); }
  [[nodiscard]] const std::shared_ptr<const Chain>& ptr() const { return chain_; }
  operator const std::shared_ptr<const Chain>&() const { return chain_; }  // NOLINT: reading needs no proof

 private:
  friend Loaded<ValidChain> validated(std::shared_ptr<const Chain> chain);
  explicit ValidChain(std::shared_ptr<const Chain> chain) : chain_(std::move(chain)) {}
  std::shared_ptr<const Chain> chain_;
};

}  // namespace yilian
