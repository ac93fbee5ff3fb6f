// The SQLite store's checkpoint thread (runtime/wal_checkpointer.h): beside
// a writer that commits without a pause, the WAL stays bounded (it starts
// again behind the gate), and nothing committed is lost.
#include <doctest/doctest.h>
#include <openssl/sha.h>

#include <filesystem>
#include <limits>
#include <string>

#include "engine_fixture.h"
#include "runtime/store.h"

using namespace yilian;
using namespace yilian::detail;
using namespace yilian::test;

namespace wal_checkpointer_test {

namespace {

Hash hash_of(const std::string& s) {
  Hash h{};
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), h.data());
  return h;
}

/// One commit as an engine makes them: a case's row rewritten and entries
/// appended to its log.
Batch batch_for(CaseId id, std::uint64_t first_seq, int entries) {
  Batch b;
  for (int i = 0; i < entries; ++i) {
    EntryRow e;
    e.case_id = id;
    e.seq = first_seq + static_cast<std::uint64_t>(i);
    e.at = 1'700'000'000 + static_cast<std::int64_t>(e.seq);
    e.kind = "approved";
    e.result = EntryResult::applied;
    e.body = std::string(180, static_cast<char>('a' + i % 26)) + std::to_string(e.seq);
    e.hash = hash_of(e.body);
    b.entries.push_back(std::move(e));
  }
  CaseRow c;
  c.id = id;
  c.chain = "flowtest";
  c.version = 1;
  c.stage = CaseStage::running;
  c.alert = AlertLevel::green;
  c.submitted_at = Instant{1'700'000'000};
  c.seq = first_seq + static_cast<std::uint64_t>(entries) - 1;
  c.state = std::string(300, 's') + std::to_string(c.seq);
  c.last_hash = hash_of(c.state);
  b.cases.push_back(std::move(c));
  return b;
}

struct Run {
  std::uintmax_t largest_wal = 0;
  CheckpointerStats stats;
};

constexpr CaseId kCases = 400;
constexpr int kRounds = 12, kEntries = 6;

/// Commits kRounds × kCases batches back to back into a new store at `path`
/// with the checkpoint thread, noting the WAL's largest size; checks that
/// everything committed is there afterwards.
Run commit_without_pause(const std::string& path, const CheckpointerOptions& options) {
  Run run;
  {
    auto opened = open_store(path, StoreOptions{.checkpoints = options});
    REQUIRE_MESSAGE(opened.is_ok(), opened.status().to_string());
    Store& store = **opened;
    for (int round = 0; round < kRounds; ++round) {
      for (CaseId id = 1; id <= kCases; ++id) {
        const Status s = store.commit(batch_for(id, static_cast<std::uint64_t>(round * kEntries + 1), kEntries));
        REQUIRE_MESSAGE(s.is_ok(), s.to_string());
        std::error_code ec;
        run.largest_wal = std::max(run.largest_wal, std::filesystem::file_size(path + "-wal", ec));
      }
    }
    run.stats = *store.checkpoint_stats();
    auto integrity = store.integrity();
    REQUIRE(integrity.is_ok());
    CHECK(*integrity == "");
  }
  auto again = open_store(path, StoreOptions{.create = false, .read_only = true});
  REQUIRE(again.is_ok());
  CHECK(*(*again)->count_open() == kCases);
  auto n = (*again)->run_sql("SELECT COUNT(*) FROM log", {});
  REQUIRE(n.is_ok());
  CHECK(n->rows[0][0] == std::to_string(kCases * kRounds * kEntries));
  auto last = (*again)->load_case(kCases, false);
  REQUIRE(last.is_ok());
  REQUIRE(last->has_value());
  CHECK((*last)->seq == static_cast<std::uint64_t>(kRounds * kEntries));
  return run;
}

}  // namespace

TEST_CASE("store.checkpoints.the_wal_stays_bounded_beside_a_writer_that_never_pauses" *
          doctest::test_suite("sqlite-only")) {
  ScratchDir dir("checkpoints");
  // Small thresholds, so a few thousand commits pass each of them many times.
  CheckpointerOptions gated;
  gated.start_frames = 16;
  gated.step_frames = 8;
  gated.restart_frames = 64;
  gated.tail_frames = 16;
  gated.hard_frames = 256;
  // The same thread copying beside the writer but never closing the gate:
  // the WAL never starts again (what the gate is for).
  CheckpointerOptions never = gated;
  never.restart_frames = never.hard_frames = std::numeric_limits<int>::max();

  const Run bounded = commit_without_pause(dir.file("gated.db"), gated);
  const Run unbounded = commit_without_pause(dir.file("never.db"), never);
  MESSAGE("gated: largest WAL " << bounded.largest_wal << " B, passes " << bounded.stats.passes << ", gated "
                                << bounded.stats.gated << ", restarts " << bounded.stats.restarts
                                << ", longest wait at the gate " << bounded.stats.max_gate_wait_us
                                << " us; never gated: largest WAL " << unbounded.largest_wal << " B");
  CHECK(bounded.stats.passes > 0);
  CHECK(bounded.stats.gated > 0);
  CHECK(bounded.stats.restarts > 0);
  CHECK(unbounded.stats.gated == 0);
  CHECK(unbounded.stats.passes > 0);
  // Each commit appends a few pages: without a restart the WAL holds every
  // one of them. With the gate it starts again, so it stays a fraction of
  // that (how small depends on how fast the thread gets to run beside a
  // writer that does nothing else; an engine's writer leaves it more room).
  CHECK(bounded.largest_wal > 0);
  CHECK(bounded.largest_wal * 3 < unbounded.largest_wal);
}

TEST_CASE("store.checkpoints.a_store_without_the_thread_reports_none" * doctest::test_suite("sqlite-only")) {
  ScratchDir dir("checkpoints-none");
  auto opened = open_store(dir.file("cases.db"), StoreOptions{});
  REQUIRE(opened.is_ok());
  CHECK_FALSE((*opened)->checkpoint_stats().has_value());
}

}  // namespace wal_checkpointer_test
