// CircuitBreaker: the breaker policy for one tool. Closed: calls pass and
// consecutive failures are counted; at the policy's threshold it opens. Open:
// calls fail fast with circuit_open until the cool-down has passed; then it
// is half-open and admits exactly one probe. The probe's success closes it;
// its failure opens it again for another cool-down.
//
// A failure is what says the tool is unhealthy: a retryable error, a timeout,
// invalid output. A domain answer such as not_found is a success here.
//
// Thread-safe; one short critical section per admission and per outcome.
#ifndef KEEL_POLICY_CIRCUIT_BREAKER_H_
#define KEEL_POLICY_CIRCUIT_BREAKER_H_

#include <cstdint>
#include <mutex>

#include "tools/tool_policies.h"

namespace keel::policy {

enum class BreakerState { kClosed, kOpen, kHalfOpen };
const char* BreakerStateName(BreakerState state);  // "closed", "open", "half_open"

class CircuitBreaker {
 public:
  explicit CircuitBreaker(const BreakerPolicy& policy) : policy_(policy) {}

  struct Admission {
    bool allowed = true;
    bool probe = false;                          // this call is the half-open probe
    int64_t retry_after_us = 0;                  // refused: until the cool-down ends
    BreakerState state = BreakerState::kClosed;  // the state the call saw
  };
  Admission Admit(int64_t now_us);
  // Reports the outcome of an admitted call.
  void OnSuccess(bool probe);
  void OnFailure(bool probe, int64_t now_us);
  BreakerState state(int64_t now_us) const;

 private:
  const BreakerPolicy policy_;
  mutable std::mutex mu_;
  BreakerState state_ = BreakerState::kClosed;
  int consecutive_failures_ = 0;
  int64_t opened_us_ = 0;
  bool probe_in_flight_ = false;
};

}  // namespace keel::policy

#endif  // KEEL_POLICY_CIRCUIT_BREAKER_H_
