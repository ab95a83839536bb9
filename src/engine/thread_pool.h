// ThreadPool: a fixed set of worker threads draining one task queue. The
// engine's only compute threads; nothing that waits on I/O runs here.
//
// Tasks run earliest deadline first: a task's deadline is the time it was
// posted plus the slack it was posted with, ties in posting order. With no
// slack this is a FIFO queue. The engine gives runs with less of their
// workflow left more slack (see RunSlackUs in run_internal.h), so under load
// the runs with the longest way to go reach their next model call or tool
// first: the classic critical-path-first rule. A task's wait is bounded by
// its slack plus the backlog, so nothing starves.
//
// Thread-safe.
#ifndef KEEL_ENGINE_THREAD_POOL_H_
#define KEEL_ENGINE_THREAD_POOL_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace keel {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();  // finishes queued tasks, then joins

  // Queues `task` to run once the tasks with earlier deadlines have; its
  // deadline is now + `slack_us`. Dropped once Shutdown() has begun.
  void Post(std::function<void()> task, int64_t slack_us = 0);
  // Finishes the tasks queued now, drops any posted from here on, and joins.
  void Shutdown();
  int size() const { return static_cast<int>(threads_.size()); }

 private:
  struct Entry {
    int64_t deadline_us;
    uint64_t seq;
    std::function<void()> task;
    bool operator>(const Entry& o) const {
      return deadline_us != o.deadline_us ? deadline_us > o.deadline_us : seq > o.seq;
    }
  };

  void Work();

  std::mutex mu_;
  std::condition_variable cv_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> tasks_;
  uint64_t next_seq_ = 0;
  bool stopping_ = false;
  bool accepting_ = true;
  std::vector<std::thread> threads_;
};

}  // namespace keel

#endif  // KEEL_ENGINE_THREAD_POOL_H_
