// The engine's store behind a small interface (SQLite today; another store
// can implement the same): chain texts by version, one row per case with its
// state snapshot, the hash-chained log, retry timers, claims, and the inbox
// through which other processes hand requests to a running engine.
//
// commit() writes a whole Batch in one transaction: log entries, the new
// state of every case they touch, timers, claims and answered inbox rows,
// all or nothing.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "runtime/clock.h"
#include "runtime/wal_checkpointer.h"
#include "runtime/writer.h"
#include "yilian/engine_options.h"
#include "yilian/flow.h"
#include "yilian/material_file.h"
#include "yilian/status.h"

namespace yilian::detail {

using Hash = std::array<unsigned char, 32>;

struct StoredChain {
  std::string id;
  int version = 0;
  std::string text;       ///< the YAML as loaded
  std::string file_name;  ///< for messages
  std::string sha256;     ///< hex digest of `text`
};

/// A case's row. `state` is encode_state(); `data` is encode_data() (empty
/// when not read, or, in a Batch, when it did not change).
struct CaseRow {
  CaseId id = 0;
  std::string chain;
  int version = 0;
  CaseStage stage = CaseStage::created;
  AlertLevel alert = AlertLevel::green;  ///< the worst of the case's and its tasks' levels
  Instant submitted_at;
  std::uint64_t seq = 0;                 ///< log entries so far
  Hash last_hash{};                      ///< hash of entry `seq` (zeros when none)
  std::string state;
  std::string data;
  bool write_data = false;               ///< in a Batch: `data` changed
};

/// Entry results as stored.
enum class EntryResult : std::uint8_t { applied = 0, ignored = 1, note = 2 };

struct EntryRow {
  CaseId case_id = 0;
  std::uint64_t seq = 0;
  std::int64_t at = 0;                   ///< Instant seconds
  std::string kind;                      ///< entry_name()
  EntryResult result = EntryResult::applied;
  std::string body;                      ///< encode_entry()
  Hash hash{};
  std::uint64_t position = 0;            ///< store-wide, in the order appended (read by scan_log_after only)
};

/// The store-wide seal over the log: `entries` entries appended so far, and
/// `head`, the chain over their hashes in the order appended
/// (audit.h, seal_add()). A whole case deleted (its row and its log), or
/// entries removed, added or moved outside the engine, no longer match it.
struct Seal {
  std::uint64_t entries = 0;
  Hash head{};
  friend bool operator==(const Seal&, const Seal&) = default;
};

/// A stored retry: delivery `delivery` of (case, matter, attempt) is due at `due_ms`.
struct RetryTimer {
  CaseId case_id = 0;
  int matter = -1;
  std::uint32_t attempt = 0;
  std::uint32_t delivery = 0;
  std::int64_t due_ms = 0;               ///< system clock, milliseconds since the epoch
};

struct ClaimRow {
  CaseId case_id = 0;
  int matter = -1;
  std::uint32_t attempt = 0;
  std::string officer;
  std::int64_t at = 0;
};

/// A submission's idempotency key: (account, key) made `case_id` from an
/// application whose fingerprint (submit_fingerprint()) is `fingerprint`.
struct IdempotencyRow {
  std::string account;
  std::string key;
  std::string fingerprint;
  CaseId case_id = 0;
  std::int64_t created_ms = 0;
};

struct InboxRow {
  std::int64_t id = 0;
  std::string request;                   ///< request JSON
};

/// A material file with its bytes (event::FileAttached at entry `seq`).
struct FileRow {
  MaterialFile file;
  std::string content;
};

struct Batch {
  std::vector<EntryRow> entries;
  std::vector<CaseRow> cases;
  std::vector<RetryTimer> timers_put;
  std::vector<std::pair<CaseId, int>> timers_del;  ///< (case, matter)
  std::vector<ClaimRow> claims;
  std::vector<std::pair<std::int64_t, std::string>> inbox_done;  ///< (inbox id, result JSON)
  std::vector<std::pair<CaseId, std::string>> owners;  ///< new cases: (case, the account that submitted it)
  std::vector<IdempotencyRow> keys;                    ///< new cases' idempotency keys
  std::vector<FileRow> files;                          ///< material files handed in
  std::vector<HolderRecord> holders;                   ///< 一次收齐: what approvals verified and issued
  [[nodiscard]] bool empty() const {
    return entries.empty() && cases.empty() && timers_put.empty() && timers_del.empty() && claims.empty() &&
           inbox_done.empty() && owners.empty() && keys.empty() && files.empty() && holders.empty();
  }
  void clear() {
    entries.clear();
    cases.clear();
    timers_put.clear();
    timers_del.clear();
    claims.clear();
    inbox_done.clear();
    owners.clear();
    keys.clear();
    files.clear();
    holders.clear();
  }
};

/// A parameter of Store::run_sql(): an integer or a text.
using SqlParam = std::variant<std::int64_t, std::string_view>;
/// What Store::run_sql() read or changed.
struct SqlRows {
  std::vector<std::vector<std::string>> rows;  ///< each column as text (integers in decimal, "" for NULL)
  std::int64_t changed = 0;                    ///< rows an INSERT, UPDATE or DELETE changed
};

struct StoreOptions {
  bool create = true;                    ///< create the file and schema when missing
  bool read_only = false;                ///< no writes through this connection
  Durability durability = Durability::process_crash;
  int cache_kib = 16 * 1024;
  /// SQLite: checkpoint the WAL on a thread of the store's own instead of
  /// in the committing connection (wal_checkpointer.h); an engine's writer.
  std::optional<CheckpointerOptions> checkpoints;
};

inline constexpr std::string_view kInboxChannel = "yilian_inbox";
inline constexpr std::string_view kAnswerChannel = "yilian_answers";

/// A subscription to one channel of a store's notifications (Store::listen).
class Notices {
 public:
  virtual ~Notices() = default;
  /// Waits until a notification arrives (true; every one that arrived is
  /// consumed) or `timeout` passes (false). An error when the connection
  /// is lost: subscribe again, or poll.
  virtual Result<bool> wait(std::chrono::milliseconds timeout) = 0;
};

/// Not thread-safe: one thread at a time per Store (open one per thread).
class Store {
 public:
  virtual ~Store() = default;

