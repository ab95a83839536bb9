// ChatModel: the provider-level model API. One call sends a conversation
// (system prompt, user / assistant / tool messages, tools, an optional
// response schema) and answers with text and tool calls, the stop reason and
// the token meters. The ChatModelAdapter turns it into a keel::Model: one
// call per llm node, one per turn of an agent node.
//
// Calls are asynchronous: Chat() returns at once and `done` runs exactly
// once, on the event loop thread (keep it quick). Implementations are
// thread-safe: one instance serves every run.
#ifndef KEEL_PROVIDERS_CHAT_MODEL_H_
#define KEEL_PROVIDERS_CHAT_MODEL_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "models/conversation.h"
#include "models/model.h"

namespace keel {

struct ToolChoice {
  enum Kind { kAuto, kNone, kRequired, kTool };
  Kind kind = kAuto;
  std::string name;  // kTool: the tool the model must call
};

struct ChatRequest {
  std::string model;
  std::string system;
  std::vector<ChatMessage> messages;
  std::vector<ChatTool> tools;
  ToolChoice tool_choice;
  // When set the reply's text is a JSON document matching it (OpenAI:
  // response_format json_schema; Anthropic: a forced tool whose input it is).
  std::optional<Json> response_schema;
  std::string response_schema_name = "output";
  int64_t max_tokens = 1024;
  bool stream = false;  // stream over SSE (the reply is still delivered whole)
};

// Why the model stopped, the same words for every provider.
inline constexpr const char* kStopEndTurn = "end_turn";
inline constexpr const char* kStopToolUse = "tool_use";
inline constexpr const char* kStopMaxTokens = "max_tokens";
inline constexpr const char* kStopSequence = "stop_sequence";
inline constexpr const char* kStopContentFilter = "content_filter";

struct ChatReply {
  std::string text;
  std::vector<ChatToolCall> tool_calls;
  std::string stop_reason;  // one of the kStop* words, or the provider's own when unknown
  // Disjoint meters: input excludes cached input and cache writes, output
  // excludes reasoning; cost_usd from the price table.
  ModelUsage usage;
  std::string provider;    // "openai", "anthropic"
  std::string model;       // as the provider reported it
  int64_t latency_us = 0;  // first attempt's start to the reply, retries included
  int attempts = 1;
};

using ChatCallback = std::function<void(Result<ChatReply>)>;

class ChatModel {
 public:
  virtual ~ChatModel() = default;
  virtual std::string provider() const = 0;
  // Never blocks. Failures are Status values typed as provider_error.h lists.
  virtual void Chat(ChatRequest request, ChatCallback done) = 0;
};

}  // namespace keel

#endif  // KEEL_PROVIDERS_CHAT_MODEL_H_
