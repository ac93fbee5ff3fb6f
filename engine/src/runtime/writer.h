// Who writes a store: one engine (or one short command) at a time holds the
// store's writer lock — a lock file beside an SQLite store (file_lock.h), a
// session advisory lock in a PostgreSQL one (pg_store.cpp) — and says what
// it is, so that a command finding it held can tell a running engine, which
// answers the inbox, from another short command, which is about to let go.
#pragma once

#include <string>

#include "yilian/status.h"

namespace yilian::detail {

enum class WriterKind {
  none,     ///< nobody holds the lock
  live,     ///< a live engine (yilian run, serve, an embedding program): it answers the inbox
  one_off,  ///< a command applying its own request; it lets go when done
  unknown,  ///< held, but the holder has not said what it is yet
};

/// Who holds the writer lock of the store at `location` (a file or a
/// postgresql:// URI) now.
[[nodiscard]] Result<WriterKind> store_writer(const std::string& location);

}  // namespace yilian::detail
