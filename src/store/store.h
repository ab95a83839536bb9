// Store: the durable home of runs, their event logs, approvals, state vectors
// and spans. The engine depends only on this interface; backends live under
// store/<backend>/ and all pass store/store_conformance_test.
//
// Writes are grouped: Submit() queues a WriteBatch and a commit thread writes
// every queued batch in one transaction (group commit), so durability costs
// one fsync per group, not per step. Each batch is atomic on its own: if one
// batch's precondition fails (a state-vector version conflict, a decided
// approval), only that batch is rolled back and its callback gets the error.
//
// All methods are thread-safe. Reads block the calling thread for a local
// query; Submit() waits only when the commit queue is full (backpressure,
// bounded by one group commit), never from the commit thread.
#ifndef KEEL_STORE_STORE_H_
#define KEEL_STORE_STORE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "store/records.h"

namespace keel {

// Changes to a run row, applied only if the row exists.
struct RunUpdate {
  std::string run_id;
  RunStatus status = RunStatus::kRunning;
  std::string parked_on;  // set when parking; cleared otherwise
  int64_t wake_us = 0;
  Json result;  // written when not null
  // The node whose completion event holds the run's result (a finalize
  // node): the result is stored once, in that event, and the row only names
  // the node. Left alone when "".
  std::string result_of;
  std::string error;
  bool release_lease = false;  // clear the lease (parking or finishing)
  int64_t updated_us = 0;      // the run's updated_us; 0 = now by the store's clock
};

// A RunUpdate that releases the lease: how a run is parked or finished.
inline RunUpdate ReleaseRun(std::string run_id, RunStatus status) {
  RunUpdate u;
  u.run_id = std::move(run_id);
  u.status = status;
  u.release_lease = true;
  return u;
}

// Conditional write of a state vector: succeeds only if the entity's latest
// version is still `expected_version` (0 = none yet); writes version+1.
struct StateWrite {
  std::string entity_key;
  int64_t expected_version = 0;
  Json data;
  std::string run_id;
  // When set, `expected_version` must also have been written by this run: a
  // writer that built on a state not yet committed (EntityGate) must not
  // land on another writer's state of the same number.
  std::string expected_writer = std::string();
};

// Conditional change of an approval: applied only if its status is still
// `expected`. A new approval is inserted with `insert = true`.
struct ApprovalWrite {
  Approval approval;
  bool insert = false;
  ApprovalStatus expected = ApprovalStatus::kPending;
};

// Who holds a lease: a process on a host. A lease whose holder is a process
// that no longer exists on this host may be taken over at once.
struct LeaseOwner {
  std::string owner_id;  // unique per worker process
  std::string host;
  int64_t pid = 0;
};

// Leases a parked run to `owner` (status becomes running), e.g. right after
// an in-process approval decision in the same batch. Fails the batch with
// kAborted unless the run is still parked.
struct ParkedRunClaim {
  std::string run_id;
  LeaseOwner owner;
  int64_t lease_expires_us = 0;
  // The batch's events continue the claimed run's log: the store numbers
  // them (their seq is ignored) after the run's last event. The claimer has
  // not loaded the run, so it cannot know where its log ends.
  bool continue_log = false;
};

// One atomic unit of writes.
struct WriteBatch {
  std::optional<RunRecord> new_run;  // inserted (fails if the id exists)
  // Appended. Seqs are the writer's to assign: one after the run's last
  // (or the store's, see ParkedRunClaim::continue_log).
  std::vector<Event> events;
  std::optional<RunUpdate> run_update;
  std::optional<StateWrite> state;
  std::optional<ApprovalWrite> approval;
  std::optional<ParkedRunClaim> claim_parked;  // applied before the events
  std::vector<Span> spans;
  // The lease owner id of the process appending `events`. When set, the
  // batch fails (kAborted) unless every run it appends to is leased to this
  // owner: a worker that stalled past its lease, while another took the run
  // over, cannot write into the new holder's log.
  std::string writer = std::string();
};


struct RunFilter {
  std::optional<RunStatus> status;
  std::string workflow;  // "" = any
  int limit = 100;       // newest first
};

struct StoreStats {
  int64_t batches_committed = 0;
  int64_t transactions = 0;   // one per group commit
  int64_t payloads_read = 0;  // event payloads read from the store (resume cost)
};

class Store {
 public:
  virtual ~Store() = default;

  // Queues `batch`; batches are applied in the order they are submitted (one
  // submitted after another's Submit() returned sees that one's writes, if
  // they succeeded). `done` runs on the commit thread once the batch is durable
  // (OK) or rejected (kAborted for a failed precondition: state-vector version
  // conflict, approval no longer in the expected status, duplicate run id, a
  // writer that does not hold the run's lease;
  // kUnavailable/kDataLoss when the database itself fails). `done` must not
  // block. Waits only while the commit queue is full (see above).
  virtual void Submit(WriteBatch batch, std::function<void(Status)> done) = 0;

