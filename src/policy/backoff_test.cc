#include "policy/backoff.h"

#include <gtest/gtest.h>

namespace keel::policy {
namespace {

TEST(BackoffTest, FullJitterUpToAnExponentialCap) {
  RetryPolicy policy{5, 100, 1000};
  EXPECT_EQ(BackoffMicros(policy, 1, 0.0, std::nullopt), 0);
  EXPECT_EQ(BackoffMicros(policy, 1, 0.5, std::nullopt), 50'000);
  EXPECT_EQ(BackoffMicros(policy, 2, 0.5, std::nullopt), 100'000);
  EXPECT_EQ(BackoffMicros(policy, 3, 0.5, std::nullopt), 200'000);
  EXPECT_EQ(BackoffMicros(policy, 10, 0.5, std::nullopt), 500'000);  // capped at 1 s
  EXPECT_EQ(BackoffMicros(policy, 60, 0.999, std::nullopt), 999'000);
}

TEST(BackoffTest, RetryAfterWinsWhenLonger) {
  RetryPolicy policy{5, 100, 1000};
  EXPECT_EQ(BackoffMicros(policy, 1, 0.5, 2.0), 2'000'000);
  EXPECT_EQ(BackoffMicros(policy, 3, 0.5, 0.01), 200'000);
}

}  // namespace
}  // namespace keel::policy
