// Retention: deleting finished runs with everything that belongs to them.
#include "store/sqlite/sqlite_store.h"

namespace keel::sqlite {
namespace {

// The runs to prune are selected once into a temp table, so every delete
// below works on exactly the same set of runs.
constexpr const char* kClearPruneRuns = "DELETE FROM prune_runs";
constexpr const char* kClearPruneBlobs = "DELETE FROM prune_blobs";
constexpr const char* kSelectPruneRuns =
    "INSERT INTO prune_runs (run_id) SELECT run_id FROM runs "
    "WHERE status IN ('succeeded', 'failed', 'escalated') AND updated_us < ?1";
// Blobs referenced by the doomed events; deleted afterwards if nothing else
// still references them (blobs are shared between identical payloads).
constexpr const char* kSelectPruneBlobs =
    "INSERT OR IGNORE INTO prune_blobs (hash) SELECT blob_hash FROM events "
    "WHERE run_id IN (SELECT run_id FROM prune_runs) AND blob_hash IS NOT NULL";
// The events table holds the runs' span groups too (schema.cc, version 5).
constexpr const char* kDeleteEvents =
    "DELETE FROM events WHERE run_id IN (SELECT run_id FROM prune_runs)";
constexpr const char* kDeleteApprovals =
    "DELETE FROM approvals WHERE run_id IN (SELECT run_id FROM prune_runs)";
constexpr const char* kDeleteRuns =
    "DELETE FROM runs WHERE run_id IN (SELECT run_id FROM prune_runs)";
constexpr const char* kDeleteOrphanBlobs =
    "DELETE FROM blobs WHERE hash IN (SELECT hash FROM prune_blobs) "
    "AND NOT EXISTS (SELECT 1 FROM events WHERE events.blob_hash = blobs.hash)";

}  // namespace

Result<int64_t> SqliteStore::PruneFinished(int64_t before_us) {
  int64_t pruned = 0;
  Status status = InWriteTransaction([&](Connection& conn) {
    KEEL_RETURN_IF_ERROR(conn.Prepare(kClearPruneRuns).Run());
    KEEL_RETURN_IF_ERROR(conn.Prepare(kClearPruneBlobs).Run());
    KEEL_RETURN_IF_ERROR(conn.Prepare(kSelectPruneRuns).Bind(1, before_us).Run());
    KEEL_RETURN_IF_ERROR(conn.Prepare(kSelectPruneBlobs).Run());
    KEEL_RETURN_IF_ERROR(conn.Prepare(kDeleteEvents).Run());
    KEEL_RETURN_IF_ERROR(conn.Prepare(kDeleteApprovals).Run());
    KEEL_RETURN_IF_ERROR(conn.Prepare(kDeleteRuns).Run());
    pruned = conn.Changes();
    return conn.Prepare(kDeleteOrphanBlobs).Run();
  });
  if (!status.ok()) return status;
  return pruned;
}

}  // namespace keel::sqlite
