#include "policy/token_bucket.h"

#include <gtest/gtest.h>

namespace keel::policy {
namespace {

TEST(TokenBucketTest, UnlimitedAlwaysGrants) {
  TokenBucket bucket(RateLimit{}, 0);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(bucket.Acquire(0).granted);
}

TEST(TokenBucketTest, EmptyBucketFailsFastWithTheTimeTheNextTokenIsDue) {
  TokenBucket bucket(RateLimit{2, 2, 0}, 0);  // 2/s, burst 2
  EXPECT_EQ(bucket.Acquire(0).wait_us, 0);
  EXPECT_TRUE(bucket.Acquire(0).granted);
  TokenBucket::Grant refused = bucket.Acquire(0);
  EXPECT_FALSE(refused.granted);
  EXPECT_EQ(refused.wait_us, 500'000);
  // A refusal takes nothing: the token is there when it said.
  EXPECT_TRUE(bucket.Acquire(500'000).granted);
  EXPECT_FALSE(bucket.Acquire(500'000).granted);
}

TEST(TokenBucketTest, WaitsWithinTheBoundReserveTheirToken) {
  TokenBucket bucket(RateLimit{10, 1, 150}, 0);  // one token per 100 ms, wait up to 150 ms
  EXPECT_EQ(bucket.Acquire(0).wait_us, 0);
  TokenBucket::Grant first = bucket.Acquire(0);
  EXPECT_TRUE(first.granted);
  EXPECT_EQ(first.wait_us, 100'000);
  // The next is due in 200 ms (after the reserved one): past the bound.
  TokenBucket::Grant second = bucket.Acquire(0);
  EXPECT_FALSE(second.granted);
  EXPECT_EQ(second.wait_us, 200'000);
}

TEST(TokenBucketTest, RefillNeverExceedsTheBurst) {
  TokenBucket bucket(RateLimit{1, 3, 0}, 0);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.Acquire(0).granted);
  int64_t later = 3'600'000'000;  // an hour later: still only 3
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.Acquire(later).granted);
  EXPECT_FALSE(bucket.Acquire(later).granted);
}

TEST(TokenBucketTest, RefundGivesTheTokenBack) {
  TokenBucket bucket(RateLimit{1, 1, 0}, 0);
  EXPECT_TRUE(bucket.Acquire(0).granted);
  bucket.Refund();
  EXPECT_TRUE(bucket.Acquire(0).granted);
  EXPECT_FALSE(bucket.Acquire(0).granted);
}

}  // namespace
}  // namespace keel::policy
