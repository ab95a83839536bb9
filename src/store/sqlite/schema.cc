#include "store/sqlite/schema.h"

#include <string>

namespace keel::sqlite {
namespace {

// Version 1. Statuses and event types are stored by name so the file reads
// well in the sqlite3 shell. JSON columns hold compact text; NULL = null.
// No foreign keys: every event insert would pay a lookup in runs on the
// commit thread's hot path, and the only deletes (PruneFinished) remove a
// run's rows together in one transaction.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY,
  workflow TEXT NOT NULL,
  entity_key TEXT NOT NULL,
  input TEXT,
  status TEXT NOT NULL,
  parked_on TEXT NOT NULL DEFAULT '',
  wake_us INTEGER NOT NULL DEFAULT 0,
  created_us INTEGER NOT NULL,
  updated_us INTEGER NOT NULL,
  lease_owner TEXT NOT NULL DEFAULT '',
  lease_host TEXT NOT NULL DEFAULT '',
  lease_pid INTEGER NOT NULL DEFAULT 0,
  lease_expires_us INTEGER NOT NULL DEFAULT 0,
  result TEXT,
  error TEXT NOT NULL DEFAULT '',
  trace_id TEXT NOT NULL DEFAULT ''
);
-- Claiming (oldest runnable first), listing by status and counting.
CREATE INDEX IF NOT EXISTS runs_by_status ON runs(status, created_us);
CREATE INDEX IF NOT EXISTS runs_by_created ON runs(created_us);
-- NextWake and parked runs coming due. Partial, so only parked rows cost
-- upkeep; status leads so the planner prefers it over runs_by_status.
CREATE INDEX IF NOT EXISTS runs_by_wake ON runs(status, wake_us) WHERE status = 'parked';
-- RenewLeases touches only one worker's running rows (same shape as above).
CREATE INDEX IF NOT EXISTS runs_by_lease ON runs(status, lease_owner) WHERE status = 'running';

-- payload holds the JSON inline, or is NULL and blob_hash names the blob.
CREATE TABLE IF NOT EXISTS events (
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  ts_us INTEGER NOT NULL,
  type TEXT NOT NULL,
  node TEXT NOT NULL,
  key TEXT NOT NULL,
  payload TEXT,
  blob_hash TEXT,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;  -- the key is the only access path: one b-tree, not two
-- Covers the newest-event-per-(type, node, key) selection without touching
-- the rows (and so the payloads) of superseded events.
CREATE INDEX IF NOT EXISTS events_latest ON events(run_id, type, node, key, seq);
-- Finds blobs no event references any more when pruning.
CREATE INDEX IF NOT EXISTS events_by_blob ON events(blob_hash) WHERE blob_hash IS NOT NULL;

-- Large payloads, stored once per distinct content (sha256 of the text).
CREATE TABLE IF NOT EXISTS blobs (
  hash TEXT PRIMARY KEY,
  data TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS approvals (
  approval_id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL,
  node TEXT NOT NULL,
  workflow TEXT NOT NULL,
  entity_key TEXT NOT NULL,
  status TEXT NOT NULL,
  proposal TEXT,
  edited TEXT,
  reason TEXT NOT NULL DEFAULT '',
  decided_by TEXT NOT NULL DEFAULT '',
  requested_us INTEGER NOT NULL,
  expires_us INTEGER NOT NULL,
  decided_us INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS approvals_by_status ON approvals(status, requested_us);
CREATE INDEX IF NOT EXISTS approvals_by_run ON approvals(run_id);

CREATE TABLE IF NOT EXISTS state_vectors (
  entity_key TEXT NOT NULL,
  version INTEGER NOT NULL,
  data TEXT,
  run_id TEXT NOT NULL,
  updated_us INTEGER NOT NULL,
  PRIMARY KEY (entity_key, version)
);

CREATE TABLE IF NOT EXISTS spans (
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
  parent_span_id TEXT NOT NULL,
  run_id TEXT NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  start_us INTEGER NOT NULL,
  end_us INTEGER NOT NULL,
  status TEXT NOT NULL,
  attrs TEXT,
  PRIMARY KEY (run_id, span_id)
) WITHOUT ROWID;  -- clustered by run: a trace is one range read
CREATE INDEX IF NOT EXISTS spans_by_start ON spans(start_us);
)sql";

// Version 2 keeps spans in groups, one row per run per batch; existing spans
// move over as one group each.
constexpr const char* kSchemaV2 = R"sql(
-- Spans, one row per run per batch: a step's node span and its tool or
-- model call span commit together, so a row per group is a third of the
-- rows (and b-tree inserts) of a row per span on the commit thread.
CREATE TABLE IF NOT EXISTS span_groups (
  run_id TEXT NOT NULL,
  group_id TEXT NOT NULL,        -- the group's first span id
  last_start_us INTEGER NOT NULL,  -- the latest span start in the group
  spans TEXT NOT NULL,           -- JSON array of the spans (without run_id)
  PRIMARY KEY (run_id, group_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS span_groups_by_start ON span_groups(last_start_us);
INSERT INTO span_groups (run_id, group_id, last_start_us, spans)
  SELECT run_id, span_id, start_us,
         json_array(json_object('trace_id', trace_id, 'span_id', span_id,
                                'parent_span_id', parent_span_id, 'name', name, 'kind', kind,
                                'start_us', start_us, 'end_us', end_us, 'status', status,
                                'attrs', json(COALESCE(attrs, 'null'))))
  FROM spans;
DROP TABLE spans;
)sql";

// Version 3 stores events and span groups in commit order. Keyed by run,
// every commit of thousands of runs in flight rewrote one partly filled page
// per run per table, and the writer's cache could not hold those pages; in
// commit order the rows of a group commit share a few pages at the end of the
// table, and only the small index entries are spread out by run.
constexpr const char* kSchemaV3 = R"sql(
CREATE TABLE events_v3 (
  id INTEGER PRIMARY KEY,  -- commit order
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  ts_us INTEGER NOT NULL,
  type TEXT NOT NULL,
  node TEXT NOT NULL,
  key TEXT NOT NULL,
  payload TEXT,
  blob_hash TEXT
);
INSERT INTO events_v3 (run_id, seq, ts_us, type, node, key, payload, blob_hash)
  SELECT run_id, seq, ts_us, type, node, key, payload, blob_hash FROM events ORDER BY run_id, seq;
DROP TABLE events;
ALTER TABLE events_v3 RENAME TO events;
CREATE UNIQUE INDEX events_by_run ON events(run_id, seq);
CREATE INDEX events_latest ON events(run_id, type, node, key, seq);
CREATE INDEX events_by_blob ON events(blob_hash) WHERE blob_hash IS NOT NULL;

CREATE TABLE span_groups_v3 (
  id INTEGER PRIMARY KEY,  -- commit order
  run_id TEXT NOT NULL,
  group_id TEXT NOT NULL,
  last_start_us INTEGER NOT NULL,
  spans TEXT NOT NULL
);
INSERT INTO span_groups_v3 (run_id, group_id, last_start_us, spans)
  SELECT run_id, group_id, last_start_us, spans FROM span_groups ORDER BY run_id, group_id;
DROP TABLE span_groups;
ALTER TABLE span_groups_v3 RENAME TO span_groups;
CREATE UNIQUE INDEX span_groups_by_run ON span_groups(run_id, group_id);
CREATE INDEX span_groups_by_start ON span_groups(last_start_us);
)sql";

// Version 4 drops the unique (run_id, seq) index: with thousands of runs in
// flight it put one more page per run in every group commit (a sixth of all
// pages written). events_latest serves reads by run; the writer's lease,
// checked on each batch, keeps a second writer out of a run's log.
constexpr const char* kSchemaV4 = R"sql(
DROP INDEX events_by_run;
)sql";

// Version 5 keeps span groups in the events table, as rows of type 'spans'
// (key: the group's first span id, ts_us: its latest span start, payload:
// the JSON array of its spans; seq 0, as they are not part of the run's
// history). A group's index entry then sits beside its batch's events in
// events_latest, on a page the commit writes anyway, instead of on a page of
// a run index of its own (a seventh of the pages the waiting benchmark
// wrote). Every read of events leaves these rows out.
constexpr const char* kSchemaV5 = R"sql(
INSERT INTO events (run_id, seq, ts_us, type, node, key, payload)
  SELECT run_id, 0, last_start_us, 'spans', '', group_id, spans FROM span_groups ORDER BY id;
DROP TABLE span_groups;
CREATE INDEX events_spans_by_start ON events(ts_us) WHERE type = 'spans';
)sql";

// Version 6 stores the result of a run that a finalize node ended once, in
// that node's completion event: the run's row names the node (result_of)
// instead of holding a second copy of the brief, which made each finished
// row ten times its size. Rows written before keep their result column.
constexpr const char* kSchemaV6 = R"sql(
ALTER TABLE runs ADD COLUMN result_of TEXT NOT NULL DEFAULT '';
)sql";

