// EventLoop: the engine's single I/O thread, built on libcurl's multi
// interface. Timers (simulated model latency, retry backoff, lease renewal)
// and, later, HTTP transfers all wait here, so a run waiting on I/O or a
// timer holds no thread. Callbacks run on the loop thread and must be quick:
// they hand real work to the ThreadPool.
//
// Thread-safe: After() and Post() may be called from any thread.
#ifndef KEEL_ENGINE_EVENT_LOOP_H_
#define KEEL_ENGINE_EVENT_LOOP_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/timer_service.h"

namespace keel {

class EventLoop : public TimerService {
 public:
  explicit EventLoop(Clock* clock);
  ~EventLoop() override;  // stops and joins; pending timers are dropped

  void Start();
  void Stop();

  void After(int64_t delay_us, std::function<void()> fn) override;
  void Post(std::function<void()> fn) { After(0, std::move(fn)); }

  // The libcurl multi handle (CURLM*), for HTTP transfers added on the loop.
  void* multi_handle() const { return multi_; }

 private:
  struct Timer {
    int64_t due_us;
    uint64_t order;  // FIFO among equal due times
    std::function<void()> fn;
    bool operator>(const Timer& o) const {
      return due_us != o.due_us ? due_us > o.due_us : order > o.order;
    }
  };
  void Loop();
  // Pops every due timer; returns microseconds until the next one (or -1).
  int64_t RunDueTimers();

  Clock* clock_;
  void* multi_ = nullptr;  // CURLM*, kept opaque so curl.h stays in the .cc
  std::mutex mu_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  uint64_t next_order_ = 0;
  std::atomic<bool> running_{false};
  std::thread thread_;
};

}  // namespace keel

#endif  // KEEL_ENGINE_EVENT_LOOP_H_
