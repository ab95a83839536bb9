#include "providers/anthropic/anthropic_chat_model.h"

#include "providers/anthropic/anthropic_wire.h"
#include "providers/internal/http_chat_model.h"
#include "providers/provider_error.h"

namespace keel {
namespace {

using providers_internal::ChatProtocol;
using providers_internal::StreamAssembler;

Json AssistantContent(const ChatMessage& m) {
  Json content = Json::array();
  if (!m.text.empty()) content.push_back({{"type", "text"}, {"text", m.text}});
  for (const auto& c : m.tool_calls) {
    content.push_back(
        {{"type", "tool_use"}, {"id", c.id}, {"name", c.name}, {"input", c.arguments}});
  }
  return content;
}

// Messages must alternate user / assistant; tool results ride in user turns.
Json Messages(const std::vector<ChatMessage>& messages) {
  Json out = Json::array();
  for (const auto& m : messages) {
    if (m.role == ChatRole::kAssistant) {
      out.push_back({{"role", "assistant"}, {"content", AssistantContent(m)}});
      continue;
    }
    Json block =
        m.role == ChatRole::kUser
            ? Json{{"type", "text"}, {"text", m.text}}
            : Json{{"type", "tool_result"}, {"tool_use_id", m.tool_call_id}, {"content", m.text}};
    if (m.role == ChatRole::kTool && m.is_error) block["is_error"] = true;
    if (out.empty() || out.back()["role"] != "user") {
      out.push_back({{"role", "user"}, {"content", Json::array()}});
    }
    out.back()["content"].push_back(std::move(block));
  }
  return out;
}

Json ToolChoiceJson(const ToolChoice& choice) {
  switch (choice.kind) {
    case ToolChoice::kNone:
      return {{"type", "none"}};
    case ToolChoice::kRequired:
      return {{"type", "any"}};
    case ToolChoice::kTool:
      return {{"type", "tool"}, {"name", choice.name}};
    case ToolChoice::kAuto:
      break;
  }
  return {{"type", "auto"}};
}

class AnthropicProtocol : public ChatProtocol {
 public:
  AnthropicProtocol(std::string base_url, std::string key)
      : url_(std::move(base_url) + "/v1/messages"), key_(std::move(key)) {}

  std::string provider() const override { return "anthropic"; }

  HttpRequest Build(const ChatRequest& request) const override {
    HttpRequest http;
    http.method = "POST";
    http.url = url_;
    http.headers = {{"x-api-key", key_},
                    {"anthropic-version", "2023-06-01"},
                    {"Content-Type", "application/json"}};
    if (request.stream) http.headers.emplace_back("Accept", "text/event-stream");
    http.body = AnthropicRequestBody(request).dump();
    return http;
  }

  Result<ChatReply> Parse(const Json& body, const ChatRequest& request) const override {
    return anthropic_wire::ParseMessage(body, request);
  }

  std::unique_ptr<StreamAssembler> NewAssembler(const ChatRequest& request) const override {
    return anthropic_wire::NewAssembler(request);
  }

  std::string ErrorMessage(const Json& body) const override {
    if (body.contains("error") && body["error"].is_object()) {
      return body["error"].value("type", "") + ": " + body["error"].value("message", "");
    }
    return "";
  }

 private:
  std::string url_;
  std::string key_;
};

}  // namespace

Json AnthropicRequestBody(const ChatRequest& request) {
  Json body = {{"model", request.model},
               {"max_tokens", request.max_tokens > 0 ? request.max_tokens : 1024},
               {"messages", Messages(request.messages)}};
  if (!request.system.empty()) body["system"] = request.system;
  Json tools = Json::array();
  for (const auto& t : request.tools) {
    Json tool = {{"name", t.name}, {"input_schema", t.parameters}};
    if (!t.description.empty()) tool["description"] = t.description;
    tools.push_back(std::move(tool));
  }
  if (request.response_schema) {
    // Anthropic has no JSON mode: a tool the model must call carries the output.
    // With other tools on offer the model must call one of them or that one.
    tools.push_back({{"name", request.response_schema_name},
                     {"description", "Reply with the requested structured output."},
                     {"input_schema", *request.response_schema}});
    body["tool_choice"] = request.tools.empty()
                              ? Json{{"type", "tool"}, {"name", request.response_schema_name}}
                              : Json{{"type", "any"}};
  } else if (!request.tools.empty()) {
    body["tool_choice"] = ToolChoiceJson(request.tool_choice);
  }
  if (!tools.empty()) body["tools"] = std::move(tools);
  if (request.stream) body["stream"] = true;
  return body;
}

std::unique_ptr<ChatModel> NewAnthropicChatModel(ProviderConfig config, ProviderDeps deps) {
  config.base_url = ConfigOrEnv(config.base_url, "ANTHROPIC_BASE_URL", "https://api.anthropic.com");
  while (!config.base_url.empty() && config.base_url.back() == '/') config.base_url.pop_back();
  config.api_key = ConfigOrEnv(config.api_key, "ANTHROPIC_API_KEY", "");
  auto protocol = std::make_unique<AnthropicProtocol>(config.base_url, config.api_key);
  return std::make_unique<providers_internal::HttpChatModel>(std::move(protocol), std::move(config),
                                                             std::move(deps));
}

}  // namespace keel
