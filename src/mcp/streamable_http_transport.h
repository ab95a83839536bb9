// StreamableHttpTransport: MCP over Streamable HTTP (spec revision
// 2025-11-25) on keel's HttpClient, so no thread waits on a server.
//
// Every outgoing message is one POST to the endpoint with
// `Accept: application/json, text/event-stream`. The answer is a JSON body or
// an event stream (server-sent events) that carries the response and any
// messages the server sends while it works; events with empty data (the
// priming event of a resumable stream) are skipped. Notifications and
// responses are answered 202. The `Mcp-Session-Id` of the initialize response
// and the negotiated `MCP-Protocol-Version` go on every later request. After
// initialize a GET stream is opened for messages the server sends on its own
// (list_changed, logs); a server without one (405) is fine. A stream that
// breaks is resumed with GET and `Last-Event-ID` after the server's `retry:`
// delay. Close() DELETEs the session.
//
// Errors: an HTTP error status or a transport failure fails the request it
// answers (Handlers::on_request_failed) with a Status naming the server; a
// lost session (404, or a 400 that says the session is unknown, while one
// was sent) ends the connection, so the client starts a new session at its
// next call. Header values may hold `${env:NAME}` secrets, resolved at
// Start, never logged and redacted from error text. The endpoint's host must
// be on the egress allowlist (type "egress_denied" otherwise).
//
// Thread-safety: as McpTransport. Handlers run on the HttpClient's event loop
// thread. The HttpClient and the timers must outlive the transport's
// requests (destroy them after the event loop stops).
#ifndef KEEL_MCP_STREAMABLE_HTTP_TRANSPORT_H_
#define KEEL_MCP_STREAMABLE_HTTP_TRANSPORT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/timer_service.h"
#include "io/http_client.h"
#include "mcp/mcp_transport.h"

namespace keel {

struct HttpServerConfig {
  std::string url;                        // the MCP endpoint, e.g. https://mcp.example.com/mcp
  HttpHeaders headers;                    // added to every request; values may hold ${env:NAME}
  std::vector<std::string> egress_allow;  // keel.yaml egress.allow: host or *.domain
  int64_t connect_timeout_ms = 10'000;
  // A stream silent this long is given up; longer than the client's request
  // timeout, which normally fires first.
  int64_t idle_timeout_ms = 60'000;
  bool listen = true;                   // open the GET stream for server-initiated messages
  int max_resumes = 5;                  // consecutive reconnections of one broken stream
  int64_t default_retry_ms = 1000;      // reconnection delay when the server sent no retry:
  size_t max_message_bytes = 32 << 20;  // a longer JSON body fails its request
};

class StreamableHttpTransport : public McpTransport {
 public:
  // `server` names the server in messages. `http` carries the requests and
  // `timers` (normally the same event loop) the reconnection delays.
  StreamableHttpTransport(std::string server, HttpServerConfig config, HttpClient* http,
                          TimerService* timers);
  ~StreamableHttpTransport() override;  // Close()

  // Checks the egress allowlist and resolves the headers; sends nothing.
  Status Start(Handlers handlers) override;
  Status Send(const Json& message) override;
  void Close() override;
  // Notes on what went wrong on the side (bodies of failed notifications,
  // dropped listen streams), bounded; never header values.
  std::string DiagnosticTail() const override;

  struct Shared;  // shared with in-flight requests; defined in the .cc

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace keel

#endif  // KEEL_MCP_STREAMABLE_HTTP_TRANSPORT_H_