  /// Stores a chain text; a no-op when the same (id, version, sha256) is
  /// there, `conflict` when a different text holds the (id, version).
  virtual Status put_chain(const StoredChain& chain) = 0;
  virtual Result<std::vector<StoredChain>> chains() = 0;
  virtual Result<std::optional<StoredChain>> chain(std::string_view id, int version) = 0;
  virtual Result<std::optional<int>> latest_chain_version(std::string_view id) = 0;

  virtual Result<CaseId> last_case_id() = 0;
  virtual Result<std::uint64_t> count_open() = 0;
  virtual Result<std::optional<CaseRow>> load_case(CaseId id, bool with_data) = 0;
  /// Cases in id order (state, without data); only those not final when `open_only`.
  virtual Status scan_cases(bool open_only, const std::function<void(CaseRow&&)>& fn) = 0;
  virtual Status commit(const Batch& batch) = 0;

  /// A case's log in order.
  virtual Status read_log(CaseId id, const std::function<void(EntryRow&&)>& fn) = 0;
  /// Every log entry, by case then position.
  virtual Status scan_log(const std::function<void(EntryRow&&)>& fn) = 0;
  /// Every log entry's hash in the order the entries were appended.
  virtual Status scan_log_hashes(const std::function<void(const Hash&)>& fn) = 0;
  /// The store-wide seal (audit.h) as last committed; nullopt when the store
  /// has none yet (an SQLite file written by a yilian before the seal: the
  /// next commit computes it from the log). A PostgreSQL store has had one
  /// since its creation: there a missing seal is invalid_input, as is one
  /// that is not ENTRIES:SHA-256.
  virtual Result<std::optional<Seal>> seal() = 0;

  virtual Result<std::vector<RetryTimer>> retry_timers() = 0;
  virtual Result<std::vector<ClaimRow>> claims(std::optional<CaseId> case_id) = 0;

  /// A case's material files (without their bytes), in the order handed in.
  virtual Result<std::vector<MaterialFile>> files(CaseId id) = 0;
  /// The bytes of the file recorded at (case, seq); nullopt when none is.
  virtual Result<std::optional<std::string>> file_content(CaseId id, std::uint64_t seq) = 0;
  /// Every stored file with its bytes, by case then seq (for audit verify).
  virtual Status scan_files(const std::function<void(const FileRow&)>& fn) = 0;

  /// The holder registry (一次收齐): what it holds for `holder` (values by
  /// key, the latest recorded; licences by kind and number, the latest).
  /// A commit's `holders` replace what they name.
  virtual Result<HolderRecord> holder_record(std::string_view holder) = 0;
  /// Every row of the registry, one record per row (one value or one
  /// licence), for audit verify.
  virtual Status scan_registry(const std::function<void(const HolderRecord&)>& fn) = 0;

