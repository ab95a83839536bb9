// ManualTimerService: a TimerService whose timers fire only when a test (or a
// benchmark that never needs one) says so, together with a FakeClock, so no
// test sleeps. Thread-safe; callbacks run on the thread that calls RunDue /
// AdvanceAndRun, outside the lock.
#ifndef KEEL_POLICY_MANUAL_TIMER_SERVICE_H_
#define KEEL_POLICY_MANUAL_TIMER_SERVICE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/timer_service.h"

namespace keel::policy {

class ManualTimerService : public TimerService {
 public:
  explicit ManualTimerService(FakeClock* clock) : clock_(clock) {}

  void After(int64_t delay_us, std::function<void()> fn) override {
    std::lock_guard<std::mutex> lock(mu_);
    timers_.emplace(std::make_pair(clock_->MonotonicMicros() + delay_us, seq_++), std::move(fn));
  }

  // Runs every timer due at the clock's current time, including ones they
  // schedule that are due too. Returns how many ran.
  int RunDue() {
    int ran = 0;
    for (;;) {
      std::function<void()> fn;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (timers_.empty() || timers_.begin()->first.first > clock_->MonotonicMicros()) break;
        fn = std::move(timers_.begin()->second);
        timers_.erase(timers_.begin());
      }
      fn();
      ++ran;
    }
    return ran;
  }

  // Moves the clock to the next timer and runs what is due; false when no
  // timer is pending.
  bool RunNext() {
    int64_t due;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (timers_.empty()) return false;
      due = timers_.begin()->first.first;
    }
    if (due > clock_->MonotonicMicros()) clock_->Set(due);
    RunDue();
    return true;
  }

  // Runs timers in order until none is left or `max` have run.
  int RunAll(int max = 10'000) {
    int ran = 0;
    while (ran < max && RunNext()) ++ran;
    return ran;
  }

  size_t pending() const {
    std::lock_guard<std::mutex> lock(mu_);
    return timers_.size();
  }

 private:
  FakeClock* clock_;
  mutable std::mutex mu_;
  uint64_t seq_ = 0;
  std::map<std::pair<int64_t, uint64_t>, std::function<void()>> timers_;
};

}  // namespace keel::policy

#endif  // KEEL_POLICY_MANUAL_TIMER_SERVICE_H_
