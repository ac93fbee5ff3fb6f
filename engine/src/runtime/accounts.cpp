// Accounts in the store: the tables accounts, api_keys and sessions (store
// format 2) and the store's secret for query codes. Secrets are kept only
// as hashes: API keys and session tokens as SHA-256 (they are 256 random
// bits), passwords as Argon2id.
#include <argon2.h>
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sqlite3.h>

#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>

#include "runtime/store.h"
#include "yilian/identity.h"

namespace yilian {

namespace {

std::int64_t system_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

/// One prepared statement, finalised on scope exit.
class Query {
 public:
  Query(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &q_, nullptr); }
  ~Query() { sqlite3_finalize(q_); }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  explicit operator bool() const { return q_ != nullptr; }
  Query& text(int i, std::string_view s) {
    sqlite3_bind_text(q_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Query& integer(int i, std::int64_t v) {
    sqlite3_bind_int64(q_, i, v);
    return *this;
  }
  int step() { return sqlite3_step(q_); }
  std::string column(int i) {
    const auto* p = sqlite3_column_text(q_, i);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(q_, i)))
             : std::string();
  }
  std::int64_t column_int(int i) { return sqlite3_column_int64(q_, i); }

 private:
  sqlite3_stmt* q_ = nullptr;
};

constexpr std::uint32_t kArgonTime = 3, kArgonMemoryKib = 64 * 1024, kArgonLanes = 1;

}  // namespace

struct Accounts::Impl {
  std::mutex mu;
  sqlite3* db = nullptr;
  std::string path;
  std::string secret;  ///< hex, from meta('secret')
  // API keys already checked, by hash, while nothing was committed to the
  // store since (data_version): a disabled account or a new key is seen at
  // the next request, and a server under read load asks SQLite nothing.
  sqlite3_stmt* version_stmt = nullptr;
  sqlite3_stmt* key_stmt = nullptr;
  std::uint64_t cache_version = 0;
  std::map<std::string, Actor, std::less<>> key_cache;
  ~Impl() {
    sqlite3_finalize(version_stmt);
    sqlite3_finalize(key_stmt);
    sqlite3_close(db);
  }
  /// Empties the cache when the store changed since it was filled.
  void revalidate() {
    std::uint64_t v = 0;
    if (sqlite3_step(version_stmt) == SQLITE_ROW) v = static_cast<std::uint64_t>(sqlite3_column_int64(version_stmt, 0));
    sqlite3_reset(version_stmt);
    if (v != cache_version || key_cache.size() > 10'000) {
      key_cache.clear();
      cache_version = v;
    }
  }

  Status error(const std::string& what) const {
    return Status::io(fmt::format("{}: {}: {}", path, what, sqlite3_errmsg(db)));
  }
  Status exec(const std::string& what, Query& q) {
    const int rc = q.step();
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? Status::ok() : error(what);
  }
  Result<Actor> actor_of(const std::string& name) {
    Query q(db, "SELECT role, department, disabled FROM accounts WHERE name=?1");
    if (!q) return error("reading accounts");
    q.text(1, name);
    if (q.step() != SQLITE_ROW || q.column_int(2) != 0) return Status::not_found("unknown or disabled account");
    auto role = parse_role(q.column(0));
    if (!role) return Status::invalid(fmt::format("account {} has an unknown role", name));
    return actor_for(name, *role, q.column(1));
  }
  /// The actor of an account: its channel follows from its role.
  static Actor actor_for(std::string name, Role role, std::string department) {
    const ActorChannel channel = role == Role::department ? ActorChannel::department
                                 : role == Role::portal   ? ActorChannel::online
                                 : role == Role::window   ? ActorChannel::window
                                                          : ActorChannel::system;
    return Actor{std::move(name), role, std::move(department), channel};
  }
};

