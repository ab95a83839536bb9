#include "model_reply.h"

#include "protocol.h"

namespace keel::model_server {
namespace {

// Sends `frames` (or half of them, then drops the connection, when `cut`).
Reply Body(std::vector<std::string> frames, bool stream, bool cut) {
  Reply r;
  r.content_type = stream ? "text/event-stream" : "application/json";
  if (!stream && cut) {  // one body: cutting it means sending its first half
    std::string body = std::move(frames.front());
    frames = {body.substr(0, body.size() / 2), body.substr(body.size() / 2)};
  }
  r.frames = std::move(frames);
  r.chunked = stream || cut;
  r.cut = cut;
  return r;
}

}  // namespace

Reply ErrorReply(bool anthropic, int status, const std::string& type, const std::string& code,
                 const std::string& message) {
  Reply r;
  r.status = status;
  Json body = anthropic ? AnthropicError(type, message) : OpenAiError(type, code, message);
  r.frames.push_back(body.dump());
  return r;
}

Reply ModelReply(const ModelCall& call, const std::string& api_key, int delay_ms,
                 const std::optional<Fault>& fault, const std::optional<Json>& canned) {
  const bool anthropic = call.anthropic;
  const Json& body = call.body;
  auto is = [&](FaultKind kind) { return fault && fault->kind == kind; };
  bool bad_key = !api_key.empty() && call.key != api_key;
  if (bad_key || is(FaultKind::kUnauthorized)) {
    // Like the real services, the message quotes the key: clients must not repeat it.
    return ErrorReply(anthropic, 401, anthropic ? "authentication_error" : "invalid_request_error",
                      "invalid_api_key", "Incorrect API key provided: " + call.key);
  }
  if (anthropic && !call.has_version) {
    return ErrorReply(true, 400, "invalid_request_error", "", "anthropic-version is required");
  }
  if (body.value("model", "") == "no-such-model") {
    return ErrorReply(anthropic, 404, anthropic ? "not_found_error" : "invalid_request_error",
                      "model_not_found", "The model `no-such-model` does not exist");
  }
  if (is(FaultKind::kRateLimited)) {
    Reply r = ErrorReply(anthropic, 429, anthropic ? "rate_limit_error" : "requests",
                         "rate_limit_exceeded", "Rate limit reached; try again later");
    r.headers.emplace_back("Retry-After", std::to_string(fault->retry_after_s));
    return r;
  }
  if (is(FaultKind::kServerError)) {
    return ErrorReply(anthropic, 500, anthropic ? "api_error" : "server_error", "",
                      "The server had an error while processing your request");
  }
  if (is(FaultKind::kOverloaded)) {
    return ErrorReply(anthropic, 529, "overloaded_error", "", "Overloaded");
  }
  // Only answers are late: errors come at once, as from a real gateway.
  int delay = delay_ms + (is(FaultKind::kSlowFirstByte) ? fault->delay_ms : 0);
  bool stream = body.value("stream", false);
  Reply r;
  if (is(FaultKind::kInvalidJson)) {
    r = Body({stream ? "data: {\"choices\": [\n\n" : "{\"id\": \"broken\", \"choices\": ["}, stream,
             false);
    r.chunked = false;
  } else {
    auto answer = anthropic ? DecideAnthropic(body, canned) : DecideOpenAi(body, canned);
    std::vector<std::string> frames;
    if (stream) {
      frames = anthropic ? AnthropicStream(body, answer) : OpenAiStream(body, answer);
    } else {
      frames.push_back(
          (anthropic ? AnthropicResponse(body, answer) : OpenAiResponse(body, answer)).dump());
    }
    r = Body(std::move(frames), stream, is(FaultKind::kCutMidStream));
  }
  r.delay_ms = delay;
  return r;
}

}  // namespace keel::model_server
