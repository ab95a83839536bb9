// Internal to the SQLite store: the SQL of one WriteBatch, and of a group of
// batches committed together. Thread-compatible: runs on the writer
// connection under the writer mutex.
#ifndef KEEL_STORE_SQLITE_BATCH_WRITER_H_
#define KEEL_STORE_SQLITE_BATCH_WRITER_H_

#include <cstdint>
#include <span>

#include "core/status.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/encoded_batch.h"

namespace keel::sqlite {

// Applies `batch` inside the caller's open transaction. Returns kAborted with
// a clear message when a precondition fails (duplicate run id, a writer not
// holding the run's lease, state-vector version conflict, approval not in the
// expected status); the caller must then roll back what the batch wrote.
// `now_us` stamps updated_us.
Status ApplyBatch(Connection& conn, const EncodedBatch& batch, int64_t now_us);

// One queued batch and, after CommitGroup, its outcome.
struct GroupEntry {
  const EncodedBatch* batch;
  Status result;
};

// Writes every entry in one transaction, each inside its own savepoint so a
// failed precondition rolls back only that batch. Sets each entry's result.
// If the transaction cannot begin or commit, every entry gets that error and
// nothing is written. Returns how many batches were committed.
int64_t CommitGroup(Connection& conn, std::span<GroupEntry> group, int64_t now_us);

}  // namespace keel::sqlite

#endif  // KEEL_STORE_SQLITE_BATCH_WRITER_H_
