// The SQLite store: WAL journal, one connection per Store object, prepared
// statements kept for the life of the connection.
#include <fmt/format.h>
#include <openssl/sha.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>

#include "runtime/audit.h"
#include "runtime/codec.h"
#include "runtime/store.h"

namespace yilian::detail {

std::string to_hex(const unsigned char* p, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s(2 * n, '0');
  for (std::size_t i = 0; i < n; ++i) {
    s[2 * i] = digits[p[i] >> 4];
    s[2 * i + 1] = digits[p[i] & 15];
  }
  return s;
}

namespace {

// Format 2 (actors): log entries may carry an actor trailer (codec.h), and
// the tables of accounts, sessions, idempotency keys and case owners. A
// format-1 store reads as it is and is upgraded when opened for writing
// (the tables are added; its entries stay as they were written).
// Format 2 added the actor trailer of log entries; format 3 the unit of a
// case's limits (codec.cpp, write_limit) and set values (value tag 5);
// format 4 the reform's case rules: deferred materials, ratings and their
// follow-ups (state format 3, events `rated` and `followed-up`); format 5
// the instant of a case's last supplement notice (state format 4); format 6
// material files (the table `files`, the event `file-attached`) and the
// holder registry (一次收齐: tables `holder_values`, `holder_licences`; a
// submission's reuse trailer; state format 5). None of
// these appear in an older store, so an older store reads as it is and is
// upgraded when opened for writing (the format is rewritten and missing
// tables added); an older yilian refuses a newer store by its format
// instead of failing on something it cannot decode.
constexpr const char* kFormat = "yilian-store-6";
constexpr const char* kFormat1 = "yilian-store-1";
constexpr const char* kFormat2 = "yilian-store-2";
constexpr const char* kFormat3 = "yilian-store-3";
constexpr const char* kFormat4 = "yilian-store-4";
constexpr const char* kFormat5 = "yilian-store-5";

// The open stages, as the partial index of open cases and the queries that
// use it spell them (a query uses a partial index when its condition is the
// index's). Comparisons joined by OR, not `stage IN (...)`: SQLite evaluates
// an IN list through a temporary b-tree, opened and closed at each write of
// a case row (three times per upsert), which was about a third of the
// engine's writer. Stores whose index was written with IN get it made again
// when opened for writing (refresh_open_index); the rows are the same.
#define YILIAN_OPEN_STAGES \
  "(stage = 'created' OR stage = 'incomplete' OR stage = 'running' OR stage = 'ready' OR stage = 'verifying')"
#define YILIAN_OPEN_INDEX "CREATE INDEX IF NOT EXISTS cases_open ON cases(stage) WHERE " YILIAN_OPEN_STAGES ";"

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chains(
  id TEXT NOT NULL, version INTEGER NOT NULL, text TEXT NOT NULL, file_name TEXT NOT NULL,
  sha256 TEXT NOT NULL, loaded_at TEXT NOT NULL DEFAULT (datetime('now')),
  PRIMARY KEY(id, version));
CREATE TABLE IF NOT EXISTS cases(
  id INTEGER PRIMARY KEY, chain TEXT NOT NULL, version INTEGER NOT NULL, stage TEXT NOT NULL,
  alert INTEGER NOT NULL, submitted_at INTEGER NOT NULL, seq INTEGER NOT NULL,
  last_hash BLOB NOT NULL, state BLOB NOT NULL);
)sql" YILIAN_OPEN_INDEX R"sql(
CREATE TABLE IF NOT EXISTS case_data(id INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS log(
  id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL,
  kind TEXT NOT NULL, result INTEGER NOT NULL, body BLOB NOT NULL, hash BLOB NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS log_case ON log(case_id, seq);
CREATE TABLE IF NOT EXISTS retry_timers(
  case_id INTEGER NOT NULL, matter INTEGER NOT NULL, attempt INTEGER NOT NULL,
  delivery INTEGER NOT NULL, due_ms INTEGER NOT NULL, PRIMARY KEY(case_id, matter)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS claims(
  case_id INTEGER NOT NULL, matter INTEGER NOT NULL, attempt INTEGER NOT NULL,
  officer TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY(case_id, matter)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS inbox(
  id INTEGER PRIMARY KEY AUTOINCREMENT, request TEXT NOT NULL, created_ms INTEGER NOT NULL,
  done INTEGER NOT NULL DEFAULT 0, result TEXT);
CREATE TABLE IF NOT EXISTS accounts(
  name TEXT PRIMARY KEY, role TEXT NOT NULL, department TEXT NOT NULL, password TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS api_keys(
  hash TEXT PRIMARY KEY, account TEXT NOT NULL, created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sessions(
  hash TEXT PRIMARY KEY, account TEXT NOT NULL, csrf TEXT NOT NULL, expires_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency(
  account TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, case_id INTEGER NOT NULL,
  created_ms INTEGER NOT NULL, PRIMARY KEY(account, key));
CREATE TABLE IF NOT EXISTS case_owner(case_id INTEGER PRIMARY KEY, account TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS case_owner_account ON case_owner(account);
CREATE TABLE IF NOT EXISTS files(
  case_id INTEGER NOT NULL, seq INTEGER NOT NULL, material TEXT NOT NULL, name TEXT NOT NULL,
  media_type TEXT NOT NULL, bytes INTEGER NOT NULL, sha256 TEXT NOT NULL, at INTEGER NOT NULL,
  content BLOB NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS files_case ON files(case_id, seq);
CREATE TABLE IF NOT EXISTS holder_values(
  holder TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, case_id INTEGER NOT NULL,
  PRIMARY KEY(holder, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS holder_licences(
  holder TEXT NOT NULL, kind TEXT NOT NULL, number TEXT NOT NULL, issuer TEXT NOT NULL, issued_on INTEGER NOT NULL,
  valid_until INTEGER, case_id INTEGER NOT NULL, PRIMARY KEY(holder, kind, number)) WITHOUT ROWID;
)sql";

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

std::string column_text(sqlite3_stmt* s, int i) {
  const auto* p = sqlite3_column_text(s, i);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(s, i)))
           : std::string();
}
std::string column_blob(sqlite3_stmt* s, int i) {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(s, i));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s, i))) : std::string();
}
Hash column_hash(sqlite3_stmt* s, int i) {
  Hash h{};
  const auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(s, i));
  if (p && sqlite3_column_bytes(s, i) == static_cast<int>(h.size())) std::copy(p, p + h.size(), h.begin());
  return h;
}

MaterialFile read_file(sqlite3_stmt* q) {
  return MaterialFile{static_cast<CaseId>(sqlite3_column_int64(q, 0)), static_cast<std::uint64_t>(sqlite3_column_int64(q, 1)),
                      column_text(q, 2), column_text(q, 3), column_text(q, 4),
                      static_cast<std::uint64_t>(sqlite3_column_int64(q, 5)), column_text(q, 6),
                      Instant{sqlite3_column_int64(q, 7)}};
}

class SqliteStore final : public Store {
 public:
  SqliteStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteStore() override {
    stmts_.clear();
    if (checkpointer_) {
      sqlite3_wal_hook(db_, nullptr, nullptr);
      checkpointer_.reset();  // joins its thread; closing db_ last checkpoints what is left
    }
    sqlite3_close_v2(db_);
  }

  Status init(const StoreOptions& o) {
    sqlite3_busy_timeout(db_, 10'000);
    if (Status s = exec(fmt::format("PRAGMA cache_size=-{}; PRAGMA temp_store=MEMORY;", o.cache_kib)); !s) return s;
    // Is this a yilian store (or an empty file we may initialise)?
    bool has_meta = false, has_tables = false;
    {
      Stmt q = prepare("SELECT name FROM sqlite_master WHERE type='table'");
      if (!q) return last_error("reading the schema");
      while (sqlite3_step(q.get()) == SQLITE_ROW) {
        has_tables = true;
        if (column_text(q.get(), 0) == "meta") has_meta = true;
      }
    }
    if (has_meta) {
      Stmt q = prepare("SELECT value FROM meta WHERE key='format'");
      if (!q) return last_error("reading the store format");
      std::string format;
      if (sqlite3_step(q.get()) == SQLITE_ROW) format = column_text(q.get(), 0);
      if (format != kFormat && format != kFormat1 && format != kFormat2 && format != kFormat3 && format != kFormat4 &&
          format != kFormat5)
        return Status::invalid(fmt::format("{}: not a yilian store (format `{}`, expected `{}`)", path_, format, kFormat));
      upgrade_ = format != kFormat;
      whole_states_ = format == kFormat5;
    } else if (has_tables) {
      return Status::invalid(fmt::format("{}: an SQLite file, but not a yilian store", path_));
    }
    if (o.read_only) return exec("PRAGMA query_only=ON;");
    if (Status s = exec("PRAGMA journal_mode=WAL;"); !s) return s;
    // Checkpoint every 8,192 WAL pages (32 MiB with 4 KiB pages) rather than
    // SQLite's 1,000: the cases' rows are rewritten batch after batch, and a
    // longer WAL copies each page back once for many commits. The WAL file is
    // cut back to 64 MiB after a checkpoint; a crash replays at most that.
    // An engine's writer checkpoints on a thread instead (o.checkpoints,
    // wal_checkpointer.h), with the same bound on the WAL.
    if (Status s = exec("PRAGMA wal_autocheckpoint=8192; PRAGMA journal_size_limit=67108864;"); !s) return s;
    if (Status s = exec(o.durability == Durability::power_loss ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;");
        !s)
      return s;
    if (!upgrade_ && has_meta)
      if (Status s = refresh_open_index(); !s) return s;
    if (upgrade_) {
      // Formats 1–3 indexed the open stages without `verifying` (告知承诺):
      // the index is made again by the schema. The cases of a store before
      // format 5 began under older rules: audit verify compares their whole
      // state with their log only for the cases after them (replay.h).
      // Format 5 kept whole states already: its cases are compared whole.
      const std::string mark = whole_states_ ? ""
                                             : "INSERT OR IGNORE INTO meta(key, value) SELECT 'whole_state_after', "
                                               "CAST(COALESCE(MAX(id), 0) AS TEXT) FROM cases;";
      if (Status s = exec(std::string("BEGIN IMMEDIATE; DROP INDEX IF EXISTS cases_open;") + kSchema + mark +
                          fmt::format("UPDATE meta SET value='{}' WHERE key='format'; COMMIT;", kFormat));
          !s) {
        (void)exec("ROLLBACK;");
        return s;
      }
      upgrade_ = false;
    }
    if (!has_meta) {
      if (Status s = exec(std::string("BEGIN IMMEDIATE;") + kSchema +
                          fmt::format("INSERT OR IGNORE INTO meta(key, value) VALUES('format', '{}'), ('seal', '{}'); COMMIT;",
                                      kFormat, format_seal(Seal{})));
          !s) {
        (void)exec("ROLLBACK;");
        return s;
      }
    }
    if (o.checkpoints) {
      CheckpointerOptions c = *o.checkpoints;
      c.full_sync = o.durability == Durability::power_loss;
      auto started = WalCheckpointer::start(path_, c);
      if (!started) return started.status();
      checkpointer_ = std::move(*started);
      checkpointer_->attach(db_);
    }
    return Status::ok();
  }

  /// Makes the index of open cases again when it was written with `IN`
  /// (YILIAN_OPEN_STAGES says why).
  Status refresh_open_index() {
    std::string sql;
    {
      Stmt q = prepare("SELECT sql FROM sqlite_master WHERE type='index' AND name='cases_open'");
      if (!q) return last_error("reading the schema");
      if (sqlite3_step(q.get()) == SQLITE_ROW) sql = column_text(q.get(), 0);
    }
    if (sql.find(YILIAN_OPEN_STAGES) != std::string::npos) return Status::ok();
    if (Status s = exec("BEGIN IMMEDIATE; DROP INDEX IF EXISTS cases_open; " YILIAN_OPEN_INDEX " COMMIT;"); !s) {
      (void)exec("ROLLBACK;");
      return s;
    }
    return Status::ok();
  }

  Status put_chain(const StoredChain& c) override {
    sqlite3_stmt* q = cached("SELECT sha256 FROM chains WHERE id=?1 AND version=?2");
    if (!q) return last_error("reading chains");
    bind_text(q, 1, c.id);
    sqlite3_bind_int(q, 2, c.version);
    std::optional<std::string> existing;
    if (sqlite3_step(q) == SQLITE_ROW) existing = column_text(q, 0);
    sqlite3_reset(q);
    if (existing) {
      if (*existing == c.sha256) return Status::ok();
      return Status::error(Status::Code::conflict,
                           fmt::format("chain {} version {} is already stored with a different text; "
                                       "raise `version:` to load a changed chain",
                                       c.id, c.version));
    }
    sqlite3_stmt* ins = cached("INSERT INTO chains(id, version, text, file_name, sha256) VALUES(?1, ?2, ?3, ?4, ?5)");
    if (!ins) return last_error("storing a chain");
    bind_text(ins, 1, c.id);
    sqlite3_bind_int(ins, 2, c.version);
    bind_text(ins, 3, c.text);
    bind_text(ins, 4, c.file_name);
    bind_text(ins, 5, c.sha256);
    const int rc = sqlite3_step(ins);
    sqlite3_reset(ins);
    return rc == SQLITE_DONE ? Status::ok() : last_error("storing a chain");
  }

  Result<std::vector<StoredChain>> chains() override {
    sqlite3_stmt* q = cached("SELECT id, version, text, file_name, sha256 FROM chains ORDER BY id, version");
    if (!q) return last_error("reading chains");
    std::vector<StoredChain> out;
    while (sqlite3_step(q) == SQLITE_ROW) out.push_back(read_chain(q));
    sqlite3_reset(q);
    return out;
  }

  Result<std::optional<StoredChain>> chain(std::string_view id, int version) override {
    sqlite3_stmt* q = cached("SELECT id, version, text, file_name, sha256 FROM chains WHERE id=?1 AND version=?2");
    if (!q) return last_error("reading chains");
    bind_text(q, 1, id);
    sqlite3_bind_int(q, 2, version);
    std::optional<StoredChain> out;
    if (sqlite3_step(q) == SQLITE_ROW) out = read_chain(q);
    sqlite3_reset(q);
    return out;
  }

  Result<std::optional<int>> latest_chain_version(std::string_view id) override {
    sqlite3_stmt* q = cached("SELECT MAX(version) FROM chains WHERE id=?1");
    if (!q) return last_error("reading chains");
    bind_text(q, 1, id);
    std::optional<int> v;
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL) v = sqlite3_column_int(q, 0);
    sqlite3_reset(q);
    return v;
  }

  Result<CaseId> last_case_id() override {
    // The highest id ever given: a case deleted outside the engine (its row,
    // even its log) does not give its id to the next case.
    sqlite3_stmt* q = cached(
        "SELECT MAX(COALESCE((SELECT MAX(id) FROM cases), 0), COALESCE((SELECT MAX(case_id) FROM log), 0), "
        "COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key='last_case'), 0))");
    if (!q) return last_error("reading cases");
    CaseId id = 0;
    if (sqlite3_step(q) == SQLITE_ROW) id = static_cast<CaseId>(sqlite3_column_int64(q, 0));
    sqlite3_reset(q);
    last_case_ = std::max(last_case_, id);
    return id;
  }

  Result<std::uint64_t> count_open() override {
    sqlite3_stmt* q = cached("SELECT COUNT(*) FROM cases WHERE " YILIAN_OPEN_STAGES);
    if (!q) return last_error("counting cases");
    std::uint64_t n = 0;
    if (sqlite3_step(q) == SQLITE_ROW) n = static_cast<std::uint64_t>(sqlite3_column_int64(q, 0));
    sqlite3_reset(q);
    return n;
  }

  Result<std::optional<CaseRow>> load_case(CaseId id, bool with_data) override {
    sqlite3_stmt* q = cached(with_data ? "SELECT c.id, c.chain, c.version, c.stage, c.alert, c.submitted_at, c.seq, "
                                         "c.last_hash, c.state, d.data FROM cases c LEFT JOIN case_data d ON d.id=c.id "
                                         "WHERE c.id=?1"
                                       : "SELECT id, chain, version, stage, alert, submitted_at, seq, last_hash, state "
                                         "FROM cases WHERE id=?1");
    if (!q) return last_error("reading a case");
    sqlite3_bind_int64(q, 1, static_cast<sqlite3_int64>(id));
    std::optional<CaseRow> out;
    const int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
      out = read_case(q);
      if (with_data) out->data = column_blob(q, 9);
    }
    sqlite3_reset(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return last_error("reading a case");
    return out;
  }

  Status scan_cases(bool open_only, const std::function<void(CaseRow&&)>& fn) override {
    Stmt q = prepare(open_only ? "SELECT id, chain, version, stage, alert, submitted_at, seq, last_hash, state FROM cases "
                                 "WHERE " YILIAN_OPEN_STAGES " ORDER BY id"
                               : "SELECT id, chain, version, stage, alert, submitted_at, seq, last_hash, state FROM cases "
                                 "ORDER BY id");
    if (!q) return last_error("scanning cases");
    int rc = 0;
    while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) fn(read_case(q.get()));
    return rc == SQLITE_DONE ? Status::ok() : last_error("scanning cases");
  }

  Status commit(const Batch& b) override {
    const WalCheckpointer::Gate gate(checkpointer_.get());
    if (Status s = exec("BEGIN IMMEDIATE;"); !s) return s;
    CaseId top = 0;
    Status st = write(b, top);
    if (st) st = exec("COMMIT;");
    if (!st) (void)exec("ROLLBACK;");
    else last_case_ = std::max(last_case_, top);
    return st;
  }

  Status read_log(CaseId id, const std::function<void(EntryRow&&)>& fn) override {
    sqlite3_stmt* q = cached("SELECT case_id, seq, at, kind, result, body, hash FROM log WHERE case_id=?1 ORDER BY seq");
    if (!q) return last_error("reading a log");
    sqlite3_bind_int64(q, 1, static_cast<sqlite3_int64>(id));
    int rc = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) fn(read_entry(q));
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? Status::ok() : last_error("reading a log");
  }

  Status scan_log_hashes(const std::function<void(const Hash&)>& fn) override {
    Stmt q = prepare("SELECT hash FROM log ORDER BY id");
    if (!q) return last_error("reading the log");
    int rc = 0;
    while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) fn(column_hash(q.get(), 0));
    return rc == SQLITE_DONE ? Status::ok() : last_error("reading the log");
  }

  Result<std::optional<Seal>> seal() override {
    sqlite3_stmt* q = cached("SELECT value FROM meta WHERE key='seal'");
    if (!q) return last_error("reading the seal");
    std::optional<std::string> text;
    const int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) text = column_text(q, 0);
    sqlite3_reset(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return last_error("reading the seal");
    if (!text) return std::optional<Seal>{};
    auto parsed = parse_seal(*text);
    if (!parsed)
      return Status::invalid(fmt::format("{}: the store's seal `{}` is not ENTRIES:SHA-256 (edited?)", path_, *text));
    return parsed;
  }

  Status scan_log(const std::function<void(EntryRow&&)>& fn) override {
    Stmt q = prepare("SELECT case_id, seq, at, kind, result, body, hash FROM log ORDER BY case_id, seq");
    if (!q) return last_error("reading the log");
    int rc = 0;
    while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) fn(read_entry(q.get()));
    return rc == SQLITE_DONE ? Status::ok() : last_error("reading the log");
  }

  Result<std::vector<RetryTimer>> retry_timers() override {
    sqlite3_stmt* q = cached("SELECT case_id, matter, attempt, delivery, due_ms FROM retry_timers ORDER BY due_ms");
    if (!q) return last_error("reading timers");
    std::vector<RetryTimer> out;
    while (sqlite3_step(q) == SQLITE_ROW)
      out.push_back({static_cast<CaseId>(sqlite3_column_int64(q, 0)), sqlite3_column_int(q, 1),
                     static_cast<std::uint32_t>(sqlite3_column_int64(q, 2)),
                     static_cast<std::uint32_t>(sqlite3_column_int64(q, 3)), sqlite3_column_int64(q, 4)});
    sqlite3_reset(q);
    return out;
  }

  Status scan_log_after(std::uint64_t position, std::size_t limit, const std::function<void(EntryRow&&)>& fn) override {
    sqlite3_stmt* q = cached("SELECT case_id, seq, at, kind, result, body, hash, id FROM log WHERE id>?1 ORDER BY id LIMIT ?2");
    if (!q) return last_error("reading the log");
    sqlite3_bind_int64(q, 1, static_cast<sqlite3_int64>(position));
    sqlite3_bind_int64(q, 2, static_cast<sqlite3_int64>(limit));
    int rc = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
      EntryRow e = read_entry(q);
      e.position = static_cast<std::uint64_t>(sqlite3_column_int64(q, 7));
      fn(std::move(e));
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? Status::ok() : last_error("reading the log");
  }

  Result<std::uint64_t> data_version() override {
    sqlite3_stmt* q = cached("PRAGMA data_version");
    if (!q) return last_error("reading the data version");
    std::uint64_t v = 0;
    if (sqlite3_step(q) == SQLITE_ROW) v = static_cast<std::uint64_t>(sqlite3_column_int64(q, 0));
    sqlite3_reset(q);
    return v;
  }

  Result<std::uint64_t> last_position() override {
    sqlite3_stmt* q = cached("SELECT COALESCE(MAX(id), 0) FROM log");
    if (!q) return last_error("reading the log");
    std::uint64_t n = 0;
    if (sqlite3_step(q) == SQLITE_ROW) n = static_cast<std::uint64_t>(sqlite3_column_int64(q, 0));
    sqlite3_reset(q);
    return n;
  }

  Result<std::optional<IdempotencyRow>> idempotency(std::string_view account, std::string_view key) override {
    sqlite3_stmt* q = cached("SELECT fingerprint, case_id, created_ms FROM idempotency WHERE account=?1 AND key=?2");
    if (!q) return last_error("reading idempotency keys");
    bind_text(q, 1, account);
    bind_text(q, 2, key);
    std::optional<IdempotencyRow> out;
    const int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
      out = IdempotencyRow{std::string(account), std::string(key), column_text(q, 0),
                           static_cast<CaseId>(sqlite3_column_int64(q, 1)), sqlite3_column_int64(q, 2)};
    sqlite3_reset(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return last_error("reading idempotency keys");
    return out;
  }

  Result<std::string> case_owner(CaseId id) override {
    sqlite3_stmt* q = cached("SELECT account FROM case_owner WHERE case_id=?1");
    if (!q) return last_error("reading case owners");
    sqlite3_bind_int64(q, 1, static_cast<sqlite3_int64>(id));
    std::string out;
    if (sqlite3_step(q) == SQLITE_ROW) out = column_text(q, 0);
    sqlite3_reset(q);
    return out;
  }

  Result<std::vector<CaseId>> cases_of(std::string_view account) override {
    sqlite3_stmt* q = cached("SELECT case_id FROM case_owner WHERE account=?1 ORDER BY case_id");
    if (!q) return last_error("reading case owners");
    bind_text(q, 1, account);
    std::vector<CaseId> out;
    while (sqlite3_step(q) == SQLITE_ROW) out.push_back(static_cast<CaseId>(sqlite3_column_int64(q, 0)));
    sqlite3_reset(q);
    return out;
  }

  Result<std::vector<ClaimRow>> claims(std::optional<CaseId> case_id) override {
    sqlite3_stmt* q = cached(case_id ? "SELECT case_id, matter, attempt, officer, at FROM claims WHERE case_id=?1"
                                     : "SELECT case_id, matter, attempt, officer, at FROM claims");
    if (!q) return last_error("reading claims");
    if (case_id) sqlite3_bind_int64(q, 1, static_cast<sqlite3_int64>(*case_id));
    std::vector<ClaimRow> out;
    while (sqlite3_step(q) == SQLITE_ROW)
      out.push_back({static_cast<CaseId>(sqlite3_column_int64(q, 0)), sqlite3_column_int(q, 1),
                     static_cast<std::uint32_t>(sqlite3_column_int64(q, 2)), column_text(q, 3),
                     sqlite3_column_int64(q, 4)});
    sqlite3_reset(q);
    return out;
  }

  Result<std::vector<MaterialFile>> files(CaseId id) override {
    if (upgrade_) return std::vector<MaterialFile>{};  // an older store, read only: no files yet
    sqlite3_stmt* q = cached("SELECT case_id, seq, material, name, media_type, bytes, sha256, at FROM files "
                             "WHERE case_id=?1 ORDER BY seq");
    if (!q) return last_error("reading files");
    sqlite3_bind_int64(q, 1, static_cast<sqlite3_int64>(id));
    std::vector<MaterialFile> out;
    int rc = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) out.push_back(read_file(q));
    sqlite3_reset(q);
    if (rc != SQLITE_DONE) return last_error("reading files");
    return out;
  }

  Result<std::optional<std::string>> file_content(CaseId id, std::uint64_t seq) override {
    if (upgrade_) return std::optional<std::string>();
    sqlite3_stmt* q = cached("SELECT content FROM files WHERE case_id=?1 AND seq=?2");
    if (!q) return last_error("reading a file");
    sqlite3_bind_int64(q, 1, static_cast<sqlite3_int64>(id));
    sqlite3_bind_int64(q, 2, static_cast<sqlite3_int64>(seq));
    std::optional<std::string> out;
    const int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) out = column_blob(q, 0);
    sqlite3_reset(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return last_error("reading a file");
    return out;
  }

  Status scan_files(const std::function<void(const FileRow&)>& fn) override {
    if (upgrade_) return Status::ok();
    Stmt q = prepare("SELECT case_id, seq, material, name, media_type, bytes, sha256, at, content FROM files "
                     "ORDER BY case_id, seq");
    if (!q) return last_error("reading files");
    int rc = 0;
    while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) fn(FileRow{read_file(q.get()), column_blob(q.get(), 8)});
    return rc == SQLITE_DONE ? Status::ok() : last_error("reading files");
  }

  Result<HolderRecord> holder_record(std::string_view holder) override {
    HolderRecord out;
    out.holder = std::string(holder);
    if (upgrade_) return out;  // an older store, read only: no registry yet
    sqlite3_stmt* v = cached("SELECT key, value, case_id FROM holder_values WHERE holder=?1 ORDER BY key");
    sqlite3_stmt* l = cached("SELECT kind, number, issuer, issued_on, valid_until, case_id FROM holder_licences "
                             "WHERE holder=?1 ORDER BY kind, issued_on, number");
    if (!v || !l) return last_error("reading the holder registry");
    bind_text(v, 1, holder);
    int rc = 0;
    while ((rc = sqlite3_step(v)) == SQLITE_ROW) {
      auto value = decode_value(column_blob(v, 1));
      if (!value) {
        sqlite3_reset(v);
        return Status::invalid(fmt::format("{}: a value of holder {} in the registry is malformed", path_, holder));
      }
      out.values.push_back({column_text(v, 0), std::move(*value), static_cast<CaseId>(sqlite3_column_int64(v, 2))});
    }
    sqlite3_reset(v);
    if (rc != SQLITE_DONE) return last_error("reading the holder registry");
    bind_text(l, 1, holder);
    while ((rc = sqlite3_step(l)) == SQLITE_ROW) {
      HolderRecord::Licence x{column_text(l, 0), column_text(l, 1), column_text(l, 2),
                              Date::from_days(sqlite3_column_int64(l, 3)), std::nullopt,
                              static_cast<CaseId>(sqlite3_column_int64(l, 5))};
      if (sqlite3_column_type(l, 4) != SQLITE_NULL) x.valid_until = Date::from_days(sqlite3_column_int64(l, 4));
      out.licences.push_back(std::move(x));
    }
    sqlite3_reset(l);
    if (rc != SQLITE_DONE) return last_error("reading the holder registry");
    return out;
  }

  Status scan_registry(const std::function<void(const HolderRecord&)>& fn) override {
    if (upgrade_) return Status::ok();
    Stmt v = prepare("SELECT holder, key, value, case_id FROM holder_values ORDER BY holder, key");
    Stmt l = prepare("SELECT holder, kind, number, issuer, issued_on, valid_until, case_id FROM holder_licences "
                     "ORDER BY holder, kind, number");
    if (!v || !l) return last_error("reading the holder registry");
    int rc = 0;
    while ((rc = sqlite3_step(v.get())) == SQLITE_ROW) {
      HolderRecord r;
      r.holder = column_text(v.get(), 0);
      // A value that does not decode is reported as one no log recorded.
      r.values.push_back({column_text(v.get(), 1), decode_value(column_blob(v.get(), 2)).value_or(Value(std::string("\x01"))),
                          static_cast<CaseId>(sqlite3_column_int64(v.get(), 3))});
      fn(r);
    }
    if (rc != SQLITE_DONE) return last_error("reading the holder registry");
    while ((rc = sqlite3_step(l.get())) == SQLITE_ROW) {
      HolderRecord r;
      r.holder = column_text(l.get(), 0);
      HolderRecord::Licence x{column_text(l.get(), 1), column_text(l.get(), 2), column_text(l.get(), 3),
                              Date::from_days(sqlite3_column_int64(l.get(), 4)), std::nullopt,
                              static_cast<CaseId>(sqlite3_column_int64(l.get(), 6))};
      if (sqlite3_column_type(l.get(), 5) != SQLITE_NULL) x.valid_until = Date::from_days(sqlite3_column_int64(l.get(), 5));
      r.licences.push_back(std::move(x));
      fn(r);
    }
    return rc == SQLITE_DONE ? Status::ok() : last_error("reading the holder registry");
  }

  Result<std::vector<InboxRow>> inbox_take(std::int64_t after, std::size_t limit) override {
    // One statement, so one transaction: a request is taken whole or not,
    // and a sender's withdrawal (pending only) comes before or after it.
    sqlite3_stmt* q = cached(
        "UPDATE inbox SET done=2 WHERE id IN (SELECT id FROM inbox WHERE done=0 AND id>?1 ORDER BY id LIMIT ?2) "
        "RETURNING id, request");
    if (!q) return last_error("taking from the inbox");
    sqlite3_bind_int64(q, 1, after);
    sqlite3_bind_int64(q, 2, static_cast<sqlite3_int64>(limit));
    std::vector<InboxRow> out;
    int rc = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) out.push_back({sqlite3_column_int64(q, 0), column_text(q, 1)});
    sqlite3_reset(q);
    if (rc != SQLITE_DONE) return last_error("taking from the inbox");
    // RETURNING gives no order.
    std::sort(out.begin(), out.end(), [](const InboxRow& a, const InboxRow& b) { return a.id < b.id; });
    return out;
  }

