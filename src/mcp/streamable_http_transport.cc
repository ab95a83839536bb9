#include "mcp/streamable_http_transport.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <utility>

#include "connectors/http_spec.h"  // ResolveEnvRefs, RedactSecrets
#include "connectors/http_tool.h"  // UrlHost, EgressAllowed, HttpStatusError
#include "connectors/tail_buffer.h"
#include "io/sse_parser.h"
#include "mcp/json_rpc.h"

namespace keel {
namespace {

constexpr size_t kMaxNotes = 16 << 10;
constexpr size_t kMaxErrorBody = 4 << 10;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Calls an optional handler.
template <typename Fn, typename... Args>
void Invoke(const Fn& fn, Args&&... args) {
  if (fn) fn(std::forward<Args>(args)...);
}

}  // namespace

// One HTTP exchange: a POST carrying one message (and its response stream),
// or a GET stream. Touched only on the event loop thread after it is sent.
struct HttpExchange {
  Json request_id;      // the id of the request the POST carries; null otherwise
  bool get = false;     // a GET stream (the listen stream, or a resumed one)
  bool listen = false;  // the listen stream rather than a resumed POST stream
  int status = 0;
  bool sse = false;
  bool answered = false;  // the response to request_id arrived
  std::string body;       // a JSON body, or the start of an error body
  SseParser parser;
  std::string last_event_id;
  int resumes = 0;
};

struct StreamableHttpTransport::Shared : std::enable_shared_from_this<Shared> {
  Shared(std::string server_name, HttpServerConfig cfg, HttpClient* client, TimerService* t)
      : server(std::move(server_name)),
        config(std::move(cfg)),
        http(client),
        timers(t),
        notes(kMaxNotes) {}

  std::string Where() const { return "mcp server '" + server + "'"; }

  void Note(const std::string& text) {
    std::lock_guard<std::mutex> lock(mu);
    notes.Append(RedactSecrets(text, secrets) + "\n");
  }

  bool Closed() {
    std::lock_guard<std::mutex> lock(mu);
    return closed;
  }

  // A request with the headers every one carries: the configured ones and the session's.
  HttpRequest BaseRequest(const std::string& method) {
    HttpRequest request;
    request.method = method;
    request.url = config.url;
    request.connect_timeout_ms = config.connect_timeout_ms;
    request.idle_timeout_ms = config.idle_timeout_ms;
    request.wait_to_multiplex = false;  // the listen stream must not hold up the POSTs
    std::lock_guard<std::mutex> lock(mu);
    request.headers = resolved_headers;
    if (!session_id.empty()) request.headers.emplace_back("Mcp-Session-Id", session_id);
    if (!protocol_version.empty()) {
      request.headers.emplace_back("MCP-Protocol-Version", protocol_version);
    }
    return request;
  }

  void Post(const Json& message) {
    HttpRequest request = BaseRequest("POST");
    request.headers.emplace_back("Accept", "application/json, text/event-stream");
    request.headers.emplace_back("Content-Type", "application/json");
    // Replace invalid UTF-8 rather than throw: arguments come from models.
    request.body = message.dump(-1, ' ', false, Json::error_handler_t::replace);
    auto exchange = std::make_shared<HttpExchange>();
    if (json_rpc::Classify(message) == json_rpc::Kind::kRequest) {
      exchange->request_id = message["id"];
    }
    Dispatch(std::move(request), exchange);
  }

  // A GET stream: the listen stream, or the resumption of a broken one.
  void Get(std::shared_ptr<HttpExchange> exchange) {
    HttpRequest request = BaseRequest("GET");
    request.headers.emplace_back("Accept", "text/event-stream");
    if (!exchange->last_event_id.empty()) {
      request.headers.emplace_back("Last-Event-ID", exchange->last_event_id);
    }
    exchange->get = true;
    exchange->status = 0;
    exchange->sse = false;
    exchange->body.clear();
    exchange->parser = SseParser();
    Dispatch(std::move(request), std::move(exchange));
  }

