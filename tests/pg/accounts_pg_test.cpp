// Accounts on both backends: the same statements (Store::run_sql) on an
// SQLite file and on a PostgreSQL database.
#include <doctest/doctest.h>

#include "engine_fixture.h"
#include "pg_fixture.h"
#include "yilian/identity.h"

using namespace yilian;
using namespace yilian::test;
using namespace std::chrono_literals;

namespace accounts_pg_test {

namespace {

void accounts_contract(const std::string& location) {
  auto opened = Accounts::open(location);
  REQUIRE_MESSAGE(opened.is_ok(), opened.status().to_string());
  Accounts& a = **opened;

  auto w = a.add("王芳", Role::window);
  REQUIRE(w.is_ok());
  CHECK(w->role == Role::window);
  CHECK(a.add("王芳", Role::window).status().code() == Status::Code::conflict);
  REQUIRE(a.add("卫健科", Role::department, "health").is_ok());
  CHECK(a.add("x", Role::department).status().code() == Status::Code::invalid_input);

  auto key = a.issue_api_key("王芳");
  REQUIRE(key.is_ok());
  CHECK(a.issue_api_key("nobody").status().code() == Status::Code::not_found);
  auto actor = a.by_api_key(*key);
  REQUIRE(actor.is_ok());
  CHECK(actor->account == "王芳");
  CHECK(actor->role == Role::window);
  CHECK(a.by_api_key("yk_wrong").status().code() == Status::Code::not_found);

  REQUIRE(a.set_password("卫健科", "correct horse").is_ok());
  CHECK(a.set_password("nobody", "correct horse").code() == Status::Code::not_found);
  auto by_password = a.by_password("卫健科", "correct horse");
  REQUIRE(by_password.is_ok());
  CHECK(by_password->department == "health");
  CHECK_FALSE(a.by_password("卫健科", "wrong horse").is_ok());

  auto session = a.open_session("卫健科", 3600s);
  REQUIRE(session.is_ok());
  auto in = a.by_session(session->token);
  REQUIRE(in.is_ok());
  CHECK(in->first.account == "卫健科");
  CHECK(in->second == session->csrf);

  auto list = a.list();
  REQUIRE(list.is_ok());
  REQUIRE(list->size() == 2);
  CHECK((*list)[1].name == "王芳");  // by name
  CHECK((*list)[1].api_keys == 1);
  CHECK((*list)[0].has_password);

  // Disabled: its key and its sessions stop working at once, also in
  // another process that had the key checked (as a server has).
  auto other = Accounts::open(location);
  REQUIRE(other.is_ok());
  REQUIRE((*other)->by_api_key(*key).is_ok());
  REQUIRE(a.disable("王芳").is_ok());
  CHECK(a.by_api_key(*key).status().code() == Status::Code::not_found);
  CHECK((*other)->by_api_key(*key).status().code() == Status::Code::not_found);
  REQUIRE(a.disable("卫健科").is_ok());
  CHECK_FALSE(a.by_session(session->token).is_ok());
  CHECK(a.disable("nobody").code() == Status::Code::not_found);

  // The query-code secret is the store's: another Accounts agrees.
  auto code = a.query_code(42);
  REQUIRE(code.is_ok());
  auto again = Accounts::open(location);
  REQUIRE(again.is_ok());
  CHECK((*again)->check_query_code(42, *code));
  CHECK_FALSE((*again)->check_query_code(43, *code));
}

}  // namespace

TEST_CASE("store.accounts.sqlite") {
  ScratchDir dir("accounts");
  accounts_contract(dir.file("cases.db"));
}

TEST_CASE("store.accounts.postgresql") { accounts_contract(pg_database("accounts")); }

}  // namespace accounts_pg_test