Accounts::Accounts(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Accounts::~Accounts() = default;

Result<std::unique_ptr<Accounts>> Accounts::open(const std::string& store_path) {
  {
    // Creates the store, or upgrades an older one, with the account tables.
    auto store = detail::open_sqlite_store(store_path, detail::StoreOptions{});
    if (!store) return store.status();
  }
  auto impl = std::make_unique<Impl>();
  impl->path = store_path;
  if (sqlite3_open_v2(store_path.c_str(), &impl->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK)
    return impl->error("opening the store");
  sqlite3_busy_timeout(impl->db, 10'000);
  {
    Query put(impl->db, "INSERT OR IGNORE INTO meta(key, value) VALUES('secret', ?1)");
    if (!put) return impl->error("reading the store's secret");
    put.text(1, random_hex(32));
    if (Status s = impl->exec("writing the store's secret", put); !s) return s;
    Query get(impl->db, "SELECT value FROM meta WHERE key='secret'");
    if (!get || get.step() != SQLITE_ROW) return impl->error("reading the store's secret");
    impl->secret = get.column(0);
  }
  if (sqlite3_prepare_v3(impl->db, "PRAGMA data_version", -1, SQLITE_PREPARE_PERSISTENT, &impl->version_stmt, nullptr) !=
          SQLITE_OK ||
      sqlite3_prepare_v3(impl->db,
                         "SELECT a.name, a.role, a.department FROM api_keys k JOIN accounts a ON a.name = k.account "
                         "WHERE k.hash = ?1 AND a.disabled = 0",
                         -1, SQLITE_PREPARE_PERSISTENT, &impl->key_stmt, nullptr) != SQLITE_OK)
    return impl->error("preparing the account queries");
  return std::unique_ptr<Accounts>(new Accounts(std::move(impl)));
}

Result<Account> Accounts::add(const std::string& name, Role role, const std::string& department) {
  if (name.empty() || name.size() > 128) return Status::invalid("an account name has 1 to 128 bytes");
  if (role == Role::system) return Status::invalid("role `system` is the engine's own; choose admin, window, department, supervisor or portal");
  if (role == Role::department && department.empty())
    return Status::invalid("a department account names its department (--department ID)");
  if (role != Role::department && !department.empty())
    return Status::invalid(fmt::format("only a department account has a department; {} has none", to_string(role)));
  std::lock_guard g(impl_->mu);
  Query q(impl_->db,
          "INSERT INTO accounts(name, role, department, password, disabled, created_ms) VALUES(?1, ?2, ?3, '', 0, ?4)");
  if (!q) return impl_->error("adding an account");
  const std::int64_t now = system_ms();
  q.text(1, name).text(2, to_string(role)).text(3, department).integer(4, now);
  const int rc = q.step();
  if (rc == SQLITE_CONSTRAINT) return Status::conflict(fmt::format("an account named {} exists already", name));
  if (rc != SQLITE_DONE) return impl_->error("adding an account");
  return Account{name, role, department, false, false, 0, now};
}

Status Accounts::set_password(const std::string& name, const std::string& password) {
  if (password.size() < 8) return Status::invalid("a password has at least 8 characters");
  if (password.size() > 1024) return Status::invalid("a password has at most 1024 bytes");
  unsigned char salt[16];
  if (RAND_bytes(salt, sizeof salt) != 1) return Status::io("no random bytes for the password's salt");
  std::string encoded(argon2_encodedlen(kArgonTime, kArgonMemoryKib, kArgonLanes, sizeof salt, 32, Argon2_id), '\0');
  if (argon2id_hash_encoded(kArgonTime, kArgonMemoryKib, kArgonLanes, password.data(), password.size(), salt,
                            sizeof salt, 32, encoded.data(), encoded.size()) != ARGON2_OK)
    return Status::io("hashing the password failed");
  encoded.resize(std::strlen(encoded.c_str()));
  std::lock_guard g(impl_->mu);
  Query q(impl_->db, "UPDATE accounts SET password=?2 WHERE name=?1");
  if (!q) return impl_->error("setting a password");
  q.text(1, name).text(2, encoded);
  if (Status s = impl_->exec("setting a password", q); !s) return s;
  if (sqlite3_changes(impl_->db) == 0) return Status::not_found(fmt::format("no account named {}", name));
  return Status::ok();
}

Result<std::string> Accounts::issue_api_key(const std::string& name) {
  std::lock_guard g(impl_->mu);
  {
    Query q(impl_->db, "SELECT 1 FROM accounts WHERE name=?1");
    if (!q) return impl_->error("reading accounts");
    q.text(1, name);
    if (q.step() != SQLITE_ROW) return Status::not_found(fmt::format("no account named {}", name));
  }
  const std::string key = "yk_" + random_hex(32);
  if (key.size() != 67) return Status::io("no random bytes for the key");
  Query q(impl_->db, "INSERT INTO api_keys(hash, account, created_ms) VALUES(?1, ?2, ?3)");
  if (!q) return impl_->error("storing an API key");
  q.text(1, detail::sha256_hex(key)).text(2, name).integer(3, system_ms());
  if (Status s = impl_->exec("storing an API key", q); !s) return s;
  return key;
}

Result<std::vector<Account>> Accounts::list() {
  std::lock_guard g(impl_->mu);
  Query q(impl_->db,
          "SELECT a.name, a.role, a.department, a.disabled, a.password <> '', a.created_ms, "
          "(SELECT COUNT(*) FROM api_keys k WHERE k.account=a.name) FROM accounts a ORDER BY a.name");
  if (!q) return impl_->error("reading accounts");
  std::vector<Account> out;
  while (q.step() == SQLITE_ROW) {
    Account a;
    a.name = q.column(0);
    a.role = parse_role(q.column(1)).value_or(Role::window);
    a.department = q.column(2);
    a.disabled = q.column_int(3) != 0;
    a.has_password = q.column_int(4) != 0;
    a.created_ms = q.column_int(5);
    a.api_keys = static_cast<std::size_t>(q.column_int(6));
    out.push_back(std::move(a));
  }
  return out;
}

Status Accounts::disable(const std::string& name) {
  std::lock_guard g(impl_->mu);
  Query q(impl_->db, "UPDATE accounts SET disabled=1 WHERE name=?1");
  if (!q) return impl_->error("disabling an account");
  q.text(1, name);
  if (Status s = impl_->exec("disabling an account", q); !s) return s;
  if (sqlite3_changes(impl_->db) == 0) return Status::not_found(fmt::format("no account named {}", name));
  Query drop(impl_->db, "DELETE FROM sessions WHERE account=?1");
  if (!drop) return impl_->error("ending the account's sessions");
  drop.text(1, name);
  return impl_->exec("ending the account's sessions", drop);
}

Result<Actor> Accounts::by_api_key(std::string_view key) {
  const std::string hash = detail::sha256_hex(key);
  std::lock_guard g(impl_->mu);
  impl_->revalidate();
  if (auto it = impl_->key_cache.find(hash); it != impl_->key_cache.end()) return it->second;
  sqlite3_stmt* q = impl_->key_stmt;
  sqlite3_bind_text(q, 1, hash.data(), static_cast<int>(hash.size()), SQLITE_TRANSIENT);
  const int rc = sqlite3_step(q);
  std::optional<Actor> found;
  if (rc == SQLITE_ROW) {
    auto text = [&](int i) {
      const auto* p = sqlite3_column_text(q, i);
      return p ? std::string(reinterpret_cast<const char*>(p)) : std::string();
    };
    if (auto role = parse_role(text(1))) found = impl_->actor_for(text(0), *role, text(2));
  }
  sqlite3_reset(q);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return impl_->error("reading API keys");
  if (!found) return Status::not_found("unknown API key");
  impl_->key_cache.emplace(hash, *found);
  return *found;
}

Result<Actor> Accounts::by_password(const std::string& name, const std::string& password) {
  std::string encoded;
  {
    std::lock_guard g(impl_->mu);
    Query q(impl_->db, "SELECT password FROM accounts WHERE name=?1 AND disabled=0");
    if (!q) return impl_->error("reading accounts");
    q.text(1, name);
    if (q.step() == SQLITE_ROW) encoded = q.column(0);
  }
  // Verified outside the lock: Argon2id takes tens of milliseconds.
  if (encoded.empty() || password.size() > 1024 ||
      argon2id_verify(encoded.c_str(), password.data(), password.size()) != ARGON2_OK)
    return Status::not_found("unknown name or wrong password");
  std::lock_guard g(impl_->mu);
  return impl_->actor_of(name);
}

Result<Session> Accounts::open_session(const std::string& name, std::chrono::seconds ttl) {
  Session s{random_hex(32), random_hex(16)};
  if (s.token.empty() || s.csrf.empty()) return Status::io("no random bytes for the session");
  std::lock_guard g(impl_->mu);
  Query q(impl_->db, "INSERT INTO sessions(hash, account, csrf, expires_ms) VALUES(?1, ?2, ?3, ?4)");
  if (!q) return impl_->error("opening a session");
  q.text(1, detail::sha256_hex(s.token)).text(2, name).text(3, s.csrf).integer(4, system_ms() + ttl.count() * 1000);
  if (Status st = impl_->exec("opening a session", q); !st) return st;
  return s;
}

Result<std::pair<Actor, std::string>> Accounts::by_session(std::string_view token) {
  std::lock_guard g(impl_->mu);
  Query q(impl_->db, "SELECT account, csrf FROM sessions WHERE hash=?1 AND expires_ms > ?2");
  if (!q) return impl_->error("reading sessions");
  q.text(1, detail::sha256_hex(token)).integer(2, system_ms());
  if (q.step() != SQLITE_ROW) return Status::not_found("no such session");
  const std::string csrf = q.column(1);
  auto actor = impl_->actor_of(q.column(0));
  if (!actor) return actor.status();
  return std::pair<Actor, std::string>{std::move(*actor), csrf};
}

Status Accounts::close_session(std::string_view token) {
  std::lock_guard g(impl_->mu);
  Query q(impl_->db, "DELETE FROM sessions WHERE hash=?1");
  if (!q) return impl_->error("closing a session");
  q.text(1, detail::sha256_hex(token));
  return impl_->exec("closing a session", q);
}

Result<std::string> Accounts::query_code(CaseId id) {
  // HMAC-SHA256(secret, "case:" id), the first 40 bits in Crockford base 32.
  const std::string message = fmt::format("case:{}", id);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), impl_->secret.data(), static_cast<int>(impl_->secret.size()),
            reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len) || len < 5)
    return Status::io("computing a query code failed");
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  std::uint64_t bits = 0;
  for (int i = 0; i < 5; ++i) bits = (bits << 8) | mac[i];
  std::string code(8, '0');
  for (int i = 7; i >= 0; --i, bits >>= 5) code[static_cast<std::size_t>(i)] = kAlphabet[bits & 31];
  return code;
}

bool Accounts::check_query_code(CaseId id, std::string_view code) {
  auto expected = query_code(id);
  if (!expected || code.size() != expected->size()) return false;
  return CRYPTO_memcmp(expected->data(), code.data(), code.size()) == 0;
}

}  // namespace yilian
