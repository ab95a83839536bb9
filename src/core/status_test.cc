#include "core/status.h"

#include <gtest/gtest.h>

namespace keel {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(StatusTest, CarriesCodeTypeAndRetryable) {
  Status s(StatusCode::kUnavailable, "crm down", "crm_unavailable", true);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.type(), "crm_unavailable");
  EXPECT_TRUE(s.retryable());
  EXPECT_EQ(NotFound("x").type(), "not_found");
  EXPECT_EQ(InvalidArgument("bad").WithContext("a.yaml:1:2: ").message(), "a.yaml:1:2: bad");
}

TEST(ResultTest, HoldsValueOrError) {
  Result<int> good = 7;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  Result<int> bad = NotFound("nope");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace keel
