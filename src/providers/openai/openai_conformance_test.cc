// Checks keel's OpenAI traffic against OpenAI's published OpenAPI document:
// every request the provider sends must match CreateChatCompletionRequest,
// and every reply the test server gives must match
// CreateChatCompletionResponse / CreateChatCompletionStreamResponse.
//
// The document is OpenAPI 3.1 (JSON Schema 2020-12 dialect) and is checked
// here with keel's draft-07 JsonSchema. What had to be adapted, in Draft07():
//   - `nullable: true`, an OpenAPI 3.0 keyword some schemas still carry, is
//     not JSON Schema: it becomes "null" added to `type` (and to `enum`).
//   - `$ref` into "#/components/schemas/..." resolves within the document,
//     so the schemas are checked as {"allOf": [{"$ref": ...}], "components": ...}.
// Everything else used by these schemas (type arrays, const, anyOf, enum,
// required, additionalProperties) means the same in draft-07; the
// `discriminator`, `x-*` and `deprecated` annotations are ignored by both.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>

#include "model_server.h"
#include "protocol.h"
#include "project/definitions.h"
#include "providers/chat_model_adapter.h"
#include "providers/openai/openai_chat_model.h"
#include "providers/provider_test_util.h"
#include "schema/json_schema.h"

namespace keel {
namespace {

constexpr const char* kOpenApi = "../shared/conformance/openai-openapi/openapi.yaml";

Json Scalar(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() == "!") return s;  // quoted: always a string
  if (s == "null" || s == "~") return nullptr;
  if (s == "true") return true;
  if (s == "false") return false;
  Json number = Json::parse(s, nullptr, false);
  return number.is_number() ? number : Json(s);
}

Json ToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return Scalar(node);
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : node) out.push_back(ToJson(item));
      return out;
    }
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& kv : node) out[kv.first.Scalar()] = ToJson(kv.second);
      return out;
    }
    default:
      return nullptr;
  }
}

void Draft07(Json& node) {
  if (node.is_array()) {
    for (auto& item : node) Draft07(item);
    return;
  }
  if (!node.is_object()) return;
  if (node.value("nullable", false)) {
    if (node.contains("type") && node["type"].is_string()) {
      node["type"] = Json::array({node["type"], "null"});
    }
    if (node.contains("enum") && node["enum"].is_array()) node["enum"].push_back(nullptr);
    node.erase("nullable");
  }
  for (auto& [key, value] : node.items()) Draft07(value);
}

class OpenAiConformanceTest : public ProviderTest {
 protected:
  static void SetUpTestSuite() {
    if (!std::filesystem::exists(kOpenApi)) return;
    Json doc = ToJson(YAML::LoadFile(kOpenApi));
    components_ = new Json(std::move(doc["components"]));
    Draft07(*components_);
  }
  static void TearDownTestSuite() {
    delete components_;
    components_ = nullptr;
  }
  void SetUp() override {
    if (components_ == nullptr) GTEST_SKIP() << kOpenApi << " is absent (the shared test material)";
    ProviderTest::SetUp();
  }

  static std::shared_ptr<const JsonSchema> Schema(const std::string& name) {
    Json root = {{"allOf", {{{"$ref", "#/components/schemas/" + name}}}},
                 {"components", *components_}};
    auto schema = JsonSchema::Compile(root);
    EXPECT_TRUE(schema.ok()) << schema.status().ToString();
    return schema.ok() ? *schema : nullptr;
  }

