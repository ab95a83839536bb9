#include "models/conversation.h"

namespace keel {

ChatMessage ChatMessage::User(std::string text) {
  ChatMessage m;
  m.role = ChatRole::kUser;
  m.text = std::move(text);
  return m;
}

ChatMessage ChatMessage::Assistant(std::string text, std::vector<ChatToolCall> tool_calls) {
  ChatMessage m;
  m.role = ChatRole::kAssistant;
  m.text = std::move(text);
  m.tool_calls = std::move(tool_calls);
  return m;
}

ChatMessage ChatMessage::ToolResult(std::string call_id, std::string result, bool is_error) {
  ChatMessage m;
  m.role = ChatRole::kTool;
  m.tool_call_id = std::move(call_id);
  m.text = std::move(result);
  m.is_error = is_error;
  return m;
}

Json ToolCallToJson(const ChatToolCall& call) {
  return {{"id", call.id}, {"name", call.name}, {"arguments", call.arguments}};
}

ChatToolCall ToolCallFromJson(const Json& j) {
  ChatToolCall call;
  if (!j.is_object()) return call;
  call.id = j.value("id", "");
  call.name = j.value("name", "");
  call.arguments = j.value("arguments", Json::object());
  return call;
}

}  // namespace keel
