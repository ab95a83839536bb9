// Conversation: the messages, tools and tool calls of a multi-turn
// exchange with a model. The agent node builds these turn by turn; providers
// (src/providers) put them on the wire. Plain value types.
#ifndef KEEL_MODELS_CONVERSATION_H_
#define KEEL_MODELS_CONVERSATION_H_

#include <string>
#include <vector>

#include "core/json.h"

namespace keel {

struct ChatToolCall {
  std::string id;  // the provider's id, echoed back in the tool result
  std::string name;
  Json arguments;  // a JSON object
};

enum class ChatRole { kUser, kAssistant, kTool };

struct ChatMessage {
  ChatRole role = ChatRole::kUser;
  std::string text;                      // user or assistant text, or the tool result
  std::vector<ChatToolCall> tool_calls;  // kAssistant: the calls it made
  std::string tool_call_id;              // kTool: the call this answers
  bool is_error = false;                 // kTool: the tool failed

  static ChatMessage User(std::string text);
  static ChatMessage Assistant(std::string text, std::vector<ChatToolCall> tool_calls);
  static ChatMessage ToolResult(std::string call_id, std::string result, bool is_error = false);
};

struct ChatTool {
  std::string name;
  std::string description;
  Json parameters;  // JSON Schema of the arguments (an object schema)
};

// {"id", "name", "arguments"} and back: how turns are stored and recorded.
Json ToolCallToJson(const ChatToolCall& call);
ChatToolCall ToolCallFromJson(const Json& j);

}  // namespace keel

#endif  // KEEL_MODELS_CONVERSATION_H_
