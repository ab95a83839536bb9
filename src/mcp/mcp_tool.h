// McpTool: a keel Tool backed by one tool of an MCP server, through the
// server's shared McpClient.
//
// Thread-safety: thread-safe; Start() returns at once and `done` runs on the
// client's I/O or timer thread (see McpClient).
#ifndef KEEL_MCP_MCP_TOOL_H_
#define KEEL_MCP_MCP_TOOL_H_

#include <memory>
#include <string>

#include "mcp/mcp_client.h"
#include "tools/tool.h"

namespace keel {

class McpTool : public Tool {
 public:
  // `remote_name` is the server's name for the tool ("echo", not
  // "everything.echo").
  McpTool(std::shared_ptr<McpClient> client, std::string remote_name)
      : client_(std::move(client)), remote_name_(std::move(remote_name)) {}

  void Start(const Json& args, const ToolCallContext& ctx, ToolCallback done) override {
    client_->CallTool(remote_name_, args, ctx, std::move(done));
  }

 private:
  std::shared_ptr<McpClient> client_;
  std::string remote_name_;
};

// Registers an McpTool under each ToolDef's name in `list`.
void RegisterMcpTools(const std::shared_ptr<McpClient>& client, const McpToolList& list,
                      ToolRegistry* registry);

}  // namespace keel

#endif  // KEEL_MCP_MCP_TOOL_H_
