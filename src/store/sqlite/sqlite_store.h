// Internal to the SQLite store: the Store backend over one SQLite file in WAL
// mode. Callers use OpenSqliteStore() from store/store.h; this header exists
// so the backend's own tests can reach its diagnostics.
//
// Connections: one writer connection, shared (under writer_mu_) by the group
// commit thread and the direct transactions (claims, lease renewals,
// approval decisions, pruning), so within a process writers queue on a mutex
// instead of SQLite's busy-retry sleeps; other processes are kept out by the
// file lock and busy_timeout. Reads use a pool of their own connections.
// WAL checkpoints run on a thread and connection of their own
// (sqlite_wal/wal_checkpointer.h), not inside a group commit.
//
// Thread-safe.
#ifndef KEEL_STORE_SQLITE_SQLITE_STORE_H_
#define KEEL_STORE_SQLITE_SQLITE_STORE_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "sqlite_wal/wal_checkpointer.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/group_commit.h"
#include "store/sqlite/reader_pool.h"
#include "store/store.h"

namespace keel::sqlite {

class SqliteStore final : public Store {
 public:
  static Result<std::unique_ptr<SqliteStore>> Open(const SqliteStoreOptions& options);
  // Commits everything submitted, then closes the connections.
  ~SqliteStore() override;

  void Submit(WriteBatch batch, std::function<void(Status)> done) override;
  void Flush() override;

  Result<RunRecord> GetRun(const std::string& run_id) override;
  Result<std::vector<RunRecord>> ListRuns(const RunFilter& filter) override;
  Result<int64_t> CountRuns(std::optional<RunStatus> status) override;
  Result<std::vector<Event>> LoadEvents(const std::string& run_id) override;
  Result<std::vector<Event>> LoadLatestEvents(const std::string& run_id) override;
  Result<std::optional<StateVector>> GetState(const std::string& entity_key) override;
  Result<std::vector<StateVector>> StateHistory(const std::string& entity_key) override;
  Result<Approval> GetApproval(const std::string& approval_id) override;
  Result<std::vector<Approval>> ListApprovals(std::optional<ApprovalStatus> status) override;
  Status DecideApproval(const std::string& approval_id, ApprovalStatus decision, const Json& edited,
                        const std::string& reason, const std::string& by, int64_t now_us) override;
  Result<std::vector<Span>> LoadSpans(const std::string& run_id) override;
  Result<std::vector<Span>> LoadSpansSince(int64_t since_us) override;
  Result<std::vector<std::string>> ClaimRuns(const LeaseOwner& owner, int64_t now_us,
                                             int64_t lease_us, int max) override;
  Result<bool> ClaimRun(const LeaseOwner& owner, const std::string& run_id, int64_t now_us,
                        int64_t lease_us) override;
  Status RenewLeases(const LeaseOwner& owner, int64_t now_us, int64_t lease_us) override;
  Result<bool> HasRunnable(int64_t now_us) override;
  Result<std::optional<int64_t>> NextWake() override;
  Result<int64_t> PruneFinished(int64_t before_us) override;
  StoreStats Stats() const override;

  // Diagnostics: the single value `sql` (e.g. "PRAGMA synchronous") returns
  // on the writer connection.
  Result<std::string> QueryWriter(const char* sql);
  // Fault injection for tests: while set, every COMMIT of the writer
  // connection fails as a failing disk would make it fail.
  void SetCommitFailureForTest(bool fail);

 private:
  SqliteStore(const SqliteStoreOptions& options, std::unique_ptr<Connection> writer);

  // Writer-connection set-up beyond the schema: SQL functions, temp tables.
  static Status PrepareWriter(Connection& conn);
  void CommitGroup(std::span<GroupEntry> group);
  // Runs `fn(writer)` inside BEGIN IMMEDIATE ... COMMIT under writer_mu_,
  // rolling back when it fails.
  template <typename Fn>
  Status InWriteTransaction(Fn&& fn);
  enum class PayloadForm { kParsed, kText };
  Result<std::vector<Event>> QueryEvents(const char* sql, const std::string& run_id,
                                         PayloadForm form);
  int64_t Now() const { return clock_->NowMicros(); }

  const SqliteStoreOptions options_;
  Clock* const clock_;
  // Before the connections, so it outlives them (it must, once attached).
  WalCheckpointer checkpointer_;
  std::mutex writer_mu_;
  std::unique_ptr<Connection> writer_;  // guarded by writer_mu_
  ReaderPool readers_;
  std::atomic<int64_t> batches_committed_{0};
  std::atomic<int64_t> transactions_{0};
  std::atomic<int64_t> payloads_read_{0};
  // Last: destroyed first, so the commit thread drains and stops while the
  // connection it writes through still exists.
  GroupCommitter committer_;
};

template <typename Fn>
Status SqliteStore::InWriteTransaction(Fn&& fn) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  KEEL_RETURN_IF_ERROR(writer_->Begin());
  Status status = fn(*writer_);
  if (status.ok()) status = writer_->Commit();
  if (!status.ok()) writer_->Rollback();
  return status;
}

}  // namespace keel::sqlite

#endif  // KEEL_STORE_SQLITE_SQLITE_STORE_H_
