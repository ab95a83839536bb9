// Anthropic Messages bodies and the SSE event sequence, as the API
// reference shows them.
#include <string>

#include "protocol.h"

namespace keel::model_server {
namespace {

std::string StopReason(const Answer& a) {
  if (a.refused) return "refusal";
  if (!a.tool_calls.empty()) return "tool_use";
  return a.truncated ? "max_tokens" : "end_turn";
}

// input_tokens excludes the cache reads and writes, which are counted apart.
Json Usage(const Answer& a, int64_t output_tokens) {
  int64_t read = a.prompt_tokens / 2;
  int64_t write = a.prompt_tokens / 4;
  return {{"input_tokens", a.prompt_tokens - read - write},
          {"cache_creation_input_tokens", write},
          {"cache_read_input_tokens", read},
          {"output_tokens", output_tokens}};
}

Json Blocks(const Answer& a) {
  Json content = Json::array();
  if (!a.text.empty()) content.push_back({{"type", "text"}, {"text", a.text}});
  for (const auto& c : a.tool_calls) {
    content.push_back(
        {{"type", "tool_use"}, {"id", c.id}, {"name", c.name}, {"input", c.arguments}});
  }
  return content;
}

std::string Event(const std::string& type, const Json& data) {
  return "event: " + type + "\ndata: " + data.dump() + "\n\n";
}

}  // namespace

Json AnthropicResponse(const Json& request, const Answer& a) {
  return {{"id", "msg_" + std::to_string(a.prompt_tokens)},
          {"type", "message"},
          {"role", "assistant"},
          {"model", request.value("model", "")},
          {"content", Blocks(a)},
          {"stop_reason", StopReason(a)},
          {"stop_sequence", nullptr},
          {"usage", Usage(a, a.completion_tokens)}};
}

std::vector<std::string> AnthropicStream(const Json& request, const Answer& a) {
  std::vector<std::string> events;
  Json start = AnthropicResponse(request, a);
  start["content"] = Json::array();
  start["stop_reason"] = nullptr;
  start["usage"] = Usage(a, 1);
  events.push_back(Event("message_start", {{"type", "message_start"}, {"message", start}}));
  events.push_back(Event("ping", {{"type", "ping"}}));
  int index = 0;
  for (const auto& block : Blocks(a)) {
    bool is_text = block["type"] == "text";
    Json empty = is_text ? Json{{"type", "text"}, {"text", ""}}
                         : Json{{"type", "tool_use"},
                                {"id", block["id"]},
                                {"name", block["name"]},
                                {"input", Json::object()}};
    events.push_back(
        Event("content_block_start",
              {{"type", "content_block_start"}, {"index", index}, {"content_block", empty}}));
    std::string whole = is_text ? block["text"].get<std::string>() : block["input"].dump();
    for (size_t i = 0; i < whole.size(); i += 5) {
      Json delta = is_text
                       ? Json{{"type", "text_delta"}, {"text", whole.substr(i, 5)}}
                       : Json{{"type", "input_json_delta"}, {"partial_json", whole.substr(i, 5)}};
      events.push_back(
          Event("content_block_delta",
                {{"type", "content_block_delta"}, {"index", index}, {"delta", delta}}));
    }
    events.push_back(
        Event("content_block_stop", {{"type", "content_block_stop"}, {"index", index}}));
    ++index;
  }
  events.push_back(Event("message_delta",
                         {{"type", "message_delta"},
                          {"delta", {{"stop_reason", StopReason(a)}, {"stop_sequence", nullptr}}},
                          {"usage", {{"output_tokens", a.completion_tokens}}}}));
  events.push_back(Event("message_stop", {{"type", "message_stop"}}));
  return events;
}

Json AnthropicError(const std::string& type, const std::string& message) {
  return {{"type", "error"}, {"error", {{"type", type}, {"message", message}}}};
}

}  // namespace keel::model_server
