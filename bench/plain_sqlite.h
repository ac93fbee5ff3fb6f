// The plain-SQLite limit of the engine's task transitions (issue 23),
// used by `bench_engine limit`: what a run's transitions wrote (read from
// the engine's store), written again with prepared statements alone.
#pragma once

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/sha.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace yilian::bench {

/// Removes an SQLite file and its WAL and shared-memory files.
inline void remove_files(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix, ec);
}

/// One SQL statement's single value as text, or "" (exits on an error).
inline std::string sql_value(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* q = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &q, nullptr) != SQLITE_OK) {
    fmt::print(stderr, "bench_engine: {}: {}\n", sql, sqlite3_errmsg(db));
    std::exit(2);
  }
  std::string v;
  if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0)) v = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
  sqlite3_finalize(q);
  return v;
}

inline void sql_exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    fmt::print(stderr, "bench_engine: {}: {}\n", sql.substr(0, 80), err ? err : "");
    std::exit(2);
  }
}

/// What the transitions of a run wrote: the store's own schema, the log
/// entries after the submissions (their cases in commit order), their mean
/// body and kind lengths, the mean state row.
struct Shape {
  std::string schema;
  std::uint64_t entries = 0;
  std::vector<std::int64_t> order;  ///< the case of each entry, in the order written
  std::size_t body = 0, kind = 0, state = 0;
  std::int64_t cases = 0;
};

inline Shape shape_of(const std::string& path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  Shape s;
  for (const char* t : {"meta", "cases", "log", "log_case", "cases_open"})
    s.schema += sql_value(db, fmt::format("SELECT sql FROM sqlite_master WHERE name = '{}'", t)) + ";\n";
  // Every case's first entry is its submission; the rest are the transitions.
  s.entries = std::stoull(sql_value(db, "SELECT COUNT(*) FROM log WHERE seq > 1"));
  s.body = static_cast<std::size_t>(std::stod(sql_value(db, "SELECT AVG(LENGTH(body)) FROM log WHERE seq > 1")));
  s.kind = static_cast<std::size_t>(std::stod(sql_value(db, "SELECT AVG(LENGTH(kind)) FROM log WHERE seq > 1")));
  s.state = static_cast<std::size_t>(std::stod(sql_value(db, "SELECT AVG(LENGTH(state)) FROM cases")));
  s.cases = std::stoll(sql_value(db, "SELECT COUNT(*) FROM cases"));
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(db, "SELECT case_id FROM log WHERE seq > 1 ORDER BY id", -1, &q, nullptr);
  while (sqlite3_step(q) == SQLITE_ROW) s.order.push_back(sqlite3_column_int64(q, 0));
  sqlite3_finalize(q);
  sqlite3_close_v2(db);
  return s;
}

