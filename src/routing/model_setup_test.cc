// Model setup against the protocol test server: a tier's chain served by a
// real HTTP provider, failing over to the deterministic fallback, with the
// configured prices.
#include "routing/model_setup.h"

#include <gtest/gtest.h>

#include <future>

#include "model_server.h"

namespace keel {
namespace {

class ModelSetupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ModelServerOptions options;
    options.api_key = "sk-setup-test-7777";
    server_ = std::make_unique<ModelTestServer>(options);
    ASSERT_TRUE(server_->Start().ok());
    loop_->Start();
    agent_.name = "risk_classifier";
    agent_.output_schema = Json::parse(
        R"({"type": "object", "required": ["level", "reasons"], "properties": {
             "level": {"enum": ["low", "high"]}, "reasons": {"type": "array"}}})");
    agent_.fallback = *ValueExpression::Parse({{"level", "'high'"}, {"reasons", "['offline']"}});

    ProviderSettings openai;
    openai.base_url = server_->base_url() + "/v1";
    openai.api_key = "sk-setup-test-7777";
    openai.max_attempts = 1;  // fail over at once
    config_.models.providers["openai"] = openai;
    config_.models.prices["gpt-test"] = {{"input", 1000000.0}, {"output", 0.0}};
    config_.models.breaker = {2, 60'000};
    config_.tiers["small"] = {{"openai", "gpt-test"}, {"offline", ""}};
    deps_.loop = loop_.get();
    deps_.clock = Clock::Real();
  }
  void TearDown() override {
    loop_->Stop();
    resources_.reset();
    loop_.reset();
  }

  Status Build() {
    auto resources = ModelResources::Create(config_, deps_);
    if (!resources.ok()) return resources.status();
    resources_ = std::move(resources).value();
    return SetUpModelRouter(config_, resources_.get(), deps_, &router_);
  }

  Result<ModelReply> Generate(const std::string& tier) {
    ModelRequest request;
    request.agent = &agent_;
    request.prompt = "Assess.";
    auto promise = std::make_shared<std::promise<Result<ModelReply>>>();
    auto future = promise->get_future();
    router_.ForTier(tier)->Generate(
        request, [promise](Result<ModelReply> r) { promise->set_value(std::move(r)); });
    return future.get();
  }

  std::unique_ptr<ModelTestServer> server_;
  std::unique_ptr<EventLoop> loop_ = std::make_unique<EventLoop>(Clock::Real());
  AgentDef agent_;
  ProjectConfig config_;
  ModelSetupDeps deps_;
  std::unique_ptr<ModelResources> resources_;
  ModelRouter router_;
};

TEST_F(ModelSetupTest, TierIsServedByTheProviderWithConfiguredPrices) {
  ASSERT_TRUE(Build().ok());
  Result<ModelReply> reply = Generate("small");
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->provider, "openai");
  EXPECT_FALSE(reply->from_fallback);
  EXPECT_TRUE(reply->failed_over.empty());
  ASSERT_GT(reply->usage.input_tokens, 0);
  // The override: one USD per input token.
  EXPECT_DOUBLE_EQ(reply->usage.cost_usd, static_cast<double>(reply->usage.input_tokens));
  EXPECT_EQ(server_->requests().back()["model"], "gpt-test");
}

TEST_F(ModelSetupTest, ServerErrorsFailOverToOfflineAndOpenTheBreaker) {
  ASSERT_TRUE(Build().ok());
  for (int i = 0; i < 2; ++i) server_->PushFault({FaultKind::kServerError});
  for (int i = 0; i < 3; ++i) {
    Result<ModelReply> reply = Generate("small");
    ASSERT_TRUE(reply.ok()) << reply.status().ToString();
    EXPECT_TRUE(reply->from_fallback);
    EXPECT_EQ(reply->output["reasons"][0], "offline");
    EXPECT_EQ(reply->failed_over.size(), 1u);
  }
  // The third call found the breaker open and never reached the server.
  EXPECT_EQ(server_->request_count(), 2);
}

TEST_F(ModelSetupTest, TiersListingTheSameEntryShareItsBreaker) {
  config_.tiers["medium"] = config_.tiers["small"];
  ASSERT_TRUE(Build().ok());
  for (int i = 0; i < 2; ++i) server_->PushFault({FaultKind::kServerError});
  ASSERT_TRUE(Generate("small").ok());
  ASSERT_TRUE(Generate("medium").ok());
  // Open after one failure in each tier: neither tier calls the server now.
  Result<ModelReply> reply = Generate("small");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->failed_over, std::vector<std::string>{"openai/gpt-test: circuit_open"});
  ASSERT_TRUE(Generate("medium").ok());
  EXPECT_EQ(server_->request_count(), 2);
}

TEST_F(ModelSetupTest, AWrongKeyFailsOverAsAuthWithoutTheKey) {
  config_.models.providers["openai"].api_key = "sk-wrong-key-1234";
  ASSERT_TRUE(Build().ok());
  Result<ModelReply> reply = Generate("small");
  ASSERT_TRUE(reply.ok());
  ASSERT_EQ(reply->failed_over.size(), 1u);
  EXPECT_EQ(reply->failed_over[0], "openai/gpt-test: auth");
}

TEST_F(ModelSetupTest, UntieredNamesUseTheDefaultProvider) {
  ASSERT_TRUE(Build().ok());
  Result<ModelReply> reply = Generate("large");
  ASSERT_TRUE(reply.ok());
  EXPECT_TRUE(reply->from_fallback);
  EXPECT_EQ(server_->request_count(), 0);
}

TEST_F(ModelSetupTest, SettingsThatCannotServeAreRejected) {
  config_.tiers["small"] = {{"openai", ""}};
  EXPECT_EQ(Build().code(), StatusCode::kInvalidArgument);
  config_.tiers.erase("small");
  config_.model_provider = "anthropic";
  Status status = Build();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("small, medium and large"), std::string::npos);
  config_.model_provider = "offline";
  config_.models.prices["bad"] = {{"input", "ten"}};
  EXPECT_EQ(Build().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace keel
