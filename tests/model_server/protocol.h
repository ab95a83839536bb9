// The model test server's answers, shaped as the OpenAI and Anthropic API
// references show. An answer is a deterministic function of the request:
//
//   - a queued canned reply, when there is one;
//   - "refuse" in the last user message: a refusal;
//   - tools offered (and not declined) and no tool result yet: a call to the
//     forced tool, or the first one, with arguments sampled from its schema;
//   - a response schema: a JSON object holding its required fields;
//   - otherwise "echo: <last user message>".
//
// Token counts are derived from the request size so tests can predict them.
// Thread-safe: pure functions.
#ifndef KEEL_TESTS_MODEL_SERVER_PROTOCOL_H_
#define KEEL_TESTS_MODEL_SERVER_PROTOCOL_H_

#include <optional>
#include <string>
#include <vector>

#include "core/json.h"

namespace keel::model_server {

struct ToolCall {
  std::string id;
  std::string name;
  Json arguments;
};

struct Answer {
  std::string text;
  std::vector<ToolCall> tool_calls;
  bool refused = false;
  bool truncated = false;  // max_tokens reached
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
};

// A value that satisfies `schema`'s types, enums, consts and required fields.
Json SampleFromSchema(const Json& schema);

Answer DecideOpenAi(const Json& request, const std::optional<Json>& canned);
Answer DecideAnthropic(const Json& request, const std::optional<Json>& canned);

// The non-streamed body, and the streamed body as complete SSE frames.
Json OpenAiResponse(const Json& request, const Answer& answer);
std::vector<std::string> OpenAiStream(const Json& request, const Answer& answer);
Json AnthropicResponse(const Json& request, const Answer& answer);
std::vector<std::string> AnthropicStream(const Json& request, const Answer& answer);

// Error bodies in each provider's envelope.
Json OpenAiError(const std::string& type, const std::string& code, const std::string& message);
Json AnthropicError(const std::string& type, const std::string& message);

}  // namespace keel::model_server

#endif  // KEEL_TESTS_MODEL_SERVER_PROTOCOL_H_
