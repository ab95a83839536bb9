#include "providers/chat_model_adapter.h"

#include <gtest/gtest.h>

#include "project/definitions.h"
#include "providers/anthropic/anthropic_chat_model.h"
#include "providers/openai/openai_chat_model.h"
#include "providers/provider_error.h"
#include "providers/provider_test_util.h"

namespace keel {
namespace {

class ChatModelAdapterTest : public ProviderTest {
 protected:
  void SetUp() override {
    ProviderTest::SetUp();
    agent_.name = "risk_classifier";
    agent_.description = "Classifies deal risk.";
    agent_.output_schema = Json::parse(
        R"({"type": "object", "required": ["level", "reasons"], "properties": {
             "level": {"enum": ["low", "high"]}, "reasons": {"type": "array", "minItems": 1,
             "items": {"type": "string"}}}})");
  }

  Result<ModelReply> Generate(Model& model, const ModelRequest& request) {
    auto promise = std::make_shared<std::promise<Result<ModelReply>>>();
    auto future = promise->get_future();
    model.Generate(request, [promise](Result<ModelReply> r) { promise->set_value(std::move(r)); });
    return future.get();
  }

  ModelRequest Request() {
    ModelRequest r;
    r.agent = &agent_;
    r.prompt = "Assess this deal.";
    return r;
  }

  AgentDef agent_;
};

TEST_F(ChatModelAdapterTest, OpenAiOutputFollowsTheAgentSchema) {
  ChatModelAdapter model(NewOpenAiChatModel(Config("/v1"), Deps()), {"gpt-4o-mini"});
  EXPECT_EQ(model.name(), "openai/gpt-4o-mini");
  auto r = Generate(model, Request());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->output, Json::parse(R"({"level": "low", "reasons": ["sample"]})"));
  EXPECT_EQ(r->provider, "openai");
  EXPECT_GT(r->usage.input_tokens, 0);
  Json sent = server_->requests().back();
  EXPECT_EQ(sent["response_format"]["json_schema"]["schema"], agent_.output_schema);
  EXPECT_EQ(sent["messages"][0]["content"], "Classifies deal risk.");
}

TEST_F(ChatModelAdapterTest, AnthropicOutputComesFromTheForcedTool) {
  ChatModelAdapter model(NewAnthropicChatModel(Config(), Deps()), {"claude-haiku-4-5", 512, true});
  auto r = Generate(model, Request());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->output, Json::parse(R"({"level": "low", "reasons": ["sample"]})"));
  EXPECT_EQ(server_->requests().back()["tool_choice"]["name"], "risk_classifier");
}

TEST_F(ChatModelAdapterTest, RepairHintFollowsThePrompt) {
  ChatModelAdapter model(NewOpenAiChatModel(Config("/v1"), Deps()), {"gpt-4o-mini"});
  ModelRequest req = Request();
  req.repair_hint = "/level: must be one of low, high";
  ChatRequest chat = model.ToChatRequest(req);
  ASSERT_EQ(chat.messages.size(), 1u);
  EXPECT_NE(chat.messages[0].text.find("Assess this deal."), std::string::npos);
  EXPECT_NE(chat.messages[0].text.find("/level: must be one of low, high"), std::string::npos);
}

TEST_F(ChatModelAdapterTest, TextThatIsNotJsonIsMalformed) {
  agent_.output_schema = Json();  // no schema: the server answers "echo: ..."
  ChatModelAdapter model(NewOpenAiChatModel(Config("/v1"), Deps()), {"gpt-4o-mini"});
  auto r = Generate(model, Request());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type(), kErrorMalformed);
}

TEST_F(ChatModelAdapterTest, ProviderErrorsPassThroughTyped) {
  server_->PushFault({FaultKind::kUnauthorized, 0, 0});
  ChatModelAdapter model(NewOpenAiChatModel(Config("/v1"), Deps()), {"gpt-4o-mini"});
  auto r = Generate(model, Request());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type(), kErrorAuth);
}

}  // namespace
}  // namespace keel
