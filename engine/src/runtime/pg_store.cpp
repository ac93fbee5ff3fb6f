// The PostgreSQL store (`--db postgresql://…`): the same tables and the same
// contract as the SQLite store (store.h), through libpq with prepared
// statements and binary parameters and results. One connection per Store
// object; the engine's writer holds a session advisory lock on the
// connection it commits through (take_writer), so an engine whose session
// ended — killed, cut off — can commit nothing: the lock went with it.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <libpq-fe.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "runtime/audit.h"
#include "runtime/codec.h"
#include "runtime/pg_conn.h"
#include "runtime/store.h"

namespace yilian::detail {

namespace {

using namespace pg;

constexpr const char* kFormat = "yilian-store-6";  // the same format as SQLite's (sqlite_store.cpp)
/// Format 4 lacks what state format 4 adds (state_codec.cpp), format 5 the tables
/// of material files and the holder registry: both read as they are and are
/// upgraded when opened for writing.
constexpr const char* kFormat4 = "yilian-store-4";
constexpr const char* kFormat5 = "yilian-store-5";

// One database holds one store. Its writer lock and the lock that makes
// schema creation single are session and transaction advisory locks under
// these keys (pg_locks shows the writer's as classid 0x79696c69, objid 1).
constexpr int kLockSpace = 0x79696c69;  // "yili"
constexpr int kWriterLock = 1;
constexpr int kSchemaLock = 2;

constexpr const char* kOpenStages = "('created', 'incomplete', 'running', 'ready', 'verifying')";

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chains(
  id TEXT NOT NULL, version BIGINT NOT NULL, text TEXT NOT NULL, file_name TEXT NOT NULL,
  sha256 TEXT NOT NULL, loaded_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY(id, version));
CREATE TABLE IF NOT EXISTS cases(
  id BIGINT PRIMARY KEY, chain TEXT NOT NULL, version BIGINT NOT NULL, stage TEXT NOT NULL,
  alert BIGINT NOT NULL, submitted_at BIGINT NOT NULL, seq BIGINT NOT NULL,
  last_hash BYTEA NOT NULL, state BYTEA NOT NULL);
CREATE INDEX IF NOT EXISTS cases_open ON cases(stage)
  WHERE stage IN ('created', 'incomplete', 'running', 'ready', 'verifying');
CREATE TABLE IF NOT EXISTS case_data(id BIGINT PRIMARY KEY, data BYTEA NOT NULL);
CREATE TABLE IF NOT EXISTS log(
  id BIGINT PRIMARY KEY, case_id BIGINT NOT NULL, seq BIGINT NOT NULL, at BIGINT NOT NULL,
  kind TEXT NOT NULL, result BIGINT NOT NULL, body BYTEA NOT NULL, hash BYTEA NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS log_case ON log(case_id, seq);
CREATE TABLE IF NOT EXISTS retry_timers(
  case_id BIGINT NOT NULL, matter BIGINT NOT NULL, attempt BIGINT NOT NULL,
  delivery BIGINT NOT NULL, due_ms BIGINT NOT NULL, PRIMARY KEY(case_id, matter));
CREATE TABLE IF NOT EXISTS claims(
  case_id BIGINT NOT NULL, matter BIGINT NOT NULL, attempt BIGINT NOT NULL,
  officer TEXT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY(case_id, matter));
CREATE TABLE IF NOT EXISTS inbox(
  id BIGSERIAL PRIMARY KEY, request TEXT NOT NULL, created_ms BIGINT NOT NULL,
  done BIGINT NOT NULL DEFAULT 0, result TEXT);
CREATE INDEX IF NOT EXISTS inbox_pending ON inbox(id) WHERE done = 0;
CREATE TABLE IF NOT EXISTS accounts(
  name TEXT PRIMARY KEY, role TEXT NOT NULL, department TEXT NOT NULL, password TEXT NOT NULL,
  disabled BIGINT NOT NULL DEFAULT 0, created_ms BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS api_keys(
  hash TEXT PRIMARY KEY, account TEXT NOT NULL, created_ms BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions(
  hash TEXT PRIMARY KEY, account TEXT NOT NULL, csrf TEXT NOT NULL, expires_ms BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency(
  account TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, case_id BIGINT NOT NULL,
  created_ms BIGINT NOT NULL, PRIMARY KEY(account, key));
CREATE TABLE IF NOT EXISTS case_owner(case_id BIGINT PRIMARY KEY, account TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS case_owner_account ON case_owner(account);
CREATE TABLE IF NOT EXISTS files(
  case_id BIGINT NOT NULL, seq BIGINT NOT NULL, material TEXT NOT NULL, name TEXT NOT NULL,
  media_type TEXT NOT NULL, bytes BIGINT NOT NULL, sha256 TEXT NOT NULL, at BIGINT NOT NULL,
  content BYTEA NOT NULL, PRIMARY KEY(case_id, seq));
CREATE TABLE IF NOT EXISTS holder_values(
  holder TEXT NOT NULL, key TEXT NOT NULL, value BYTEA NOT NULL, case_id BIGINT NOT NULL, PRIMARY KEY(holder, key));
CREATE TABLE IF NOT EXISTS holder_licences(
  holder TEXT NOT NULL, kind TEXT NOT NULL, number TEXT NOT NULL, issuer TEXT NOT NULL, issued_on BIGINT NOT NULL,
  valid_until BIGINT, case_id BIGINT NOT NULL, PRIMARY KEY(holder, kind, number));
)sql";

MaterialFile read_file(const Rows& r, int i) {
  return MaterialFile{static_cast<CaseId>(r.i64(i, 0)), static_cast<std::uint64_t>(r.i64(i, 1)), r.str(i, 2), r.str(i, 3),
                      r.str(i, 4), static_cast<std::uint64_t>(r.i64(i, 5)), r.str(i, 6), Instant{r.i64(i, 7)}};
}

class PgStore final : public Store {
 public:
  PgStore(PGconn* conn, std::string uri) : conn_(conn), uri_(redact(uri)), connect_uri_(std::move(uri)) {}
  ~PgStore() override {
    // The server frees a session's locks only when its backend has wound
    // down, a moment after PQfinish returns: released here first, so that a
    // store closed is free to the next writer (and says so) at once.
    if (holds_writer_ && PQstatus(conn_) == CONNECTION_OK) PQclear(PQexec(conn_, "SELECT pg_advisory_unlock_all()"));
    PQfinish(conn_);
  }

  Status init(const StoreOptions& o) {
    // Notices (e.g. "relation already exists, skipping") are not for the user.
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
    // Durability: a commit is acknowledged once PostgreSQL has flushed its
    // WAL (synchronous_commit on) for both settings; the server's fsync
    // settings decide the rest (docs/stores.md).
    if (Status s = exec("SET synchronous_commit = on"); !s) return s;
    if (o.read_only)
      if (Status s = exec("SET default_transaction_read_only = on"); !s) return s;
    bool exists = false;
    {
      auto r = query("has-meta", "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'meta'",
                     Params{});
      if (!r) return r.status();
      exists = r->i64(0, 0) > 0;
    }
    if (exists) {
      auto r = query("format", "SELECT value FROM meta WHERE key='format'", Params{});
      if (!r) return r.status();
      const std::string format = r->size() ? r->str(0, 0) : std::string();
      if (format != kFormat && format != kFormat4 && format != kFormat5)
        return Status::invalid(fmt::format("{}: not a yilian store (format `{}`, expected `{}`)", uri_, format, kFormat));
      format6_tables_ = format == kFormat;
      if (format == kFormat || o.read_only) return Status::ok();
      format6_tables_ = true;
      // The cases of a format-4 store began under older rules: audit
      // verify compares their whole state with their log only for the
      // cases after them (replay.h). Format 5 kept whole states already.
      const std::string mark = format == kFormat4
                                   ? "INSERT INTO meta(key, value) SELECT 'whole_state_after', COALESCE(MAX(id), 0)::text "
                                     "FROM cases ON CONFLICT (key) DO NOTHING;"
                                   : "";
      Status s = exec(fmt::format("BEGIN; SELECT pg_advisory_xact_lock({}, {}); {} {} UPDATE meta SET value='{}' "
                                  "WHERE key='format' AND value='{}'; COMMIT;",
                                  kLockSpace, kSchemaLock, kSchema, mark, kFormat, format));
      if (!s) (void)exec("ROLLBACK");
      return s;
    }
    if (o.read_only || !o.create) return Status::not_found(fmt::format("{}: no such store (the database has no yilian tables)", uri_));
    // Two processes creating the schema at once would collide in the
    // catalogue: one at a time, under a transaction lock.
    if (Status s = exec(fmt::format("BEGIN; SELECT pg_advisory_xact_lock({}, {});", kLockSpace, kSchemaLock)); !s) return s;
    Status s = exec(kSchema);
    if (s)
      s = exec(fmt::format("INSERT INTO meta(key, value) VALUES('format', '{}'), ('seal', '{}'), ('commits', '0') "
                           "ON CONFLICT (key) DO NOTHING; COMMIT;",
                           kFormat, format_seal(Seal{})));
    if (!s) (void)exec("ROLLBACK");
    return s;
  }

  // ---- the writer lock ------------------------------------------------------

  Status take_writer(WriterKind as, std::chrono::milliseconds wait) override {
    const auto until = std::chrono::steady_clock::now() + wait;
    for (;;) {
      auto r = query("try-lock", "SELECT pg_try_advisory_lock($1::int, $2::int)", Params{}.i64(kLockSpace).i64(kWriterLock));
      if (!r) return r.status();
      if (r->size() && r->str(0, 0) == std::string(1, '\1')) break;
      if (std::chrono::steady_clock::now() >= until)
        return Status::error(Status::Code::unavailable,
                             fmt::format("{}: another engine is running on this store (it holds the store's writer lock)", uri_));
      std::this_thread::sleep_for(std::chrono::milliseconds(wait.count() < 1000 ? 20 : 200));
    }
    char host[256] = {};
    (void)::gethostname(host, sizeof host - 1);
    holds_writer_ = true;
    const std::string who = fmt::format("{} {}@{}", as == WriterKind::live ? "live" : "one-off", ::getpid(), host);
    auto said = query("say-writer",
                      "INSERT INTO meta(key, value) VALUES('writer', $1) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                      Params{}.text(who));
    return said ? Status::ok() : said.status();
  }

  Result<WriterKind> writer() override {
    auto r = query("writer",
                   "SELECT EXISTS(SELECT 1 FROM pg_locks WHERE locktype='advisory' AND granted AND classid=$1::oid AND "
                   "objid=$2::oid AND objsubid=2 AND database=(SELECT oid FROM pg_database WHERE datname=current_database())), "
                   "(SELECT value FROM meta WHERE key='writer')",
                   Params{}.i64(kLockSpace).i64(kWriterLock));
    if (!r) return r.status();
    if (!r->size() || r->str(0, 0) != std::string(1, '\1')) return WriterKind::none;
    const std::string who = r->null(0, 1) ? std::string() : r->str(0, 1);
    if (who.starts_with("live ")) return WriterKind::live;
    if (who.starts_with("one-off ")) return WriterKind::one_off;
    return WriterKind::unknown;
  }

  // ---- chains ---------------------------------------------------------------

  Status put_chain(const StoredChain& c) override {
    auto r = query("chain-sha", "SELECT sha256 FROM chains WHERE id=$1 AND version=$2", Params{}.text(c.id).i64(c.version));
    if (!r) return r.status();
    if (r->size()) {
      if (r->str(0, 0) == c.sha256) return Status::ok();
      return Status::error(Status::Code::conflict,
                           fmt::format("chain {} version {} is already stored with a different text; "
                                       "raise `version:` to load a changed chain",
                                       c.id, c.version));
    }
    auto ins = query("chain-put",
                     "INSERT INTO chains(id, version, text, file_name, sha256) VALUES($1, $2, $3, $4, $5) "
                     "ON CONFLICT (id, version) DO NOTHING",
                     Params{}.text(c.id).i64(c.version).text(c.text).text(c.file_name).text(c.sha256));
    return ins ? Status::ok() : ins.status();
  }

  Result<std::vector<StoredChain>> chains() override {
    auto r = query("chains", "SELECT id, version, text, file_name, sha256 FROM chains ORDER BY id, version", Params{});
    if (!r) return r.status();
    std::vector<StoredChain> out;
    for (int i = 0; i < r->size(); ++i) out.push_back(read_chain(*r, i));
    return out;
  }

  Result<std::optional<StoredChain>> chain(std::string_view id, int version) override {
    auto r = query("chain", "SELECT id, version, text, file_name, sha256 FROM chains WHERE id=$1 AND version=$2",
                   Params{}.text(id).i64(version));
    if (!r) return r.status();
    std::optional<StoredChain> out;
    if (r->size()) out = read_chain(*r, 0);
    return out;
  }

  Result<std::optional<int>> latest_chain_version(std::string_view id) override {
    auto r = query("chain-latest", "SELECT MAX(version) FROM chains WHERE id=$1", Params{}.text(id));
    if (!r) return r.status();
    std::optional<int> v;
    if (r->size() && !r->null(0, 0)) v = static_cast<int>(r->i64(0, 0));
    return v;
  }

  // ---- cases ----------------------------------------------------------------

  Result<CaseId> last_case_id() override {
    auto r = query("last-case",
                   "SELECT GREATEST(COALESCE((SELECT MAX(id) FROM cases), 0), COALESCE((SELECT MAX(case_id) FROM log), 0), "
                   "COALESCE((SELECT value::bigint FROM meta WHERE key='last_case'), 0))",
                   Params{});
    if (!r) return r.status();
    const auto id = static_cast<CaseId>(r->size() ? r->i64(0, 0) : 0);
    last_case_ = std::max(last_case_, id);
    return id;
  }

  Result<std::uint64_t> count_open() override {
    auto r = query("count-open", fmt::format("SELECT COUNT(*) FROM cases WHERE stage IN {}", kOpenStages), Params{});
    if (!r) return r.status();
    return static_cast<std::uint64_t>(r->i64(0, 0));
  }

  Result<std::optional<CaseRow>> load_case(CaseId id, bool with_data) override {
    auto r = with_data ? query("case-data",
                               "SELECT c.id, c.chain, c.version, c.stage, c.alert, c.submitted_at, c.seq, c.last_hash, "
                               "c.state, d.data FROM cases c LEFT JOIN case_data d ON d.id=c.id WHERE c.id=$1",
                               Params{}.i64(static_cast<std::int64_t>(id)))
                       : query("case",
                               "SELECT id, chain, version, stage, alert, submitted_at, seq, last_hash, state FROM cases "
                               "WHERE id=$1",
                               Params{}.i64(static_cast<std::int64_t>(id)));
    if (!r) return r.status();
    std::optional<CaseRow> out;
    if (r->size()) {
      out = read_case(*r, 0);
      if (with_data && !r->null(0, 9)) out->data = r->str(0, 9);
    }
    return out;
  }

  Status scan_cases(bool open_only, const std::function<void(CaseRow&&)>& fn) override {
    const std::string sql =
        fmt::format("SELECT id, chain, version, stage, alert, submitted_at, seq, last_hash, state FROM cases {} ORDER BY id",
                    open_only ? fmt::format("WHERE stage IN {}", kOpenStages) : std::string());
    return scan(sql, 1000, [&](const Rows& r, int i) { fn(read_case(r, i)); });
  }

  Status commit(const Batch& b) override {
    if (Status s = exec("BEGIN"); !s) return s;
    CaseId top = 0;
    Status st = write(b, top);
    if (st) st = exec("COMMIT");
    if (!st) (void)exec("ROLLBACK");
    else last_case_ = std::max(last_case_, top);
    return st;
  }

  // ---- the log --------------------------------------------------------------

  Status read_log(CaseId id, const std::function<void(EntryRow&&)>& fn) override {
    auto r = query("log-case", "SELECT case_id, seq, at, kind, result, body, hash FROM log WHERE case_id=$1 ORDER BY seq",
                   Params{}.i64(static_cast<std::int64_t>(id)));
    if (!r) return r.status();
    for (int i = 0; i < r->size(); ++i) fn(read_entry(*r, i));
    return Status::ok();
  }

  Status scan_log(const std::function<void(EntryRow&&)>& fn) override {
    return scan("SELECT case_id, seq, at, kind, result, body, hash FROM log ORDER BY case_id, seq", 5000,
                [&](const Rows& r, int i) { fn(read_entry(r, i)); });
  }

  Status scan_log_hashes(const std::function<void(const Hash&)>& fn) override {
    return scan("SELECT hash FROM log ORDER BY id", 20000, [&](const Rows& r, int i) { fn(r.hash(i, 0)); });
  }

  Result<std::optional<Seal>> seal() override {
    auto r = query("seal", "SELECT value FROM meta WHERE key='seal'", Params{});
    if (!r) return r.status();
    // A PostgreSQL store is sealed from its creation: no seal is a deletion,
    // not a store from before seals (the commit refuses it alike).
    if (!r->size()) return Status::invalid(fmt::format("{}: the store's seal is missing (deleted?)", uri_));
    const std::string text = r->str(0, 0);
    auto parsed = parse_seal(text);
    if (!parsed)
      return Status::invalid(fmt::format("{}: the store's seal `{}` is not ENTRIES:SHA-256 (edited?)", uri_, text));
    return parsed;
  }

  Status scan_log_after(std::uint64_t position, std::size_t limit, const std::function<void(EntryRow&&)>& fn) override {
    auto r = query("log-after", "SELECT case_id, seq, at, kind, result, body, hash, id FROM log WHERE id>$1 ORDER BY id LIMIT $2",
                   Params{}.i64(static_cast<std::int64_t>(position)).i64(static_cast<std::int64_t>(limit)));
    if (!r) return r.status();
    for (int i = 0; i < r->size(); ++i) {
      EntryRow e = read_entry(*r, i);
      e.position = static_cast<std::uint64_t>(r->i64(i, 7));
      fn(std::move(e));
    }
    return Status::ok();
  }

  Result<std::uint64_t> last_position() override {
    auto r = query("last-position", "SELECT COALESCE(MAX(id), 0) FROM log", Params{});
    if (!r) return r.status();
    return static_cast<std::uint64_t>(r->i64(0, 0));
  }

  Result<std::uint64_t> data_version() override {
    // Every commit counts itself in meta.commits (in its transaction).
    auto r = query("data-version", "SELECT value::bigint FROM meta WHERE key='commits'", Params{});
    if (!r) return r.status();
    return static_cast<std::uint64_t>(r->size() ? r->i64(0, 0) : 0);
  }

  // ---- timers, claims, keys, owners -----------------------------------------

  Result<std::vector<RetryTimer>> retry_timers() override {
    auto r = query("timers", "SELECT case_id, matter, attempt, delivery, due_ms FROM retry_timers ORDER BY due_ms", Params{});
    if (!r) return r.status();
    std::vector<RetryTimer> out;
    for (int i = 0; i < r->size(); ++i)
      out.push_back({static_cast<CaseId>(r->i64(i, 0)), static_cast<int>(r->i64(i, 1)),
                     static_cast<std::uint32_t>(r->i64(i, 2)), static_cast<std::uint32_t>(r->i64(i, 3)), r->i64(i, 4)});
    return out;
  }

  Result<std::vector<ClaimRow>> claims(std::optional<CaseId> case_id) override {
    auto r = case_id ? query("claims-case", "SELECT case_id, matter, attempt, officer, at FROM claims WHERE case_id=$1",
                             Params{}.i64(static_cast<std::int64_t>(*case_id)))
                     : query("claims", "SELECT case_id, matter, attempt, officer, at FROM claims", Params{});
    if (!r) return r.status();
    std::vector<ClaimRow> out;
    for (int i = 0; i < r->size(); ++i)
      out.push_back({static_cast<CaseId>(r->i64(i, 0)), static_cast<int>(r->i64(i, 1)),
                     static_cast<std::uint32_t>(r->i64(i, 2)), r->str(i, 3), r->i64(i, 4)});
    return out;
  }

  Result<std::vector<MaterialFile>> files(CaseId id) override {
    if (!format6_tables_) return std::vector<MaterialFile>{};  // an older store, read only: no files yet
    auto r = query("files", "SELECT case_id, seq, material, name, media_type, bytes, sha256, at FROM files "
                            "WHERE case_id=$1 ORDER BY seq",
                   Params{}.i64(static_cast<std::int64_t>(id)));
    if (!r) return r.status();
    std::vector<MaterialFile> out;
    for (int i = 0; i < r->size(); ++i) out.push_back(read_file(*r, i));
    return out;
  }

  Result<std::optional<std::string>> file_content(CaseId id, std::uint64_t seq) override {
    if (!format6_tables_) return std::optional<std::string>();
    auto r = query("file-content", "SELECT content FROM files WHERE case_id=$1 AND seq=$2",
                   Params{}.i64(static_cast<std::int64_t>(id)).i64(static_cast<std::int64_t>(seq)));
    if (!r) return r.status();
    std::optional<std::string> out;
    if (r->size()) out = r->str(0, 0);
    return out;
  }

  Status scan_files(const std::function<void(const FileRow&)>& fn) override {
    if (!format6_tables_) return Status::ok();
    return scan("SELECT case_id, seq, material, name, media_type, bytes, sha256, at, content FROM files ORDER BY case_id, seq",
                16, [&](const Rows& r, int i) { fn(FileRow{read_file(r, i), r.str(i, 8)}); });
  }

  Result<HolderRecord> holder_record(std::string_view holder) override {
    HolderRecord out;
    out.holder = std::string(holder);
    if (!format6_tables_) return out;  // an older store, read only: no registry yet
    auto v = query("holder-values", "SELECT key, value, case_id FROM holder_values WHERE holder=$1 ORDER BY key",
                   Params{}.text(holder));
    if (!v) return v.status();
    for (int i = 0; i < v->size(); ++i) {
      auto value = decode_value(v->str(i, 1));
      if (!value) return Status::invalid(fmt::format("{}: a value of holder {} in the registry is malformed", uri_, holder));
      out.values.push_back({v->str(i, 0), std::move(*value), static_cast<CaseId>(v->i64(i, 2))});
    }
    auto l = query("holder-licences",
                   "SELECT kind, number, issuer, issued_on, valid_until, case_id FROM holder_licences WHERE holder=$1 "
                   "ORDER BY kind, issued_on, number",
                   Params{}.text(holder));
    if (!l) return l.status();
    for (int i = 0; i < l->size(); ++i) {
      HolderRecord::Licence x{l->str(i, 0), l->str(i, 1), l->str(i, 2), Date::from_days(l->i64(i, 3)), std::nullopt,
                              static_cast<CaseId>(l->i64(i, 5))};
      if (!l->null(i, 4)) x.valid_until = Date::from_days(l->i64(i, 4));
      out.licences.push_back(std::move(x));
    }
    return out;
  }

  Status scan_registry(const std::function<void(const HolderRecord&)>& fn) override {
    if (!format6_tables_) return Status::ok();
    Status s = scan("SELECT holder, key, value, case_id FROM holder_values ORDER BY holder, key", 1000,
                    [&](const Rows& r, int i) {
                      HolderRecord h;
                      h.holder = r.str(i, 0);
                      // A value that does not decode is reported as one no log recorded.
                      h.values.push_back({r.str(i, 1), decode_value(r.str(i, 2)).value_or(Value(std::string("\x01"))),
                                          static_cast<CaseId>(r.i64(i, 3))});
                      fn(h);
                    });
    if (!s) return s;
    return scan("SELECT holder, kind, number, issuer, issued_on, valid_until, case_id FROM holder_licences "
                "ORDER BY holder, kind, number",
                1000, [&](const Rows& r, int i) {
                  HolderRecord h;
                  h.holder = r.str(i, 0);
                  HolderRecord::Licence x{r.str(i, 1), r.str(i, 2), r.str(i, 3), Date::from_days(r.i64(i, 4)), std::nullopt,
                                          static_cast<CaseId>(r.i64(i, 6))};
                  if (!r.null(i, 5)) x.valid_until = Date::from_days(r.i64(i, 5));
                  h.licences.push_back(std::move(x));
                  fn(h);
                });
  }

  Result<std::optional<IdempotencyRow>> idempotency(std::string_view account, std::string_view key) override {
    auto r = query("key", "SELECT fingerprint, case_id, created_ms FROM idempotency WHERE account=$1 AND key=$2",
                   Params{}.text(account).text(key));
    if (!r) return r.status();
    std::optional<IdempotencyRow> out;
    if (r->size())
      out = IdempotencyRow{std::string(account), std::string(key), r->str(0, 0), static_cast<CaseId>(r->i64(0, 1)),
                           r->i64(0, 2)};
    return out;
  }

  Result<std::string> case_owner(CaseId id) override {
    auto r = query("owner", "SELECT account FROM case_owner WHERE case_id=$1", Params{}.i64(static_cast<std::int64_t>(id)));
    if (!r) return r.status();
    return r->size() ? r->str(0, 0) : std::string();
  }

  Result<std::vector<CaseId>> cases_of(std::string_view account) override {
    auto r = query("cases-of", "SELECT case_id FROM case_owner WHERE account=$1 ORDER BY case_id", Params{}.text(account));
    if (!r) return r.status();
    std::vector<CaseId> out;
    for (int i = 0; i < r->size(); ++i) out.push_back(static_cast<CaseId>(r->i64(i, 0)));
    return out;
  }

  [[nodiscard]] bool lost() const override { return PQstatus(conn_) != CONNECTION_OK; }

  Result<std::unique_ptr<Notices>> listen(std::string_view channel) override;

  // ---- the inbox ------------------------------------------------------------

  Result<std::vector<InboxRow>> inbox_take(std::int64_t, std::size_t limit) override {
    // Every pending row, not only those after the last id taken: ids come
    // from a sequence, and a sender's row with a lower id may become
    // visible after a higher one (its transaction committed later).
    auto r = query("inbox-take",
                   "UPDATE inbox SET done=2 WHERE id IN (SELECT id FROM inbox WHERE done=0 ORDER BY id LIMIT $1 "
                   "FOR UPDATE SKIP LOCKED) RETURNING id, request",
                   Params{}.i64(static_cast<std::int64_t>(limit)));
    if (!r) return r.status();
    std::vector<InboxRow> out;
    for (int i = 0; i < r->size(); ++i) out.push_back({r->i64(i, 0), r->str(i, 1)});
    std::sort(out.begin(), out.end(), [](const InboxRow& a, const InboxRow& b) { return a.id < b.id; });
    return out;
  }

  Status inbox_release_taken() override { return exec("UPDATE inbox SET done=0 WHERE done=2"); }

  Result<std::vector<std::int64_t>> inbox_put(const std::vector<std::string>& requests) override {
    if (Status s = exec("BEGIN"); !s) return s;
    std::vector<std::int64_t> ids;
    Status st = Status::ok();
    for (const std::string& request : requests) {
      auto r = query("inbox-put", "INSERT INTO inbox(request, created_ms) VALUES($1, $2) RETURNING id",
                     Params{}.text(request).i64(wall_clock_ms()));
      if (!r) {
        st = r.status();
        break;
      }
      ids.push_back(r->i64(0, 0));
    }
    // Wakes the active engine at the commit (it polls too, in case this is missed).
    if (st) st = exec(fmt::format("NOTIFY {}; COMMIT", kInboxChannel));
    if (!st) {
      (void)exec("ROLLBACK");
      return st;
    }
    return ids;
  }

  Result<std::vector<std::pair<std::int64_t, std::string>>> inbox_results(const std::vector<std::int64_t>& ids) override {
    const std::string list = id_array(ids);
    auto r = query("inbox-results", "SELECT id, result FROM inbox WHERE id = ANY($1::text::int8[]) AND done = 1",
                   Params{}.text(list));  // done 2: taken, not answered yet
    if (!r) return r.status();
    std::vector<std::pair<std::int64_t, std::string>> out;
    for (int i = 0; i < r->size(); ++i) out.emplace_back(r->i64(i, 0), r->null(i, 1) ? std::string() : r->str(i, 1));
    return out;
  }

  Result<bool> inbox_withdraw(std::int64_t id) override {
    auto r = query("inbox-withdraw", "DELETE FROM inbox WHERE id=$1 AND done=0", Params{}.i64(id));
    if (!r) return r.status();
    return r->affected() == 1;
  }

  Status inbox_delete(const std::vector<std::int64_t>& ids) override {
    const std::string list = id_array(ids);
    auto r = query("inbox-delete", "DELETE FROM inbox WHERE id = ANY($1::text::int8[])", Params{}.text(list));
    return r ? Status::ok() : r.status();
  }

  /// `{1,2,3}`: an int8[] literal, sent as text.
  static std::string id_array(const std::vector<std::int64_t>& ids) { return fmt::format("{{{}}}", fmt::join(ids, ",")); }

  Result<SqlRows> run_sql(std::string_view sql, std::initializer_list<SqlParam> params) override {
    // Text in, text out: these are small statements on small tables.
    std::string name;
    if (auto it = generic_.find(sql); it != generic_.end()) {
      name = it->second;
    } else {
      name = fmt::format("g{}", generic_.size());
      std::unique_ptr<PGresult, ResultDeleter> r(PQprepare(conn_, name.c_str(), std::string(sql).c_str(), 0, nullptr));
      if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) return error("preparing a statement");
      generic_.emplace(std::string(sql), name);
    }
    std::vector<std::string> texts;
    for (const SqlParam& p : params) {
      if (const auto* n = std::get_if<std::int64_t>(&p)) texts.push_back(std::to_string(*n));
      else texts.emplace_back(std::get<std::string_view>(p));
    }
    std::vector<const char*> values;
    for (const std::string& t : texts) values.push_back(t.c_str());
    std::unique_ptr<PGresult, ResultDeleter> r(
        PQexecPrepared(conn_, name.c_str(), static_cast<int>(values.size()), values.data(), nullptr, nullptr, 0));
    const auto st = PQresultStatus(r.get());
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
      const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
      if (state && std::string_view(state) == "23505") return Status::conflict(fmt::format("{}: {}", uri_, error_line(conn_)));
      return error("running a statement");
    }
    SqlRows out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      auto& row = out.rows.emplace_back();
      for (int c = 0; c < PQnfields(r.get()); ++c)
        row.emplace_back(PQgetvalue(r.get(), i, c), static_cast<std::size_t>(PQgetlength(r.get(), i, c)));
    }
    const char* n = PQcmdTuples(r.get());
    out.changed = n && *n ? std::strtoll(n, nullptr, 10) : 0;
    // What other processes read is current while data_version() stays: a
    // change here counts like a commit (SQLite's data_version moves by itself).
    if (out.changed > 0 && PQntuples(r.get()) == 0)
      if (auto bump = query("commits", "UPDATE meta SET value=(value::bigint + 1)::text WHERE key='commits'", Params{}); !bump)
        return bump.status();
    return out;
  }

 private:
  Status write(const Batch& b, CaseId& top) {
    for (const auto& [id, account] : b.owners) {
      auto r = query("owner-put",
                     "INSERT INTO case_owner(case_id, account) VALUES($1, $2) ON CONFLICT(case_id) DO UPDATE SET "
                     "account=excluded.account",
                     Params{}.i64(static_cast<std::int64_t>(id)).text(account));
      if (!r) return r.status();
    }
    for (const FileRow& f : b.files) {
      auto r = query("file-put",
                     "INSERT INTO files(case_id, seq, material, name, media_type, bytes, sha256, at, content) "
                     "VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9)",
                     Params{}
                         .i64(static_cast<std::int64_t>(f.file.case_id))
                         .i64(static_cast<std::int64_t>(f.file.seq))
                         .text(f.file.material)
                         .text(f.file.name)
                         .text(f.file.media_type)
                         .i64(static_cast<std::int64_t>(f.file.bytes))
                         .text(f.file.sha256)
                         .i64(f.file.at.seconds)
                         .bytes(f.content));
      if (!r) return r.status();
    }
    for (const HolderRecord& h : b.holders) {
      for (const HolderRecord::Item& i : h.values) {
        auto r = query("holder-value-put",
                       "INSERT INTO holder_values(holder, key, value, case_id) VALUES($1,$2,$3,$4) ON CONFLICT(holder, key) "
                       "DO UPDATE SET value=excluded.value, case_id=excluded.case_id",
                       Params{}.text(h.holder).text(i.key).bytes(encode_value(i.value)).i64(static_cast<std::int64_t>(i.from_case)));
        if (!r) return r.status();
      }
      for (const HolderRecord::Licence& x : h.licences) {
        const std::string until = x.valid_until ? std::to_string(x.valid_until->days()) : std::string();
        auto r = query("holder-licence-put",
                       "INSERT INTO holder_licences(holder, kind, number, issuer, issued_on, valid_until, case_id) "
                       "VALUES($1,$2,$3,$4,$5,NULLIF($6, '')::bigint,$7) ON CONFLICT(holder, kind, number) DO UPDATE SET "
                       "issuer=excluded.issuer, issued_on=excluded.issued_on, valid_until=excluded.valid_until, "
                       "case_id=excluded.case_id",
                       Params{}
                           .text(h.holder)
                           .text(x.kind)
                           .text(x.number)
                           .text(x.issuer)
                           .i64(x.issued_on.days())
                           .text(until)
                           .i64(static_cast<std::int64_t>(x.from_case)));
        if (!r) return r.status();
      }
    }
    for (const IdempotencyRow& k : b.keys) {
      auto r = query("key-put", "INSERT INTO idempotency(account, key, fingerprint, case_id, created_ms) VALUES($1, $2, $3, $4, $5)",
                     Params{}.text(k.account).text(k.key).text(k.fingerprint).i64(static_cast<std::int64_t>(k.case_id)).i64(k.created_ms));
      if (!r) return r.status();
    }
    // The seal, read inside this transaction: the writer lock keeps every
    // other engine out, and the row lock any stray writer.
    Seal sealed;
    if (!b.entries.empty()) {
      auto r = query("seal-lock", "SELECT value FROM meta WHERE key='seal' FOR UPDATE", Params{});
      if (!r) return r.status();
      std::optional<Seal> current;
      if (r->size()) current = parse_seal(r->str(0, 0));
      if (!current) return Status::invalid(fmt::format("{}: the store's seal is missing or not ENTRIES:SHA-256 (edited?)", uri_));
      sealed = *current;
    }
    for (const EntryRow& e : b.entries) {
      seal_add(sealed, e.hash);
      // The entry's store-wide position is its place in the seal: gapless,
      // in the order appended.
      auto r = query("log-put", "INSERT INTO log(id, case_id, seq, at, kind, result, body, hash) VALUES($1,$2,$3,$4,$5,$6,$7,$8)",
                     Params{}
                         .i64(static_cast<std::int64_t>(sealed.entries))
                         .i64(static_cast<std::int64_t>(e.case_id))
                         .i64(static_cast<std::int64_t>(e.seq))
                         .i64(e.at)
                         .text(e.kind)
                         .i64(static_cast<int>(e.result))
                         .bytes(e.body)
                         .bytes(e.hash));
      if (!r) return r.status();
    }
    if (!b.entries.empty()) {
      const std::string text = format_seal(sealed);
      auto r = query("seal-put", "UPDATE meta SET value=$1 WHERE key='seal'", Params{}.text(text));
      if (!r) return r.status();
    }
    {
      auto r = query("commits", "UPDATE meta SET value=(value::bigint + 1)::text WHERE key='commits'", Params{});
      if (!r) return r.status();
    }
    for (const CaseRow& c : b.cases) top = std::max(top, c.id);
    if (top > last_case_) {
      const std::string text = std::to_string(top);
      auto r = query("last-case-put",
                     "INSERT INTO meta(key, value) VALUES('last_case', $1) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                     Params{}.text(text));
      if (!r) return r.status();
    }
    for (const CaseRow& c : b.cases) {
      auto r = query("case-put",
                     "INSERT INTO cases(id, chain, version, stage, alert, submitted_at, seq, last_hash, state) "
                     "VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT(id) DO UPDATE SET stage=excluded.stage, "
                     "alert=excluded.alert, seq=excluded.seq, last_hash=excluded.last_hash, state=excluded.state",
                     Params{}
                         .i64(static_cast<std::int64_t>(c.id))
                         .text(c.chain)
                         .i64(c.version)
                         .text(to_string(c.stage))
                         .i64(static_cast<int>(c.alert))
                         .i64(c.submitted_at.seconds)
                         .i64(static_cast<std::int64_t>(c.seq))
                         .bytes(c.last_hash)
                         .bytes(c.state));
      if (!r) return r.status();
      if (c.write_data) {
        auto d = query("data-put",
                       "INSERT INTO case_data(id, data) VALUES($1, $2) ON CONFLICT(id) DO UPDATE SET data=excluded.data",
                       Params{}.i64(static_cast<std::int64_t>(c.id)).bytes(c.data));
        if (!d) return d.status();
      }
    }
    for (const auto& [id, matter] : b.timers_del) {
      auto r = query("timer-del", "DELETE FROM retry_timers WHERE case_id=$1 AND matter=$2",
                     Params{}.i64(static_cast<std::int64_t>(id)).i64(matter));
      if (!r) return r.status();
    }
    for (const RetryTimer& t : b.timers_put) {
      auto r = query("timer-put",
                     "INSERT INTO retry_timers(case_id, matter, attempt, delivery, due_ms) VALUES($1,$2,$3,$4,$5) "
                     "ON CONFLICT(case_id, matter) DO UPDATE SET attempt=excluded.attempt, delivery=excluded.delivery, "
                     "due_ms=excluded.due_ms",
                     Params{}.i64(static_cast<std::int64_t>(t.case_id)).i64(t.matter).i64(t.attempt).i64(t.delivery).i64(t.due_ms));
      if (!r) return r.status();
    }
    for (const ClaimRow& c : b.claims) {
      auto r = query("claim-put",
                     "INSERT INTO claims(case_id, matter, attempt, officer, at) VALUES($1,$2,$3,$4,$5) "
                     "ON CONFLICT(case_id, matter) DO UPDATE SET attempt=excluded.attempt, officer=excluded.officer, at=excluded.at",
                     Params{}.i64(static_cast<std::int64_t>(c.case_id)).i64(c.matter).i64(c.attempt).text(c.officer).i64(c.at));
      if (!r) return r.status();
    }
    for (const auto& [id, result] : b.inbox_done) {
      auto r = query("inbox-done", "UPDATE inbox SET done=1, result=$2 WHERE id=$1", Params{}.i64(id).text(result));
      if (!r) return r.status();
    }
    // Senders waiting for these answers hear of them when the batch commits.
    if (!b.inbox_done.empty())
      if (Status s = exec(fmt::format("NOTIFY {}", kAnswerChannel)); !s) return s;
    return Status::ok();
  }

  static StoredChain read_chain(const Rows& r, int i) {
    return {r.str(i, 0), static_cast<int>(r.i64(i, 1)), r.str(i, 2), r.str(i, 3), r.str(i, 4)};
  }
  static CaseRow read_case(const Rows& r, int i) {
    CaseRow c;
    c.id = static_cast<CaseId>(r.i64(i, 0));
    c.chain = r.str(i, 1);
    c.version = static_cast<int>(r.i64(i, 2));
    c.stage = parse_case_stage(r.str(i, 3)).value_or(CaseStage::created);
    c.alert = static_cast<AlertLevel>(r.i64(i, 4));
    c.submitted_at = Instant{r.i64(i, 5)};
    c.seq = static_cast<std::uint64_t>(r.i64(i, 6));
    c.last_hash = r.hash(i, 7);
    c.state = r.str(i, 8);
    return c;
  }
  static EntryRow read_entry(const Rows& r, int i) {
    EntryRow e;
    e.case_id = static_cast<CaseId>(r.i64(i, 0));
    e.seq = static_cast<std::uint64_t>(r.i64(i, 1));
    e.at = r.i64(i, 2);
    e.kind = r.str(i, 3);
    e.result = static_cast<EntryResult>(r.i64(i, 4));
    e.body = r.str(i, 5);
    e.hash = r.hash(i, 6);
    return e;
  }

  /// Runs the statement `name` (prepared on first use on this connection).
  Result<Rows> query(const char* name, std::string_view sql, const Params& p) {
    if (!prepared_.contains(name)) {
      const auto types = p.types();
      std::unique_ptr<PGresult, ResultDeleter> r(
          PQprepare(conn_, name, std::string(sql).c_str(), p.size(), types.empty() ? nullptr : types.data()));
      if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) return error("preparing a statement");
      prepared_.insert(name);
    }
    std::vector<const char*> values;
    std::vector<int> lengths, formats;
    p.arrays(values, lengths, formats);
    PGresult* r = PQexecPrepared(conn_, name, p.size(), values.data(), lengths.data(), formats.data(), 1);
    Rows rows(r);
    const auto st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) return error(name);
    return rows;
  }

  /// A large read in pages of `page` rows through a cursor (in a read
  /// transaction of its own), so that memory stays bounded.
  Status scan(const std::string& sql, int page, const std::function<void(const Rows&, int)>& fn) {
    const bool own = PQtransactionStatus(conn_) == PQTRANS_IDLE;
    if (own)
      if (Status s = exec("BEGIN READ ONLY"); !s) return s;
    // A scan may run inside another one's callback: each has its cursor.
    const std::string cursor = fmt::format("yilian_scan_{}", ++scans_);
    Status st = exec(fmt::format("DECLARE {} BINARY NO SCROLL CURSOR FOR {}", cursor, sql));
    while (st) {
      PGresult* raw = PQexec(conn_, fmt::format("FETCH {} FROM {}", page, cursor).c_str());
      Rows rows(raw);
      if (PQresultStatus(raw) != PGRES_TUPLES_OK) {
        st = error("scanning");
        break;
      }
      for (int i = 0; i < rows.size(); ++i) fn(rows, i);
      if (rows.size() < page) break;
    }
    if (st) st = exec("CLOSE " + cursor);
    if (own) (void)exec(st ? "COMMIT" : "ROLLBACK");
    return st;
  }

  Status exec(const std::string& sql) {
    std::unique_ptr<PGresult, ResultDeleter> r(PQexec(conn_, sql.c_str()));
    const auto st = PQresultStatus(r.get());
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::ok();
    return error("running a statement");
  }

  Status error(const char* what) {
    std::string msg = error_line(conn_);
    if (PQstatus(conn_) != CONNECTION_OK)
      return Status::io(fmt::format("{}: the connection to PostgreSQL is lost ({}): {}", uri_, what, msg));
    return Status::io(fmt::format("{}: {}: {}", uri_, what, msg));
  }

  PGconn* conn_;
  std::string uri_;          ///< for messages: without a password
  std::string connect_uri_;  ///< for the connections listen() opens
  CaseId last_case_ = 0;
  bool holds_writer_ = false;  ///< the session holds the writer lock (take_writer)
  bool format6_tables_ = true;  ///< false for an older store opened read only: no files or holder registry yet
  std::uint64_t scans_ = 0;
  std::set<std::string, std::less<>> prepared_;
  std::map<std::string, std::string, std::less<>> generic_;  ///< run_sql()'s statements: text → name
};

/// LISTEN on a connection of its own: a commit's notifications arrive on
/// its socket, which wait() polls.
class PgNotices final : public Notices {
 public:
  explicit PgNotices(PGconn* conn) : conn_(conn) {}
  ~PgNotices() override { PQfinish(conn_); }

  Result<bool> wait(std::chrono::milliseconds timeout) override {
    if (drained()) return true;
    pollfd p{PQsocket(conn_), POLLIN, 0};
    if (p.fd < 0) return lost();
    const int n = ::poll(&p, 1, static_cast<int>(std::clamp<std::int64_t>(timeout.count(), 0, 60'000)));
    if (n < 0 && errno != EINTR) return Status::io(fmt::format("waiting for PostgreSQL's notifications: {}", std::strerror(errno)));
    if (n <= 0) return false;
    if (!PQconsumeInput(conn_)) return lost();
    return drained();
  }

 private:
  /// Consumes what arrived; true when a notification was among it.
  bool drained() {
    bool got = false;
    while (PGnotify* n = PQnotifies(conn_)) {
      got = true;
      PQfreemem(n);
    }
    return got;
  }
  Status lost() const {
    std::string msg = error_line(conn_);
    return Status::io(fmt::format("the connection listening for PostgreSQL's notifications is lost: {}", msg));
  }
  PGconn* conn_;
};

Result<std::unique_ptr<Notices>> PgStore::listen(std::string_view channel) {
  PGconn* conn = PQconnectdb(connect_uri_.c_str());
  if (!conn || PQstatus(conn) != CONNECTION_OK) {
    std::string msg = conn ? error_line(conn) : "out of memory";
    PQfinish(conn);
    return Status::io(fmt::format("{}: cannot connect to listen for notifications: {}", uri_, msg));
  }
  PGresult* r = PQexec(conn, fmt::format("LISTEN {}", channel).c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  if (!ok) {
    std::string msg = error_line(conn);
    PQfinish(conn);
    return Status::io(fmt::format("{}: LISTEN {}: {}", uri_, channel, msg));
  }
  return std::unique_ptr<Notices>(std::make_unique<PgNotices>(conn));
}

}  // namespace

Result<std::unique_ptr<Store>> open_pg_store(const std::string& uri, const StoreOptions& options) {
  PGconn* conn = PQconnectdb(uri.c_str());
  if (!conn) return Status::io(fmt::format("{}: cannot connect: out of memory", redact(uri)));
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = error_line(conn);
    PQfinish(conn);
    return Status::io(fmt::format("{}: cannot connect to PostgreSQL: {}", redact(uri), msg));
  }
  auto store = std::make_unique<PgStore>(conn, uri);
  if (Status s = store->init(options); !s) return s;
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace yilian::detail
