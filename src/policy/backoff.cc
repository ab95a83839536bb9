#include "policy/backoff.h"

#include <algorithm>

namespace keel::policy {

int64_t BackoffMicros(const RetryPolicy& policy, int attempt, double random01,
                      std::optional<double> retry_after_s) {
  int shift = std::clamp(attempt - 1, 0, 30);
  int64_t cap_ms = std::min(policy.max_backoff_ms, policy.initial_backoff_ms << shift);
  int64_t jittered = static_cast<int64_t>(random01 * double(std::max<int64_t>(cap_ms, 0)) * 1000);
  int64_t asked = retry_after_s ? static_cast<int64_t>(*retry_after_s * 1e6) : 0;
  return std::max(jittered, asked);
}

}  // namespace keel::policy
