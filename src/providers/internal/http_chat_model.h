// HttpChatModel: a ChatModel over HTTP for any ChatProtocol. It sends the
// request on the HttpClient (streamed or not), maps failures to the provider
// error taxonomy, retries retryable ones on the TimerService with the
// configured policy, and fills in latency, attempts and cost.
//
// Thread-safe. Must outlive its calls (stop the event loop first).
#ifndef KEEL_PROVIDERS_INTERNAL_HTTP_CHAT_MODEL_H_
#define KEEL_PROVIDERS_INTERNAL_HTTP_CHAT_MODEL_H_

#include <memory>
#include <string>

#include "providers/chat_model.h"
#include "providers/internal/chat_protocol.h"
#include "providers/provider_config.h"

namespace keel::providers_internal {

class HttpChatModel : public ChatModel {
 public:
  HttpChatModel(std::unique_ptr<ChatProtocol> protocol, ProviderConfig config, ProviderDeps deps);

  std::string provider() const override { return protocol_->provider(); }
  void Chat(ChatRequest request, ChatCallback done) override;

 private:
  struct Call;
  struct Attempt;
  void Start(std::shared_ptr<Call> call);
  void Complete(std::shared_ptr<Call> call, Attempt& attempt, Result<HttpResponse> response);
  Result<ChatReply> Outcome(const Call& call, Attempt& attempt, Result<HttpResponse> response);
  Status HttpFailure(const HttpResponse& response, const std::string& body) const;
  double Uniform01() const;

  std::unique_ptr<ChatProtocol> protocol_;
  ProviderConfig config_;
  ProviderDeps deps_;
};

}  // namespace keel::providers_internal

#endif  // KEEL_PROVIDERS_INTERNAL_HTTP_CHAT_MODEL_H_