  void Dispatch(HttpRequest request, std::shared_ptr<HttpExchange> exchange) {
    std::shared_ptr<Shared> self = shared_from_this();
    HttpCallbacks callbacks;
    callbacks.on_headers = [self, exchange](int status, const HttpHeaders& headers) {
      return self->OnHeaders(*exchange, status, headers);
    };
    callbacks.on_data = [self, exchange](int, std::string_view chunk) {
      return self->OnData(*exchange, chunk);
    };
    callbacks.on_done = [self, exchange](Result<HttpResponse> result) {
      self->OnDone(exchange, std::move(result));
    };
    http->Send(std::move(request), std::move(callbacks));
  }

  bool OnHeaders(HttpExchange& exchange, int status, const HttpHeaders& headers) {
    exchange.status = status;
    // A listen stream that connects is working; a resumed request stream
    // counts as working only once it delivers something (Deliver).
    if (status / 100 == 2 && exchange.listen) exchange.resumes = 0;
    for (const auto& [name, value] : headers) {
      if (name == "content-type") exchange.sse = Lower(value).starts_with("text/event-stream");
      // The session is the one the initialize response names.
      if (name == "mcp-session-id" && status / 100 == 2 && IsInitialize(exchange.request_id)) {
        std::lock_guard<std::mutex> lock(mu);
        session_id = value;
      }
    }
    return !Closed();
  }

  bool OnData(HttpExchange& exchange, std::string_view chunk) {
    if (Closed()) return false;
    if (exchange.status / 100 == 2 && exchange.sse) {
      return exchange.parser.Feed(chunk, [&](const SseEvent& event) {
        if (!event.id.empty()) exchange.last_event_id = event.id;
        if (!event.data.empty() && event.type == "message") Deliver(exchange, event.data);
        return !Closed();
      });
    }
    size_t limit = exchange.status / 100 == 2 ? config.max_message_bytes : kMaxErrorBody;
    exchange.body.append(chunk.substr(0, limit - std::min(limit, exchange.body.size())));
    if (exchange.body.size() >= limit && exchange.status / 100 == 2) {
      Fail(exchange, Status(StatusCode::kResourceExhausted,
                            Where() + ": a response exceeded " +
                                std::to_string(config.max_message_bytes) + " bytes",
                            "protocol_error"));
      return false;
    }
    return true;
  }

  // One JSON text: a message or a batch of them.
  void Deliver(HttpExchange& exchange, std::string_view text) {
    Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded() || !(parsed.is_object() || parsed.is_array())) {
      Note("[keel] a message that is not JSON: " + std::string(text.substr(0, 200)));
      return;
    }
    exchange.resumes = 0;
    if (parsed.is_object()) parsed = Json::array({std::move(parsed)});
    for (Json& message : parsed) {
      if (json_rpc::Classify(message) == json_rpc::Kind::kResponse) {
        const Json& id = message["id"];
        if (!exchange.request_id.is_null() && id == exchange.request_id) exchange.answered = true;
        if (IsInitialize(id)) OnInitializeResponse(message);
      }
      Invoke(handlers.on_message, std::move(message));
    }
  }

  bool IsInitialize(const Json& id) {
    std::lock_guard<std::mutex> lock(mu);
    return !id.is_null() && id == initialize_id;
  }

  // Keeps the negotiated version, then opens the listen stream, before the
  // client hears of the result (and sends notifications/initialized).
  void OnInitializeResponse(const Json& message) {
    const Json* version = nullptr;
    if (auto result = message.find("result"); result != message.end() && result->is_object()) {
      if (auto v = result->find("protocolVersion"); v != result->end() && v->is_string()) {
        version = &*v;
      }
    }
    if (version == nullptr) return;
    {
      std::lock_guard<std::mutex> lock(mu);
      protocol_version = version->get<std::string>();
      if (!config.listen || closed) return;
    }
    auto listen = std::make_shared<HttpExchange>();
    listen->listen = true;
    Get(std::move(listen));
  }

