// Leases on runs: claiming runnable runs, renewing, and the idle check.
#include <signal.h>

#include <cerrno>
#include <climits>
#include <string>

#include "store/sqlite/sqlite_store.h"

namespace keel::sqlite {
namespace {

// Runnable runs, oldest first. One arm per way a run becomes runnable, each
// limited on its own index so a backlog of pending runs is never sorted
// whole; a running run is taken over when its lease expired, it has no
// holder, or its holder is a process on the claimer's host that no longer
// exists (keel_pid_dead; the claimer's own leases are skipped before asking
// the kernel, so a lone worker makes no kill() calls at all).
constexpr const char* kSelectRunnable =
    "SELECT run_id FROM ("
    "SELECT * FROM (SELECT run_id, created_us FROM runs WHERE status = 'pending' "
    "ORDER BY created_us, run_id LIMIT ?3) "
    "UNION ALL "
    "SELECT * FROM (SELECT run_id, created_us FROM runs WHERE status = 'running' "
    "AND (lease_expires_us <= ?1 OR lease_owner = '' "
    "OR (lease_host = ?2 AND lease_owner <> ?4 AND keel_pid_dead(lease_pid))) "
    "ORDER BY created_us, run_id LIMIT ?3) "
    "UNION ALL "
    "SELECT * FROM (SELECT run_id, created_us FROM runs WHERE status = 'parked' AND wake_us > 0 "
    "AND wake_us <= ?1 ORDER BY created_us, run_id LIMIT ?3)"
    ") ORDER BY created_us, run_id LIMIT ?3";
// One run, if it is runnable by the same rules as kSelectRunnable.
constexpr const char* kSelectOneRunnable =
    "SELECT run_id FROM runs WHERE run_id = ?3 AND ("
    "status = 'pending' "
    "OR (status = 'running' AND (lease_expires_us <= ?1 OR lease_owner = '' "
    "OR (lease_host = ?2 AND lease_owner <> ?4 AND keel_pid_dead(lease_pid)))) "
    "OR (status = 'parked' AND wake_us > 0 AND wake_us <= ?1))";
constexpr const char* kLeaseRun =
    "UPDATE runs SET status = 'running', lease_owner = ?2, lease_host = ?3, lease_pid = ?4, "
    "lease_expires_us = ?5, updated_us = ?6 WHERE run_id = ?1";
constexpr const char* kRenewLeases =
    "UPDATE runs SET lease_expires_us = ?2 WHERE lease_owner = ?1 AND status = 'running'";
// Every running run counts: either its lease can be taken over now, or a
// live holder is still working on it and an idle worker should wait.
constexpr const char* kHasRunnable =
    "SELECT EXISTS(SELECT 1 FROM runs WHERE status IN ('pending', 'running')) "
    "OR EXISTS(SELECT 1 FROM runs WHERE status = 'parked' AND wake_us > 0 AND wake_us <= ?1)";

// keel_pid_dead(pid): 1 when no process with that id exists on this host.
// Only ESRCH proves absence; EPERM means it exists under another user.
void PidDead(sqlite3_context* ctx, int /*argc*/, sqlite3_value** argv) {
  int64_t pid = sqlite3_value_int64(argv[0]);
  bool dead = pid > 0 && pid <= INT_MAX && kill(static_cast<pid_t>(pid), 0) == -1 && errno == ESRCH;
  sqlite3_result_int(ctx, dead ? 1 : 0);
}

}  // namespace

Status SqliteStore::PrepareWriter(Connection& conn) {
  int rc =
      sqlite3_create_function_v2(conn.db(), "keel_pid_dead", 1, SQLITE_UTF8 | SQLITE_DIRECTONLY,
                                 nullptr, PidDead, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return conn.Error(rc, "registering keel_pid_dead");
  // Scratch tables for pruning, created once so later statements never see
  // a schema change. Memory only: they never need to survive the process.
  return conn.Exec(
      "PRAGMA temp_store=MEMORY;"
      "CREATE TEMP TABLE IF NOT EXISTS prune_runs (run_id TEXT PRIMARY KEY);"
      "CREATE TEMP TABLE IF NOT EXISTS prune_blobs (hash TEXT PRIMARY KEY);");
}

Result<std::vector<std::string>> SqliteStore::ClaimRuns(const LeaseOwner& owner, int64_t now_us,
                                                        int64_t lease_us, int max) {
  std::vector<std::string> claimed;
  if (max <= 0) return claimed;
  Status status = InWriteTransaction([&](Connection& conn) {
    Stmt select = conn.Prepare(kSelectRunnable);
    select.Bind(1, now_us).Bind(2, owner.host).Bind(3, int64_t{max}).Bind(4, owner.owner_id);
    while (select.Next()) claimed.push_back(select.Str(0));
    KEEL_RETURN_IF_ERROR(select.status());
    for (const std::string& run_id : claimed) {
      Stmt lease = conn.Prepare(kLeaseRun);
      lease.Bind(1, run_id).Bind(2, owner.owner_id).Bind(3, owner.host).Bind(4, owner.pid);
      lease.Bind(5, now_us + lease_us).Bind(6, now_us);
      KEEL_RETURN_IF_ERROR(lease.Run());
    }
    return Status();
  });
  if (!status.ok()) return status;
  return claimed;
}

Result<bool> SqliteStore::ClaimRun(const LeaseOwner& owner, const std::string& run_id,
                                   int64_t now_us, int64_t lease_us) {
  bool claimed = false;
  Status status = InWriteTransaction([&](Connection& conn) {
    Stmt select = conn.Prepare(kSelectOneRunnable);
    select.Bind(1, now_us).Bind(2, owner.host).Bind(3, run_id).Bind(4, owner.owner_id);
    claimed = select.Next();
    KEEL_RETURN_IF_ERROR(select.status());
    if (!claimed) return Status();
    Stmt lease = conn.Prepare(kLeaseRun);
    lease.Bind(1, run_id).Bind(2, owner.owner_id).Bind(3, owner.host).Bind(4, owner.pid);
    lease.Bind(5, now_us + lease_us).Bind(6, now_us);
    return lease.Run();
  });
  if (!status.ok()) return status;
  return claimed;
}

Status SqliteStore::RenewLeases(const LeaseOwner& owner, int64_t now_us, int64_t lease_us) {
  return InWriteTransaction([&](Connection& conn) {
    return conn.Prepare(kRenewLeases).Bind(1, owner.owner_id).Bind(2, now_us + lease_us).Run();
  });
}

Result<bool> SqliteStore::HasRunnable(int64_t now_us) {
  Result<ReaderPool::Lease> conn = readers_.Acquire();
  if (!conn.ok()) return conn.status();
  Stmt stmt = (*conn)->Prepare(kHasRunnable);
  stmt.Bind(1, now_us);
  if (!stmt.Next()) {
    if (!stmt.status().ok()) return stmt.status();
    return Internal("HasRunnable: query returned no row");
  }
  return stmt.Int(0) != 0;
}

}  // namespace keel::sqlite
