// ChatModelAdapter: a keel::Model (what plain llm nodes call) on top of a
// ChatModel. The rendered prompt is the user message, the agent's output
// schema is the response schema (OpenAI's response_format json_schema,
// Anthropic's forced tool), and the reply text is parsed as the JSON output.
// On the repair attempt the reason the last output failed follows the prompt.
// An agent turn sends the conversation with the agent's tools and the same
// response schema, so the model either calls tools or gives its final answer.
//
// Thread-safe; the ChatModel must outlive the calls.
#ifndef KEEL_PROVIDERS_CHAT_MODEL_ADAPTER_H_
#define KEEL_PROVIDERS_CHAT_MODEL_ADAPTER_H_

#include <memory>
#include <string>

#include "models/model.h"
#include "providers/chat_model.h"

namespace keel {

struct ChatModelAdapterOptions {
  std::string model;  // the provider's model name, e.g. "gpt-4o-mini"
  int64_t max_tokens = 1024;
  bool stream = false;
};

class ChatModelAdapter : public Model {
 public:
  ChatModelAdapter(std::shared_ptr<ChatModel> chat, ChatModelAdapterOptions options)
      : chat_(std::move(chat)), options_(std::move(options)) {}

  std::string name() const override { return chat_->provider() + "/" + options_.model; }
  // Provider failures pass through with their type; a reply that is not a
  // JSON document fails with type "malformed_response".
  void Generate(const ModelRequest& request, ModelCallback done) override;

  void Turn(const TurnRequest& request, TurnCallback done) override;

  // The ChatRequests sent (exposed for tests).
  ChatRequest ToChatRequest(const ModelRequest& request) const;
  ChatRequest ToChatRequest(const TurnRequest& request) const;

 private:
  // A request with this adapter's model settings and `agent`'s description
  // and output schema; the callers add the messages.
  ChatRequest NewChat(const AgentDef* agent) const;

  std::shared_ptr<ChatModel> chat_;
  ChatModelAdapterOptions options_;
};

}  // namespace keel

#endif  // KEEL_PROVIDERS_CHAT_MODEL_ADAPTER_H_
