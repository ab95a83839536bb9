// McpClient: one JSON-RPC 2.0 session with one MCP server, over an
// McpTransport. It connects on first use (initialize, version negotiation,
// notifications/initialized), lists the server's tools as keel ToolDefs
// (following pagination), calls tools, and keeps going when the server does
// not: a crash fails the calls in flight with type "connection_dropped" and
// the next call starts a fresh connection.
//
// Also handled: per-request timeouts (type "timeout"; the server is sent
// notifications/cancelled), server log messages (kept, bounded),
// notifications/tools/list_changed (the list is marked stale and refreshed in
// the background), and server-to-client requests (ping is answered; anything
// else gets JSON-RPC "method not found", since keel declares no client
// capabilities).
//
// Thread-safety: thread-safe; share one client per server. Callbacks run on
// the transport's I/O thread or the timer thread (occasionally on the calling
// thread, for calls that fail at once) with no client lock held; they must
// be quick. The *Blocking methods wait and must not be called from a callback.
#ifndef KEEL_MCP_MCP_CLIENT_H_
#define KEEL_MCP_MCP_CLIENT_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "core/timer_service.h"
#include "mcp/mcp_protocol.h"
#include "mcp/mcp_transport.h"
#include "tools/tool.h"

namespace keel {

struct McpClientOptions {
  std::string server_name;        // tools are named "<server_name>.<tool>"
  McpTransportFactory transport;  // called for every (re)connection
  int64_t request_timeout_us = 30'000'000;
  TimerService* timers = nullptr;  // null: ProcessReactor::Default()
  std::string client_version = "0.1.0";
  size_t max_log_entries = 200;
};

// The server's tools as keel sees them.
struct McpToolList {
  std::vector<ToolDef> tools;
  std::vector<Status> problems;  // entries skipped, each naming the tool and why
};

// A notifications/message the server sent.
struct McpLogEntry {
  std::string level;
  std::string logger;
  Json data;
};

class McpClient : public std::enable_shared_from_this<McpClient> {
 public:
  using Callback = std::function<void(Result<Json>)>;
  using ToolListCallback = std::function<void(Result<McpToolList>)>;

  static std::shared_ptr<McpClient> Create(McpClientOptions options);
  // Fails what is still pending (type "cancelled") and closes the transport.
  ~McpClient();

  // Sends a request, connecting first when needed; `done` gets the result or
  // a Status (JSON-RPC errors mapped by json_rpc::ErrorStatus; "timeout";
  // "connection_dropped"; "connection_failed"). Never blocks.
  void Request(const std::string& method, Json params, Callback done);

  // tools/call of `remote_name` (the server's own name for the tool); the
  // result is mapped by mcp::MapCallToolResult. Never blocks.
  void CallTool(const std::string& remote_name, const Json& args, const ToolCallContext& ctx,
                Callback done);

  // Every page of tools/list, mapped to ToolDefs. Never blocks.
  void ListTools(ToolListCallback done);
  // The same, waiting for the answer (at most one request timeout per page).
  Result<McpToolList> ListToolsBlocking();

  // Called with each refreshed list after the server says its list changed.
  void SetToolsChangedListener(std::function<void(const McpToolList&)> listener);
  // True until a list has been fetched, and after list_changed until the
  // refresh lands.
  bool tools_stale() const;
  std::optional<McpToolList> cached_tools() const;

  std::optional<mcp::ServerInfo> server_info() const;  // once connected
  std::vector<McpLogEntry> logs() const;
  // The bounded tail of what the current connection's server wrote on the
  // side (stderr for stdio); "" when not connected.
  std::string server_stderr() const;
  const std::string& server_name() const { return options_.server_name; }

  // Ends the session for good: pending and later calls fail with "cancelled".
  void Close();

 private:
  enum class State { kIdle, kConnecting, kReady, kClosed };
  struct Pending {
    std::string method;
    Callback done;
  };
  struct Queued {
    std::string method;
    Json params;
    Callback done;
  };
  using Later = std::vector<std::function<void()>>;

  explicit McpClient(McpClientOptions options);

  void SendLocked(const std::string& method, Json params, Callback done, Later* later);
  void ConnectLocked(Later* later);
  void DropLocked(const Status& why, Later* later);
  void ArmTimeoutLocked(int64_t id);
  void OnInitialized(uint64_t generation, Result<Json> result);
  void OnMessage(uint64_t generation, Json message);
  void OnResponse(const Json& message);
  void OnRequestFailed(uint64_t generation, const Json& id, const Status& why);
  void OnServerRequest(const Json& message);
  void OnNotification(const Json& message);
  void OnClosed(uint64_t generation, const Status& why);
  void OnTimeout(int64_t id);
  void ListPage(std::string cursor, std::shared_ptr<McpToolList> list, uint64_t changes, int pages,
                ToolListCallback done);
  void FinishList(McpToolList list, uint64_t changes);
  void RefreshLocked(Later* later);
  std::string Where() const { return "mcp server '" + options_.server_name + "'"; }

  const McpClientOptions options_;
  TimerService* const timers_;
  mutable std::mutex mu_;
  State state_ = State::kIdle;
  uint64_t generation_ = 0;  // bumped per connection; stale events are dropped
  std::shared_ptr<McpTransport> transport_;
  int64_t next_id_ = 1;
  std::unordered_map<int64_t, Pending> pending_;
  std::vector<Queued> queued_;  // waiting for initialize
  std::optional<mcp::ServerInfo> info_;
  std::optional<McpToolList> tools_;
  uint64_t list_changes_ = 0;  // notifications/tools/list_changed seen
  bool stale_ = true;
  bool refreshing_ = false;
  bool refresh_again_ = false;
  std::function<void(const McpToolList&)> listener_;
  std::deque<McpLogEntry> logs_;
};

}  // namespace keel

#endif  // KEEL_MCP_MCP_CLIENT_H_
