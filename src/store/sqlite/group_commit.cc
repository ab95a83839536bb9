#include "store/sqlite/group_commit.h"

#include <utility>

namespace keel::sqlite {

GroupCommitter::GroupCommitter(CommitFn commit, size_t max_queued_bytes)
    : commit_(std::move(commit)),
      max_queued_bytes_(max_queued_bytes),
      thread_([this] { Loop(); }) {}

GroupCommitter::~GroupCommitter() { Stop(); }

void GroupCommitter::Submit(EncodedBatch batch, std::function<void(Status)> done) {
  size_t bytes = batch.Bytes();
  {
    std::unique_lock<std::mutex> lock(mu_);
    // Backpressure: a full queue waits for the commit thread to take it
    // (one group commit at most). The commit thread itself never waits.
    if (std::this_thread::get_id() != thread_.get_id()) {
      space_cv_.wait(lock, [&] {
        return stopping_ || queue_.empty() || queued_bytes_ + bytes <= max_queued_bytes_;
      });
    }
    if (!stopping_) {
      queued_bytes_ += bytes;
      queue_.push_back(std::make_unique<Queued>(Queued{std::move(batch), std::move(done)}));
      ++submitted_;
      work_cv_.notify_one();
      return;
    }
  }
  if (done) done(Unavailable("store is closed"));
}

void GroupCommitter::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  int64_t target = submitted_;
  flushed_cv_.wait(lock, [&] { return completed_ >= target; });
}

void GroupCommitter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    work_cv_.notify_one();
    space_cv_.notify_all();  // a submitter waiting for room gets kUnavailable
  }
  thread_.join();
}

void GroupCommitter::Loop() {
  // Both vectors keep their capacity across groups: only the batches
  // themselves are allocated (at Submit), and freed once committed.
  std::vector<QueuedPtr> group;
  std::vector<GroupEntry> entries;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything was committed
      group.swap(queue_);
      queued_bytes_ = 0;
    }
    space_cv_.notify_all();
    CommitAndNotify(group, entries);
  }
}

void GroupCommitter::CommitAndNotify(std::vector<QueuedPtr>& group,
                                     std::vector<GroupEntry>& entries) {
  entries.clear();
  for (const QueuedPtr& queued : group) entries.push_back(GroupEntry{&queued->batch, Status()});
  commit_(entries);
  for (size_t i = 0; i < group.size(); ++i) {
    if (group[i]->done) group[i]->done(std::move(entries[i].result));
    group[i].reset();  // what the batch carried is freed now, not after the whole group
  }
  int64_t count = static_cast<int64_t>(group.size());
  group.clear();
  std::lock_guard<std::mutex> lock(mu_);
  completed_ += count;
  flushed_cv_.notify_all();
}

}  // namespace keel::sqlite
