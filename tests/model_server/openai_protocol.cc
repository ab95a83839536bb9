// OpenAI Chat Completions bodies, as the API reference shows them.
#include <string>

#include "protocol.h"

namespace keel::model_server {
namespace {

constexpr int64_t kCreated = 1'700'000'000;

std::string FinishReason(const Answer& a) {
  if (!a.tool_calls.empty()) return "tool_calls";
  return a.truncated ? "length" : "stop";
}

// prompt_tokens includes the cached ones; reasoning tokens are part of completion_tokens.
Json Usage(const Json& request, const Answer& a) {
  const std::string model = request.value("model", "");
  bool reasoning = model.rfind("o", 0) == 0 || model.rfind("gpt-5", 0) == 0;
  return {{"prompt_tokens", a.prompt_tokens},
          {"completion_tokens", a.completion_tokens},
          {"total_tokens", a.prompt_tokens + a.completion_tokens},
          {"prompt_tokens_details", {{"cached_tokens", a.prompt_tokens / 2}, {"audio_tokens", 0}}},
          {"completion_tokens_details",
           {{"reasoning_tokens", reasoning ? a.completion_tokens / 2 : 0},
            {"audio_tokens", 0},
            {"accepted_prediction_tokens", 0},
            {"rejected_prediction_tokens", 0}}}};
}

Json Envelope(const Json& request, const Answer& a, const char* object) {
  return {{"id", "chatcmpl-" + std::to_string(a.prompt_tokens)},
          {"object", object},
          {"created", kCreated},
          {"model", request.value("model", "")},
          {"system_fingerprint", "fp_keel_test"},
          {"service_tier", "default"}};
}

std::string Frame(const Json& chunk) { return "data: " + chunk.dump() + "\n\n"; }

Json Chunk(const Json& request, const Answer& a, Json delta, Json finish_reason) {
  Json chunk = Envelope(request, a, "chat.completion.chunk");
  chunk["choices"] = Json::array(
      {{{"index", 0}, {"delta", std::move(delta)}, {"finish_reason", std::move(finish_reason)}}});
  return chunk;
}

// Splits `s` into pieces of `n` bytes so clients must assemble deltas.
std::vector<std::string> Pieces(const std::string& s, size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size(); i += n) out.push_back(s.substr(i, n));
  return out;
}

}  // namespace

Json OpenAiResponse(const Json& request, const Answer& a) {
  Json message = {{"role", "assistant"},
                  {"content", nullptr},
                  {"refusal", nullptr},
                  {"annotations", Json::array()}};
  if (a.refused) {
    message["refusal"] = a.text;
  } else if (a.tool_calls.empty()) {
    message["content"] = a.text;
  }
  if (!a.tool_calls.empty()) {
    Json calls = Json::array();
    for (const auto& c : a.tool_calls) {
      calls.push_back({{"id", c.id},
                       {"type", "function"},
                       {"function", {{"name", c.name}, {"arguments", c.arguments.dump()}}}});
    }
    message["tool_calls"] = std::move(calls);
  }
  Json body = Envelope(request, a, "chat.completion");
  body["choices"] = Json::array({{{"index", 0},
                                  {"message", std::move(message)},
                                  {"logprobs", nullptr},
                                  {"finish_reason", FinishReason(a)}}});
  body["usage"] = Usage(request, a);
  return body;
}

std::vector<std::string> OpenAiStream(const Json& request, const Answer& a) {
  std::vector<std::string> frames;
  frames.push_back(Frame(Chunk(request, a, {{"role", "assistant"}, {"content", ""}}, nullptr)));
  const char* field = a.refused ? "refusal" : "content";
  if (a.tool_calls.empty()) {
    for (const auto& piece : Pieces(a.text, 5)) {
      frames.push_back(Frame(Chunk(request, a, {{field, piece}}, nullptr)));
    }
  }
  for (size_t i = 0; i < a.tool_calls.size(); ++i) {
    const auto& c = a.tool_calls[i];
    Json start = {{"index", i},
                  {"id", c.id},
                  {"type", "function"},
                  {"function", {{"name", c.name}, {"arguments", ""}}}};
    frames.push_back(Frame(Chunk(request, a, {{"tool_calls", Json::array({start})}}, nullptr)));
    for (const auto& piece : Pieces(c.arguments.dump(), 4)) {
      Json part = {{"index", i}, {"function", {{"arguments", piece}}}};
      frames.push_back(Frame(Chunk(request, a, {{"tool_calls", Json::array({part})}}, nullptr)));
    }
  }
  frames.push_back(Frame(Chunk(request, a, Json::object(), FinishReason(a))));
  if (request.value("stream_options", Json::object()).value("include_usage", false)) {
    Json last = Envelope(request, a, "chat.completion.chunk");
    last["choices"] = Json::array();
    last["usage"] = Usage(request, a);
    frames.push_back(Frame(last));
  }
  frames.push_back("data: [DONE]\n\n");
  return frames;
}

Json OpenAiError(const std::string& type, const std::string& code, const std::string& message) {
  return {{"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", code}}}};
}

}  // namespace keel::model_server
