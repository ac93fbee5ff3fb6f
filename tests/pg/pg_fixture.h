// The PostgreSQL tests' cluster: ctest starts a throw-away one
// (scripts/pg-cluster.sh, fixture `pg`) and names it in
// $YILIAN_TEST_PG_FILE; each test takes a fresh database of its own in it.
// Without a cluster the tests fail, saying how to get one: they never skip.
#pragma once

#include <doctest/doctest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <string>

namespace yilian::test {

/// The cluster's URI (its database `yilian`).
inline std::string pg_cluster_uri() {
  if (const char* uri = std::getenv("YILIAN_TEST_PG"); uri && *uri) return uri;
  const char* file = std::getenv("YILIAN_TEST_PG_FILE");
  std::string uri;
  if (file && *file) {
    std::ifstream in(file);
    std::getline(in, uri);
  }
  REQUIRE_MESSAGE(!uri.empty(),
                  "no PostgreSQL cluster: run these tests through ctest (it starts one), or start one with "
                  "`scripts/pg-cluster.sh start DIR` and set YILIAN_TEST_PG_FILE=DIR/uri");
  return uri;
}

/// Runs `sql` on the cluster's `yilian` database; fails the test on an error.
inline void pg_admin(const std::string& sql, const std::string& uri = pg_cluster_uri()) {
  PGconn* c = PQconnectdb(uri.c_str());
  REQUIRE_MESSAGE(PQstatus(c) == CONNECTION_OK, PQerrorMessage(c));
  PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);  // "does not exist, skipping"
  PGresult* r = PQexec(c, sql.c_str());
  const auto st = PQresultStatus(r);
  const std::string msg = PQerrorMessage(c);
  PQclear(r);
  PQfinish(c);
  REQUIRE_MESSAGE((st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK), msg);
}

/// The first column of the first row `sql` gives on the database `uri`
/// names ("" when no row); fails the test on an error.
inline std::string pg_value(const std::string& sql, const std::string& uri) {
  PGconn* c = PQconnectdb(uri.c_str());
  REQUIRE_MESSAGE(PQstatus(c) == CONNECTION_OK, PQerrorMessage(c));
  PGresult* r = PQexec(c, sql.c_str());
  const bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
  const std::string msg = PQerrorMessage(c);
  const std::string value = ok && PQntuples(r) > 0 && PQnfields(r) > 0 ? PQgetvalue(r, 0, 0) : "";
  PQclear(r);
  PQfinish(c);
  REQUIRE_MESSAGE(ok, msg);
  return value;
}

/// The database a URI names (the part after its last slash).
inline std::string pg_database_name(const std::string& uri) { return uri.substr(uri.rfind('/') + 1); }

/// Keeps a copy of every table of the database `uri` names, in its schema
/// `pristine`, for pg_restore_tables. (Copying a whole database instead,
/// CREATE DATABASE … TEMPLATE after DROP DATABASE, makes PostgreSQL
/// checkpoint the cluster each time: seconds per copy on a busy machine.)
inline void pg_keep_tables(const std::string& uri) {
  pg_admin("DROP SCHEMA IF EXISTS pristine CASCADE; CREATE SCHEMA pristine; "
           "DO $$ DECLARE t text; BEGIN "
           "FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP "
           "EXECUTE format('CREATE TABLE pristine.%I AS TABLE public.%I', t, t); END LOOP; END $$",
           uri);
}

/// Puts back every table pg_keep_tables kept: rows only (the schema, its
/// indexes and sequences stay as they are).
inline void pg_restore_tables(const std::string& uri) {
  pg_admin("DO $$ DECLARE t text; BEGIN "
           "FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'pristine' LOOP "
           "EXECUTE format('TRUNCATE public.%I CASCADE', t); END LOOP; "
           "FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'pristine' LOOP "
           "EXECUTE format('INSERT INTO public.%I SELECT * FROM pristine.%I', t, t); END LOOP; END $$",
           uri);
}

/// A new empty database for one test; its URI.
inline std::string pg_database(const std::string& name) {
  static std::atomic<int> counter{0};
  const std::string db = "t_" + name + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  const std::string uri = pg_cluster_uri();
  pg_admin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)", uri);
  pg_admin("CREATE DATABASE " + db, uri);
  return uri.substr(0, uri.rfind('/') + 1) + db;
}

}  // namespace yilian::test
