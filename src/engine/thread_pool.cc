#include "engine/thread_pool.h"

#include <chrono>

namespace keel {

ThreadPool::ThreadPool(int threads) {
  if (threads < 1) threads = 1;
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
}

ThreadPool::~ThreadPool() { Shutdown(); }

void ThreadPool::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    accepting_ = false;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

int64_t ThreadPool::NowUs() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

void ThreadPool::PostBy(std::function<void()> task, int64_t due_us) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!accepting_) return;
    tasks_.push(Entry{due_us, next_seq_++, std::move(task)});
  }
  cv_.notify_one();
}

void ThreadPool::Work() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stopping and drained
      // top() is const; the entry is popped right after its task moves out.
      task = std::move(const_cast<Entry&>(tasks_.top()).task);
      tasks_.pop();
    }
    task();
  }
}

}  // namespace keel
