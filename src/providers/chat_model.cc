#include "providers/chat_model.h"

namespace keel {

ChatMessage ChatMessage::User(std::string text) {
  ChatMessage m;
  m.role = ChatRole::kUser;
  m.text = std::move(text);
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

}  // namespace keel