  /// Inbox rows not yet answered with id > after, oldest first.
  /// Up to `limit` entries appended after store-wide position `position`,
  /// in the order appended, with their positions. One writer appends, so
  /// a reader never sees a later position before an earlier one.
  virtual Status scan_log_after(std::uint64_t position, std::size_t limit, const std::function<void(EntryRow&&)>& fn) = 0;
  /// The position of the last entry appended (0: none).
  virtual Result<std::uint64_t> last_position() = 0;
  /// A number that changes whenever another connection commits to the
  /// store (SQLite's data_version): what was read through this connection
  /// is still current while it stays the same. Cheap: no table is read.
  virtual Result<std::uint64_t> data_version() = 0;
  /// The case (account, key) made, if any.
  virtual Result<std::optional<IdempotencyRow>> idempotency(std::string_view account, std::string_view key) = 0;
  /// The account that submitted case `id` ("" when unknown: a store from
  /// before owners, or a case submitted without an actor).
  virtual Result<std::string> case_owner(CaseId id) = 0;
  /// The cases `account` submitted, ascending.
  virtual Result<std::vector<CaseId>> cases_of(std::string_view account) = 0;
  /// The inbox: a request is pending (done 0) until an engine takes it
  /// (done 2, in its own small transaction) and answered (done 1) in the
  /// transaction that commits what it caused. A taken request is never
  /// withdrawn; a pending one is withdrawn by its sender for good.
  ///
  /// Takes up to `limit` pending requests after row `after`, in order.
  virtual Result<std::vector<InboxRow>> inbox_take(std::int64_t after, std::size_t limit) = 0;
  /// Offers again what an engine took and never answered (it stopped before
  /// its commit): called by the engine that holds the store's lock, at start.
  virtual Status inbox_release_taken() = 0;
  /// Puts requests in the inbox, in one transaction; their row ids, in order.
  virtual Result<std::vector<std::int64_t>> inbox_put(const std::vector<std::string>& requests) = 0;
  /// The answers among requests `ids` that the engine has applied (the
  /// others are left out), in one statement.
  virtual Result<std::vector<std::pair<std::int64_t, std::string>>> inbox_results(const std::vector<std::int64_t>& ids) = 0;
  /// Deletes a pending request: true when it was still pending (no engine
  /// will apply it), false when an engine has taken or answered it.
  virtual Result<bool> inbox_withdraw(std::int64_t id) = 0;
  /// Deletes requests `ids` (their answers read), in one transaction.
  virtual Status inbox_delete(const std::vector<std::int64_t>& ids) = 0;

  /// The writer lock, for stores that keep it inside (PostgreSQL: a session
  /// advisory lock on this connection, the one that commits, so an engine
  /// whose session ended can commit nothing). Takes it, waiting up to
  /// `wait`; `unavailable` when another connection keeps it. An SQLite
  /// store is locked beside its file before it is opened (file_lock.h):
  /// these do nothing there.
  virtual Status take_writer(WriterKind as, std::chrono::milliseconds wait) {
    (void)as;
    (void)wait;
    return Status::ok();
  }
  /// One statement on the tables beside the engine's own — accounts,
  /// api_keys, sessions, and meta's `secret` (accounts.cpp) — written once
  /// for both backends: `$1`, `$2`… parameters, SQL that SQLite and
  /// PostgreSQL read alike. A unique key already taken is `conflict`. The
  /// engine's tables are written only by commit().
  virtual Result<SqlRows> run_sql(std::string_view sql, std::initializer_list<SqlParam> params) = 0;

  /// Who holds the writer lock now (PostgreSQL; `none` for SQLite).
  virtual Result<WriterKind> writer() { return WriterKind::none; }

  /// The database's own check of its file structure: "" when sound, else
  /// what it found (SQLite's `PRAGMA quick_check`: torn or overwritten
  /// pages, broken b-trees). PostgreSQL checks its pages itself (data
  /// checksums, when the cluster has them): "" there.
  virtual Result<std::string> integrity() { return std::string(); }

  /// What the store's own checkpoint thread did (StoreOptions::checkpoints);
  /// nothing when it has none.
  [[nodiscard]] virtual std::optional<CheckpointerStats> checkpoint_stats() const { return std::nullopt; }

  /// True once the connection to the database is gone (PostgreSQL: the
  /// server ended the session, or the network dropped it). Nothing more
  /// commits through this store; whoever holds it must open another.
  [[nodiscard]] virtual bool lost() const { return false; }

  /// Wake-ups from other processes on `channel` (kInboxChannel: a request
  /// was put in the inbox; kAnswerChannel: inbox requests were answered),
  /// on a connection of their own: PostgreSQL's LISTEN/NOTIFY. Null where
  /// the backend has none (SQLite): the caller polls. Either way polling
  /// stays the safety net (a notification can be missed across a
  /// reconnection).
  virtual Result<std::unique_ptr<Notices>> listen(std::string_view channel) {
    (void)channel;
    return std::unique_ptr<Notices>();
  }
};

/// Opens (or creates) an SQLite store in WAL mode. invalid_input when the
/// file is not a yilian store, not_found when it does not exist and
/// !options.create, io_error otherwise.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, const StoreOptions& options);
/// Opens (or creates: the tables in the URI's database) a PostgreSQL store;
/// `uri` is a libpq URI, postgresql://USER@HOST:PORT/DB.
Result<std::unique_ptr<Store>> open_pg_store(const std::string& uri, const StoreOptions& options);
/// Either, by the location's form: a postgresql:// (or postgres://) URI, else an SQLite file.
Result<std::unique_ptr<Store>> open_store(const std::string& location, const StoreOptions& options);

/// Lower-case hex of bytes.
[[nodiscard]] std::string to_hex(const unsigned char* p, std::size_t n);

}  // namespace yilian::detail
