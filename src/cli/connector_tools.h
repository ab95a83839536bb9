// ConnectorTools: the composition root's part that turns a project's
// non-builtin tools (ToolDef::connector of kind subprocess, http, mcp) into
// implementations: a SubprocessTool each, an HttpTool each over one
// HttpClient on the engine's event loop, and an MCP tool each over one shared
// McpClient per server (over stdio the client starts its server at the first
// call; over Streamable HTTP it uses the same HttpClient and event loop).
//
// Not thread-safe itself; the tools it registers are.
#ifndef KEEL_CLI_CONNECTOR_TOOLS_H_
#define KEEL_CLI_CONNECTOR_TOOLS_H_

#include <memory>
#include <vector>

#include "core/status.h"
#include "io/event_loop.h"
#include "io/http_client.h"
#include "project/definitions.h"
#include "tools/tool.h"

namespace keel {

class McpClient;

class ConnectorTools {
 public:
  ConnectorTools() = default;
  // Closes every MCP session (their servers exit). Destroy after the event
  // loop has stopped, since the HttpClient must outlive its requests.
  ~ConnectorTools();
  ConnectorTools(const ConnectorTools&) = delete;
  ConnectorTools& operator=(const ConnectorTools&) = delete;

  // Registers an implementation for every connector tool of `project` in
  // `registry`. `loop` carries the HTTP tools' requests, on `shared_http`
  // when the loop already has its one HttpClient (the models'), else on one
  // made here. Relative subprocess working directories are taken from the
  // project root. Fails only on a connector setting the loader would have
  // rejected (kInvalidArgument).
  Status Register(const Project& project, EventLoop* loop, ToolRegistry* registry,
                  HttpClient* shared_http = nullptr);

  // Ends every MCP session: stdio servers are stopped, HTTP sessions deleted
  // (when the loop still runs). Call while the event loop object still
  // exists, since HTTP sessions post to it; idempotent.
  void CloseMcpSessions();

 private:
  HttpClient* Http(EventLoop* loop);  // the shared client, or one made on `loop`

  std::unique_ptr<HttpClient> own_http_;
  HttpClient* http_ = nullptr;  // shared or own
  std::vector<std::shared_ptr<McpClient>> mcp_;
};

}  // namespace keel

#endif  // KEEL_CLI_CONNECTOR_TOOLS_H_
