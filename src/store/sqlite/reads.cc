// The SQLite store's queries. Each runs on a pooled read connection and is
// one SELECT, so it sees one consistent snapshot while the writer commits.
#include <algorithm>
#include <climits>
#include <string>

#include "store/sqlite/encoded_batch.h"
#include "store/sqlite/row_codec.h"
#include "store/sqlite/sqlite_store.h"

namespace keel::sqlite {
namespace {

constexpr const char* kGetRun = "SELECT " KEEL_SQL_RUN_COLUMNS " FROM runs WHERE run_id = ?1";
// Two shapes so each can walk its index newest first (a "?1 IS NULL OR"
// condition would keep SQLite from using the status index).
constexpr const char* kListRuns = "SELECT " KEEL_SQL_RUN_COLUMNS
                                  " FROM runs WHERE (?1 = '' OR workflow = ?1) "
                                  "ORDER BY created_us DESC, run_id DESC LIMIT ?2";
constexpr const char* kListRunsByStatus = "SELECT " KEEL_SQL_RUN_COLUMNS
                                          " FROM runs WHERE status = ?3 AND (?1 = '' OR "
                                          "workflow = ?1) ORDER BY created_us DESC, run_id DESC "
                                          "LIMIT ?2";
constexpr const char* kCountRuns = "SELECT COUNT(*) FROM runs";
constexpr const char* kCountRunsByStatus = "SELECT COUNT(*) FROM runs WHERE status = ?1";

// Event columns: the payload is inline, or fetched from blobs by hash.
#define KEEL_SQL_EVENT_SELECT                                                   \
  "SELECT e.seq, e.ts_us, e.type, e.node, e.key, COALESCE(e.payload, b.data), " \
  "e.blob_hash, b.hash IS NULL FROM events e LEFT JOIN blobs b ON b.hash = e.blob_hash "
// Span groups share the events table (schema.cc, version 5): every query of
// events leaves them out.
constexpr const char* kLoadEvents =
    KEEL_SQL_EVENT_SELECT "WHERE e.run_id = ?1 AND e.type <> 'spans' ORDER BY e.seq";
// The inner query reads only the events_latest index, so superseded events'
// rows, and their payloads, are never touched. (With MAX, SQLite takes the
// bare column `id` from the row holding the maximum.)
constexpr const char* kLoadLatestEvents = KEEL_SQL_EVENT_SELECT
    "WHERE e.id IN (SELECT id FROM (SELECT id, MAX(seq) FROM events WHERE run_id = ?1 "
    "AND type <> 'spans' GROUP BY type, node, key)) ORDER BY e.seq";
#undef KEEL_SQL_EVENT_SELECT

constexpr const char* kGetState = "SELECT " KEEL_SQL_STATE_COLUMNS
                                  " FROM state_vectors WHERE entity_key = ?1 "
                                  "ORDER BY version DESC LIMIT 1";
constexpr const char* kStateHistory = "SELECT " KEEL_SQL_STATE_COLUMNS
                                      " FROM state_vectors WHERE entity_key = ?1 "
                                      "ORDER BY version";
constexpr const char* kGetApproval =
    "SELECT " KEEL_SQL_APPROVAL_COLUMNS " FROM approvals WHERE approval_id = ?1";
constexpr const char* kListApprovals =
    "SELECT " KEEL_SQL_APPROVAL_COLUMNS " FROM approvals ORDER BY requested_us, approval_id";
constexpr const char* kListApprovalsByStatus =
    "SELECT " KEEL_SQL_APPROVAL_COLUMNS
    " FROM approvals WHERE status = ?1 ORDER BY requested_us, approval_id";
constexpr const char* kLoadSpans =
    "SELECT run_id, payload FROM events WHERE run_id = ?1 AND type = 'spans'";
constexpr const char* kLoadSpansSince =
    "SELECT run_id, payload FROM events WHERE type = 'spans' AND ts_us >= ?1";
constexpr const char* kNextWake =
    "SELECT MIN(wake_us) FROM runs WHERE status = 'parked' AND wake_us > 0";

// The status of a single-row query that produced no row: its error, or an
// internal one (aggregates always return a row).
Status NoRow(const Stmt& stmt) {
  if (!stmt.status().ok()) return stmt.status();
  return Internal("aggregate query returned no row");
}

}  // namespace

Result<RunRecord> SqliteStore::GetRun(const std::string& run_id) {
  Result<ReaderPool::Lease> conn = readers_.Acquire();
  if (!conn.ok()) return conn.status();
  Stmt stmt = (*conn)->Prepare(kGetRun);
  stmt.Bind(1, run_id);
  if (stmt.Next()) return DecodeRun(stmt);
  if (!stmt.status().ok()) return stmt.status();
  return NotFound("run " + run_id + " not found");
}

Result<std::vector<RunRecord>> SqliteStore::ListRuns(const RunFilter& filter) {
  Result<ReaderPool::Lease> conn = readers_.Acquire();
  if (!conn.ok()) return conn.status();
  Stmt stmt = (*conn)->Prepare(filter.status ? kListRunsByStatus : kListRuns);
  stmt.Bind(1, filter.workflow).Bind(2, int64_t{filter.limit});
  if (filter.status) stmt.Bind(3, RunStatusName(*filter.status));
  return DecodeAll<RunRecord>(stmt, DecodeRun);
}

Result<int64_t> SqliteStore::CountRuns(std::optional<RunStatus> status) {
  Result<ReaderPool::Lease> conn = readers_.Acquire();
  if (!conn.ok()) return conn.status();
  Stmt stmt = (*conn)->Prepare(status ? kCountRunsByStatus : kCountRuns);
  if (status) stmt.Bind(1, RunStatusName(*status));
  if (!stmt.Next()) return NoRow(stmt);
  return stmt.Int(0);
}

Result<std::vector<Event>> SqliteStore::QueryEvents(const char* sql, const std::string& run_id,
                                                    PayloadForm form) {
  Result<ReaderPool::Lease> conn = readers_.Acquire();
  if (!conn.ok()) return conn.status();
  Stmt stmt = (*conn)->Prepare(sql);
  stmt.Bind(1, run_id);
  std::vector<Event> events;
  int64_t read = 0;
  while (stmt.Next()) {
    Event& event = events.emplace_back();
    event.run_id = run_id;
    event.seq = stmt.Int(0);
    event.ts_us = stmt.Int(1);
    std::optional<EventType> type = ParseEventType(stmt.Text(2));
    if (!type) {
      return Status(StatusCode::kDataLoss, "event " + std::to_string(event.seq) + " of run " +
                                               run_id + ": unknown type '" + stmt.Str(2) + "'");
    }
    event.type = *type;
    event.node = stmt.Str(3);
    event.key = stmt.Str(4);
    if (!stmt.IsNull(6) && stmt.Int(7) != 0) {
      return Status(StatusCode::kDataLoss, "event " + std::to_string(event.seq) + " of run " +
                                               run_id + ": payload blob " + stmt.Str(6) +
                                               " is missing");
    }
    if (stmt.IsNull(5)) continue;  // a null payload: nothing to read
    ++read;
    if (form == PayloadForm::kText) {
      event.payload_text = stmt.Str(5);
      continue;
    }
    Result<Json> payload = DecodeJson(stmt.Text(5), "event of run", run_id);
    if (!payload.ok()) return payload.status();
    event.payload = std::move(payload).value();
  }
  payloads_read_.fetch_add(read, std::memory_order_relaxed);
  if (!stmt.status().ok()) return stmt.status();
  return events;
}

Result<std::vector<Event>> SqliteStore::LoadEvents(const std::string& run_id) {
  return QueryEvents(kLoadEvents, run_id, PayloadForm::kParsed);
}

Result<std::vector<Event>> SqliteStore::LoadLatestEvents(const std::string& run_id) {
  return QueryEvents(kLoadLatestEvents, run_id, PayloadForm::kText);
}

Result<std::optional<StateVector>> SqliteStore::GetState(const std::string& entity_key) {
  Result<ReaderPool::Lease> conn = readers_.Acquire();
  if (!conn.ok()) return conn.status();
  Stmt stmt = (*conn)->Prepare(kGetState);
  stmt.Bind(1, entity_key);
  if (!stmt.Next()) {
    if (!stmt.status().ok()) return stmt.status();
    return std::optional<StateVector>();
  }
  Result<StateVector> state = DecodeState(stmt);
  if (!state.ok()) return state.status();
  return std::optional<StateVector>(std::move(state).value());
}

Result<std::vector<StateVector>> SqliteStore::StateHistory(const std::string& entity_key) {
  Result<ReaderPool::Lease> conn = readers_.Acquire();
  if (!conn.ok()) return conn.status();
  Stmt stmt = (*conn)->Prepare(kStateHistory);
  stmt.Bind(1, entity_key);
  return DecodeAll<StateVector>(stmt, DecodeState);
}

Result<Approval> SqliteStore::GetApproval(const std::string& approval_id) {
  Result<ReaderPool::Lease> conn = readers_.Acquire();
  if (!conn.ok()) return conn.status();
  Stmt stmt = (*conn)->Prepare(kGetApproval);
  stmt.Bind(1, approval_id);
  if (stmt.Next()) return DecodeApproval(stmt);
  if (!stmt.status().ok()) return stmt.status();
  return NotFound("approval " + approval_id + " not found");
}

Result<std::vector<Approval>> SqliteStore::ListApprovals(std::optional<ApprovalStatus> status) {
  Result<ReaderPool::Lease> conn = readers_.Acquire();
  if (!conn.ok()) return conn.status();
  Stmt stmt = (*conn)->Prepare(status ? kListApprovalsByStatus : kListApprovals);
  if (status) stmt.Bind(1, ApprovalStatusName(*status));
  return DecodeAll<Approval>(stmt, DecodeApproval);
}

namespace {

// Spans from span group rows (run_id, spans), keeping those that started at
// or after `since_us`, ordered by start then id.
Result<std::vector<Span>> DecodeSpanGroups(Stmt& stmt, int64_t since_us) {
  std::vector<Span> spans;
  while (stmt.Next()) {
    std::string run_id = stmt.Str(0);
    Result<Json> group = DecodeJson(stmt.Text(1), "span group of run", run_id);
    if (!group.ok()) return group.status();
    if (!group->is_array()) {
      return Status(StatusCode::kDataLoss, "span group of run " + run_id + ": not a list");
    }
    for (const Json& j : *group) {
      Span span = DecodeSpan(j, run_id);
      if (span.start_us >= since_us) spans.push_back(std::move(span));
    }
  }
  KEEL_RETURN_IF_ERROR(stmt.status());
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return a.start_us != b.start_us ? a.start_us < b.start_us : a.span_id < b.span_id;
  });
  return spans;
}

}  // namespace

Result<std::vector<Span>> SqliteStore::LoadSpans(const std::string& run_id) {
  Result<ReaderPool::Lease> conn = readers_.Acquire();
  if (!conn.ok()) return conn.status();
  Stmt stmt = (*conn)->Prepare(kLoadSpans);
  stmt.Bind(1, run_id);
  return DecodeSpanGroups(stmt, INT64_MIN);
}

Result<std::vector<Span>> SqliteStore::LoadSpansSince(int64_t since_us) {
  Result<ReaderPool::Lease> conn = readers_.Acquire();
  if (!conn.ok()) return conn.status();
  Stmt stmt = (*conn)->Prepare(kLoadSpansSince);
  stmt.Bind(1, since_us);
  return DecodeSpanGroups(stmt, since_us);
}

Result<std::optional<int64_t>> SqliteStore::NextWake() {
  Result<ReaderPool::Lease> conn = readers_.Acquire();
  if (!conn.ok()) return conn.status();
  Stmt stmt = (*conn)->Prepare(kNextWake);
  if (!stmt.Next()) return NoRow(stmt);
  if (stmt.IsNull(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt.Int(0));
}

}  // namespace keel::sqlite
