// Clock: the one source of time for keel, injectable so tests never sleep.
// Thread-safe: implementations may be called from any thread.
#ifndef KEEL_CORE_CLOCK_H_
#define KEEL_CORE_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace keel {

class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the Unix epoch (wall clock; stored in the store).
  virtual int64_t NowMicros() const = 0;
  // Microseconds from an arbitrary origin that never goes backwards.
  virtual int64_t MonotonicMicros() const = 0;
  int64_t NowSeconds() const { return NowMicros() / 1000000; }

  // The process-wide real clock.
  static Clock* Real();
};

// A clock tests move by hand.
class FakeClock : public Clock {
 public:
  explicit FakeClock(int64_t start_micros = 1'700'000'000'000'000) : now_(start_micros) {}
  int64_t NowMicros() const override { return now_.load(); }
  int64_t MonotonicMicros() const override { return now_.load(); }
  void Advance(int64_t micros) { now_ += micros; }
  void Set(int64_t micros) { now_ = micros; }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace keel

#endif  // KEEL_CORE_CLOCK_H_
