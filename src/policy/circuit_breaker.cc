#include "policy/circuit_breaker.h"

namespace keel::policy {

const char* BreakerStateName(BreakerState state) {
  switch (state) {
    case BreakerState::kClosed:
      return "closed";
    case BreakerState::kOpen:
      return "open";
    case BreakerState::kHalfOpen:
      return "half_open";
  }
  return "closed";
}

CircuitBreaker::Admission CircuitBreaker::Admit(int64_t now_us) {
  if (policy_.failures <= 0) return {};
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ == BreakerState::kClosed) return {};
  int64_t cooldown_end = opened_us_ + policy_.cooldown_ms * 1000;
  if (state_ == BreakerState::kOpen && now_us >= cooldown_end) {
    state_ = BreakerState::kHalfOpen;
    probe_in_flight_ = false;
  }
  if (state_ == BreakerState::kHalfOpen && !probe_in_flight_) {
    probe_in_flight_ = true;
    return {true, true, 0, BreakerState::kHalfOpen};
  }
  // Open, or half-open with the probe still out: fail fast. While a probe is
  // out, callers are told to come back after one more cool-down at most.
  int64_t retry =
      state_ == BreakerState::kOpen ? cooldown_end - now_us : policy_.cooldown_ms * 1000;
  return {false, false, retry, state_};
}

void CircuitBreaker::OnSuccess(bool probe) {
  if (policy_.failures <= 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  consecutive_failures_ = 0;
  if (probe || state_ == BreakerState::kHalfOpen) {
    state_ = BreakerState::kClosed;
    probe_in_flight_ = false;
  }
}

void CircuitBreaker::OnFailure(bool probe, int64_t now_us) {
  if (policy_.failures <= 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (probe) {
    state_ = BreakerState::kOpen;
    opened_us_ = now_us;
    probe_in_flight_ = false;
    return;
  }
  if (state_ != BreakerState::kClosed) return;  // a call admitted before it opened
  if (++consecutive_failures_ >= policy_.failures) {
    state_ = BreakerState::kOpen;
    opened_us_ = now_us;
    consecutive_failures_ = 0;
  }
}

BreakerState CircuitBreaker::state(int64_t now_us) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ == BreakerState::kOpen && now_us >= opened_us_ + policy_.cooldown_ms * 1000) {
    return BreakerState::kHalfOpen;
  }
  return state_;
}

}  // namespace keel::policy
