#include "mcp/mcp_tool.h"

#include "mcp/tool_mapping.h"

namespace keel {

void RegisterMcpTools(const std::shared_ptr<McpClient>& client, const McpToolList& list,
                      ToolRegistry* registry) {
  for (const ToolDef& def : list.tools) {
    std::string remote = mcp::RemoteToolName(client->server_name(), def.name);
    if (remote.empty()) continue;  // not this server's: nothing to route it to
    registry->Register(def.name, std::make_shared<McpTool>(client, remote));
  }
}

}  // namespace keel