/// Writes what the transitions wrote with prepared statements alone, in
/// transactions of `per_commit` entries in the engine's order: per entry
/// one log row hash-chained to its case's last (one SHA-256); per
/// transaction each case it touched once (its row, as the engine writes
/// it) and the seal. The same schema, WAL, synchronous setting and
/// checkpoint interval as the engine. Log rows written per second.
inline double plain_sqlite(const std::string& path, const Shape& shape, bool full_sync, std::uint64_t per_commit) {
  remove_files(path);
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  sql_exec(db, "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=8192; PRAGMA journal_size_limit=67108864;");
  sql_exec(db, full_sync ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;");
  sql_exec(db, "BEGIN;" + shape.schema + "COMMIT;");
  const std::string state(shape.state, 's'), body(shape.body, 'b'), kind(shape.kind, 'k');
  std::vector<std::array<unsigned char, 32>> last(static_cast<std::size_t>(shape.cases) + 1);
  std::vector<std::int64_t> seq(last.size(), 1);
  {
    sql_exec(db, "BEGIN;");
    sqlite3_stmt* ins = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO cases(id, chain, version, stage, alert, submitted_at, seq, last_hash, state) "
                           "VALUES(?1, 'kindergarten-setup', 1, 'running', 0, 0, 1, ?2, ?3)", -1, &ins, nullptr);
    for (std::int64_t id = 1; id <= shape.cases; ++id) {
      sqlite3_bind_int64(ins, 1, id);
      sqlite3_bind_blob(ins, 2, last[0].data(), 32, SQLITE_STATIC);
      sqlite3_bind_blob(ins, 3, state.data(), static_cast<int>(state.size()), SQLITE_STATIC);
      sqlite3_step(ins);
      sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    sql_exec(db, "COMMIT;");
  }
  sqlite3_stmt *log = nullptr, *row = nullptr, *seal = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO log(case_id, seq, at, kind, result, body, hash) VALUES(?1,?2,?3,?4,0,?5,?6)", -1, &log,
                     nullptr);
  sqlite3_prepare_v2(db, "UPDATE cases SET stage='running', alert=0, seq=?2, last_hash=?3, state=?4 WHERE id=?1", -1, &row,
                     nullptr);
  sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta(key, value) VALUES('seal', ?1)", -1, &seal, nullptr);
  std::array<unsigned char, 32> head{};
  std::string chained(32, '\0');  // the case's last hash, then the entry
  chained += body;
  const auto t0 = std::chrono::steady_clock::now();
  std::uint64_t written = 0;
  std::vector<std::int64_t> touched;
  while (written < shape.entries) {
    sql_exec(db, "BEGIN IMMEDIATE;");
    touched.clear();
    for (std::uint64_t i = 0; i < per_commit && written < shape.entries; ++i, ++written) {
      const std::int64_t id = shape.order[written];
      touched.push_back(id);
      auto& h = last[static_cast<std::size_t>(id)];
      std::copy(h.begin(), h.end(), chained.begin());
      SHA256(reinterpret_cast<const unsigned char*>(chained.data()), chained.size(), h.data());
      const std::int64_t n = ++seq[static_cast<std::size_t>(id)];
      sqlite3_bind_int64(log, 1, id);
      sqlite3_bind_int64(log, 2, n);
      sqlite3_bind_int64(log, 3, 1'741'000'000);
      sqlite3_bind_text(log, 4, kind.data(), static_cast<int>(kind.size()), SQLITE_STATIC);
      sqlite3_bind_blob(log, 5, body.data(), static_cast<int>(body.size()), SQLITE_STATIC);
      sqlite3_bind_blob(log, 6, h.data(), 32, SQLITE_STATIC);
      sqlite3_step(log);
      sqlite3_reset(log);
      head = h;  // the seal's head (its chaining is the engine's business; one hash per entry here)
    }
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    for (std::int64_t id : touched) {
      sqlite3_bind_int64(row, 1, id);
      sqlite3_bind_int64(row, 2, seq[static_cast<std::size_t>(id)]);
      sqlite3_bind_blob(row, 3, last[static_cast<std::size_t>(id)].data(), 32, SQLITE_STATIC);
      sqlite3_bind_blob(row, 4, state.data(), static_cast<int>(state.size()), SQLITE_STATIC);
      sqlite3_step(row);
      sqlite3_reset(row);
    }
    const std::string sealed = fmt::format("{}:{:02x}", written, fmt::join(head, ""));
    sqlite3_bind_text(seal, 1, sealed.data(), static_cast<int>(sealed.size()), SQLITE_TRANSIENT);
    sqlite3_step(seal);
    sqlite3_reset(seal);
    sql_exec(db, "COMMIT;");
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::int64_t rows = std::stoll(sql_value(db, "SELECT COUNT(*) FROM log"));
  sqlite3_finalize(log);
  sqlite3_finalize(row);
  sqlite3_finalize(seal);
  sqlite3_close_v2(db);
  remove_files(path);
  if (static_cast<std::uint64_t>(rows) != shape.entries) {
    fmt::print(stderr, "bench_engine: the plain-SQLite side wrote {} rows of {}: no figure\n", rows, shape.entries);
    std::exit(1);
  }
  return static_cast<double>(written) / seconds;
}

}  // namespace yilian::bench
