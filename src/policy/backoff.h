// Backoff: the retry policy's delay before attempt n+1, exponential with full
// jitter so retries from many runs do not align. Pure function; thread-safe.
#ifndef KEEL_POLICY_BACKOFF_H_
#define KEEL_POLICY_BACKOFF_H_

#include <cstdint>
#include <optional>

#include "tools/tool_policies.h"

namespace keel::policy {

// Microseconds to wait after failed attempt `attempt` (1-based): uniform in
// [0, min(max_backoff, initial_backoff * 2^(attempt-1))] via `random01` in
// [0, 1), or `retry_after_s` when the tool asked for longer.
int64_t BackoffMicros(const RetryPolicy& policy, int attempt, double random01,
                      std::optional<double> retry_after_s);

}  // namespace keel::policy

#endif  // KEEL_POLICY_BACKOFF_H_
