// The OpenAI reply pieces and the streamed-reply assembler.
#include "providers/openai/openai_wire.h"

#include <algorithm>
#include <map>

#include "providers/provider_error.h"

namespace keel::openai_wire {
namespace {

int64_t Int(const Json& obj, const char* key) {
  return obj.is_object() && obj.contains(key) && obj[key].is_number_integer()
             ? obj[key].get<int64_t>()
             : 0;
}

// Accumulates chat.completion.chunk events; complete once "[DONE]" arrives.
class Assembler : public providers_internal::StreamAssembler {
 public:
  Status OnEvent(const SseEvent& event) override {
    if (event.data == "[DONE]") {
      done_ = true;
      return Status::Ok();
    }
    Json chunk = Json::parse(event.data, nullptr, false);
    if (chunk.is_discarded() || !chunk.is_object()) {
      return ProviderError(kErrorMalformed, "openai: a stream event is not JSON");
    }
    if (chunk.contains("error")) {
      std::string message = chunk["error"].is_object() ? chunk["error"].value("message", "") : "";
      return ProviderError(kErrorServer, "openai: error in stream: " + message);
    }
    if (chunk.contains("model") && chunk["model"].is_string()) model_ = chunk["model"];
    if (chunk.contains("usage") && chunk["usage"].is_object()) usage_ = chunk["usage"];
    const Json& choices = chunk.contains("choices") ? chunk["choices"] : Json();
    if (!choices.is_array() || choices.empty()) return Status::Ok();
    const Json& choice = choices[0];
    if (choice.contains("finish_reason") && choice["finish_reason"].is_string()) {
      finish_ = choice["finish_reason"];
    }
    if (choice.contains("delta") && choice["delta"].is_object()) Delta(choice["delta"]);
    return Status::Ok();
  }

  Result<ChatReply> Finish() override {
    if (!done_) return ProviderError(kErrorMalformed, "openai: the stream ended before [DONE]");
    std::vector<ChatToolCall> calls;
    for (auto& [index, part] : calls_) {
      auto args = Arguments(part.arguments, part.name);
      if (!args.ok()) return args.error();
      calls.push_back({std::move(part.id), std::move(part.name), std::move(*args)});
    }
    return Reply(std::move(text_), std::move(refusal_), std::move(calls), finish_, usage_,
                 std::move(model_));
  }

 private:
  struct PartialCall {
    std::string id, name, arguments;
  };

  void Delta(const Json& delta) {
    auto append = [&](const char* key, std::string& to) {
      if (delta.contains(key) && delta[key].is_string()) to += delta[key].get<std::string>();
    };
    append("content", text_);
    append("refusal", refusal_);
    if (!delta.contains("tool_calls") || !delta["tool_calls"].is_array()) return;
    for (const auto& c : delta["tool_calls"]) {
      // The first fragment of a call names it; later ones carry argument text.
      PartialCall& part = calls_[c.value("index", 0)];
      if (c.contains("id") && c["id"].is_string()) part.id = c["id"];
      const Json fn = c.value("function", Json::object());
      if (fn.contains("name") && fn["name"].is_string()) part.name += fn["name"].get<std::string>();
      if (fn.contains("arguments") && fn["arguments"].is_string()) {
        part.arguments += fn["arguments"].get<std::string>();
      }
    }
  }

  bool done_ = false;
  std::string text_, refusal_, finish_, model_;
  Json usage_;
  std::map<int, PartialCall> calls_;  // by the delta's index, in order
};

}  // namespace

ModelUsage Usage(const Json& usage) {
  ModelUsage u;
  if (!usage.is_object()) return u;
  int64_t prompt = Int(usage, "prompt_tokens");
  int64_t completion = Int(usage, "completion_tokens");
  u.cached_input_tokens = Int(usage.value("prompt_tokens_details", Json()), "cached_tokens");
  u.reasoning_tokens = Int(usage.value("completion_tokens_details", Json()), "reasoning_tokens");
  // prompt_tokens includes the cached ones, completion_tokens the reasoning ones.
  u.input_tokens = std::max<int64_t>(0, prompt - u.cached_input_tokens);
  u.output_tokens = std::max<int64_t>(0, completion - u.reasoning_tokens);
  return u;
}

std::string StopReason(const std::string& finish_reason) {
  if (finish_reason == "stop") return kStopEndTurn;
  if (finish_reason == "tool_calls" || finish_reason == "function_call") return kStopToolUse;
  if (finish_reason == "length") return kStopMaxTokens;
  if (finish_reason == "content_filter") return kStopContentFilter;
  return finish_reason;
}

Result<Json> Arguments(const std::string& text, const std::string& tool) {
  Json args = text.empty() ? Json::object() : Json::parse(text, nullptr, false);
  if (args.is_discarded() || !args.is_object()) {
    return ProviderError(kErrorMalformed, "openai: the arguments of tool call \"" + tool +
                                              "\" are not a JSON object");
  }
  return args;
}

Status Refusal(const std::string& text) {
  return ProviderError(kErrorRefused, "openai: the model refused: " + text);
}

Result<ChatReply> Reply(std::string text, std::string refusal, std::vector<ChatToolCall> calls,
                        const std::string& finish_reason, const Json& usage, std::string model) {
  if (!refusal.empty()) return Refusal(refusal);
  if (finish_reason == "content_filter") {
    return ProviderError(kErrorRefused, "openai: the reply was withheld by the content filter");
  }
  ChatReply reply;
  reply.text = std::move(text);
  reply.tool_calls = std::move(calls);
  reply.stop_reason = StopReason(finish_reason);
  reply.usage = Usage(usage);
  reply.model = std::move(model);
  return reply;
}

std::unique_ptr<providers_internal::StreamAssembler> NewAssembler() {
  return std::make_unique<Assembler>();
}

}  // namespace keel::openai_wire
