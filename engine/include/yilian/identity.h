// Who may do what (DESIGN.md "Accounts and roles"): the rules, one place
// that the CLI, the library and `yilian serve` all call, and the accounts
// kept in the store (API keys and passwords stored hashed, query codes).
//
// The rules are pure functions of an Actor. A caller outside an actor's
// scope is told "not found", never that the case exists (the server turns
// that into 404).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "yilian/actor.h"
#include "yilian/flow.h"
#include "yilian/status.h"

namespace yilian {

/// What an actor asks to do. Role-level: scope (which case, which
/// department's task) is checked by may_see_case() and may_work_task().
enum class Permission : std::uint8_t {
  read_chains,      ///< chains, their forms and plans
  check,            ///< check an application (一次告知 before submitting)
  submit,           ///< submit a case
  read_cases,       ///< list and read cases (in scope)
  supplement,       ///< hand in fields or materials for a case
  withdraw,         ///< withdraw a case for the applicant
  deliver,          ///< hand out results (统一出件)
  read_tasks,       ///< list tasks (a department: its own)
  work_tasks,       ///< claim, release, approve, reject, request supplements, suspend
  override_claims,  ///< take over or release another officer's claim
  read_overdue,     ///< the yellow and red board
  verify_audit,     ///< audit verify
  manage_accounts,  ///< add and disable accounts
  urge,             ///< 督办: urge a case or task on (a note on its record)
  rate,             ///< 好差评: rate a case or its matters for the applicant
  follow_up,        ///< record a bad rating's call-back, rectification, appeal and review
};
[[nodiscard]] std::string_view to_string(Permission p);

/// Whether `who`'s role allows `p` at all.
[[nodiscard]] bool permits(const Actor& who, Permission p);

/// What scope checks need to know about a case.
struct CaseScope {
  std::string owner;                     ///< the account that submitted it ("" unknown)
  std::vector<std::string> departments;  ///< departments of its matters' tasks
};
/// Window, supervisor and admin see every case; a department the cases
/// where it has a task; a portal only the cases it submitted.
[[nodiscard]] bool may_see_case(const Actor& who, const CaseScope& scope);
/// A department works on its own department's tasks only; admin on any.
[[nodiscard]] bool may_work_task(const Actor& who, std::string_view task_department);
/// False for a department: it reads a case's values only through its view.
[[nodiscard]] bool sees_all_data(const Actor& who);
/// Whether `who`, who may see the case, may read its file of `material`:
/// a department only the materials its matters ask for (data
/// minimisation); every other role that sees the case, all of them.
[[nodiscard]] bool may_read_material(const Actor& who, const Chain& chain, std::string_view material);
/// Whether `who` may hand in a file for a case it sees (window and portal,
/// as a supplement; admin and system).
[[nodiscard]] bool may_attach(const Actor& who);

/// An account as listed (no secret in it).
struct Account {
  std::string name;
  Role role = Role::window;
  std::string department;       ///< a department account's department
  bool disabled = false;
  bool has_password = false;
  std::size_t api_keys = 0;
  std::int64_t created_ms = 0;  ///< system clock
};

/// A web session after logging in.
struct Session {
  std::string token;  ///< the cookie's value (kept only hashed)
  std::string csrf;   ///< sent back in X-CSRF-Token on every write
};

/// The accounts of one store, and what proves who a caller is. Opens its
/// own connection to the store (creating the store when missing).
/// Thread-safe (calls are serialised).
class Accounts {
 public:
  [[nodiscard]] static Result<std::unique_ptr<Accounts>> open(const std::string& store_path);
  ~Accounts();
  Accounts(const Accounts&) = delete;
  Accounts& operator=(const Accounts&) = delete;

  /// Adds an account. A department account names its department; other
  /// roles name none. `conflict` when the name exists; `invalid_input` for
  /// an empty or over-long name, or role `system` (the engine's own).
  [[nodiscard]] Result<Account> add(const std::string& name, Role role, const std::string& department = "");
  /// Sets the password (Argon2id; at least 8 characters).
  Status set_password(const std::string& name, const std::string& password);
  /// A new API key for the account: returned once, kept only as its SHA-256.
  [[nodiscard]] Result<std::string> issue_api_key(const std::string& name);
  [[nodiscard]] Result<std::vector<Account>> list();
  /// Disables the account: its keys and sessions stop working at once.
  Status disable(const std::string& name);

  /// The actor of a bearer API key; `not_found` for an unknown key or a
  /// disabled account (the caller cannot tell which).
  [[nodiscard]] Result<Actor> by_api_key(std::string_view key);
  /// The actor of a name and password; `not_found` as above.
  [[nodiscard]] Result<Actor> by_password(const std::string& name, const std::string& password);
  /// Opens a session for the account, valid for `ttl`.
  [[nodiscard]] Result<Session> open_session(const std::string& name, std::chrono::seconds ttl);
  /// The actor and CSRF token of a live session; `not_found` otherwise.
  [[nodiscard]] Result<std::pair<Actor, std::string>> by_session(std::string_view token);
  Status close_session(std::string_view token);

  /// The query code printed on the receipt of case `id` (8 characters,
  /// keyed by a secret kept in the store: nobody can derive another case's).
  [[nodiscard]] Result<std::string> query_code(CaseId id);
  /// Whether `code` is the query code of case `id` (constant time).
  [[nodiscard]] bool check_query_code(CaseId id, std::string_view code);

 private:
  struct Impl;
  explicit Accounts(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace yilian
