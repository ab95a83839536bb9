#include "providers/provider_retry_policy.h"

#include <gtest/gtest.h>

#include "providers/provider_error.h"

namespace keel {
namespace {

const Status kRetryable = ProviderError(kErrorServer, "boom");

TEST(ProviderRetryPolicyTest, FullJitterStaysUnderTheExponentialCap) {
  ProviderRetryPolicy p;
  p.initial_backoff_ms = 100;
  p.max_backoff_ms = 1000;
  p.max_attempts = 10;
  EXPECT_EQ(NextRetryDelayMs(p, kRetryable, 1, 0, 0.999), 99);  // cap 100
  EXPECT_EQ(NextRetryDelayMs(p, kRetryable, 2, 0, 0.5), 100);   // cap 200
  EXPECT_EQ(NextRetryDelayMs(p, kRetryable, 3, 0, 0.5), 200);   // cap 400
  EXPECT_EQ(NextRetryDelayMs(p, kRetryable, 6, 0, 0.5), 500);   // capped at max 1000
  EXPECT_EQ(NextRetryDelayMs(p, kRetryable, 2, 0, 0.0), 0);
}

TEST(ProviderRetryPolicyTest, HonoursRetryAfter) {
  Status limited = ProviderError(kErrorRateLimited, "slow down");
  limited.set_retry_after_s(2.5);
  EXPECT_EQ(NextRetryDelayMs(ProviderRetryPolicy{}, limited, 1, 0, 0.1), 2500);
}

TEST(ProviderRetryPolicyTest, StopsForNonRetryableErrorsAttemptsAndBudget) {
  ProviderRetryPolicy p;
  p.max_attempts = 3;
  p.total_budget_ms = 1000;
  p.initial_backoff_ms = 100;
  EXPECT_EQ(NextRetryDelayMs(p, ProviderError(kErrorAuth, "no"), 1, 0, 0.5), std::nullopt);
  EXPECT_EQ(NextRetryDelayMs(p, kRetryable, 3, 0, 0.5), std::nullopt);
  Status limited = ProviderError(kErrorRateLimited, "later");
  limited.set_retry_after_s(2);
  EXPECT_EQ(NextRetryDelayMs(p, limited, 1, 0, 0.5), std::nullopt);  // would end past the budget
  EXPECT_EQ(NextRetryDelayMs(p, kRetryable, 1, 950, 0.4), 40);
  EXPECT_EQ(NextRetryDelayMs(p, kRetryable, 1, 950, 0.9), std::nullopt);
}

}  // namespace
}  // namespace keel