  // Submit() and wait for the result. Blocks; never call it from a `done`
  // callback (the commit thread would wait for itself).
  Status Write(WriteBatch batch);

  // Blocks until every batch submitted before the call is committed and its
  // callback has returned. Not from a `done` callback either.
  virtual void Flush() = 0;

  virtual Result<RunRecord> GetRun(const std::string& run_id) = 0;  // kNotFound
  virtual Result<std::vector<RunRecord>> ListRuns(const RunFilter& filter) = 0;
  virtual Result<int64_t> CountRuns(std::optional<RunStatus> status) = 0;

  // The whole log of a run in seq order, payloads resolved.
  virtual Result<std::vector<Event>> LoadEvents(const std::string& run_id) = 0;
  // Only the newest event for each (type, node, key), in seq order: enough to
  // resume a run, and independent of how many loop passes superseded earlier
  // outputs. Payloads of superseded events are never read. Each payload is
  // left as its JSON text in `payload_text` (`payload` stays null): the
  // resumer parses only what it needs, and keeps step outputs as text.
  virtual Result<std::vector<Event>> LoadLatestEvents(const std::string& run_id) = 0;

  // Latest state vector of an entity, or nullopt when none was written.
  virtual Result<std::optional<StateVector>> GetState(const std::string& entity_key) = 0;
  virtual Result<std::vector<StateVector>> StateHistory(const std::string& entity_key) = 0;

  virtual Result<Approval> GetApproval(const std::string& approval_id) = 0;  // kNotFound
  virtual Result<std::vector<Approval>> ListApprovals(std::optional<ApprovalStatus> status) = 0;
  // A human decision: approved/rejected with an optional edit and reason. Fails
  // with kFailedPrecondition if the approval is not pending or has expired
  // (now >= expires_us). On success the parked run becomes kPending (runnable).
  virtual Status DecideApproval(const std::string& approval_id, ApprovalStatus decision,
                                const Json& edited, const std::string& reason,
                                const std::string& by, int64_t now_us) = 0;

  virtual Result<std::vector<Span>> LoadSpans(const std::string& run_id) = 0;
  // Spans of all runs that started at or after `since_us` (tool statistics).
  virtual Result<std::vector<Span>> LoadSpansSince(int64_t since_us) = 0;

  // Leases the runnable runs (at most `max`) to `owner` until now+lease_us and
  // marks them kRunning. Runnable: kPending; kRunning whose lease expired or
  // whose holder is a dead process on this host; kParked whose wake_us <= now.
  // Returns the claimed run ids.
  virtual Result<std::vector<std::string>> ClaimRuns(const LeaseOwner& owner, int64_t now_us,
                                                     int64_t lease_us, int max) = 0;
  // Claims `run_id` alone, by the same rules as ClaimRuns (e.g. a run just
  // approved). Returns false when it is not runnable now.
  virtual Result<bool> ClaimRun(const LeaseOwner& owner, const std::string& run_id,
                                int64_t now_us, int64_t lease_us) = 0;
  // Extends every lease `owner` holds to now+lease_us.
  virtual Status RenewLeases(const LeaseOwner& owner, int64_t now_us, int64_t lease_us) = 0;
  // True if some run could be claimed now or is leased by a live holder
  // (used by `keel worker --until-idle`).
  virtual Result<bool> HasRunnable(int64_t now_us) = 0;
  // Earliest wake_us among parked runs (approval expiries), if any.
  virtual Result<std::optional<int64_t>> NextWake() = 0;

  // Deletes events, spans and approvals of runs that finished before
  // `before_us`, and the run rows. Parked and running runs are untouched.
  // Returns how many runs were pruned.
  virtual Result<int64_t> PruneFinished(int64_t before_us) = 0;

  virtual StoreStats Stats() const = 0;
};

struct SqliteStoreOptions {
  std::string path;              // database file; created if missing
  bool synchronous_full = true;  // PRAGMA synchronous=FULL (else NORMAL)
  int busy_timeout_ms = 5000;
  size_t inline_payload_max = 2048;  // larger payloads go to the blob table
  // Batches waiting for the commit thread hold at most about this much
  // encoded data; a submitter waits for room beyond it (see group_commit.h).
  size_t commit_queue_bytes = 8 << 20;
  // Stamps updated_us on run updates and claims; nullptr = Clock::Real().
  Clock* clock = nullptr;
};

// Opens (creating if needed) the SQLite store. Fails with kDataLoss naming the
// file for a corrupt database, kUnavailable for a locked one, kInvalidArgument
// when the path cannot be created.
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteStoreOptions& options);

}  // namespace keel

#endif  // KEEL_STORE_STORE_H_
