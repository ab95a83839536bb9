// TimerService: schedules a callback after a delay without holding a thread
// while waiting (implemented by the engine's event loop). Thread-safe.
#ifndef KEEL_CORE_TIMER_SERVICE_H_
#define KEEL_CORE_TIMER_SERVICE_H_

#include <cstdint>
#include <functional>

namespace keel {

class TimerService {
 public:
  virtual ~TimerService() = default;
  // Runs `fn` once, on the service's thread, after `delay_us` microseconds.
  // `fn` must be quick: hand real work to a pool.
  virtual void After(int64_t delay_us, std::function<void()> fn) = 0;
};

}  // namespace keel

#endif  // KEEL_CORE_TIMER_SERVICE_H_
