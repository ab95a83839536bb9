// ThreadPool: a fixed set of worker threads draining one task queue. The
// engine's only compute threads; nothing that waits on I/O runs here.
// Thread-safe.
#ifndef KEEL_ENGINE_THREAD_POOL_H_
#define KEEL_ENGINE_THREAD_POOL_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace keel {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();  // finishes queued tasks, then joins

  // Queues `task`; dropped once Shutdown() has begun.
  void Post(std::function<void()> task);
  // Finishes the tasks queued now, drops any posted from here on, and joins.
  void Shutdown();
  int size() const { return static_cast<int>(threads_.size()); }

 private:
  void Work();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  bool accepting_ = true;
  std::vector<std::thread> threads_;
};

}  // namespace keel

#endif  // KEEL_ENGINE_THREAD_POOL_H_
