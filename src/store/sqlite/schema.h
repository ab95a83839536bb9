// Internal to the SQLite store: connection settings and the versioned schema.
// Thread-compatible (operates on one connection).
#ifndef KEEL_STORE_SQLITE_SCHEMA_H_
#define KEEL_STORE_SQLITE_SCHEMA_H_

#include "core/status.h"
#include "store/sqlite/connection.h"

namespace keel::sqlite {

// The schema version this build writes; a store with a newer one is refused.
inline constexpr int kSchemaVersion = 6;

// Puts the database in WAL mode and sets synchronous on the writer connection.
// Fails with kDataLoss for a file that is not a database, kUnavailable when it
// is locked beyond the busy timeout.
Status ConfigureWriter(Connection& conn, bool synchronous_full);

// Brings the schema up to kSchemaVersion in one transaction. Idempotent.
// Refuses (kFailedPrecondition) a database that holds other tables but no
// keel schema, or a schema newer than this build.
Status Migrate(Connection& conn);

}  // namespace keel::sqlite

#endif  // KEEL_STORE_SQLITE_SCHEMA_H_
