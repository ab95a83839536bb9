#include "providers/internal/http_chat_model.h"

#include <cstdlib>
#include <random>

#include "providers/provider_error.h"

namespace keel {

std::string ConfigOrEnv(const std::string& value, const char* env, const std::string& fallback) {
  if (!value.empty()) return value;
  const char* from_env = std::getenv(env);
  return from_env != nullptr && *from_env != '\0' ? std::string(from_env) : fallback;
}

namespace providers_internal {

struct HttpChatModel::Call {
  // Only the request's shape (model, stream, response schema's name): the
  // conversation is in `http`'s body, and a call may wait long behind the
  // connection cap, so it is not kept twice.
  ChatRequest request;
  std::shared_ptr<const HttpRequest> http;  // built once; every attempt sends it
  ChatCallback done;
  int attempts = 0;
  int64_t start_us = 0;
};

// One try's streaming state.
struct HttpChatModel::Attempt {
  SseParser parser;
  std::unique_ptr<StreamAssembler> assembler;
  std::string error_body;  // a streamed request's non-200 body
  Status failure;          // set when the assembler rejected an event
};

HttpChatModel::HttpChatModel(std::unique_ptr<ChatProtocol> protocol, ProviderConfig config,
                             ProviderDeps deps)
    : protocol_(std::move(protocol)), config_(std::move(config)), deps_(std::move(deps)) {
  if (!config_.prices) config_.prices = std::make_shared<PriceTable>(PriceTable::Defaults());
}

double HttpChatModel::Uniform01() const {
  if (deps_.uniform01) return deps_.uniform01();
  thread_local std::mt19937_64 gen{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
}

namespace {

// What Parse() and the stream assemblers read of a request: its shape, not
// its conversation.
ChatRequest ShapeOf(ChatRequest request) {
  ChatRequest shape;
  shape.model = std::move(request.model);
  shape.tool_choice = std::move(request.tool_choice);
  if (request.response_schema) shape.response_schema = Json::object();
  shape.response_schema_name = std::move(request.response_schema_name);
  shape.max_tokens = request.max_tokens;
  shape.stream = request.stream;
  return shape;
}

}  // namespace

void HttpChatModel::Chat(ChatRequest request, ChatCallback done) {
  auto call = std::make_shared<Call>();
  HttpRequest http = protocol_->Build(request);
  // The body grew by doubling while it was serialized (up to twice its size);
  // it may wait long behind the connection cap, so keep only its bytes.
  http.body.shrink_to_fit();
  http.connect_timeout_ms = config_.connect_timeout_ms;
  // A plain call sends nothing until the whole answer is ready, so silence is
  // expected there; only a stream that stalls is idle.
  http.idle_timeout_ms = request.stream ? config_.idle_timeout_ms : 0;
  http.total_timeout_ms = config_.total_timeout_ms;
  call->http = std::make_shared<const HttpRequest>(std::move(http));
  call->request = ShapeOf(std::move(request));
  call->done = std::move(done);
  call->start_us = deps_.clock->MonotonicMicros();
  Start(std::move(call));
}

void HttpChatModel::Start(std::shared_ptr<Call> call) {
  ++call->attempts;
  auto attempt = std::make_shared<Attempt>();
  HttpCallbacks callbacks;
  if (call->request.stream) {
    attempt->assembler = protocol_->NewAssembler(call->request);
    callbacks.on_data = [attempt](int status, std::string_view chunk) {
      if (status != 200) {
        attempt->error_body.append(chunk);
        return true;
      }
      return attempt->parser.Feed(chunk, [&](const SseEvent& event) {
        attempt->failure = attempt->assembler->OnEvent(event);
        return attempt->failure.ok();
      });
    };
  }
  callbacks.on_done = [this, call, attempt](Result<HttpResponse> response) {
    Complete(call, *attempt, std::move(response));
  };
  deps_.http->Send(call->http, std::move(callbacks));
}

void HttpChatModel::Complete(std::shared_ptr<Call> call, Attempt& attempt,
                             Result<HttpResponse> response) {
  Result<ChatReply> outcome = Outcome(*call, attempt, std::move(response));
  int64_t elapsed_us = deps_.clock->MonotonicMicros() - call->start_us;
  if (outcome.ok()) {
    ChatReply& reply = *outcome;
    reply.provider = protocol_->provider();
    if (reply.model.empty()) reply.model = call->request.model;
    reply.latency_us = elapsed_us;
    reply.attempts = call->attempts;
    reply.usage.cost_usd = config_.prices->Cost(reply.model, reply.usage);
    call->done(std::move(outcome));
    return;
  }
  Status error = outcome.error();
  auto delay_ms =
      NextRetryDelayMs(config_.retry, error, call->attempts, elapsed_us / 1000, Uniform01());
  if (delay_ms) {
    deps_.timers->After(*delay_ms * 1000, [this, call] { Start(call); });
    return;
  }
  if (call->attempts > 1) {
    Status last(error.code(),
                error.message() + " (after " + std::to_string(call->attempts) + " attempts)",
                error.type(), error.retryable());
    if (error.retry_after_s()) last.set_retry_after_s(*error.retry_after_s());
    error = std::move(last);
  }
  call->done(std::move(error));
}

Result<ChatReply> HttpChatModel::Outcome(const Call& call, Attempt& attempt,
                                         Result<HttpResponse> response) {
  if (!attempt.failure.ok()) return attempt.failure;
  if (!response.ok()) return ErrorFromTransport(response.error(), protocol_->provider());
  if (response->status != 200) {
    return HttpFailure(*response, call.request.stream ? attempt.error_body : response->body);
  }
  if (call.request.stream) return attempt.assembler->Finish();
  Json body = Json::parse(response->body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return ProviderError(kErrorMalformed, protocol_->provider() + ": the reply is not JSON (" +
                                              std::to_string(response->body.size()) + " bytes)");
  }
  return protocol_->Parse(body, call.request);
}

Status HttpChatModel::HttpFailure(const HttpResponse& response, const std::string& body) const {
  Json json = Json::parse(body, nullptr, false);
  std::string message = json.is_discarded() ? body.substr(0, 200) : protocol_->ErrorMessage(json);
  return ErrorFromHttpStatus(response.status, protocol_->provider(),
                             RedactSecret(std::move(message), config_.api_key),
                             response.Header("retry-after"));
}

}  // namespace providers_internal
}  // namespace keel
