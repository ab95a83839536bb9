// McpClient: the session — connection lifecycle, request bookkeeping,
// timeouts and incoming messages. Tool listing and calls are in
// mcp_client_tools.cc.
#include "mcp/mcp_client.h"

#include "connectors/process_reactor.h"
#include "mcp/json_rpc.h"

namespace keel {
namespace {

void RunAll(std::vector<std::function<void()>>& later) {
  for (auto& fn : later) fn();
}

// The last part of a server's diagnostics, for error messages.
std::string DiagnosticSuffix(const std::string& tail) {
  constexpr size_t kMax = 2000;
  if (tail.empty()) return "";
  return "; server stderr: " +
         (tail.size() <= kMax ? tail : "..." + tail.substr(tail.size() - kMax));
}

std::string Seconds(int64_t micros) { return Json(static_cast<double>(micros) / 1e6).dump(); }

}  // namespace

std::shared_ptr<McpClient> McpClient::Create(McpClientOptions options) {
  return std::shared_ptr<McpClient>(new McpClient(std::move(options)));
}

McpClient::McpClient(McpClientOptions options)
    : options_(std::move(options)),
      timers_(options_.timers != nullptr ? options_.timers : ProcessReactor::Default()) {}

McpClient::~McpClient() { Close(); }

void McpClient::Close() {
  Later later;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ == State::kClosed) return;
    DropLocked(Status(StatusCode::kCancelled, Where() + ": client closed", "cancelled"), &later);
    state_ = State::kClosed;
  }
  RunAll(later);
}

void McpClient::Request(const std::string& method, Json params, Callback done) {
  Later later;
  {
    std::lock_guard<std::mutex> lock(mu_);
    switch (state_) {
      case State::kClosed:
        later.push_back([done = std::move(done), where = Where()] {
          done(Status(StatusCode::kCancelled, where + ": client closed", "cancelled"));
        });
        break;
      case State::kReady:
        SendLocked(method, std::move(params), std::move(done), &later);
        break;
      case State::kIdle:
        queued_.push_back({method, std::move(params), std::move(done)});
        ConnectLocked(&later);
        break;
      case State::kConnecting:
        queued_.push_back({method, std::move(params), std::move(done)});
        break;
    }
  }
  RunAll(later);
}

void McpClient::SendLocked(const std::string& method, Json params, Callback done, Later* later) {
  int64_t id = next_id_++;
  Status sent = transport_->Send(json_rpc::Request(id, method, std::move(params)));
  if (!sent.ok()) {
    // The connection is going; its on_closed will reset the session.
    later->push_back([done = std::move(done), sent] { done(sent); });
    return;
  }
  pending_.emplace(id, Pending{method, std::move(done)});
  ArmTimeoutLocked(id);
}

void McpClient::ArmTimeoutLocked(int64_t id) {
  std::weak_ptr<McpClient> weak = weak_from_this();
  timers_->After(options_.request_timeout_us, [weak, id] {
    if (auto self = weak.lock()) self->OnTimeout(id);
  });
}

void McpClient::ConnectLocked(Later* later) {
  state_ = State::kConnecting;
  uint64_t generation = ++generation_;
  std::weak_ptr<McpClient> weak = weak_from_this();
  McpTransport::Handlers handlers;
  handlers.on_message = [weak, generation](Json message) {
    if (auto self = weak.lock()) self->OnMessage(generation, std::move(message));
  };
  handlers.on_closed = [weak, generation](const Status& why) {
    if (auto self = weak.lock()) self->OnClosed(generation, why);
  };
  handlers.on_request_failed = [weak, generation](const Json& id, const Status& why) {
    if (auto self = weak.lock()) self->OnRequestFailed(generation, id, why);
  };
  std::shared_ptr<McpTransport> transport = options_.transport();
  Status started = transport->Start(std::move(handlers));
  if (!started.ok()) {
    DropLocked(started, later);
    return;
  }
  transport_ = std::move(transport);
  SendLocked(
      "initialize", mcp::InitializeParams(options_.client_version),
      [weak, generation](Result<Json> result) {
        if (auto self = weak.lock()) self->OnInitialized(generation, std::move(result));
      },
      later);
}

void McpClient::DropLocked(const Status& why, Later* later) {
  ++generation_;  // whatever the old connection still says is ignored
  if (state_ != State::kClosed) state_ = State::kIdle;
  if (std::shared_ptr<McpTransport> transport = std::move(transport_)) {
    transport->Close();
    later->push_back([transport] {});  // destroyed outside the lock
  }
  for (auto& [id, pending] : pending_) {
    later->push_back([done = std::move(pending.done), why] { done(why); });
  }
  pending_.clear();
  for (Queued& queued : queued_) {
    later->push_back([done = std::move(queued.done), why] { done(why); });
  }
  queued_.clear();
  refreshing_ = false;
  refresh_again_ = false;
}

