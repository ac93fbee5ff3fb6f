// The records of the event loop (simulator.cpp): timed events, cases in
// the system with their tasks, department queues.
#pragma once

#include <cstdint>
#include <deque>
#include <limits>
#include <vector>

#include "sim/setup.h"
#include "yilian/flow.h"

namespace yilian::detail::loop {

enum class Kind : std::uint8_t { arrival, service_done, respond, resume, deliver, enqueue, end_arrivals };

struct Ev {
  double t;
  std::uint64_t seq;
  std::uint32_t slot;
  std::int32_t matter;
  std::uint32_t token;
  Kind kind;
};
/// Heap order: earliest first, then first scheduled (deterministic ties).
struct Later {
  bool operator()(const Ev& a, const Ev& b) const { return a.t != b.t ? a.t > b.t : a.seq > b.seq; }
};

enum class Where : std::uint8_t { none, travelling, queued, service, suspended };

struct TaskRec {
  std::uint32_t token = 0;  ///< bumped on every dispatch and cancel; stale events carry an old one
  Where where = Where::none;
  double enq_w = 0, start_w = 0, length = 0;
};

struct CaseRec {
  CaseState state;
  std::vector<TaskRec> tasks;
  std::uint32_t gen = 0;  ///< bumped when the slot is freed
  bool live = false, counted = false, dispatched = false, reply_pending = false;
  /// Delivered while a commitment's verification (告知承诺) goes on: counted
  /// as delivered, kept until the verification ends so that its task frees
  /// its officer.
  bool verifying = false;
  Profile* profile = nullptr;
  double arrived_w = 0;
  int submitted_materials = 0, submitted_fields = 0, reply_materials = 0, extra_visits = 0;
  Event reply{Instant{}, event::Supplemented{}};
  DeliveryMethod method = DeliveryMethod::in_person;
};

struct QueueItem {
  std::uint32_t slot;
  std::int32_t matter;
  std::uint32_t token;
};

struct DeptState {
  int busy = 0;
  std::uint64_t queued = 0;  ///< live tasks waiting (cancelled ones are left in `queue` and skipped)
  std::deque<QueueItem> queue;
  double last_t = -1, last_w = 0, w0 = 0, w1 = 0;
};

constexpr double kInf = std::numeric_limits<double>::infinity();
/// Cases in the system at once before the run is given up: an overloaded
/// scenario would otherwise hold every case in memory (a kindergarten case
/// holds about 7 KB, so the cap keeps a run under about 200 MB).
constexpr std::uint64_t kMaxInSystem = 25'000;

}  // namespace yilian::detail::loop
