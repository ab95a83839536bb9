// McpTransport: how an McpClient exchanges JSON-RPC messages with one server:
// over stdio (StdioTransport) or Streamable HTTP (StreamableHttpTransport, on
// the engine's HTTP client). A transport is one connection: after it closes, the
// client makes a fresh one through its McpTransportFactory.
//
// Thread-safety: Send and Close may be called from any thread. Handlers run
// on the transport's own I/O thread, one at a time, never inside Start, Send
// or Close, so a handler may call back into the client that owns the
// transport.
#ifndef KEEL_MCP_MCP_TRANSPORT_H_
#define KEEL_MCP_MCP_TRANSPORT_H_

#include <functional>
#include <memory>
#include <string>

#include "core/json.h"
#include "core/status.h"

namespace keel {

class McpTransport {
 public:
  struct Handlers {
    std::function<void(Json message)> on_message;
    // Once, when the connection ends for any reason after Start succeeded
    // (the server exited, the stream broke, Close was called). The Status
    // says why.
    std::function<void(const Status& why)> on_closed;
    // A request sent with id `id` will get no response: the exchange that
    // carried it failed (an HTTP error status, say) while the connection
    // lives on. Optional; stdio never calls it.
    std::function<void(const Json& id, const Status& why)> on_request_failed;
  };

  virtual ~McpTransport() = default;

  // Opens the connection (starts the server process, ...). Fails with type
  // "connection_failed", or a setting's own type ("egress_denied",
  // "missing_secret"); no handler runs then. Does not wait for the server.
  virtual Status Start(Handlers handlers) = 0;

  // Queues one message. Fails (type "connection_dropped") when the connection
  // is closed. Never blocks on the server.
  virtual Status Send(const Json& message) = 0;

  // Ends the connection politely, then firmly. Idempotent; never blocks.
  virtual void Close() = 0;

  // What the server said on the side (stderr for stdio), bounded, for error
  // messages. Thread-safe.
  virtual std::string DiagnosticTail() const { return ""; }
};

using McpTransportFactory = std::function<std::unique_ptr<McpTransport>()>;

}  // namespace keel

#endif  // KEEL_MCP_MCP_TRANSPORT_H_
