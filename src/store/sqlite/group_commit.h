// Internal to the SQLite store: the commit queue and its one commit thread.
//
// Submit() queues a batch and returns. The commit thread takes
// everything queued, hands it to the commit function as one group (one
// transaction, one fsync), then runs every batch's callback in submission
// order. The more callers submit while a group is being written, the larger
// the next group: durability costs one fsync per group, not per batch.
//
// The batches waiting hold at most about `max_queued_bytes` (EncodedBatch::
// Bytes()): a caller that finds the queue full waits until the commit thread
// takes it. Without the bound, a burst of step completions (ten thousand
// runs' model answers arriving within a second) piles up encoded batches
// faster than one thread can commit them, and the backlog set the process's
// peak memory. The bound is in bytes, not batches: small step completions
// then make large groups (one fsync for thousands), while a burst of large
// ones still cannot pile up (see bench/README.md).
//
// Thread-safe.
#ifndef KEEL_STORE_SQLITE_GROUP_COMMIT_H_
#define KEEL_STORE_SQLITE_GROUP_COMMIT_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "store/sqlite/batch_writer.h"
#include "store/sqlite/encoded_batch.h"

namespace keel::sqlite {

class GroupCommitter {
 public:
  // Writes a group and sets each entry's result. Runs on the commit thread.
  using CommitFn = std::function<void(std::span<GroupEntry>)>;

  GroupCommitter(CommitFn commit, size_t max_queued_bytes);
  // Stop()s: commits what was submitted, then joins the thread.
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Queues `batch`; `done` runs on the commit thread with the outcome. After
  // Stop(), `done` runs at once with kUnavailable. Waits only while the
  // queue is full (see above), never for an empty queue, and never when
  // called from the commit thread.
  void Submit(EncodedBatch batch, std::function<void(Status)> done);
  // Blocks until every batch submitted before the call has been committed
  // (or rejected) and its callback has returned.
  void Flush();
  // Drains the queue and joins the commit thread. Idempotent.
  void Stop();

 private:
  struct Queued {
    EncodedBatch batch;
    std::function<void(Status)> done;
  };

  void Loop();
  // Batches are queued by pointer: a backlog of thousands of batches then
  // holds only what they carry, not a vector (and a spare of its size, kept
  // by the commit thread) of mostly empty fixed-size batch structs.
  using QueuedPtr = std::unique_ptr<Queued>;
  void CommitAndNotify(std::vector<QueuedPtr>& group, std::vector<GroupEntry>& entries);

  CommitFn commit_;
  const size_t max_queued_bytes_;
  std::mutex mu_;
  std::condition_variable work_cv_;     // the commit thread waits for batches
  std::condition_variable flushed_cv_;  // Flush() waits for completed_
  std::condition_variable space_cv_;    // Submit() waits for room in the queue
  std::vector<QueuedPtr> queue_;
  size_t queued_bytes_ = 0;  // guarded by mu_: what queue_ holds
  int64_t submitted_ = 0;  // guarded by mu_
  int64_t completed_ = 0;  // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;     // last: starts after everything above exists
};

}  // namespace keel::sqlite

#endif  // KEEL_STORE_SQLITE_GROUP_COMMIT_H_
