#include "mcp/stdio_transport.h"

#include <signal.h>

#include <mutex>

#include "connectors/tail_buffer.h"

namespace keel {

struct StdioTransport::Shared {
  Shared(std::string server_name, StdioServerConfig cfg, ProcessReactor* r)
      : server(std::move(server_name)),
        config(std::move(cfg)),
        reactor(r),
        stderr_tail(config.max_stderr_bytes) {}

  // Reactor thread: splits stdout into lines, one message each.
  bool OnStdout(std::string_view chunk) {
    size_t scanned = line.size();
    line.append(chunk);
    size_t start = 0;
    for (size_t nl; (nl = line.find('\n', scanned)) != std::string::npos; scanned = nl + 1) {
      Deliver(std::string_view(line).substr(start, nl - start));
      start = nl + 1;
    }
    line.erase(0, start);
    if (line.size() > config.max_message_bytes) {
      Note("[keel] a message from the server exceeded " + std::to_string(config.max_message_bytes) +
           " bytes; connection dropped");
      return false;
    }
    return true;
  }

  void Deliver(std::string_view text) {
    if (text.find_first_not_of(" \t\r") == std::string_view::npos) return;
    Json message = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (message.is_discarded()) {
      // Servers that print banners to stdout break the protocol; keep the
      // evidence and carry on.
      Note("[keel] non-JSON line on stdout: " + std::string(text.substr(0, 200)));
      return;
    }
    if (handlers.on_message) handlers.on_message(std::move(message));
  }

  void Note(const std::string& text) {
    std::lock_guard<std::mutex> lock(mu);
    stderr_tail.Append(text + "\n");
  }

  void OnExit(const ProcessExit& exit) {
    bool by_us;
    {
      std::lock_guard<std::mutex> lock(mu);
      by_us = closing;
      exited = true;
    }
    Status why = by_us ? Status(StatusCode::kCancelled, "connection closed", "cancelled")
                       : Status(StatusCode::kUnavailable,
                                "mcp server '" + server + "' exited (" + exit.Describe() + ")",
                                "connection_dropped", /*retryable=*/true);
    if (handlers.on_closed) handlers.on_closed(why);
    handlers = {};
  }

  const std::string server;
  const StdioServerConfig config;
  ProcessReactor* const reactor;
  Handlers handlers;  // set in Start before the process exists; then read-only
  std::string line;   // reactor thread: a partial line
  mutable std::mutex mu;
  TailBuffer stderr_tail;  // (mu)
  ProcessHandle process;   // (mu)
  bool started = false;    // (mu)
  bool closing = false;    // (mu)
  bool exited = false;     // (mu)
};

StdioTransport::StdioTransport(std::string server, StdioServerConfig config,
                               ProcessReactor* reactor)
    : shared_(std::make_shared<Shared>(std::move(server), std::move(config), reactor)) {}

StdioTransport::~StdioTransport() { Close(); }

Status StdioTransport::Start(Handlers handlers) {
  std::lock_guard<std::mutex> lock(shared_->mu);
  if (shared_->started) {
    return Status(StatusCode::kFailedPrecondition, "transport already started",
                  "connection_failed");
  }
  shared_->started = true;
  shared_->handlers = std::move(handlers);
  SpawnOptions options;
  options.argv = shared_->config.command;
  options.cwd = shared_->config.cwd;
  options.env = shared_->config.env;
  options.keep_stdin_open = true;
  ProcessCallbacks callbacks;
  std::shared_ptr<Shared> shared = shared_;
  callbacks.on_stdout = [shared](std::string_view chunk) { return shared->OnStdout(chunk); };
  callbacks.on_stderr = [shared](std::string_view chunk) {
    std::lock_guard<std::mutex> lock(shared->mu);
    shared->stderr_tail.Append(chunk);
  };
  callbacks.on_exit = [shared](const ProcessExit& exit) { shared->OnExit(exit); };
  Result<ProcessHandle> process = shared_->reactor->Spawn(options, std::move(callbacks));
  if (!process.ok()) {
    shared_->handlers = {};
    return Status(StatusCode::kUnavailable,
                  "mcp server '" + shared_->server + "': " + process.error().message(),
                  "connection_failed", /*retryable=*/true);
  }
  shared_->process = *process;
  return Status::Ok();
}

Status StdioTransport::Send(const Json& message) {
  // Replace invalid UTF-8 rather than throw: arguments come from models.
  std::string line = message.dump(-1, ' ', false, Json::error_handler_t::replace);
  line.push_back('\n');
  ProcessHandle process;
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    if (!shared_->started || shared_->closing || shared_->exited) {
      return Status(StatusCode::kUnavailable,
                    "mcp server '" + shared_->server + "': connection is closed",
                    "connection_dropped", /*retryable=*/true);
    }
    process = shared_->process;
  }
  if (!process.Write(std::move(line))) {
    return Status(StatusCode::kUnavailable, "mcp server '" + shared_->server + "' closed its input",
                  "connection_dropped", /*retryable=*/true);
  }
  return Status::Ok();
}

void StdioTransport::Close() {
  ProcessHandle process;
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    if (!shared_->started || shared_->closing || shared_->exited) return;
    shared_->closing = true;
    process = shared_->process;
  }
  process.CloseStdin();
  int64_t grace = shared_->config.shutdown_grace_us;
  // Signals to a process already reaped are dropped by the handle.
  shared_->reactor->After(grace, [process]() mutable { process.Signal(SIGTERM); });
  shared_->reactor->After(2 * grace, [process]() mutable { process.Signal(SIGKILL); });
}

std::string StdioTransport::DiagnosticTail() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->stderr_tail.Text();
}

}  // namespace keel
