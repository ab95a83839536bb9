// EventLoop: keel's single I/O thread, built on libcurl's multi interface.
// Timers (simulated model latency, retry backoff, lease renewal) and HTTP
// transfers all wait here, so a run waiting on I/O or a timer holds no
// thread. Callbacks run on the loop thread and must be quick: they hand real
// work to a thread pool.
//
// Thread-safe: After() and Post() may be called from any thread.
// AddTransfer(), RemoveTransfer() and multi_handle() use are loop-thread
// only (libcurl handles are not thread-safe); post to the loop to use them.
#ifndef KEEL_IO_EVENT_LOOP_H_
#define KEEL_IO_EVENT_LOOP_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/timer_service.h"

namespace keel {

class EventLoop : public TimerService {
 public:
  // Called on the loop thread when a transfer ends, with its CURLcode
  // (CURLE_OK on success). The easy handle is already out of the multi.
  using TransferDone = std::function<void(int curl_code)>;

  explicit EventLoop(Clock* clock);
  // Stops and joins; pending timers are dropped and unfinished transfers end
  // with CURLE_ABORTED_BY_CALLBACK on the loop thread before it exits.
  ~EventLoop() override;

  void Start();
  void Stop();

  void After(int64_t delay_us, std::function<void()> fn) override;
  void Post(std::function<void()> fn) { After(0, std::move(fn)); }

  // True on the loop's own thread.
  bool InLoopThread() const { return std::this_thread::get_id() == thread_id_.load(); }

  // Adds a configured easy handle (CURL*) to the multi; `done` runs once when
  // it finishes. Loop thread only. The caller keeps ownership of the handle.
  void AddTransfer(void* easy, TransferDone done);
  // Removes an unfinished transfer without calling its `done`. Loop thread only.
  void RemoveTransfer(void* easy);
  size_t active_transfers() const { return transfers_.size(); }

  // The libcurl multi handle (CURLM*), for options set on the loop thread.
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
  // Completes every transfer curl reports as done.
  void DrainFinishedTransfers();
  void AbortTransfers();

  Clock* clock_;
  void* multi_ = nullptr;  // CURLM*, kept opaque so curl.h stays in the .cc
  std::mutex mu_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  uint64_t next_order_ = 0;
  std::atomic<bool> running_{false};
  std::atomic<std::thread::id> thread_id_{};
  std::thread thread_;
  // Loop thread only: active transfers and their completions.
  std::unordered_map<void*, TransferDone> transfers_;
};

}  // namespace keel

#endif  // KEEL_IO_EVENT_LOOP_H_
