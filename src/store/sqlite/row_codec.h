// Internal to the SQLite store: turning result rows into records. Each decoder
// expects the columns of its KEEL_SQL_*_COLUMNS list, in order, starting at
// column 0. The lists are macros so queries can be pasted together as string
// literals at compile time (the statement cache is keyed by the literal).
// Stateless; thread-safe.
#ifndef KEEL_STORE_SQLITE_ROW_CODEC_H_
#define KEEL_STORE_SQLITE_ROW_CODEC_H_

#include "core/status.h"
#include "store/records.h"
#include "store/sqlite/connection.h"

// The run's result: its own column, or for a run a finalize node ended
// (result_of) the payload of that node's newest completion, which DecodeRun
// unwraps. Selected from `runs` under that name.
#define KEEL_SQL_RUN_RESULT                                                                 \
  "CASE WHEN runs.result_of = '' THEN runs.result ELSE (SELECT COALESCE(e.payload, "        \
  "(SELECT b.data FROM blobs b WHERE b.hash = e.blob_hash)) FROM events e "                 \
  "WHERE e.run_id = runs.run_id AND e.type = 'node_completed' AND e.node = runs.result_of " \
  "AND e.key = '' ORDER BY e.seq DESC LIMIT 1) END"
#define KEEL_SQL_RUN_COLUMNS                                                                  \
  "run_id, workflow, entity_key, input, status, parked_on, wake_us, created_us, updated_us, " \
  "lease_owner, lease_host, lease_pid, lease_expires_us, " KEEL_SQL_RUN_RESULT                \
  ", error, trace_id, result_of"
#define KEEL_SQL_APPROVAL_COLUMNS                                                       \
  "approval_id, run_id, node, workflow, entity_key, status, proposal, edited, reason, " \
  "decided_by, requested_us, expires_us, decided_us"
#define KEEL_SQL_STATE_COLUMNS "entity_key, version, data, run_id, updated_us"

namespace keel::sqlite {

// Each fails with kDataLoss when a stored value cannot be read back (an
// unknown status name, damaged JSON).
Result<RunRecord> DecodeRun(const Stmt& row);
Result<Approval> DecodeApproval(const Stmt& row);
Result<StateVector> DecodeState(const Stmt& row);

// Collects every row of `stmt` through `decode`; stops at the first error.
template <typename T, typename Decode>
Result<std::vector<T>> DecodeAll(Stmt& stmt, Decode decode) {
  std::vector<T> out;
  while (stmt.Next()) {
    Result<T> item = decode(stmt);
    if (!item.ok()) return item.status();
    out.push_back(std::move(item).value());
  }
  if (!stmt.status().ok()) return stmt.status();
  return out;
}

}  // namespace keel::sqlite

#endif  // KEEL_STORE_SQLITE_ROW_CODEC_H_
