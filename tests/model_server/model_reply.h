// What the model test server answers to one model request, decided apart
// from the HTTP plumbing: status, headers, the body as frames, and how it is
// sent (at once, streamed, or cut) after how long.
//
// Thread-safe: pure functions.
#ifndef KEEL_TESTS_MODEL_SERVER_MODEL_REPLY_H_
#define KEEL_TESTS_MODEL_SERVER_MODEL_REPLY_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/json.h"
#include "model_server.h"

namespace keel::model_server {

struct Reply {
  int status = 200;
  std::string content_type = "application/json";
  // Besides Content-Type.
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::string> frames;  // the body, in pieces sent in order
  bool chunked = false;             // sent with chunked encoding, frame by frame
  bool cut = false;                 // half the frames, then the connection is closed
  int delay_ms = 0;                 // before any byte of the reply, headers included
};

// One model request as the HTTP edge read it.
struct ModelCall {
  bool anthropic = false;
  Json body;                 // the parsed request (an object)
  std::string key;           // the API key sent (bearer token or x-api-key)
  bool has_version = false;  // Anthropic: the anthropic-version header was sent
};

// The reply to `call`, given the server's key ("" accepts any), its delay
// and the fault and canned reply taken for this request.
Reply ModelReply(const ModelCall& call, const std::string& api_key, int delay_ms,
                 const std::optional<Fault>& fault, const std::optional<Json>& canned);

// An error body in the protocol's envelope.
Reply ErrorReply(bool anthropic, int status, const std::string& type, const std::string& code,
                 const std::string& message);

}  // namespace keel::model_server

#endif  // KEEL_TESTS_MODEL_SERVER_MODEL_REPLY_H_