  void OnDone(const std::shared_ptr<HttpExchange>& exchange, Result<HttpResponse> result) {
    if (Closed()) return;
    HttpExchange& x = *exchange;
    if (!result.ok()) {
      // Cut off mid-stream: resume when the server gave us a place to resume from.
      bool resumable = x.listen || (x.sse && !x.last_event_id.empty() && !x.answered);
      if (resumable && result.status().type() != "cancelled") {
        return Resume(exchange, result.status());
      }
      return Fail(x, Status(result.status().code(),
                            Where() + ": " + RedactSecrets(result.status().message(), secrets),
                            result.status().type(), result.status().retryable()));
    }
    if (x.status == 0) x.status = result->status;
    if (x.status / 100 != 2) return OnErrorStatus(x, *result);
    if (!x.sse) {
      if (!x.body.empty()) Deliver(x, x.body);
    } else if (x.listen || (!x.request_id.is_null() && !x.answered)) {
      // The stream ended before its response (or the listen stream ended).
      return Resume(exchange,
                    Status(StatusCode::kUnavailable, Where() + ": the event stream ended early",
                           "connection_dropped", /*retryable=*/true));
    }
    if (!x.request_id.is_null() && !x.answered && !x.get) {
      Fail(x, Status(StatusCode::kInternal, Where() + ": the answer to a request held no response",
                     "protocol_error"));
    }
  }

  void OnErrorStatus(HttpExchange& x, const HttpResponse& response) {
    std::string body = RedactSecrets(x.body.empty() ? response.body : x.body, secrets);
    bool had_session;
    {
      std::lock_guard<std::mutex> lock(mu);
      had_session = !session_id.empty();
    }
    if (x.listen) {
      // No listen stream (405 is the spec's word for it; others say 404):
      // the server can still answer on each POST's own stream.
      if (x.status != 405) Note("[keel] no listen stream: HTTP " + std::to_string(x.status));
      return;
    }
    // The spec says 404; servers built on older SDK examples (server-everything
    // among them) say 400 "No valid session ID provided".
    if (had_session && (x.status == 404 ||
                        (x.status == 400 && Lower(body).find("session") != std::string::npos))) {
      return End(Status(StatusCode::kUnavailable,
                        Where() + ": the session is gone (HTTP " + std::to_string(x.status) +
                            "); a new one starts at the next call",
                        "session_lost", /*retryable=*/true));
    }
    Status why = HttpStatusError(x.status, response.Header("retry-after"), body);
    Fail(x, Status(why.code(), Where() + ": " + why.message(), why.type(), why.retryable()));
  }

  // Tries a broken stream again with GET and Last-Event-ID, after the
  // server's retry delay; gives up after max_resumes in a row.
  void Resume(const std::shared_ptr<HttpExchange>& exchange, const Status& why) {
    HttpExchange& x = *exchange;
    if (x.last_event_id.empty() && !x.listen) {
      return Fail(x,
                  Status(why.code(), Where() + ": " + why.message(), why.type(), why.retryable()));
    }
    if (++x.resumes > config.max_resumes) {
      return Fail(x, Status(why.code(),
                            Where() + ": " + why.message() + " (gave up after " +
                                std::to_string(config.max_resumes) + " reconnections)",
                            why.type(), why.retryable()));
    }
    int64_t delay_ms = x.parser.retry_ms() >= 0 ? x.parser.retry_ms() : config.default_retry_ms;
    std::weak_ptr<Shared> weak = weak_from_this();
    timers->After(delay_ms * 1000, [weak, exchange] {
      auto self = weak.lock();
      if (self && !self->Closed()) self->Get(exchange);
    });
  }

