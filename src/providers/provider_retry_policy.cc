#include "providers/provider_retry_policy.h"

#include <algorithm>
#include <cmath>

namespace keel {

std::optional<int64_t> NextRetryDelayMs(const ProviderRetryPolicy& policy, const Status& error,
                                        int attempts_made, int64_t elapsed_ms, double uniform01) {
  if (error.ok() || !error.retryable() || attempts_made >= policy.max_attempts) {
    return std::nullopt;
  }
  int64_t delay_ms;
  if (error.retry_after_s()) {
    delay_ms = static_cast<int64_t>(std::ceil(*error.retry_after_s() * 1000));
  } else {
    // 2^n overflows nothing here: the exponent is capped well below 63.
    int shift = std::min(attempts_made - 1, 30);
    double cap = std::min<double>(static_cast<double>(policy.max_backoff_ms),
                                  static_cast<double>(policy.initial_backoff_ms) * (1LL << shift));
    delay_ms = static_cast<int64_t>(cap * std::clamp(uniform01, 0.0, 1.0));
  }
  if (elapsed_ms + delay_ms > policy.total_budget_ms) return std::nullopt;
  return delay_ms;
}

}  // namespace keel
