// What a Completion handle refers to: one delivery of one task attempt, and
// the engine it reports to (through a hub that close() detaches, so that a
// handle outliving its engine reports to nothing).
#pragma once

#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>

#include "yilian/adapter.h"

namespace yilian {

namespace detail {
struct Hub;
}

/// One delivery of one task attempt and the hub of the engine it reports to.
struct Completion::State {
  std::shared_ptr<detail::Hub> hub;
  std::string key;
  CaseId case_id = 0;
  std::string matter;
  int matter_index = -1;
  std::uint32_t attempt = 0;
  std::uint32_t delivery = 0;
};

namespace detail {

using CompletionState = Completion::State;

/// Implemented by the engine.
class DeliverySink {
 public:
  virtual ~DeliverySink() = default;
  virtual void on_accepted(const CompletionState& c) = 0;
  virtual void on_report(const CompletionState& c, Outcome outcome) = 0;
  virtual void on_failed(const CompletionState& c, std::string error) = 0;
};

struct Hub {
  std::shared_mutex mu;          ///< shared while reporting, exclusive to detach
  DeliverySink* sink = nullptr;  ///< null once the engine closed
};

}  // namespace detail
}  // namespace yilian