  // Requests covering plain and streamed calls, tools, tool results, a
  // response schema, and an agent's turn (tools with a response schema, a
  // refused call's error result).
  std::vector<Json> SendRequests() {
    std::shared_ptr<ChatModel> model = NewOpenAiChatModel(Config("/v1"), Deps());
    AgentDef agent;
    agent.name = "weather_agent";
    agent.description = "Answers with the weather.";
    agent.output_schema = WeatherTool().parameters;
    for (bool stream : {false, true}) {
      ChatRequest req;
      req.model = "gpt-4o-mini";
      req.system = "Be brief.";
      req.stream = stream;
      req.messages.push_back(ChatMessage::User("weather?"));
      req.tools.push_back(WeatherTool());
      auto r = CallSync(*model, req);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      ChatMessage assistant;
      assistant.role = ChatRole::kAssistant;
      assistant.tool_calls = r->tool_calls;
      req.messages.push_back(assistant);
      req.messages.push_back(ChatMessage::ToolResult(r->tool_calls.at(0).id, "sunny"));
      req.tool_choice = {ToolChoice::kTool, "get_weather"};
      EXPECT_TRUE(CallSync(*model, req).ok());
      ChatRequest structured;
      structured.model = "o3-mini";
      structured.stream = stream;
      structured.messages.push_back(ChatMessage::User("classify"));
      structured.response_schema = WeatherTool().parameters;
      EXPECT_TRUE(CallSync(*model, structured).ok());
      ChatModelAdapter adapter(model, {"gpt-4o-mini", 256, stream});
      TurnRequest turn;
      turn.agent = &agent;
      turn.turn = 2;
      turn.messages = {ChatMessage::User("weather in Oslo?"),
                       ChatMessage::Assistant("Checking.", r->tool_calls),
                       ChatMessage::ToolResult(r->tool_calls.at(0).id,
                                               R"({"error":"not_allowed"})", true)};
      turn.tools = {WeatherTool()};
      Result<TurnReply> turned = TurnSync(adapter, turn);
      EXPECT_TRUE(turned.ok()) << turned.status().ToString();
    }
    return server_->requests();
  }

  static Json* components_;
};

Json* OpenAiConformanceTest::components_ = nullptr;

TEST_F(OpenAiConformanceTest, RequestsMatchCreateChatCompletionRequest) {
  auto schema = Schema("CreateChatCompletionRequest");
  ASSERT_NE(schema, nullptr);
  auto requests = SendRequests();
  ASSERT_EQ(requests.size(), 8u);
  for (const auto& request : requests) {
    EXPECT_TRUE(schema->Validate(request).ok()) << schema->Validate(request).ToString() << "\n"
                                                << request.dump(2);
  }
}

TEST_F(OpenAiConformanceTest, ServerRepliesMatchTheResponseSchemas) {
  auto plain = Schema("CreateChatCompletionResponse");
  auto chunk = Schema("CreateChatCompletionStreamResponse");
  ASSERT_NE(plain, nullptr);
  ASSERT_NE(chunk, nullptr);
  for (Json request : SendRequests()) {
    auto answer = model_server::DecideOpenAi(request, std::nullopt);
    Json body = model_server::OpenAiResponse(request, answer);
    EXPECT_TRUE(plain->Validate(body).ok()) << plain->Validate(body).ToString();
    request["stream_options"] = {{"include_usage", true}};
    for (const auto& frame : model_server::OpenAiStream(request, answer)) {
      std::string data = frame.substr(6, frame.size() - 8);  // "data: " ... "\n\n"
      if (data == "[DONE]") continue;
      Json event = Json::parse(data);
      EXPECT_TRUE(chunk->Validate(event).ok()) << chunk->Validate(event).ToString() << "\n" << data;
    }
  }
}

TEST_F(OpenAiConformanceTest, TheSchemaRejectsAMalformedRequest) {
  auto schema = Schema("CreateChatCompletionRequest");
  ASSERT_NE(schema, nullptr);
  EXPECT_FALSE(schema->Validate({{"model", "gpt-4o"}}).ok());  // no messages
  EXPECT_FALSE(
      schema->Validate({{"model", "gpt-4o"}, {"messages", {{{"role", "robot"}, {"content", "x"}}}}})
          .ok());
}

}  // namespace
}  // namespace keel
