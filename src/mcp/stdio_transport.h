// StdioTransport: MCP over a child process's stdin and stdout, one JSON-RPC
// message per line each way (the MCP stdio transport). The server runs in its
// own process group; its stderr is drained into a bounded tail kept for error
// messages. All pipes are served by a ProcessReactor's single I/O thread.
//
// Closing: stdin is closed first (the polite end of a stdio session), then
// SIGTERM after `shutdown_grace_us`, then SIGKILL after as long again, since
// some servers never exit on end of input.
//
// Thread-safety: as McpTransport. The transport may be destroyed while its
// process is still stopping; the reactor finishes it alone.
#ifndef KEEL_MCP_STDIO_TRANSPORT_H_
#define KEEL_MCP_STDIO_TRANSPORT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "connectors/process_reactor.h"
#include "mcp/mcp_transport.h"

namespace keel {

struct StdioServerConfig {
  std::vector<std::string> command;                      // argv; command[0] is looked up in PATH
  std::string cwd;                                       // "" keeps keel's
  std::vector<std::pair<std::string, std::string>> env;  // added to keel's
  size_t max_stderr_bytes = 64 << 10;
  size_t max_message_bytes = 32 << 20;  // a longer line drops the connection
  int64_t shutdown_grace_us = 2'000'000;
};

class StdioTransport : public McpTransport {
 public:
  // `server` names the server in messages; `reactor` must outlive the process.
  StdioTransport(std::string server, StdioServerConfig config,
                 ProcessReactor* reactor = ProcessReactor::Default());
  ~StdioTransport() override;  // Close()

  Status Start(Handlers handlers) override;
  Status Send(const Json& message) override;
  void Close() override;
  std::string DiagnosticTail() const override;

 private:
  struct Shared;  // shared with the reactor's callbacks
  std::shared_ptr<Shared> shared_;
};

}  // namespace keel

#endif  // KEEL_MCP_STDIO_TRANSPORT_H_
