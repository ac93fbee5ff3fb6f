// Which store a location names: a postgresql:// (or postgres://) URI is a
// PostgreSQL store, anything else an SQLite file; and who writes it now.
#include "runtime/file_lock.h"
#include "runtime/store.h"

namespace yilian {

bool is_postgres_uri(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

}  // namespace yilian

namespace yilian::detail {

Result<std::unique_ptr<Store>> open_store(const std::string& location, const StoreOptions& options) {
  return is_postgres_uri(location) ? open_pg_store(location, options) : open_sqlite_store(location, options);
}

Result<WriterKind> store_writer(const std::string& location) {
  if (!is_postgres_uri(location)) return FileLock::holder(location);
  auto store = open_store(location, StoreOptions{.create = false, .read_only = true});
  if (!store) return store.status();
  return (*store)->writer();
}

}  // namespace yilian::detail
