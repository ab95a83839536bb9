// ThreadPool: a fixed set of worker threads draining one task queue. The
// engine's only compute threads; nothing that waits on I/O runs here.
//
// Tasks run earliest due time first, ties in posting order; Post() makes a
// task due at once, so with no PostBy() this is a FIFO queue. The engine
// makes a run's tasks due when its workflow's plan says the run should reach
// the node it is at (see PlannedOffsetUs in run_internal.h), so under load
// the runs behind their plan, with the most model calls still to make, reach
// their next model call or tool first: the classic critical-path-first rule.
// A task waits at most until it is due plus the backlog, so nothing starves.
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

  // The pool's clock (steady, microseconds), which due times are on.
  static int64_t NowUs();
  // Queues `task`, due now. Dropped once Shutdown() has begun.
  void Post(std::function<void()> task) { PostBy(std::move(task), NowUs()); }
  // Queues `task` to run once the tasks due before `due_us` have (a time in
  // the past is simply overdue). Dropped once Shutdown() has begun.
  void PostBy(std::function<void()> task, int64_t due_us);
  // Finishes the tasks queued now, drops any posted from here on, and joins.
  void Shutdown();
  int size() const { return static_cast<int>(threads_.size()); }

 private:
  struct Entry {
    int64_t due_us;
    uint64_t seq;
    std::function<void()> task;
    bool operator>(const Entry& o) const {
      return due_us != o.due_us ? due_us > o.due_us : seq > o.seq;
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
