#include "store/sqlite/group_commit.h"

#include <utility>

namespace keel::sqlite {

GroupCommitter::GroupCommitter(CommitFn commit)
    : commit_(std::move(commit)), thread_([this] { Loop(); }) {}

GroupCommitter::~GroupCommitter() { Stop(); }

void GroupCommitter::Submit(EncodedBatch batch, std::function<void(Status)> done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      queue_.push_back(Queued{std::move(batch), std::move(done)});
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
  }
  thread_.join();
}

void GroupCommitter::Loop() {
  // Both vectors keep their capacity across groups, so a steady stream of
  // groups allocates nothing here.
  std::vector<Queued> group;
  std::vector<GroupEntry> entries;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything was committed
      group.swap(queue_);
    }
    CommitAndNotify(group, entries);
  }
}

void GroupCommitter::CommitAndNotify(std::vector<Queued>& group, std::vector<GroupEntry>& entries) {
  entries.clear();
  for (const Queued& queued : group) entries.push_back(GroupEntry{&queued.batch, Status()});
  commit_(entries);
  for (size_t i = 0; i < group.size(); ++i) {
    if (group[i].done) group[i].done(std::move(entries[i].result));
  }
  int64_t count = static_cast<int64_t>(group.size());
  group.clear();
  std::lock_guard<std::mutex> lock(mu_);
  completed_ += count;
  flushed_cv_.notify_all();
}

}  // namespace keel::sqlite
