// ProviderRetryPolicy: when a failed provider call is tried again. Exponential
// backoff with full jitter (a uniform wait in [0, min(max, initial * 2^n)]),
// a Retry-After from the provider honoured as given, only for retryable
// errors, and within a per-call budget of attempts and total time.
//
// Thread-safe: a plain value; NextRetryDelayMs is a pure function.
#ifndef KEEL_PROVIDERS_PROVIDER_RETRY_POLICY_H_
#define KEEL_PROVIDERS_PROVIDER_RETRY_POLICY_H_

#include <cstdint>
#include <optional>

#include "core/status.h"

namespace keel {

struct ProviderRetryPolicy {
  int max_attempts = 4;  // the first try included
  int64_t initial_backoff_ms = 500;
  int64_t max_backoff_ms = 20'000;
  int64_t total_budget_ms = 120'000;  // from the first try's start to the last retry's start
};

// The wait before attempt number `attempts_made + 1`, or nullopt when the
// call should fail now: `error` is not retryable, the attempts are spent, or
// the wait would end past the budget. `uniform01` is a draw in [0, 1).
std::optional<int64_t> NextRetryDelayMs(const ProviderRetryPolicy& policy, const Status& error,
                                        int attempts_made, int64_t elapsed_ms, double uniform01);

}  // namespace keel

#endif  // KEEL_PROVIDERS_PROVIDER_RETRY_POLICY_H_
