#include "providers/chat_model_adapter.h"

#include "project/definitions.h"
#include "providers/provider_error.h"

namespace keel {

ChatRequest ChatModelAdapter::ToChatRequest(const ModelRequest& request) const {
  ChatRequest chat;
  chat.model = options_.model;
  chat.max_tokens = options_.max_tokens;
  chat.stream = options_.stream;
  std::string prompt = request.prompt;
  if (!request.repair_hint.empty()) {
    prompt += "\n\nYour previous answer was rejected: " + request.repair_hint +
              "\nAnswer again with JSON that fixes this.";
  }
  chat.messages.push_back(ChatMessage::User(std::move(prompt)));
  if (request.agent != nullptr) {
    if (!request.agent->description.empty()) chat.system = request.agent->description;
    if (!request.agent->output_schema.is_null()) {
      chat.response_schema = request.agent->output_schema;
      chat.response_schema_name = request.agent->name.empty() ? "output" : request.agent->name;
    }
  }
  return chat;
}

void ChatModelAdapter::Generate(const ModelRequest& request, ModelCallback done) {
  chat_->Chat(ToChatRequest(request), [done = std::move(done)](Result<ChatReply> reply) {
    if (!reply.ok()) {
      done(reply.error());
      return;
    }
    Json output = Json::parse(reply->text, nullptr, false);
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

}  // namespace keel
