// The OpenAI provider against the protocol test server on loopback.
#include "providers/openai/openai_chat_model.h"

#include <gtest/gtest.h>

#include "providers/provider_error.h"
#include "providers/provider_test_util.h"

namespace keel {
namespace {

class OpenAiTest : public ProviderTest, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    ProviderTest::SetUp();
    model_ = NewOpenAiChatModel(Config("/v1"), Deps());
  }
  ChatRequest Ask(const std::string& text, const std::string& model = "gpt-4o") {
    ChatRequest r;
    r.model = model;
    r.system = "Be brief.";
    r.messages.push_back(ChatMessage::User(text));
    r.stream = GetParam();
    return r;
  }
  std::unique_ptr<ChatModel> model_;
};

INSTANTIATE_TEST_SUITE_P(PlainAndStreamed, OpenAiTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Streamed" : "Plain"; });

TEST_P(OpenAiTest, AnswersTextWithDisjointUsageAndCost) {
  auto r = Call(*model_, Ask("hello"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->text, "echo: hello");
  EXPECT_EQ(r->stop_reason, kStopEndTurn);
  EXPECT_EQ(r->provider, "openai");
  EXPECT_EQ(r->model, "gpt-4o");
  EXPECT_EQ(r->attempts, 1);
  const ModelUsage& u = r->usage;
  // The server caches half the prompt: input + cached is the whole prompt, counted once.
  EXPECT_GT(u.cached_input_tokens, 0);
  EXPECT_EQ(u.cached_input_tokens, (u.input_tokens + u.cached_input_tokens) / 2);
  EXPECT_GT(u.output_tokens, 0);
  EXPECT_EQ(u.reasoning_tokens, 0);
  EXPECT_GT(u.cost_usd, 0);
  EXPECT_GT(r->latency_us, 0);
  Json sent = server_->requests().back();
  EXPECT_EQ(sent["messages"][0], Json({{"role", "system"}, {"content", "Be brief."}}));
  EXPECT_EQ(sent.contains("stream_options"), GetParam());
}

TEST_P(OpenAiTest, SeparatesReasoningFromOutput) {
  auto r = Call(*model_, Ask("think", "o3-mini"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GT(r->usage.reasoning_tokens, 0);
  // The server reports completion = output + reasoning with reasoning = completion / 2.
  int64_t completion = r->usage.output_tokens + r->usage.reasoning_tokens;
  EXPECT_EQ(r->usage.reasoning_tokens, completion / 2);
}

TEST_P(OpenAiTest, AssemblesToolCallsAndSendsToolResults) {
  ChatRequest req = Ask("weather in Paris?");
  req.tools.push_back(WeatherTool());
  auto r = Call(*model_, req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stop_reason, kStopToolUse);
  ASSERT_EQ(r->tool_calls.size(), 1u);
  EXPECT_EQ(r->tool_calls[0].name, "get_weather");
  EXPECT_EQ(r->tool_calls[0].arguments, Json::parse(R"({"city": "sample", "days": 1})"));
  EXPECT_FALSE(r->tool_calls[0].id.empty());

  ChatMessage assistant;
  assistant.role = ChatRole::kAssistant;
  assistant.tool_calls = r->tool_calls;
  req.messages.push_back(assistant);
  req.messages.push_back(ChatMessage::ToolResult(r->tool_calls[0].id, "sunny"));
  r = Call(*model_, req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->text, "echo: weather in Paris?");
  Json sent = server_->requests().back();
  EXPECT_EQ(sent["messages"][3]["role"], "tool");
  EXPECT_EQ(sent["messages"][3]["tool_call_id"], sent["messages"][2]["tool_calls"][0]["id"]);
}

TEST_P(OpenAiTest, ResponseSchemaYieldsJson) {
  ChatRequest req = Ask("classify");
  req.response_schema = Json::parse(
      R"({"type": "object", "properties": {"level": {"enum": ["low", "high"]}},
          "required": ["level"]})");
  auto r = Call(*model_, req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Json::parse(r->text), Json::parse(R"({"level": "low"})"));
  EXPECT_EQ(server_->requests().back()["response_format"]["type"], "json_schema");
}

TEST_P(OpenAiTest, RateLimitWaitsRetryAfterThenSucceeds) {
  server_->PushFault({FaultKind::kRateLimited, 3, 0});
  auto r = Call(*model_, Ask("hi"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->attempts, 2);
  EXPECT_EQ(timers_.delays_us(), std::vector<int64_t>{3'000'000});
}

TEST_P(OpenAiTest, TransientFaultsAreRetriedWithJitteredBackoff) {
  server_->PushFault({FaultKind::kServerError, 0, 0});
  server_->PushFault({FaultKind::kOverloaded, 0, 0});
  server_->PushFault({FaultKind::kInvalidJson, 0, 0});
  auto r = Call(*model_, Ask("hi"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->attempts, 4);
  // Full jitter at a draw of 0.5: half of 100, 200 and 400 ms.
  EXPECT_EQ(timers_.delays_us(), (std::vector<int64_t>{50'000, 100'000, 200'000}));
}

TEST_P(OpenAiTest, ConnectionCutIsRetried) {
  server_->PushFault({FaultKind::kCutMidStream, 0, 0});
  auto r = Call(*model_, Ask("a longer answer to cut"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->attempts, 2);
  EXPECT_EQ(r->text, "echo: a longer answer to cut");
}

TEST_P(OpenAiTest, GivesUpWhenTheAttemptsAreSpent) {
  for (int i = 0; i < 4; ++i) server_->PushFault({FaultKind::kServerError, 0, 0});
  auto r = Call(*model_, Ask("hi"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type(), kErrorServer);
  EXPECT_NE(r.error().message().find("after 4 attempts"), std::string::npos);
  EXPECT_EQ(server_->request_count(), 4);
}

TEST_P(OpenAiTest, UnauthorizedIsNotRetriedAndNeverEchoesTheKey) {
  ProviderConfig config = Config("/v1");
  config.api_key = "sk-wrong-key-1234567";
  auto model = NewOpenAiChatModel(config, Deps());
  auto r = Call(*model, Ask("hi"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type(), kErrorAuth);
  EXPECT_FALSE(r.error().retryable());
  EXPECT_EQ(server_->request_count(), 1);
  EXPECT_EQ(r.error().ToString().find("sk-wrong-key-1234567"), std::string::npos);
  EXPECT_TRUE(timers_.delays_us().empty());
}

TEST_P(OpenAiTest, UnknownModelAndRefusalAreNotRetried) {
  auto r = Call(*model_, Ask("hi", "no-such-model"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type(), kErrorModelNotFound);
  r = Call(*model_, Ask("please refuse this"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type(), kErrorRefused);
  EXPECT_EQ(server_->request_count(), 2);
}

TEST_P(OpenAiTest, SlowFirstByteHitsTheTimeoutThenRetries) {
  ProviderConfig config = Config("/v1");
  config.total_timeout_ms = 300;
  auto model = NewOpenAiChatModel(config, Deps());
  server_->PushFault({FaultKind::kSlowFirstByte, 0, 600});
  auto r = Call(*model, Ask("hi"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->attempts, 2);
}

TEST_P(OpenAiTest, BaseUrlAndKeyComeFromTheEnvironment) {
  setenv("OPENAI_BASE_URL", (server_->base_url() + "/v1/").c_str(), 1);
  setenv("OPENAI_API_KEY", kKey, 1);
  ProviderConfig config;  // neither set: the environment decides
  auto model = NewOpenAiChatModel(config, Deps());
  unsetenv("OPENAI_BASE_URL");
  unsetenv("OPENAI_API_KEY");
  auto r = Call(*model, Ask("from env"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->text, "echo: from env");
}

using OpenAiStreamTest = ProviderTest;

TEST_F(OpenAiStreamTest, SilentStreamHitsTheIdleTimeout) {
  ProviderConfig config = Config("/v1");
  config.idle_timeout_ms = 1000;  // libcurl checks the idle window in whole seconds
  config.retry.max_attempts = 1;
  auto model = NewOpenAiChatModel(config, Deps());
  server_->PushFault({FaultKind::kSlowFirstByte, 0, 2500});
  ChatRequest req;
  req.model = "gpt-4o";
  req.stream = true;
  req.messages.push_back(ChatMessage::User("hi"));
  auto r = Call(*model, req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type(), kErrorTimeout);
  EXPECT_TRUE(r.error().retryable());
}

TEST(OpenAiConfigTest, UnreachableServerIsAConnectionError) {
  EventLoop loop(Clock::Real());
  loop.Start();
  HttpClient http(&loop);
  RecordingTimers timers(&loop);
  ProviderConfig config;
  config.base_url = "http://127.0.0.1:1/v1";
  config.api_key = "k";
  config.retry.max_attempts = 1;
  auto model = NewOpenAiChatModel(config, {&http, &timers, Clock::Real(), nullptr});
  ChatRequest req;
  req.model = "gpt-4o";
  req.messages.push_back(ChatMessage::User("x"));
  auto r = CallSync(*model, req);
  loop.Stop();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type(), kErrorConnectionDropped);
}

}  // namespace
}  // namespace keel
