// FallbackModel: the chain order, which errors fail over, and the breakers.
#include "routing/fallback_model.h"

#include <gtest/gtest.h>

#include <deque>

#include "providers/provider_error.h"

namespace keel {
namespace {

// Answers synchronously from a queue; an empty queue answers OK.
class FakeModel : public Model {
 public:
  explicit FakeModel(std::string name) : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  void Generate(const ModelRequest& request, ModelCallback done) override {
    ++calls;
    if (failures.empty()) {
      ModelReply reply;
      reply.output = {{"from", name_}};
      reply.provider = name_;
      done(std::move(reply));
      return;
    }
    Status error = failures.front();
    failures.pop_front();
    done(error);
  }

  std::deque<Status> failures;
  int calls = 0;

 private:
  std::string name_;
};

class FallbackModelTest : public ::testing::Test {
 protected:
  Result<ModelReply> Call(FallbackModel& model) {
    Result<ModelReply> out = Internal("not answered");
    ModelRequest request;
    request.inputs = {{"x", 1}};
    model.Generate(request, [&](Result<ModelReply> reply) { out = std::move(reply); });
    return out;
  }

  FakeClock clock_;
  std::shared_ptr<FakeModel> primary_ = std::make_shared<FakeModel>("primary");
  std::shared_ptr<FakeModel> backup_ = std::make_shared<FakeModel>("backup");
};

TEST_F(FallbackModelTest, FailsOverOnUnavailableAndNamesTheEntriesTried) {
  FallbackModel model({{"openai/a", primary_}, {"offline", backup_}}, {3, 1000}, &clock_);
  primary_->failures.push_back(ProviderError(kErrorServer, "HTTP 500"));
  Result<ModelReply> reply = Call(model);
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->output["from"], "backup");
  ASSERT_EQ(reply->failed_over.size(), 1u);
  EXPECT_EQ(reply->failed_over[0], "openai/a: server_error");
  EXPECT_EQ(model.name(), "openai/a > offline");
}

TEST_F(FallbackModelTest, AuthAndModelNotFoundFailOverButInvalidRequestDoesNot) {
  EXPECT_TRUE(ShouldFailOver(ProviderError(kErrorAuth, "")));
  EXPECT_TRUE(ShouldFailOver(ProviderError(kErrorModelNotFound, "")));
  EXPECT_TRUE(ShouldFailOver(ProviderError(kErrorRateLimited, "")));
  EXPECT_TRUE(ShouldFailOver(ProviderError(kErrorTimeout, "")));
  EXPECT_FALSE(ShouldFailOver(ProviderError(kErrorInvalidRequest, "")));
  EXPECT_FALSE(ShouldFailOver(ProviderError(kErrorRefused, "")));

  FallbackModel model({{"a", primary_}, {"b", backup_}}, {3, 1000}, &clock_);
  primary_->failures.push_back(ProviderError(kErrorInvalidRequest, "bad schema"));
  Result<ModelReply> reply = Call(model);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().type(), kErrorInvalidRequest);
  EXPECT_EQ(backup_->calls, 0);
}

TEST_F(FallbackModelTest, EveryEntryFailingGivesTheLastErrorWithEachFailure) {
  FallbackModel model({{"a", primary_}, {"b", backup_}}, {3, 1000}, &clock_);
  primary_->failures.push_back(ProviderError(kErrorServer, "HTTP 500"));
  backup_->failures.push_back(ProviderError(kErrorRateLimited, "HTTP 429"));
  Result<ModelReply> reply = Call(model);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().type(), kErrorRateLimited);
  EXPECT_TRUE(reply.status().retryable());
  EXPECT_EQ(reply.status().message(), "every entry of the tier failed: a: HTTP 500; b: HTTP 429");
}

TEST_F(FallbackModelTest, BreakerSkipsAFailingEntryThenProbesAfterTheCooldown) {
  FallbackModel model({{"a", primary_}, {"b", backup_}}, {2, 1000}, &clock_);
  for (int i = 0; i < 2; ++i) primary_->failures.push_back(ProviderError(kErrorServer, "500"));
  ASSERT_TRUE(Call(model).ok());
  ASSERT_TRUE(Call(model).ok());
  EXPECT_EQ(primary_->calls, 2);
  EXPECT_EQ(model.breaker_state(0), policy::BreakerState::kOpen);

  // Open: the primary is not called at all.
  Result<ModelReply> skipped = Call(model);
  ASSERT_TRUE(skipped.ok());
  EXPECT_EQ(primary_->calls, 2);
  EXPECT_EQ(skipped->failed_over, std::vector<std::string>{"a: circuit_open"});

  // After the cool-down one probe goes through; its success closes the breaker.
  clock_.Advance(1'000'000);
  EXPECT_EQ(model.breaker_state(0), policy::BreakerState::kHalfOpen);
  Result<ModelReply> probed = Call(model);
  ASSERT_TRUE(probed.ok());
  EXPECT_EQ(probed->output["from"], "primary");
  EXPECT_EQ(model.breaker_state(0), policy::BreakerState::kClosed);
}

TEST_F(FallbackModelTest, AFailedProbeOpensTheBreakerAgain) {
  FallbackModel model({{"a", primary_}, {"b", backup_}}, {1, 1000}, &clock_);
  primary_->failures.push_back(ProviderError(kErrorServer, "500"));
  ASSERT_TRUE(Call(model).ok());
  EXPECT_EQ(model.breaker_state(0), policy::BreakerState::kOpen);
  clock_.Advance(1'000'000);
  primary_->failures.push_back(ProviderError(kErrorOverloaded, "529"));
  ASSERT_TRUE(Call(model).ok());
  EXPECT_EQ(primary_->calls, 2);
  EXPECT_EQ(model.breaker_state(0), policy::BreakerState::kOpen);
}

TEST_F(FallbackModelTest, AnOpenLastEntryFailsFastAsCircuitOpen) {
  FallbackModel model({{"a", primary_}}, {1, 1000}, &clock_);
  primary_->failures.push_back(ProviderError(kErrorServer, "500"));
  EXPECT_FALSE(Call(model).ok());
  Result<ModelReply> reply = Call(model);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().type(), "circuit_open");
  EXPECT_EQ(primary_->calls, 1);
}

}  // namespace
}  // namespace keel
