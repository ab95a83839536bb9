#include "engine/run.h"

#include <utility>

#include "engine/thread_pool.h"

namespace keel {

void Run::Post(ThreadPool* pool, std::function<void()> task) {
  Enqueue(pool, std::move(task), false);
}

void Run::Defer(ThreadPool* pool, std::function<void()> task) {
  Enqueue(pool, std::move(task), true);
}

void Run::Enqueue(ThreadPool* pool, std::function<void()> task, bool yield) {
  bool schedule;
  {
    std::lock_guard<std::mutex> lock(strand_mu_);
    strand_.push_back(std::move(task));
    schedule = !strand_scheduled_;
    strand_scheduled_ = true;
    // A strand not scheduled yet is posted below, due as planned anyway.
    yield_ = yield_ || (yield && !schedule);
    pool_ = pool;
  }
  if (schedule) {
    pool->PostBy([self = shared_from_this()] { self->Drain(); },
                 due_us.load(std::memory_order_relaxed));
  }
}

void Run::Drain() {
  // Runs a bounded number of tasks, then yields the thread so one busy run
  // cannot starve the others.
  constexpr size_t kTasksPerTurn = 64;
  size_t ran = 0;
  Json idle_parsed;  // freed after the lock, once the strand is idle
  while (true) {
    std::vector<std::function<void()>> batch;
    {
      std::lock_guard<std::mutex> lock(strand_mu_);
      if (strand_.empty()) {
        // Still this strand's (scheduled): no task can be reading it.
        idle_parsed.swap(parsed);
        strand_scheduled_ = false;
        return;
      }
      if (ran >= kTasksPerTurn || std::exchange(yield_, false)) break;
      batch = std::exchange(strand_, {});  // an idle strand keeps no buffer
    }
    for (std::function<void()>& task : batch) task();
    ran += batch.size();
  }
  pool_->PostBy([self = shared_from_this()] { self->Drain(); },
                due_us.load(std::memory_order_relaxed));
}

}  // namespace keel
