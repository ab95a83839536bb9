// The Anthropic reply parser and the streamed-message assembler.
#include "providers/anthropic/anthropic_wire.h"

#include "providers/provider_error.h"

namespace keel::anthropic_wire {
namespace {

int64_t Int(const Json& obj, const char* key) {
  return obj.is_object() && obj.contains(key) && obj[key].is_number_integer()
             ? obj[key].get<int64_t>()
             : 0;
}

std::string Str(const Json& obj, const char* key) {
  return obj.is_object() && obj.contains(key) && obj[key].is_string() ? obj[key].get<std::string>()
                                                                      : std::string();
}

// Rebuilds the `message` object from stream events; complete at message_stop.
class Assembler : public providers_internal::StreamAssembler {
 public:
  explicit Assembler(const ChatRequest& request) : request_(request) {}

  Status OnEvent(const SseEvent& event) override {
    if (event.type == "ping") return Status::Ok();
    Json data = Json::parse(event.data, nullptr, false);
    if (data.is_discarded() || !data.is_object()) {
      return ProviderError(kErrorMalformed, "anthropic: a stream event is not JSON");
    }
    const std::string type = Str(data, "type");
    if (type == "error") return ErrorFromObject(data.value("error", Json::object()));
    if (type == "message_start") {
      message_ = data.value("message", Json::object());
      message_["content"] = Json::array();
    } else if (type == "content_block_start") {
      blocks_.push_back({data.value("content_block", Json::object()), ""});
    } else if (type == "content_block_delta") {
      return Delta(data);
    } else if (type == "message_delta") {
      const Json delta = data.value("delta", Json::object());
      if (delta.contains("stop_reason")) message_["stop_reason"] = delta["stop_reason"];
      const Json usage = data.value("usage", Json::object());
      for (const auto& [key, value] : usage.items()) {
        message_["usage"][key] = value;  // the counts here are cumulative
      }
    } else if (type == "message_stop") {
      done_ = true;
    }
    return Status::Ok();
  }

  Result<ChatReply> Finish() override {
    if (!done_)
      return ProviderError(kErrorMalformed, "anthropic: the stream ended before message_stop");
    for (auto& [block, partial_json] : blocks_) {
      if (Str(block, "type") == "tool_use") {
        Json input =
            partial_json.empty() ? Json::object() : Json::parse(partial_json, nullptr, false);
        if (input.is_discarded()) {
          return ProviderError(kErrorMalformed, "anthropic: tool_use input is not JSON");
        }
        block["input"] = std::move(input);
      }
      message_["content"].push_back(std::move(block));
    }
    return ParseMessage(message_, request_);
  }

 private:
  Status Delta(const Json& data) {
    size_t index = static_cast<size_t>(Int(data, "index"));
    if (index >= blocks_.size()) {
      return ProviderError(kErrorMalformed, "anthropic: a delta for a block never started");
    }
    const Json delta = data.value("delta", Json::object());
    const std::string type = Str(delta, "type");
    if (type == "text_delta") {
      blocks_[index].first["text"] = Str(blocks_[index].first, "text") + Str(delta, "text");
    } else if (type == "input_json_delta") {
      blocks_[index].second += Str(delta, "partial_json");
    }
    return Status::Ok();
  }

  const ChatRequest& request_;  // outlives the assembler (both belong to one call)
  Json message_ = Json::object();
  std::vector<std::pair<Json, std::string>> blocks_;  // block, its input JSON so far
  bool done_ = false;
};

}  // namespace

Status ErrorFromObject(const Json& error) {
  const std::string type = Str(error, "type");
  std::string message = "anthropic: " + type + ": " + Str(error, "message");
  if (type == "overloaded_error") return ProviderError(kErrorOverloaded, message);
  if (type == "rate_limit_error") return ProviderError(kErrorRateLimited, message);
  if (type == "api_error") return ProviderError(kErrorServer, message);
  if (type == "authentication_error" || type == "permission_error") {
    return ProviderError(kErrorAuth, "anthropic: authentication failed (check the API key)");
  }
  if (type == "not_found_error") return ProviderError(kErrorModelNotFound, message);
  return ProviderError(kErrorInvalidRequest, message);
}

Result<ChatReply> ParseMessage(const Json& message, const ChatRequest& request) {
  if (!message.contains("content") || !message["content"].is_array()) {
    return ProviderError(kErrorMalformed, "anthropic: the reply has no content array");
  }
  const std::string stop = Str(message, "stop_reason");
  if (stop == "refusal") return ProviderError(kErrorRefused, "anthropic: the model refused");
  ChatReply reply;
  reply.stop_reason = stop;  // end_turn, tool_use, max_tokens, stop_sequence: keel's words
  reply.model = Str(message, "model");
  for (const auto& block : message["content"]) {
    const std::string type = Str(block, "type");
    if (type == "text") {
      reply.text += Str(block, "text");
    } else if (type == "tool_use") {
      const std::string name = Str(block, "name");
      Json input = block.value("input", Json::object());
      if (request.response_schema && name == request.response_schema_name) {
        reply.text = input.dump();  // the structured output, not a call to run
        reply.stop_reason = kStopEndTurn;
      } else {
        reply.tool_calls.push_back({Str(block, "id"), name, std::move(input)});
      }
    }
  }
  const Json usage = message.value("usage", Json::object());
  reply.usage.input_tokens = Int(usage, "input_tokens");  // already excludes cache reads/writes
  reply.usage.cached_input_tokens = Int(usage, "cache_read_input_tokens");
  reply.usage.cache_write_tokens = Int(usage, "cache_creation_input_tokens");
  reply.usage.output_tokens = Int(usage, "output_tokens");
  return reply;
}

std::unique_ptr<providers_internal::StreamAssembler> NewAssembler(const ChatRequest& request) {
  return std::make_unique<Assembler>(request);
}

}  // namespace keel::anthropic_wire