void McpClient::OnInitialized(uint64_t generation, Result<Json> result) {
  Later later;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (generation != generation_ || state_ != State::kConnecting) return;
    Result<mcp::ServerInfo> info = result.ok()
                                       ? mcp::ParseInitializeResult(*result, options_.server_name)
                                       : Result<mcp::ServerInfo>(result.error());
    if (!info.ok()) {
      std::string tail = transport_ ? transport_->DiagnosticTail() : "";
      DropLocked(Status(info.error().code(),
                        Where() + ": initialize failed: " + info.error().message() +
                            DiagnosticSuffix(tail),
                        "connection_failed", info.error().retryable()),
                 &later);
    } else {
      info_ = std::move(*info);
      transport_->Send(json_rpc::Notification("notifications/initialized"));
      state_ = State::kReady;
      std::vector<Queued> queued = std::move(queued_);
      queued_.clear();
      for (Queued& q : queued) SendLocked(q.method, std::move(q.params), std::move(q.done), &later);
    }
  }
  RunAll(later);
}

void McpClient::OnMessage(uint64_t generation, Json message) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (generation != generation_) return;
  }
  switch (json_rpc::Classify(message)) {
    case json_rpc::Kind::kResponse:
      OnResponse(message);
      break;
    case json_rpc::Kind::kRequest:
      OnServerRequest(message);
      break;
    case json_rpc::Kind::kNotification:
      OnNotification(message);
      break;
    case json_rpc::Kind::kInvalid: {
      std::lock_guard<std::mutex> lock(mu_);
      logs_.push_back({"error", "keel", {{"invalid_message", message}}});
      if (logs_.size() > options_.max_log_entries) logs_.pop_front();
      break;
    }
  }
}

void McpClient::OnResponse(const Json& message) {
  const Json& id = message["id"];
  if (!id.is_number_integer()) return;  // not one of ours: keel sends integer ids
  Pending pending;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = pending_.find(id.get<int64_t>());
    if (it == pending_.end()) return;  // timed out already
    pending = std::move(it->second);
    pending_.erase(it);
  }
  if (auto error = message.find("error"); error != message.end()) {
    pending.done(json_rpc::ErrorStatus(*error, options_.server_name, pending.method));
  } else {
    pending.done(message["result"]);
  }
}

void McpClient::OnRequestFailed(uint64_t generation, const Json& id, const Status& why) {
  if (!id.is_number_integer()) return;
  Pending pending;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (generation != generation_) return;
    auto it = pending_.find(id.get<int64_t>());
    if (it == pending_.end()) return;  // timed out already
    pending = std::move(it->second);
    pending_.erase(it);
  }
  pending.done(why);
}

void McpClient::OnServerRequest(const Json& message) {
  const std::string& method = message["method"].get_ref<const std::string&>();
  Json reply = method == "ping" ? json_rpc::ResultResponse(message["id"], Json::object())
                                : json_rpc::ErrorResponse(message["id"], json_rpc::kMethodNotFound,
                                                          "Method not found: " + method);
  std::lock_guard<std::mutex> lock(mu_);
  if (transport_) transport_->Send(reply);
}

void McpClient::OnNotification(const Json& message) {
  const std::string& method = message["method"].get_ref<const std::string&>();
  Json params = message.value("params", Json::object());
  Later later;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (method == "notifications/message" && params.is_object()) {
      logs_.push_back({params.value("level", "info"), params.value("logger", ""),
                       params.value("data", Json())});
      if (logs_.size() > options_.max_log_entries) logs_.pop_front();
    } else if (method == "notifications/tools/list_changed") {
      ++list_changes_;
      stale_ = true;
      RefreshLocked(&later);
    }
    // Progress, resource and other notifications are of no use to keel yet.
  }
  RunAll(later);
}

void McpClient::OnClosed(uint64_t generation, const Status& why) {
  Later later;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (generation != generation_) return;
    std::string tail = transport_ ? transport_->DiagnosticTail() : "";
    DropLocked(Status(StatusCode::kUnavailable,
                      Where() + ": connection dropped: " + why.message() + DiagnosticSuffix(tail),
                      "connection_dropped", /*retryable=*/true),
               &later);
  }
  RunAll(later);
}

void McpClient::OnTimeout(int64_t id) {
  Later later;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    Pending pending = std::move(it->second);
    pending_.erase(it);
    Status timeout(StatusCode::kDeadlineExceeded,
                   Where() + ": no answer to " + pending.method + " within " +
                       Seconds(options_.request_timeout_us) + " s",
                   "timeout", /*retryable=*/true);
    later.push_back([done = std::move(pending.done), timeout] { done(timeout); });
    if (state_ == State::kConnecting) {
      // Only initialize is in flight while connecting: the server is stuck.
      DropLocked(Status(StatusCode::kUnavailable, timeout.message(), "connection_failed", true),
                 &later);
    } else if (transport_) {
      transport_->Send(json_rpc::Notification("notifications/cancelled",
                                              {{"requestId", id}, {"reason", "timeout"}}));
    }
  }
  RunAll(later);
}

std::optional<mcp::ServerInfo> McpClient::server_info() const {
  std::lock_guard<std::mutex> lock(mu_);
  return info_;
}

std::string McpClient::server_stderr() const {
  std::lock_guard<std::mutex> lock(mu_);
  return transport_ ? transport_->DiagnosticTail() : "";
}

std::vector<McpLogEntry> McpClient::logs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {logs_.begin(), logs_.end()};
}

}  // namespace keel
