// ChatProtocol: what differs between providers — the request body and
// headers, the reply body, the stream's events and the error envelope.
// HttpChatModel supplies everything else (HTTP, retries, timing, cost).
//
// Thread-safety: a protocol is immutable and shared; a StreamAssembler
// belongs to one attempt.
#ifndef KEEL_PROVIDERS_INTERNAL_CHAT_PROTOCOL_H_
#define KEEL_PROVIDERS_INTERNAL_CHAT_PROTOCOL_H_

#include <memory>
#include <string>

#include "io/http_client.h"
#include "io/sse_parser.h"
#include "providers/chat_model.h"

namespace keel::providers_internal {

// Builds a reply from a stream's events, one at a time.
class StreamAssembler {
 public:
  virtual ~StreamAssembler() = default;
  // A non-OK Status (typed, see provider_error.h) ends the attempt.
  virtual Status OnEvent(const SseEvent& event) = 0;
  // The reply once the stream ended; kErrorMalformed when it was cut short.
  virtual Result<ChatReply> Finish() = 0;
};

class ChatProtocol {
 public:
  virtual ~ChatProtocol() = default;
  virtual std::string provider() const = 0;
  // The HTTP request (URL, headers with the key, body) for `request`.
  virtual HttpRequest Build(const ChatRequest& request) const = 0;
  // Parses a non-streamed 200 body (kErrorMalformed, kErrorRefused on failure).
  virtual Result<ChatReply> Parse(const Json& body, const ChatRequest& request) const = 0;
  virtual std::unique_ptr<StreamAssembler> NewAssembler(const ChatRequest& request) const = 0;
  // The human message inside an error body ("" when there is none).
  virtual std::string ErrorMessage(const Json& body) const = 0;
};

}  // namespace keel::providers_internal

#endif  // KEEL_PROVIDERS_INTERNAL_CHAT_PROTOCOL_H_
