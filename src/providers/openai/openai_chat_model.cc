#include "providers/openai/openai_chat_model.h"

#include "providers/internal/http_chat_model.h"
#include "providers/openai/openai_wire.h"
#include "providers/provider_error.h"

namespace keel {
namespace {

using providers_internal::ChatProtocol;
using providers_internal::StreamAssembler;

Json Message(const ChatMessage& m) {
  switch (m.role) {
    case ChatRole::kUser:
      return {{"role", "user"}, {"content", m.text}};
    case ChatRole::kTool:
      return {{"role", "tool"}, {"tool_call_id", m.tool_call_id}, {"content", m.text}};
    case ChatRole::kAssistant:
      break;
  }
  Json out = {{"role", "assistant"}, {"content", m.text.empty() ? Json() : Json(m.text)}};
  if (!m.tool_calls.empty()) {
    Json calls = Json::array();
    for (const auto& c : m.tool_calls) {
      calls.push_back({{"id", c.id},
                       {"type", "function"},
                       {"function", {{"name", c.name}, {"arguments", c.arguments.dump()}}}});
    }
    out["tool_calls"] = std::move(calls);
  }
  return out;
}

Json ToolChoiceJson(const ToolChoice& choice) {
  switch (choice.kind) {
    case ToolChoice::kNone:
      return "none";
    case ToolChoice::kRequired:
      return "required";
    case ToolChoice::kTool:
      return {{"type", "function"}, {"function", {{"name", choice.name}}}};
    case ToolChoice::kAuto:
      break;
  }
  return "auto";
}

class OpenAiProtocol : public ChatProtocol {
 public:
  OpenAiProtocol(std::string base_url, std::string key)
      : url_(std::move(base_url) + "/chat/completions"), auth_("Bearer " + std::move(key)) {}

  std::string provider() const override { return "openai"; }

  HttpRequest Build(const ChatRequest& request) const override {
    HttpRequest http;
    http.method = "POST";
    http.url = url_;
    http.headers = {{"Authorization", auth_}, {"Content-Type", "application/json"}};
    if (request.stream) http.headers.emplace_back("Accept", "text/event-stream");
    http.body = OpenAiRequestBody(request).dump();
    return http;
  }

  Result<ChatReply> Parse(const Json& body, const ChatRequest&) const override {
    const Json& choices = body.contains("choices") ? body["choices"] : Json();
    if (!choices.is_array() || choices.empty() || !choices[0].contains("message")) {
      return ProviderError(kErrorMalformed, "openai: the reply has no choices[0].message");
    }
    const Json& message = choices[0]["message"];
    std::vector<ChatToolCall> calls;
    for (const auto& c : message.value("tool_calls", Json::array())) {
      const Json fn = c.value("function", Json::object());
      auto args = openai_wire::Arguments(fn.value("arguments", ""), fn.value("name", ""));
      if (!args.ok()) return args.error();
      calls.push_back({c.value("id", ""), fn.value("name", ""), std::move(*args)});
    }
    auto text = [&](const char* key) {
      return message.contains(key) && message[key].is_string() ? message[key].get<std::string>()
                                                               : std::string();
    };
    const Json& finish =
        choices[0].contains("finish_reason") ? choices[0]["finish_reason"] : Json();
    return openai_wire::Reply(text("content"), text("refusal"), std::move(calls),
                              finish.is_string() ? finish.get<std::string>() : "",
                              body.value("usage", Json()), body.value("model", ""));
  }

  std::unique_ptr<StreamAssembler> NewAssembler(const ChatRequest&) const override {
    return openai_wire::NewAssembler();
  }

  std::string ErrorMessage(const Json& body) const override {
    if (body.contains("error") && body["error"].is_object()) {
      return body["error"].value("message", "");
    }
    return "";
  }

 private:
  std::string url_;
  std::string auth_;
};

}  // namespace

Json OpenAiRequestBody(const ChatRequest& request) {
  Json messages = Json::array();
  if (!request.system.empty()) {
    messages.push_back({{"role", "system"}, {"content", request.system}});
  }
  for (const auto& m : request.messages) messages.push_back(Message(m));
  Json body = {{"model", request.model}, {"messages", std::move(messages)}};
  if (request.max_tokens > 0) body["max_completion_tokens"] = request.max_tokens;
  if (!request.tools.empty()) {
    Json tools = Json::array();
    for (const auto& t : request.tools) {
      Json fn = {{"name", t.name}, {"parameters", t.parameters}};
      if (!t.description.empty()) fn["description"] = t.description;
      tools.push_back({{"type", "function"}, {"function", std::move(fn)}});
    }
    body["tools"] = std::move(tools);
    body["tool_choice"] = ToolChoiceJson(request.tool_choice);
  }
  if (request.response_schema) {
    // Not "strict": strict mode rejects schemas with optional fields, which agents use.
    body["response_format"] = {{"type", "json_schema"},
                               {"json_schema",
                                {{"name", request.response_schema_name},
                                 {"schema", *request.response_schema},
                                 {"strict", false}}}};
  }
  if (request.stream) {
    body["stream"] = true;
    body["stream_options"] = {{"include_usage", true}};
  }
  return body;
}

std::unique_ptr<ChatModel> NewOpenAiChatModel(ProviderConfig config, ProviderDeps deps) {
  config.base_url = ConfigOrEnv(config.base_url, "OPENAI_BASE_URL", "https://api.openai.com/v1");
  while (!config.base_url.empty() && config.base_url.back() == '/') config.base_url.pop_back();
  config.api_key = ConfigOrEnv(config.api_key, "OPENAI_API_KEY", "");
  auto protocol = std::make_unique<OpenAiProtocol>(config.base_url, config.api_key);
  return std::make_unique<providers_internal::HttpChatModel>(std::move(protocol), std::move(config),
                                                             std::move(deps));
}

}  // namespace keel
