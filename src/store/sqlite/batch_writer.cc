#include "store/sqlite/batch_writer.h"

#include <string>

namespace keel::sqlite {
namespace {

constexpr const char* kInsertRun =
    "INSERT INTO runs (run_id, workflow, entity_key, input, status, parked_on, wake_us, "
    "created_us, updated_us, lease_owner, lease_host, lease_pid, lease_expires_us, result, error, "
    "trace_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";
constexpr const char* kInsertBlob = "INSERT OR IGNORE INTO blobs (hash, data) VALUES (?1, ?2)";
constexpr const char* kInsertEvent =
    "INSERT INTO events (run_id, seq, ts_us, type, node, key, payload, blob_hash) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
// ?5 NULL keeps the stored result, ?9 '' the node holding it; ?8 = 1
// releases the lease.
constexpr const char* kUpdateRun =
    "UPDATE runs SET status = ?2, parked_on = ?3, wake_us = ?4, result = COALESCE(?5, result), "
    "result_of = CASE WHEN ?9 = '' THEN result_of ELSE ?9 END, error = ?6, updated_us = ?7, "
    "lease_owner = CASE WHEN ?8 THEN '' ELSE lease_owner END, "
    "lease_host = CASE WHEN ?8 THEN '' ELSE lease_host END, "
    "lease_pid = CASE WHEN ?8 THEN 0 ELSE lease_pid END, "
    "lease_expires_us = CASE WHEN ?8 THEN 0 ELSE lease_expires_us END "
    "WHERE run_id = ?1";
constexpr const char* kClaimParkedRun =
    "UPDATE runs SET status = 'running', parked_on = '', wake_us = 0, lease_owner = ?2, "
    "lease_host = ?3, lease_pid = ?4, lease_expires_us = ?5, updated_us = ?6 "
    "WHERE run_id = ?1 AND status = 'parked'";
constexpr const char* kLatestStateVersion =
    "SELECT version, run_id FROM state_vectors WHERE entity_key = ?1 "
    "ORDER BY version DESC LIMIT 1";
constexpr const char* kInsertState =
    "INSERT INTO state_vectors (entity_key, version, data, run_id, updated_us) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr const char* kInsertApproval =
    "INSERT INTO approvals (approval_id, run_id, node, workflow, entity_key, status, proposal, "
    "edited, reason, decided_by, requested_us, expires_us, decided_us) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
constexpr const char* kUpdateApproval =
    "UPDATE approvals SET status = ?2, edited = ?3, reason = ?4, decided_by = ?5, "
    "decided_us = ?6 WHERE approval_id = ?1 AND status = ?7";
constexpr const char* kApprovalStatus = "SELECT status FROM approvals WHERE approval_id = ?1";
constexpr const char* kLeaseOwner = "SELECT lease_owner FROM runs WHERE run_id = ?1";
constexpr const char* kLastSeq = "SELECT COALESCE(MAX(seq), 0) FROM events WHERE run_id = ?1";
// A span group is a row of the events table (schema.cc, version 5).
constexpr const char* kInsertSpanGroup =
    "INSERT INTO events (run_id, seq, ts_us, type, node, key, payload) "
    "VALUES (?1, 0, ?3, 'spans', '', ?2, ?4)";

// A constraint violation on insert means the key exists: a precondition
// failure with our own message; anything else is the database's error.
Status InsertFailure(const Stmt& stmt, std::string what) {
  if (stmt.IsConstraintViolation()) return Aborted(std::move(what) + " already exists");
  return stmt.status();
}

Status InsertRun(Connection& conn, const RunRecord& run, const EncodedBatch& enc, int64_t now) {
  Stmt stmt = conn.Prepare(kInsertRun);
  stmt.Bind(1, run.run_id).Bind(2, run.workflow).Bind(3, run.entity_key);
  stmt.BindTextOrNull(4, enc.run_input).Bind(5, RunStatusName(run.status)).Bind(6, run.parked_on);
  stmt.Bind(7, run.wake_us).Bind(8, run.created_us != 0 ? run.created_us : now);
  stmt.Bind(9, run.updated_us != 0 ? run.updated_us : now).Bind(10, run.lease_owner);
  stmt.Bind(11, run.lease_host).Bind(12, run.lease_pid).Bind(13, run.lease_expires_us);
  stmt.BindTextOrNull(14, enc.run_result).Bind(15, run.error).Bind(16, run.trace_id);
  if (!stmt.Run().ok()) return InsertFailure(stmt, "run " + run.run_id);
  return Status();
}

Status InsertEvent(Connection& conn, const Event& event, int64_t seq,
                   const EncodedPayload& payload) {
  if (!payload.blob_hash.empty()) {
    KEEL_RETURN_IF_ERROR(
        conn.Prepare(kInsertBlob).Bind(1, payload.blob_hash).Bind(2, payload.text).Run());
  }
  Stmt stmt = conn.Prepare(kInsertEvent);
  stmt.Bind(1, event.run_id).Bind(2, seq).Bind(3, event.ts_us);
  stmt.Bind(4, EventTypeName(event.type)).Bind(5, event.node).Bind(6, event.key);
  if (payload.blob_hash.empty()) {
    stmt.BindTextOrNull(7, payload.text).BindNull(8);
  } else {
    stmt.BindNull(7).Bind(8, payload.blob_hash);
  }
  if (!stmt.Run().ok()) {
    return InsertFailure(stmt, "event " + std::to_string(seq) + " of run " + event.run_id);
  }
  return Status();
}

// Where a claimed run's log continues (ParkedRunClaim::continue_log).
Result<int64_t> NextSeq(Connection& conn, const std::string& run_id) {
  Stmt stmt = conn.Prepare(kLastSeq);
  stmt.Bind(1, run_id);
  if (!stmt.Next()) return stmt.status();
  return stmt.Int(0) + 1;
}

Status ClaimParkedRun(Connection& conn, const ParkedRunClaim& claim, int64_t now) {
  Stmt stmt = conn.Prepare(kClaimParkedRun);
  stmt.Bind(1, claim.run_id).Bind(2, claim.owner.owner_id).Bind(3, claim.owner.host);
  stmt.Bind(4, claim.owner.pid).Bind(5, claim.lease_expires_us).Bind(6, now);
  KEEL_RETURN_IF_ERROR(stmt.Run());
  if (conn.Changes() == 0) return Aborted("run " + claim.run_id + " is not parked");
  return Status();
}

// The log's guard against two writers: only the lease holder appends. (The
// lease is checked on the row, not through a unique (run_id, seq) index:
// such an index put one more page per run in every group commit.)
Status CheckLeaseHolder(Connection& conn, const std::string& run_id, const std::string& writer) {
  Stmt stmt = conn.Prepare(kLeaseOwner);
  stmt.Bind(1, run_id);
  if (!stmt.Next()) {
    if (!stmt.status().ok()) return stmt.status();
    return Aborted("events for run " + run_id + ", which does not exist");
  }
  std::string holder = stmt.Str(0);
  if (holder == writer) return Status();
  return Aborted("run " + run_id + " is not leased to " + writer +
                 (holder.empty() ? " (no one holds it)" : " (" + holder + " holds it)"));
}

Status CheckWriter(Connection& conn, const WriteBatch& batch) {
  if (batch.writer.empty()) return Status();
  const std::string* checked = nullptr;  // a batch's events are almost always one run's
  for (const Event& event : batch.events) {
    if (checked != nullptr && *checked == event.run_id) continue;
    KEEL_RETURN_IF_ERROR(CheckLeaseHolder(conn, event.run_id, batch.writer));
    checked = &event.run_id;
  }
  return Status();
}

Status UpdateRun(Connection& conn, const RunUpdate& update, const EncodedBatch& enc, int64_t now) {
  Stmt stmt = conn.Prepare(kUpdateRun);
  stmt.Bind(1, update.run_id).Bind(2, RunStatusName(update.status)).Bind(3, update.parked_on);
  stmt.Bind(4, update.wake_us).BindTextOrNull(5, enc.update_result).Bind(6, update.error);
  stmt.Bind(7, update.updated_us != 0 ? update.updated_us : now);
  stmt.Bind(8, int64_t{update.release_lease ? 1 : 0}).Bind(9, update.result_of);
  return stmt.Run();
}

Status WriteState(Connection& conn, const StateWrite& write, const EncodedBatch& enc, int64_t now) {
  Stmt latest = conn.Prepare(kLatestStateVersion);
  latest.Bind(1, write.entity_key);
  int64_t found = 0;
  std::string writer;
  if (latest.Next()) {
    found = latest.Int(0);
    writer = latest.Str(1);
  } else if (!latest.status().ok()) {
    return latest.status();
  }
  if (found != write.expected_version) {
    return Aborted("state vector " + write.entity_key + " changed: expected version " +
                   std::to_string(write.expected_version) + ", found " + std::to_string(found));
  }
  if (!write.expected_writer.empty() && writer != write.expected_writer) {
    return Aborted("state vector " + write.entity_key + " changed: expected version " +
                   std::to_string(found) + " by run " + write.expected_writer + ", found it by " +
                   (writer.empty() ? "none" : "run " + writer));
  }
  Stmt insert = conn.Prepare(kInsertState);
  insert.Bind(1, write.entity_key).Bind(2, found + 1).BindTextOrNull(3, enc.state_data);
  insert.Bind(4, write.run_id).Bind(5, now);
  return insert.Run();
}

Status InsertApproval(Connection& conn, const Approval& a, const EncodedBatch& enc) {
  Stmt stmt = conn.Prepare(kInsertApproval);
  stmt.Bind(1, a.approval_id).Bind(2, a.run_id).Bind(3, a.node).Bind(4, a.workflow);
  stmt.Bind(5, a.entity_key).Bind(6, ApprovalStatusName(a.status));
  stmt.BindTextOrNull(7, enc.approval_proposal).BindTextOrNull(8, enc.approval_edited);
  stmt.Bind(9, a.reason).Bind(10, a.decided_by).Bind(11, a.requested_us);
  stmt.Bind(12, a.expires_us).Bind(13, a.decided_us);
  if (!stmt.Run().ok()) return InsertFailure(stmt, "approval " + a.approval_id);
  return Status();
}

Status UpdateApproval(Connection& conn, const ApprovalWrite& write, const EncodedBatch& enc) {
  const Approval& a = write.approval;
  Stmt stmt = conn.Prepare(kUpdateApproval);
  stmt.Bind(1, a.approval_id).Bind(2, ApprovalStatusName(a.status));
  stmt.BindTextOrNull(3, enc.approval_edited).Bind(4, a.reason).Bind(5, a.decided_by);
  stmt.Bind(6, a.decided_us).Bind(7, ApprovalStatusName(write.expected));
  KEEL_RETURN_IF_ERROR(stmt.Run());
  if (conn.Changes() > 0) return Status();
  Stmt current = conn.Prepare(kApprovalStatus);
  current.Bind(1, a.approval_id);
  if (!current.Next()) {
    if (!current.status().ok()) return current.status();
    return Aborted("approval " + a.approval_id + " does not exist");
  }
  return Aborted("approval " + a.approval_id + " is " + current.Str(0) + " (expected " +
                 ApprovalStatusName(write.expected) + ")");
}

Status InsertSpanGroup(Connection& conn, const EncodedSpanGroup& group) {
  Stmt stmt = conn.Prepare(kInsertSpanGroup);
  stmt.Bind(1, group.run_id).Bind(2, group.group_id).Bind(3, group.last_start_us);
  stmt.Bind(4, group.spans);
  return stmt.Run();
}

// Runs one batch inside a savepoint. On failure the savepoint is rolled back
// and `*lost_transaction` tells whether SQLite dropped the whole transaction.
Status ApplyInSavepoint(Connection& conn, const EncodedBatch& batch, int64_t now,
                        bool* lost_transaction) {
  Status status = conn.Prepare("SAVEPOINT batch").Run();
  if (status.ok()) status = ApplyBatch(conn, batch, now);
  if (status.ok()) status = conn.Prepare("RELEASE batch").Run();
  if (status.ok()) return status;
  if (conn.InTransaction()) {
    Status undo = conn.Prepare("ROLLBACK TO batch").Run();
    if (undo.ok()) undo = conn.Prepare("RELEASE batch").Run();
    if (undo.ok()) return status;
  }
  *lost_transaction = true;
  return status;
}

// A failed COMMIT loses the whole group: report it as the database being
// unavailable (retryable) unless the file itself is damaged.
Status CommitFailure(const Status& status) {
  if (status.code() == StatusCode::kDataLoss) return status;
  return Unavailable("commit failed: " + status.message());
}

}  // namespace

Status ApplyBatch(Connection& conn, const EncodedBatch& enc, int64_t now_us) {
  const WriteBatch& batch = enc.batch;
  // Preconditions first, so a conflicting batch fails before writing much.
  if (batch.new_run) KEEL_RETURN_IF_ERROR(InsertRun(conn, *batch.new_run, enc, now_us));
  if (batch.claim_parked) KEEL_RETURN_IF_ERROR(ClaimParkedRun(conn, *batch.claim_parked, now_us));
  KEEL_RETURN_IF_ERROR(CheckWriter(conn, batch));
  if (batch.state) KEEL_RETURN_IF_ERROR(WriteState(conn, *batch.state, enc, now_us));
  if (batch.approval) {
    KEEL_RETURN_IF_ERROR(batch.approval->insert
                             ? InsertApproval(conn, batch.approval->approval, enc)
                             : UpdateApproval(conn, *batch.approval, enc));
  }
  int64_t next_seq = 0;  // 0: the events carry their own seqs
  if (batch.claim_parked && batch.claim_parked->continue_log && !batch.events.empty()) {
    Result<int64_t> next = NextSeq(conn, batch.claim_parked->run_id);
    if (!next.ok()) return next.status();
    next_seq = *next;
  }
  for (size_t i = 0; i < batch.events.size(); ++i) {
    const Event& event = batch.events[i];
    int64_t seq = next_seq != 0 && event.run_id == batch.claim_parked->run_id ? next_seq++
                                                                               : event.seq;
    KEEL_RETURN_IF_ERROR(InsertEvent(conn, event, seq, enc.event_payloads[i]));
  }
  if (batch.run_update) KEEL_RETURN_IF_ERROR(UpdateRun(conn, *batch.run_update, enc, now_us));
  for (const EncodedSpanGroup& group : enc.span_groups) {
    KEEL_RETURN_IF_ERROR(InsertSpanGroup(conn, group));
  }
  return Status();
}

int64_t CommitGroup(Connection& conn, std::span<GroupEntry> group, int64_t now_us) {
  auto fail_all = [&](const Status& status) {
    conn.Rollback();
    for (GroupEntry& entry : group) entry.result = status;
    return int64_t{0};
  };
  Status begin = conn.Begin();
  if (!begin.ok()) return fail_all(begin);
  for (GroupEntry& entry : group) {
    bool lost_transaction = false;
    entry.result = ApplyInSavepoint(conn, *entry.batch, now_us, &lost_transaction);
    if (lost_transaction) return fail_all(entry.result);
  }
  Status commit = conn.Commit();
  if (!commit.ok()) return fail_all(CommitFailure(commit));
  int64_t committed = 0;
  for (const GroupEntry& entry : group) committed += entry.result.ok() ? 1 : 0;
  return committed;
}

}  // namespace keel::sqlite
