// McpServerConfig: one entry of `mcp_servers` in keel.yaml (given as JSON),
// and the McpClient options it stands for:
//
//   mcp_servers:
//     everything:                     # the name prefixes its tools: everything.echo
//       command: [node,
//       .tools/mcp/node_modules/@modelcontextprotocol/server-everything/dist/index.js, stdio] env:
//       {LOG_LEVEL: warn}        # optional, added to keel's environment cwd: . # optional
//       timeout_s: 30                 # optional, per request
//       transport: stdio              # optional; the only one so far
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
#include "mcp/mcp_client.h"

namespace keel {

struct McpServerConfig {
  std::string name;
  std::vector<std::string> command;
  std::string cwd;
  std::vector<std::pair<std::string, std::string>> env;
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

}  // namespace keel

#endif  // KEEL_MCP_MCP_SERVER_CONFIG_H_
