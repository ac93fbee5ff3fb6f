// Accounts in the store: the tables accounts, api_keys and sessions (store
// format 2) and the store's secret for query codes. Secrets are kept only
// as hashes: API keys and session tokens as SHA-256 (they are 256 random
// bits), passwords as Argon2id.
#include <argon2.h>
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>

#include "runtime/store.h"
#include "yilian/identity.h"

namespace yilian {

namespace {

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

std::int64_t to_int(const std::string& s) { return s.empty() ? 0 : std::strtoll(s.c_str(), nullptr, 10); }

constexpr std::uint32_t kArgonTime = 3, kArgonMemoryKib = 64 * 1024, kArgonLanes = 1;

}  // namespace

struct Accounts::Impl {
  std::mutex mu;
  std::unique_ptr<detail::Store> store;  ///< guarded by mu
  std::string secret;                    ///< hex, from meta('secret')
  // API keys already checked, by hash, while nothing was committed to the
  // store since (data_version): a disabled account or a new key is seen at
  // the next request, and a server under read load asks the store nothing
  // but its version.
  std::uint64_t cache_version = 0;
  std::map<std::string, Actor, std::less<>> key_cache;

  /// Empties the cache when the store changed since it was filled.
  void revalidate() {
    auto v = store->data_version();
    if (!v || *v != cache_version || key_cache.size() > 10'000) {
      key_cache.clear();
      cache_version = v ? *v : 0;
    }
  }
  Result<detail::SqlRows> sql(std::string_view statement, std::initializer_list<detail::SqlParam> params) {
    return store->run_sql(statement, params);
  }
  Result<Actor> actor_of(const std::string& name) {
    auto r = sql("SELECT role, department, disabled FROM accounts WHERE name=$1", {name});
    if (!r) return r.status();
    if (r->rows.empty() || to_int(r->rows[0][2]) != 0) return Status::not_found("unknown or disabled account");
    auto role = parse_role(r->rows[0][0]);
    if (!role) return Status::invalid(fmt::format("account {} has an unknown role", name));
    return actor_for(name, *role, r->rows[0][1]);
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
  // Creates the store, or upgrades an older one, with the account tables.
  auto store = detail::open_store(store_path, detail::StoreOptions{});
  if (!store) return store.status();
  auto impl = std::make_unique<Impl>();
  impl->store = std::move(*store);
  const std::string fresh = random_hex(32);
  if (fresh.empty()) return Status::io("no random bytes for the store's secret");
  if (auto put = impl->sql("INSERT INTO meta(key, value) VALUES('secret', $1) ON CONFLICT(key) DO NOTHING", {fresh}); !put)
    return put.status();
  auto get = impl->sql("SELECT value FROM meta WHERE key='secret'", {});
  if (!get) return get.status();
  if (get->rows.empty()) return Status::io(fmt::format("{}: the store has no secret for query codes", store_path));
  impl->secret = get->rows[0][0];
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
  const std::int64_t now = detail::wall_clock_ms();
  auto r = impl_->sql("INSERT INTO accounts(name, role, department, password, disabled, created_ms) VALUES($1, $2, $3, '', 0, $4)",
                      {name, to_string(role), department, now});
  if (!r && r.status().code() == Status::Code::conflict)
    return Status::conflict(fmt::format("an account named {} exists already", name));
  if (!r) return r.status();
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
  auto r = impl_->sql("UPDATE accounts SET password=$2 WHERE name=$1", {name, encoded});
  if (!r) return r.status();
  if (r->changed == 0) return Status::not_found(fmt::format("no account named {}", name));
  return Status::ok();
}

Result<std::string> Accounts::issue_api_key(const std::string& name) {
  std::lock_guard g(impl_->mu);
  auto known = impl_->sql("SELECT 1 FROM accounts WHERE name=$1", {name});
  if (!known) return known.status();
  if (known->rows.empty()) return Status::not_found(fmt::format("no account named {}", name));
  const std::string key = "yk_" + random_hex(32);
  if (key.size() != 67) return Status::io("no random bytes for the key");
  auto r = impl_->sql("INSERT INTO api_keys(hash, account, created_ms) VALUES($1, $2, $3)",
                      {sha256_hex(key), name, detail::wall_clock_ms()});
  if (!r) return r.status();
  return key;
}

Result<std::vector<Account>> Accounts::list() {
  std::lock_guard g(impl_->mu);
  auto r = impl_->sql("SELECT a.name, a.role, a.department, a.disabled, CASE WHEN a.password <> '' THEN 1 ELSE 0 END, "
                      "a.created_ms, (SELECT COUNT(*) FROM api_keys k WHERE k.account=a.name) FROM accounts a ORDER BY a.name",
                      {});
  if (!r) return r.status();
  std::vector<Account> out;
  for (const auto& row : r->rows) {
    Account a;
    a.name = row[0];
    a.role = parse_role(row[1]).value_or(Role::window);
    a.department = row[2];
    a.disabled = to_int(row[3]) != 0;
    a.has_password = to_int(row[4]) != 0;
    a.created_ms = to_int(row[5]);
    a.api_keys = static_cast<std::size_t>(to_int(row[6]));
    out.push_back(std::move(a));
  }
  return out;
}

Status Accounts::disable(const std::string& name) {
  std::lock_guard g(impl_->mu);
  auto r = impl_->sql("UPDATE accounts SET disabled=1 WHERE name=$1", {name});
  if (!r) return r.status();
  if (r->changed == 0) return Status::not_found(fmt::format("no account named {}", name));
  // Its keys stop working at once here too: this connection's own write
  // does not move the data version it reads (other processes see it move).
  impl_->key_cache.clear();
  auto drop = impl_->sql("DELETE FROM sessions WHERE account=$1", {name});
  return drop ? Status::ok() : drop.status();
}

Result<Actor> Accounts::by_api_key(std::string_view key) {
  const std::string hash = sha256_hex(key);
  std::lock_guard g(impl_->mu);
  impl_->revalidate();
  if (auto it = impl_->key_cache.find(hash); it != impl_->key_cache.end()) return it->second;
  auto r = impl_->sql("SELECT a.name, a.role, a.department FROM api_keys k JOIN accounts a ON a.name = k.account "
                      "WHERE k.hash = $1 AND a.disabled = 0",
                      {hash});
  if (!r) return r.status();
  std::optional<Actor> found;
  if (!r->rows.empty())
    if (auto role = parse_role(r->rows[0][1])) found = impl_->actor_for(r->rows[0][0], *role, r->rows[0][2]);
  if (!found) return Status::not_found("unknown API key");
  impl_->key_cache.emplace(hash, *found);
  return *found;
}

Result<Actor> Accounts::by_password(const std::string& name, const std::string& password) {
  std::string encoded;
  {
    std::lock_guard g(impl_->mu);
    auto r = impl_->sql("SELECT password FROM accounts WHERE name=$1 AND disabled=0", {name});
    if (!r) return r.status();
    if (!r->rows.empty()) encoded = r->rows[0][0];
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
  auto r = impl_->sql("INSERT INTO sessions(hash, account, csrf, expires_ms) VALUES($1, $2, $3, $4)",
                      {sha256_hex(s.token), name, s.csrf, detail::wall_clock_ms() + ttl.count() * 1000});
  if (!r) return r.status();
  return s;
}

Result<std::pair<Actor, std::string>> Accounts::by_session(std::string_view token) {
  std::lock_guard g(impl_->mu);
  auto r = impl_->sql("SELECT account, csrf FROM sessions WHERE hash=$1 AND expires_ms > $2",
                      {sha256_hex(token), detail::wall_clock_ms()});
  if (!r) return r.status();
  if (r->rows.empty()) return Status::not_found("no such session");
  const std::string csrf = r->rows[0][1];
  auto actor = impl_->actor_of(r->rows[0][0]);
  if (!actor) return actor.status();
  return std::pair<Actor, std::string>{std::move(*actor), csrf};
}

Status Accounts::close_session(std::string_view token) {
  std::lock_guard g(impl_->mu);
  auto r = impl_->sql("DELETE FROM sessions WHERE hash=$1", {sha256_hex(token)});
  return r ? Status::ok() : r.status();
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