  // An exchange failed: its request, if any, gets no response.
  void Fail(HttpExchange& x, const Status& why) {
    if (x.request_id.is_null() || x.answered) {
      Note("[keel] " + why.message());
      return;
    }
    x.answered = true;  // fail it once
    Invoke(handlers.on_request_failed, x.request_id, why);
  }

  // The connection is over (the session is gone): tell the client once.
  void End(const Status& why) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (closed) return;
      closed = true;
    }
    Invoke(handlers.on_closed, why);
  }

  const std::string server;
  const HttpServerConfig config;
  HttpClient* const http;
  TimerService* const timers;
  Handlers handlers;  // set in Start before any request; then read-only
  mutable std::mutex mu;
  HttpHeaders resolved_headers;      // (mu) set in Start
  std::vector<std::string> secrets;  // set in Start; then read-only
  std::string session_id;            // (mu)
  std::string protocol_version;      // (mu)
  Json initialize_id;                // (mu) the id of the initialize request
  TailBuffer notes;                  // (mu)
  bool started = false;              // (mu)
  bool closed = false;               // (mu)
};

StreamableHttpTransport::StreamableHttpTransport(std::string server, HttpServerConfig config,
                                                 HttpClient* http, TimerService* timers)
    : shared_(std::make_shared<Shared>(std::move(server), std::move(config), http, timers)) {}

StreamableHttpTransport::~StreamableHttpTransport() { Close(); }

Status StreamableHttpTransport::Start(Handlers handlers) {
  Shared& s = *shared_;
  std::string host = UrlHost(s.config.url);
  if (host.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  s.Where() + ": '" + s.config.url + "' is not an http(s) URL",
                  "connection_failed");
  }
  if (!EgressAllowed(s.config.egress_allow, host)) {
    return Status(
        StatusCode::kPermissionDenied,
        s.Where() + ": host '" + host + "' is not on the egress allowlist (keel.yaml egress.allow)",
        "egress_denied");
  }
  HttpHeaders resolved;
  std::vector<std::string> secrets;
  for (const auto& [name, value] : s.config.headers) {
    Result<std::string> text = ResolveEnvRefs(value, &secrets);
    if (!text.ok()) {
      return Status(text.status().code(),
                    s.Where() + ": header " + name + ": " + text.status().message(),
                    text.status().type());
    }
    resolved.emplace_back(name, std::move(text).value());
  }
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.started) {
    return Status(StatusCode::kFailedPrecondition, "transport already started",
                  "connection_failed");
  }
  s.started = true;
  s.handlers = std::move(handlers);
  s.resolved_headers = std::move(resolved);
  s.secrets = std::move(secrets);
  return Status::Ok();
}

Status StreamableHttpTransport::Send(const Json& message) {
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    if (!shared_->started || shared_->closed) {
      return Status(StatusCode::kUnavailable, shared_->Where() + ": connection is closed",
                    "connection_dropped", /*retryable=*/true);
    }
    if (json_rpc::Classify(message) == json_rpc::Kind::kRequest &&
        message["method"] == "initialize") {
      shared_->initialize_id = message["id"];
    }
  }
  shared_->Post(message);
  return Status::Ok();
}

void StreamableHttpTransport::Close() {
  std::string session;
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    if (!shared_->started || shared_->closed) return;
    shared_->closed = true;
    session = shared_->session_id;
  }
  if (!session.empty()) {
    // Polite and best effort: nobody waits for the answer.
    HttpRequest request = shared_->BaseRequest("DELETE");
    HttpCallbacks callbacks;
    callbacks.on_done = [](Result<HttpResponse>) {};
    shared_->http->Send(std::move(request), std::move(callbacks));
  }
  // on_closed never runs inside Close: the event loop delivers it.
  std::shared_ptr<Shared> shared = shared_;
  shared_->timers->After(0, [shared] {
    Invoke(shared->handlers.on_closed,
           Status(StatusCode::kCancelled, "connection closed", "cancelled"));
  });
}

std::string StreamableHttpTransport::DiagnosticTail() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->notes.Text();
}

}  // namespace keel
