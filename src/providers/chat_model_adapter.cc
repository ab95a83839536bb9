#include "providers/chat_model_adapter.h"

#include "core/json_text.h"
#include "project/definitions.h"
#include "providers/provider_error.h"

namespace keel {

ChatRequest ChatModelAdapter::NewChat(const AgentDef* agent) const {
  ChatRequest chat;
  chat.model = options_.model;
  chat.max_tokens = options_.max_tokens;
  chat.stream = options_.stream;
  if (agent == nullptr) return chat;
  if (!agent->description.empty()) chat.system = agent->description;
  if (!agent->output_schema.is_null()) {
    chat.response_schema = agent->output_schema;
    chat.response_schema_name = agent->name.empty() ? "output" : agent->name;
  }
  return chat;
}

ChatRequest ChatModelAdapter::ToChatRequest(const ModelRequest& request) const {
  ChatRequest chat = NewChat(request.agent);
  std::string prompt = request.prompt;
  if (!request.repair_hint.empty()) {
    prompt += "\n\nYour previous answer was rejected: " + request.repair_hint +
              "\nAnswer again with JSON that fixes this.";
  }
  chat.messages.push_back(ChatMessage::User(std::move(prompt)));
  return chat;
}

ChatRequest ChatModelAdapter::ToChatRequest(const TurnRequest& request) const {
  ChatRequest chat = NewChat(request.agent);
  chat.messages = request.messages;
  chat.tools = request.tools;
  return chat;
}

void ChatModelAdapter::Generate(const ModelRequest& request, ModelCallback done) {
  chat_->Chat(ToChatRequest(request), [done = std::move(done)](Result<ChatReply> reply) {
    if (!reply.ok()) {
      done(reply.error());
      return;
    }
    Json output = ParseJsonTextOrDiscarded(reply->text);
    if (output.is_discarded()) {
      done(ProviderError(kErrorMalformed, reply->provider + ": the model's answer is not JSON (" +
                                              std::to_string(reply->text.size()) + " characters)"));
      return;
    }
    ModelReply out;
    out.output = std::move(output);
    out.usage = reply->usage;
    out.provider = std::move(reply->provider);
    out.model = std::move(reply->model);
    done(std::move(out));
  });
}

void ChatModelAdapter::Turn(const TurnRequest& request, TurnCallback done) {
  chat_->Chat(ToChatRequest(request), [done = std::move(done)](Result<ChatReply> reply) {
    if (!reply.ok()) {
      done(reply.error());
      return;
    }
    TurnReply out;
    out.text = std::move(reply->text);
    out.tool_calls = std::move(reply->tool_calls);
    out.stop_reason = std::move(reply->stop_reason);
    out.usage = reply->usage;
    out.provider = std::move(reply->provider);
    out.model = std::move(reply->model);
    done(std::move(out));
  });
}

}  // namespace keel
