// The Anthropic provider against the protocol test server on loopback.
#include "providers/anthropic/anthropic_chat_model.h"

#include <gtest/gtest.h>

#include "providers/anthropic/anthropic_wire.h"
#include "providers/provider_error.h"
#include "providers/provider_test_util.h"

namespace keel {
namespace {

class AnthropicTest : public ProviderTest, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    ProviderTest::SetUp();
    model_ = NewAnthropicChatModel(Config(), Deps());
  }
  ChatRequest Ask(const std::string& text) {
    ChatRequest r;
    r.model = "claude-sonnet-4-5";
    r.system = "Be brief.";
    r.messages.push_back(ChatMessage::User(text));
    r.stream = GetParam();
    return r;
  }
  std::unique_ptr<ChatModel> model_;
};

INSTANTIATE_TEST_SUITE_P(PlainAndStreamed, AnthropicTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Streamed" : "Plain"; });

TEST_P(AnthropicTest, AnswersTextWithCacheMeters) {
  auto r = Call(*model_, Ask("hello"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->text, "echo: hello");
  EXPECT_EQ(r->stop_reason, kStopEndTurn);
  EXPECT_EQ(r->provider, "anthropic");
  const ModelUsage& u = r->usage;
  // The server splits the prompt: half cache reads, a quarter cache writes, the rest input.
  int64_t prompt = u.input_tokens + u.cached_input_tokens + u.cache_write_tokens;
  EXPECT_EQ(u.cached_input_tokens, prompt / 2);
  EXPECT_EQ(u.cache_write_tokens, prompt / 4);
  EXPECT_GT(u.output_tokens, 0);
  EXPECT_GT(u.cost_usd, 0);
  Json sent = server_->requests().back();
  EXPECT_EQ(sent["system"], "Be brief.");
  EXPECT_EQ(sent.value("stream", false), GetParam());
}

TEST_P(AnthropicTest, ToolUseRoundTripPutsResultsInAUserTurn) {
  ChatRequest req = Ask("weather?");
  req.tools.push_back(WeatherTool());
  auto r = Call(*model_, req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stop_reason, kStopToolUse);
  ASSERT_EQ(r->tool_calls.size(), 1u);
  EXPECT_EQ(r->tool_calls[0].arguments, Json::parse(R"({"city": "sample", "days": 1})"));

  ChatMessage assistant;
  assistant.role = ChatRole::kAssistant;
  assistant.tool_calls = r->tool_calls;
  req.messages.push_back(assistant);
  req.messages.push_back(ChatMessage::ToolResult(r->tool_calls[0].id, "sunny"));
  r = Call(*model_, req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->text, "echo: weather?");
  Json sent = server_->requests().back();
  ASSERT_EQ(sent["messages"].size(), 3u);
  EXPECT_EQ(sent["messages"][2]["role"], "user");
  EXPECT_EQ(sent["messages"][2]["content"][0]["type"], "tool_result");
  EXPECT_EQ(sent["messages"][2]["content"][0]["tool_use_id"],
            sent["messages"][1]["content"][0]["id"]);
}

TEST_P(AnthropicTest, ResponseSchemaIsAForcedTool) {
  ChatRequest req = Ask("classify");
  req.response_schema = Json::parse(
      R"({"type": "object", "properties": {"level": {"enum": ["low", "high"]}},
          "required": ["level"]})");
  req.response_schema_name = "risk";
  auto r = Call(*model_, req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Json::parse(r->text), Json::parse(R"({"level": "low"})"));
  EXPECT_TRUE(r->tool_calls.empty());
  EXPECT_EQ(r->stop_reason, kStopEndTurn);
  EXPECT_EQ(server_->requests().back()["tool_choice"],
            Json::parse(R"({"type": "tool", "name": "risk"})"));
}

TEST(AnthropicRequestBodyTest, AnAgentTurnMayCallAToolOrGiveItsAnswer) {
  // Tools and a response schema together (an agent's turn): the model must
  // call a tool, and the answer tool is one of them.
  ChatRequest req;
  req.model = "claude-test";
  req.messages.push_back(ChatMessage::User("book it"));
  req.tools.push_back({"book_followup", "Books a follow-up.", {{"type", "object"}}});
  req.response_schema = Json{{"type", "object"}};
  req.response_schema_name = "handler";
  Json body = AnthropicRequestBody(req);
  EXPECT_EQ(body["tool_choice"], Json::parse(R"({"type": "any"})"));
  ASSERT_EQ(body["tools"].size(), 2u);
  EXPECT_EQ(body["tools"][0]["name"], "book_followup");
  EXPECT_EQ(body["tools"][1]["name"], "handler");
}

TEST_P(AnthropicTest, OverloadedAndRateLimitedAreRetried) {
  server_->PushFault({FaultKind::kOverloaded, 0, 0});
  server_->PushFault({FaultKind::kRateLimited, 2, 0});
  auto r = Call(*model_, Ask("hi"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->attempts, 3);
  EXPECT_EQ(timers_.delays_us(), (std::vector<int64_t>{50'000, 2'000'000}));
}

TEST_P(AnthropicTest, TruncatedOrGarbledRepliesAreMalformed) {
  ChatRequest req = Ask("hi");
  ProviderConfig config = Config();
  config.retry.max_attempts = 1;
  auto model = NewAnthropicChatModel(config, Deps());
  server_->PushFault({FaultKind::kInvalidJson, 0, 0});
  auto r = Call(*model, req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type(), kErrorMalformed);
}

TEST_P(AnthropicTest, UnauthorizedNeverEchoesTheKey) {
  ProviderConfig config = Config();
  config.api_key = "sk-ant-wrong-987654";
  auto model = NewAnthropicChatModel(config, Deps());
  auto r = Call(*model, Ask("hi"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type(), kErrorAuth);
  EXPECT_EQ(r.error().ToString().find("sk-ant-wrong-987654"), std::string::npos);
  EXPECT_EQ(server_->request_count(), 1);
}

TEST_P(AnthropicTest, RefusalIsTyped) {
  auto r = Call(*model_, Ask("please refuse"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type(), kErrorRefused);
}

TEST(AnthropicStreamTest, AnErrorEventIsTyped) {
  ChatRequest req;
  auto assembler = anthropic_wire::NewAssembler(req);
  SseEvent e;
  e.type = "error";
  e.data = R"({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})";
  Status s = assembler->OnEvent(e);
  EXPECT_EQ(s.type(), kErrorOverloaded);
  EXPECT_TRUE(s.retryable());
}

}  // namespace
}  // namespace keel