// kMigrations[i] takes the schema from version i to i + 1.
constexpr const char* kMigrations[] = {kSchemaV1, kSchemaV2, kSchemaV3,
                                       kSchemaV4, kSchemaV5, kSchemaV6};
static_assert(std::size(kMigrations) == kSchemaVersion);

// Refuses a database that belongs to something else (say, the CRM file given
// by mistake) before we add our tables to it.
Status CheckOwnership(Connection& conn) {
  Stmt stmt = conn.Prepare(
      "SELECT (SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE "
      "'sqlite_%'), EXISTS(SELECT 1 FROM sqlite_schema WHERE name = 'schema_version')");
  if (!stmt.Next()) return stmt.status();
  if (stmt.Int(0) > 0 && stmt.Int(1) == 0) {
    return FailedPrecondition(conn.path() +
                              ": not a keel store (it holds other tables and no keel schema)");
  }
  return Status();
}

Result<int64_t> CurrentVersion(Connection& conn) {
  Stmt stmt = conn.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version");
  if (!stmt.Next()) return stmt.status();
  return stmt.Int(0);
}

Status MigrateInTransaction(Connection& conn) {
  KEEL_RETURN_IF_ERROR(CheckOwnership(conn));
  KEEL_RETURN_IF_ERROR(
      conn.Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
  Result<int64_t> version = CurrentVersion(conn);
  if (!version.ok()) return version.status();
  if (*version > kSchemaVersion) {
    return FailedPrecondition(conn.path() + ": store schema version " + std::to_string(*version) +
                              " is newer than this keel supports (" +
                              std::to_string(kSchemaVersion) + ")");
  }
  for (int64_t v = *version; v < kSchemaVersion; ++v) {
    KEEL_RETURN_IF_ERROR(conn.Exec(kMigrations[v]));
  }
  if (*version < kSchemaVersion) {
    KEEL_RETURN_IF_ERROR(conn.Prepare("DELETE FROM schema_version").Run());
    KEEL_RETURN_IF_ERROR(conn.Prepare("INSERT INTO schema_version (version) VALUES (?1)")
                             .Bind(1, int64_t{kSchemaVersion})
                             .Run());
  }
  return Status();
}

}  // namespace

Status ConfigureWriter(Connection& conn, bool synchronous_full) {
  // The first statement reads the file header: this is where a file that is
  // not a database, or one locked by another process, shows itself.
  Result<std::string> mode = conn.QueryText("PRAGMA journal_mode=WAL");
  if (!mode.ok()) return mode.status();
  if (*mode != "wal") {
    return FailedPrecondition(conn.path() + ": cannot use WAL mode (journal_mode is " + *mode +
                              ")");
  }
  // A larger page cache for the one writer keeps the b-tree pages every
  // commit touches in memory instead of re-reading them from the OS.
  KEEL_RETURN_IF_ERROR(conn.Exec("PRAGMA cache_size=-16384"));  // 16 MiB
  return conn.Exec(synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
}

Status Migrate(Connection& conn) {
  KEEL_RETURN_IF_ERROR(conn.Begin());
  Status status = MigrateInTransaction(conn);
  if (status.ok()) status = conn.Commit();
  if (!status.ok()) conn.Rollback();
  return status;
}

}  // namespace keel::sqlite