  Status inbox_release_taken() override { return exec("UPDATE inbox SET done=0 WHERE done=2;"); }

  Result<bool> inbox_withdraw(std::int64_t id) override {
    sqlite3_stmt* q = cached("DELETE FROM inbox WHERE id=?1 AND done=0");
    if (!q) return last_error("writing the inbox");
    sqlite3_bind_int64(q, 1, id);
    const int rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE) return last_error("writing the inbox");
    return sqlite3_changes(db_) == 1;
  }

  Result<std::vector<std::int64_t>> inbox_put(const std::vector<std::string>& requests) override {
    sqlite3_stmt* q = cached("INSERT INTO inbox(request, created_ms) VALUES(?1, ?2)");
    if (!q) return last_error("writing the inbox");
    std::vector<std::int64_t> ids;
    Status st = in_transaction([&] {
      for (const std::string& request : requests) {
        bind_text(q, 1, request);
        sqlite3_bind_int64(q, 2, wall_clock_ms());
        if (Status s = step_done(q, "writing the inbox"); !s) return s;
        ids.push_back(static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_)));
      }
      return Status::ok();
    });
    if (!st) return st;
    return ids;
  }

  Result<std::vector<std::pair<std::int64_t, std::string>>> inbox_results(const std::vector<std::int64_t>& ids) override {
    sqlite3_stmt* q = cached("SELECT result FROM inbox WHERE id=?1 AND done=1");  // done 2: taken, not answered yet
    if (!q) return last_error("reading the inbox");
    std::vector<std::pair<std::int64_t, std::string>> out;
    for (std::int64_t id : ids) {
      sqlite3_bind_int64(q, 1, id);
      const int rc = sqlite3_step(q);
      if (rc == SQLITE_ROW) out.emplace_back(id, column_text(q, 0));
      sqlite3_reset(q);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return last_error("reading the inbox");
    }
    return out;
  }

  [[nodiscard]] std::optional<CheckpointerStats> checkpoint_stats() const override {
    if (!checkpointer_) return std::nullopt;
    return checkpointer_->stats();
  }

  Result<std::string> integrity() override {
    sqlite3_stmt* q = nullptr;
    if (sqlite3_prepare_v2(db_, "PRAGMA quick_check", -1, &q, nullptr) != SQLITE_OK) return last_error("checking the file");
    std::string found;
    int rc = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
      const std::string line = column_text(q, 0);
      if (line == "ok") continue;
      if (!found.empty()) found += "; ";
      found += line;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE && found.empty()) found = sqlite3_errmsg(db_);  // too broken to list what
    return found;
  }

  Status inbox_delete(const std::vector<std::int64_t>& ids) override {
    sqlite3_stmt* q = cached("DELETE FROM inbox WHERE id=?1");
    if (!q) return last_error("writing the inbox");
    return in_transaction([&] {
      for (std::int64_t id : ids) {
        sqlite3_bind_int64(q, 1, id);
        if (Status s = step_done(q, "writing the inbox"); !s) return s;
      }
      return Status::ok();
    });
  }

  /// Runs `body` in one write transaction: committed when it succeeds,
  /// rolled back when it fails.
  Status in_transaction(const std::function<Status()>& body) {
    if (Status s = exec("BEGIN IMMEDIATE"); !s) return s;
    Status st = body();
    if (st) st = exec("COMMIT");
    if (!st) (void)exec("ROLLBACK");
    return st;
  }

  /// Steps a statement that returns no rows, and resets it.
  Status step_done(sqlite3_stmt* q, const char* what) {
    const int rc = sqlite3_step(q);
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? Status::ok() : last_error(what);
  }

  Result<SqlRows> run_sql(std::string_view sql, std::initializer_list<SqlParam> params) override {
    // $N → ?N: the same numbered parameters.
    std::string text(sql);
    std::replace(text.begin(), text.end(), '$', '?');
    auto it = generic_.find(text);
    if (it == generic_.end()) {
      Stmt q = prepare(text.c_str());
      if (!q) return last_error("preparing a statement");
      it = generic_.emplace(text, std::move(q)).first;
    }
    sqlite3_stmt* q = it->second.get();
    int i = 1;
    for (const SqlParam& p : params) {
      if (const auto* n = std::get_if<std::int64_t>(&p)) sqlite3_bind_int64(q, i++, *n);
      else bind_text(q, i++, std::get<std::string_view>(p));
    }
    SqlRows out;
    int rc = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
      auto& row = out.rows.emplace_back();
      for (int c = 0; c < sqlite3_column_count(q); ++c) row.push_back(column_text(q, c));
    }
    const int code = sqlite3_extended_errcode(db_);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    if (rc == SQLITE_CONSTRAINT || (rc != SQLITE_DONE && (code & 0xff) == SQLITE_CONSTRAINT))
      return Status::conflict(fmt::format("{}: {}", path_, sqlite3_errmsg(db_)));
    if (rc != SQLITE_DONE) return last_error("running a statement");
    out.changed = sqlite3_changes(db_);
    return out;
  }

 private:
  /// `top`: the highest case id the batch wrote, when above any before it.
  Status write(const Batch& b, CaseId& top) {
    sqlite3_stmt* ins = cached("INSERT INTO log(case_id, seq, at, kind, result, body, hash) VALUES(?1,?2,?3,?4,?5,?6,?7)");
    sqlite3_stmt* up = cached(
        "INSERT INTO cases(id, chain, version, stage, alert, submitted_at, seq, last_hash, state) "
        "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9) ON CONFLICT(id) DO UPDATE SET stage=excluded.stage, "
        "alert=excluded.alert, seq=excluded.seq, last_hash=excluded.last_hash, state=excluded.state");
    sqlite3_stmt* data = cached("INSERT OR REPLACE INTO case_data(id, data) VALUES(?1, ?2)");
    sqlite3_stmt* tput = cached("INSERT OR REPLACE INTO retry_timers(case_id, matter, attempt, delivery, due_ms) VALUES(?1,?2,?3,?4,?5)");
    sqlite3_stmt* tdel = cached("DELETE FROM retry_timers WHERE case_id=?1 AND matter=?2");
    sqlite3_stmt* claim = cached("INSERT OR REPLACE INTO claims(case_id, matter, attempt, officer, at) VALUES(?1,?2,?3,?4,?5)");
    sqlite3_stmt* inbox = cached("UPDATE inbox SET done=1, result=?2 WHERE id=?1");
    sqlite3_stmt* put_seal = cached("INSERT OR REPLACE INTO meta(key, value) VALUES('seal', ?1)");
    if (!b.owners.empty() || !b.keys.empty()) {
      sqlite3_stmt* owner = cached("INSERT OR REPLACE INTO case_owner(case_id, account) VALUES(?1, ?2)");
      sqlite3_stmt* key = cached(
          "INSERT INTO idempotency(account, key, fingerprint, case_id, created_ms) VALUES(?1, ?2, ?3, ?4, ?5)");
      if (!owner || !key) return last_error("preparing the commit");
      for (const auto& [id, account] : b.owners) {
        sqlite3_bind_int64(owner, 1, static_cast<sqlite3_int64>(id));
        bind_text(owner, 2, account);
        if (Status s = run(owner, "recording a case's owner"); !s) return s;
      }
      for (const IdempotencyRow& k : b.keys) {
        bind_text(key, 1, k.account);
        bind_text(key, 2, k.key);
        bind_text(key, 3, k.fingerprint);
        sqlite3_bind_int64(key, 4, static_cast<sqlite3_int64>(k.case_id));
        sqlite3_bind_int64(key, 5, k.created_ms);
        if (Status s = run(key, "recording an idempotency key"); !s) return s;
      }
    }
    if (!b.files.empty()) {
      sqlite3_stmt* file = cached(
          "INSERT INTO files(case_id, seq, material, name, media_type, bytes, sha256, at, content) "
          "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)");
      if (!file) return last_error("preparing the commit");
      for (const FileRow& f : b.files) {
        sqlite3_bind_int64(file, 1, static_cast<sqlite3_int64>(f.file.case_id));
        sqlite3_bind_int64(file, 2, static_cast<sqlite3_int64>(f.file.seq));
        bind_text(file, 3, f.file.material);
        bind_text(file, 4, f.file.name);
        bind_text(file, 5, f.file.media_type);
        sqlite3_bind_int64(file, 6, static_cast<sqlite3_int64>(f.file.bytes));
        bind_text(file, 7, f.file.sha256);
        sqlite3_bind_int64(file, 8, f.file.at.seconds);
        bind_static_blob(file, 9, f.content);
        if (Status s = run(file, "storing a file"); !s) return s;
      }
    }
    if (!b.holders.empty()) {
      sqlite3_stmt* value = cached("INSERT OR REPLACE INTO holder_values(holder, key, value, case_id) VALUES(?1,?2,?3,?4)");
      sqlite3_stmt* licence = cached(
          "INSERT OR REPLACE INTO holder_licences(holder, kind, number, issuer, issued_on, valid_until, case_id) "
          "VALUES(?1,?2,?3,?4,?5,?6,?7)");
      if (!value || !licence) return last_error("preparing the commit");
      for (const HolderRecord& h : b.holders) {
        for (const HolderRecord::Item& i : h.values) {
          bind_text(value, 1, h.holder);
          bind_text(value, 2, i.key);
          const std::string bytes = encode_value(i.value);
          sqlite3_bind_blob(value, 3, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
          sqlite3_bind_int64(value, 4, static_cast<sqlite3_int64>(i.from_case));
          if (Status s = run(value, "recording the holder registry"); !s) return s;
        }
        for (const HolderRecord::Licence& x : h.licences) {
          bind_text(licence, 1, h.holder);
          bind_text(licence, 2, x.kind);
          bind_text(licence, 3, x.number);
          bind_text(licence, 4, x.issuer);
          sqlite3_bind_int64(licence, 5, x.issued_on.days());
          if (x.valid_until) sqlite3_bind_int64(licence, 6, x.valid_until->days());
          else sqlite3_bind_null(licence, 6);
          sqlite3_bind_int64(licence, 7, static_cast<sqlite3_int64>(x.from_case));
          if (Status s = run(licence, "recording the holder registry"); !s) return s;
        }
      }
    }
    if (!ins || !up || !data || !tput || !tdel || !claim || !inbox || !put_seal) return last_error("preparing the commit");
    // The store-wide seal, read inside this transaction (no other writer can
    // move it), extended by each entry appended.
    Seal sealed;
    if (!b.entries.empty()) {
      auto current = seal();
      if (!current) return current.status();
      if (*current) {
        sealed = **current;
      } else {  // a store from before the seal: start it from the log as it is
        if (Status s = scan_log_hashes([&](const Hash& h) { seal_add(sealed, h); }); !s) return s;
      }
    }
    for (const EntryRow& e : b.entries) {
      sqlite3_bind_int64(ins, 1, static_cast<sqlite3_int64>(e.case_id));
      sqlite3_bind_int64(ins, 2, static_cast<sqlite3_int64>(e.seq));
      sqlite3_bind_int64(ins, 3, e.at);
      bind_static_text(ins, 4, e.kind);
      sqlite3_bind_int(ins, 5, static_cast<int>(e.result));
      bind_static_blob(ins, 6, e.body);
      sqlite3_bind_blob(ins, 7, e.hash.data(), static_cast<int>(e.hash.size()), SQLITE_STATIC);
      if (Status s = run(ins, "appending to the log"); !s) return s;
      seal_add(sealed, e.hash);
    }
    if (!b.entries.empty()) {
      bind_text(put_seal, 1, format_seal(sealed));
      if (Status s = run(put_seal, "sealing the log"); !s) return s;
    }
    for (const CaseRow& c : b.cases) top = std::max(top, c.id);
    if (top > last_case_) {  // one row per batch that opens a case
      sqlite3_stmt* put_last = cached(
          "INSERT INTO meta(key, value) VALUES('last_case', ?1) ON CONFLICT(key) DO UPDATE SET value=excluded.value");
      if (!put_last) return last_error("preparing the commit");
      sqlite3_bind_int64(put_last, 1, static_cast<sqlite3_int64>(top));
      if (Status s = run(put_last, "recording the last case id"); !s) return s;
    }
    for (const CaseRow& c : b.cases) {
      sqlite3_bind_int64(up, 1, static_cast<sqlite3_int64>(c.id));
      bind_static_text(up, 2, c.chain);
      sqlite3_bind_int(up, 3, c.version);
      bind_static_text(up, 4, to_string(c.stage));
      sqlite3_bind_int(up, 5, static_cast<int>(c.alert));
      sqlite3_bind_int64(up, 6, c.submitted_at.seconds);
      sqlite3_bind_int64(up, 7, static_cast<sqlite3_int64>(c.seq));
      sqlite3_bind_blob(up, 8, c.last_hash.data(), static_cast<int>(c.last_hash.size()), SQLITE_STATIC);
      bind_static_blob(up, 9, c.state);
      if (Status s = run(up, "writing a case"); !s) return s;
      if (c.write_data) {
        sqlite3_bind_int64(data, 1, static_cast<sqlite3_int64>(c.id));
        bind_static_blob(data, 2, c.data);
        if (Status s = run(data, "writing a case's data"); !s) return s;
      }
    }
    for (const auto& [id, matter] : b.timers_del) {
      sqlite3_bind_int64(tdel, 1, static_cast<sqlite3_int64>(id));
      sqlite3_bind_int(tdel, 2, matter);
      if (Status s = run(tdel, "deleting a timer"); !s) return s;
    }
    for (const RetryTimer& t : b.timers_put) {
      sqlite3_bind_int64(tput, 1, static_cast<sqlite3_int64>(t.case_id));
      sqlite3_bind_int(tput, 2, t.matter);
      sqlite3_bind_int64(tput, 3, t.attempt);
      sqlite3_bind_int64(tput, 4, t.delivery);
      sqlite3_bind_int64(tput, 5, t.due_ms);
      if (Status s = run(tput, "writing a timer"); !s) return s;
    }
    for (const ClaimRow& c : b.claims) {
      sqlite3_bind_int64(claim, 1, static_cast<sqlite3_int64>(c.case_id));
      sqlite3_bind_int(claim, 2, c.matter);
      sqlite3_bind_int64(claim, 3, c.attempt);
      bind_static_text(claim, 4, c.officer);
      sqlite3_bind_int64(claim, 5, c.at);
      if (Status s = run(claim, "writing a claim"); !s) return s;
    }
    for (const auto& [id, result] : b.inbox_done) {
      sqlite3_bind_int64(inbox, 1, id);
      bind_static_text(inbox, 2, result);
      if (Status s = run(inbox, "answering the inbox"); !s) return s;
    }
    return Status::ok();
  }

  static StoredChain read_chain(sqlite3_stmt* q) {
    return {column_text(q, 0), sqlite3_column_int(q, 1), column_text(q, 2), column_text(q, 3), column_text(q, 4)};
  }
  static CaseRow read_case(sqlite3_stmt* q) {
    CaseRow c;
    c.id = static_cast<CaseId>(sqlite3_column_int64(q, 0));
    c.chain = column_text(q, 1);
    c.version = sqlite3_column_int(q, 2);
    c.stage = parse_case_stage(column_text(q, 3)).value_or(CaseStage::created);
    c.alert = static_cast<AlertLevel>(sqlite3_column_int(q, 4));
    c.submitted_at = Instant{sqlite3_column_int64(q, 5)};
    c.seq = static_cast<std::uint64_t>(sqlite3_column_int64(q, 6));
    c.last_hash = column_hash(q, 7);
    c.state = column_blob(q, 8);
    return c;
  }
  static EntryRow read_entry(sqlite3_stmt* q) {
    EntryRow e;
    e.case_id = static_cast<CaseId>(sqlite3_column_int64(q, 0));
    e.seq = static_cast<std::uint64_t>(sqlite3_column_int64(q, 1));
    e.at = sqlite3_column_int64(q, 2);
    e.kind = column_text(q, 3);
    e.result = static_cast<EntryResult>(sqlite3_column_int(q, 4));
    e.body = column_blob(q, 5);
    e.hash = column_hash(q, 6);
    return e;
  }

  static void bind_text(sqlite3_stmt* q, int i, std::string_view s) {
    sqlite3_bind_text(q, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  // The batch outlives each step: no copies.
  static void bind_static_text(sqlite3_stmt* q, int i, std::string_view s) {
    sqlite3_bind_text(q, i, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
  }
  static void bind_static_blob(sqlite3_stmt* q, int i, std::string_view s) {
    sqlite3_bind_blob(q, i, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
  }
  static void bind_blob(sqlite3_stmt* q, int i, std::string_view s) {
    sqlite3_bind_blob(q, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  Status run(sqlite3_stmt* q, const char* what) {
    const int rc = sqlite3_step(q);
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? Status::ok() : last_error(what);
  }
  Stmt prepare(const char* sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK) return nullptr;
    return Stmt(s);
  }
  /// A statement prepared once per connection (keyed by its text's address).
  sqlite3_stmt* cached(const char* sql) {
    for (auto& [k, s] : stmts_)
      if (k == sql) return s.get();
    Stmt s = prepare(sql);
    if (!s) return nullptr;
    stmts_.emplace_back(sql, std::move(s));
    return stmts_.back().second.get();
  }
  Status exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) == SQLITE_OK) return Status::ok();
    std::string msg = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return Status::io(fmt::format("{}: {}", path_, msg));
  }
  Status last_error(const char* what) {
    return Status::io(fmt::format("{}: {}: {}", path_, what, sqlite3_errmsg(db_)));
  }

  sqlite3* db_;
  std::string path_;
  bool upgrade_ = false;   ///< an older format, upgraded when opened for writing
  bool whole_states_ = false;  ///< the older format kept whole states already (format 5)
  CaseId last_case_ = 0;   ///< the highest case id known to be recorded in meta.last_case (or below)
  std::vector<std::pair<const char*, Stmt>> stmts_;
  std::map<std::string, Stmt, std::less<>> generic_;  ///< run_sql()'s statements, by text
  std::unique_ptr<WalCheckpointer> checkpointer_;     ///< StoreOptions::checkpoints
};

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, const StoreOptions& options) {
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  if (!exists && (!options.create || options.read_only))
    return Status::not_found(fmt::format("{}: no such store", path));
  if (exists && !std::filesystem::is_regular_file(path, ec))
    return Status::io(fmt::format("{}: not a regular file", path));
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | (options.create && !options.read_only ? SQLITE_OPEN_CREATE : 0) |
                    SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return Status::io(fmt::format("{}: cannot open: {}", path, msg));
  }
  auto store = std::make_unique<SqliteStore>(db, path);
  if (Status s = store->init(options); !s) {
    // SQLITE_NOTADB shows up at the first read of a file that is not SQLite.
    if (s.code() == Status::Code::io_error && s.message().find("not a database") != std::string::npos)
      return Status::invalid(fmt::format("{}: not a yilian store (not an SQLite file)", path));
    return s;
  }
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace yilian::detail
