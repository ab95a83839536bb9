// ModelTestServer: a local HTTP server that speaks the OpenAI Chat
// Completions and Anthropic Messages protocols, for testing keel's providers
// and benchmarking with no network. Bound to 127.0.0.1 only.
//
//   POST /v1/chat/completions   OpenAI, plain and streamed (SSE)
//   POST /v1/messages           Anthropic, plain and streamed (SSE)
//   POST /control/faults        {"kind": "rate_limited", "retry_after_s": 2}: queue a fault
//   POST /control/replies       {"text": "..."} or {"tool_calls": [{"name", "arguments"}]}
//   GET  /control/requests      the request bodies received so far
//
// Answers are deterministic functions of the request (see protocol.h) unless
// a canned reply is queued. Faults and canned replies are taken FIFO, one
// per model request.
//
// One thread serves every connection on an event loop (libevent's evhttp):
// a slow answer is a timer armed when the request arrives, so thousands of
// keep-alive connections each waiting for a delayed answer cost a socket and
// a pending reply each, never a thread.
//
// Thread-safe: every method may be called while requests are served.
#ifndef KEEL_TESTS_MODEL_SERVER_MODEL_SERVER_H_
#define KEEL_TESTS_MODEL_SERVER_MODEL_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/json.h"
#include "core/status.h"

namespace keel {

enum class FaultKind {
  kRateLimited,    // 429 with Retry-After
  kServerError,    // 500
  kOverloaded,     // 529 (Anthropic's overloaded_error; OpenAI clients see the same code)
  kSlowFirstByte,  // the answer, after delay_ms
  kCutMidStream,   // part of the answer, then the connection is closed
  kInvalidJson,    // 200 with a body that is not JSON
  kUnauthorized,   // 401
};

struct Fault {
  FaultKind kind = FaultKind::kServerError;
  int retry_after_s = 1;  // kRateLimited
  int delay_ms = 0;       // kSlowFirstByte
};

// Parses {"kind": "rate_limited" | "server_error" | "overloaded" | "slow_first_byte" |
// "cut_mid_stream" | "invalid_json" | "unauthorized", "retry_after_s", "delay_ms"}.
Result<Fault> ParseFault(const Json& spec);

struct ModelServerOptions {
  int port = 0;         // 0: an ephemeral port
  int delay_ms = 0;     // added before every answer (a slow model)
  std::string api_key;  // when set, any other key is answered with 401
};

class ModelTestServer {
 public:
  explicit ModelTestServer(ModelServerOptions options);
  ~ModelTestServer();  // stops

  // Binds 127.0.0.1 and serves on a background thread; returns the port.
  Result<int> Start();
  // Stops serving and closes every connection; answers still pending are dropped.
  void Stop();

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  void PushFault(Fault fault);
  void PushReply(Json reply);
  std::vector<Json> requests() const;  // bodies of the model requests, in arrival order
  int64_t request_count() const;

  struct Impl;  // the event loop and the routes; defined in the .cc

 private:
  ModelServerOptions options_;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace keel

#endif  // KEEL_TESTS_MODEL_SERVER_MODEL_SERVER_H_
