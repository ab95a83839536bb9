// McpServerConfig: one entry of `mcp_servers` in keel.yaml (given as JSON),
// and the McpClient options it stands for. A server runs as a child process
// over stdio (`command`) or is reached over Streamable HTTP (`url`):
//
//   mcp_servers:
//     everything:                # the name prefixes its tools: everything.echo
//       command: [node, server-everything/dist/index.js, stdio]
//       env: {LOG_LEVEL: warn, API_KEY: "${CRM_API_KEY}"}  # optional; ${VAR} from keel's env
//       cwd: .                   # optional
//       timeout_s: 30            # optional, per request
//     crm:
//       url: https://mcp.example.com/mcp   # its host must be on egress.allow
//       headers: {Authorization: "Bearer ${env:CRM_MCP_TOKEN}"}  # optional; secrets
//
// `transport` (stdio or streamable_http) may be given too; it must match.
// `${VAR}` in an env value is replaced from keel's environment when the entry
// is parsed (an unset VAR is an error); `${env:NAME}` in a header is a secret
// read when the connection opens, never written anywhere.
//
// Thread-compatible value types.
#ifndef KEEL_MCP_MCP_SERVER_CONFIG_H_
#define KEEL_MCP_MCP_SERVER_CONFIG_H_

#include <string>
#include <utility>
#include <vector>

#include "connectors/process_reactor.h"
#include "core/json.h"
#include "core/status.h"
#include "io/event_loop.h"
#include "io/http_client.h"
#include "mcp/mcp_client.h"

namespace keel {

struct McpServerConfig {
  std::string name;
  std::vector<std::string> command;
  std::string cwd;
  std::vector<std::pair<std::string, std::string>> env;      // ${VAR} expanded
  std::string url;                                           // set for Streamable HTTP
  std::vector<std::pair<std::string, std::string>> headers;  // values may hold ${env:NAME}
  double timeout_s = 30;
};

// Parses the entry for server `name`. Fails with kInvalidArgument naming the
// field, e.g. "mcp_servers.everything.command: expected a non-empty list".
Result<McpServerConfig> ParseMcpServerConfig(const std::string& name, const Json& entry);

// Parses the whole `mcp_servers` mapping, in name order.
Result<std::vector<McpServerConfig>> ParseMcpServers(const Json& mcp_servers);

// Client options that run the server over stdio on `reactor` (which also
// times requests out).
McpClientOptions StdioClientOptions(const McpServerConfig& config,
                                    ProcessReactor* reactor = ProcessReactor::Default());

// Client options that reach the server at `config.url` over Streamable HTTP
// on `http`, whose event loop `loop` also times requests out; the URL's host
// must be on `egress_allow`.
McpClientOptions HttpClientOptionsFor(const McpServerConfig& config, HttpClient* http,
                                      EventLoop* loop, std::vector<std::string> egress_allow);

}  // namespace keel

#endif  // KEEL_MCP_MCP_SERVER_CONFIG_H_
