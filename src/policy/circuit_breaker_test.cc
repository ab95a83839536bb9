#include "policy/circuit_breaker.h"

#include <gtest/gtest.h>

namespace keel::policy {
namespace {

constexpr int64_t kMs = 1000;

TEST(CircuitBreakerTest, OpensAfterConsecutiveFailuresOnly) {
  CircuitBreaker breaker(BreakerPolicy{3, 1000});
  breaker.OnFailure(false, 0);
  breaker.OnFailure(false, 0);
  breaker.OnSuccess(false);  // resets the count
  breaker.OnFailure(false, 0);
  breaker.OnFailure(false, 0);
  EXPECT_EQ(breaker.state(0), BreakerState::kClosed);
  breaker.OnFailure(false, 0);
  EXPECT_EQ(breaker.state(0), BreakerState::kOpen);
  CircuitBreaker::Admission refused = breaker.Admit(400 * kMs);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_us, 600 * kMs);
  EXPECT_EQ(refused.state, BreakerState::kOpen);
}

TEST(CircuitBreakerTest, HalfOpenLetsOneProbeThrough) {
  CircuitBreaker breaker(BreakerPolicy{1, 1000});
  breaker.OnFailure(false, 0);
  CircuitBreaker::Admission probe = breaker.Admit(1000 * kMs);
  EXPECT_TRUE(probe.allowed);
  EXPECT_TRUE(probe.probe);
  EXPECT_EQ(probe.state, BreakerState::kHalfOpen);
  EXPECT_FALSE(breaker.Admit(1000 * kMs).allowed);  // the probe is still out
  breaker.OnSuccess(true);
  EXPECT_EQ(breaker.state(1000 * kMs), BreakerState::kClosed);
  EXPECT_TRUE(breaker.Admit(1000 * kMs).allowed);
}

TEST(CircuitBreakerTest, AFailedProbeOpensItForAnotherCooldown) {
  CircuitBreaker breaker(BreakerPolicy{1, 1000});
  breaker.OnFailure(false, 0);
  ASSERT_TRUE(breaker.Admit(1000 * kMs).probe);
  breaker.OnFailure(true, 1000 * kMs);
  EXPECT_FALSE(breaker.Admit(1999 * kMs).allowed);
  EXPECT_TRUE(breaker.Admit(2000 * kMs).probe);
}

TEST(CircuitBreakerTest, ZeroFailuresMeansNoBreaker) {
  CircuitBreaker breaker(BreakerPolicy{0, 1000});
  for (int i = 0; i < 100; ++i) breaker.OnFailure(false, 0);
  EXPECT_TRUE(breaker.Admit(0).allowed);
}

}  // namespace
}  // namespace keel::policy
