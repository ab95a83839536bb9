#include "providers/provider_error.h"

#include <gtest/gtest.h>

namespace keel {
namespace {

TEST(ProviderErrorTest, MapsHttpStatusesToTypes) {
  struct Case {
    int status;
    const char* type;
    bool retryable;
  } cases[] = {{401, kErrorAuth, false},          {403, kErrorAuth, false},
               {404, kErrorModelNotFound, false}, {429, kErrorRateLimited, true},
               {500, kErrorServer, true},         {502, kErrorServer, true},
               {503, kErrorOverloaded, true},     {529, kErrorOverloaded, true},
               {408, kErrorTimeout, true},        {400, kErrorInvalidRequest, false}};
  for (const auto& c : cases) {
    Status s = ErrorFromHttpStatus(c.status, "openai", "details", "");
    EXPECT_EQ(s.type(), c.type) << c.status;
    EXPECT_EQ(s.retryable(), c.retryable) << c.status;
  }
}

TEST(ProviderErrorTest, RateLimitCarriesRetryAfter) {
  Status s = ErrorFromHttpStatus(429, "anthropic", "slow down", "12");
  ASSERT_TRUE(s.retry_after_s().has_value());
  EXPECT_DOUBLE_EQ(*s.retry_after_s(), 12.0);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
}

TEST(ProviderErrorTest, AuthFailureDoesNotRepeatTheProviderText) {
  Status s = ErrorFromHttpStatus(401, "openai", "Incorrect API key provided: sk-live-123", "");
  EXPECT_EQ(s.message().find("sk-live-123"), std::string::npos);
}

TEST(ProviderErrorTest, ParsesRetryAfterSecondsAndDates) {
  EXPECT_EQ(ParseRetryAfter("3", 0), 3.0);
  EXPECT_EQ(ParseRetryAfter("1.5", 0), 1.5);
  EXPECT_EQ(ParseRetryAfter("", 0), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("soon", 0), std::nullopt);
  // Sun, 06 Nov 1994 08:49:37 GMT is 784111777.
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", 784111770), 7.0);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", 784111790), 0.0);
}

TEST(ProviderErrorTest, TransportFailuresMapToTheTaxonomy) {
  EXPECT_EQ(
      ErrorFromTransport(Status(StatusCode::kDeadlineExceeded, "x", "timeout", true), "p").type(),
      kErrorTimeout);
  EXPECT_EQ(
      ErrorFromTransport(Status(StatusCode::kUnavailable, "x", "connection_dropped", true), "p")
          .type(),
      kErrorConnectionDropped);
  EXPECT_EQ(
      ErrorFromTransport(Status(StatusCode::kUnavailable, "x", "connection_failed", true), "p")
          .type(),
      kErrorConnectionDropped);
}

TEST(ProviderErrorTest, RedactsEverySecretOccurrence) {
  EXPECT_EQ(RedactSecret("key k1 and k1", "k1"), "key [redacted] and [redacted]");
  EXPECT_EQ(RedactSecret("nothing", ""), "nothing");
}

}  // namespace
}  // namespace keel
