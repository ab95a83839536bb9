#include "model_server.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_set>

#include "model_reply.h"

namespace keel {
namespace {

constexpr size_t kMaxRecordedRequests = 10'000;
// A burst of thousands of connects must not overflow the accept queue (a
// dropped SYN costs the client a 1 s retransmit).
constexpr int kListenBacklog = 4096;
constexpr int kIdleConnectionTimeoutS = 60;

std::string BodyOf(evhttp_request* req) {
  evbuffer* in = evhttp_request_get_input_buffer(req);
  size_t n = evbuffer_get_length(in);
  if (n == 0) return "";
  return std::string(reinterpret_cast<const char*>(evbuffer_pullup(in, -1)), n);
}

std::string HeaderOf(evhttp_request* req, const char* name) {
  const char* v = evhttp_find_header(evhttp_request_get_input_headers(req), name);
  return v ? v : "";
}

void SendText(evhttp_request* req, int status, const std::string& text, const char* type) {
  evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", type);
  evbuffer* out = evbuffer_new();
  evbuffer_add(out, text.data(), text.size());
  evhttp_send_reply(req, status, nullptr, out);
  evbuffer_free(out);
}

void BreakLoop(evutil_socket_t, short, void* base) {
  event_base_loopbreak(static_cast<event_base*>(base));
}

// The reply's last frame is on the wire: drop the connection without the
// final chunk. Freeing the connection from its own write callback is safe:
// the bufferevent holds a reference until the callback returns.
void CloseAfterFlush(evhttp_connection* conn, void*) { evhttp_connection_free(conn); }

}  // namespace

Result<Fault> ParseFault(const Json& spec) {
  static const std::map<std::string, FaultKind> kKinds = {
      {"rate_limited", FaultKind::kRateLimited},    {"server_error", FaultKind::kServerError},
      {"overloaded", FaultKind::kOverloaded},       {"slow_first_byte", FaultKind::kSlowFirstByte},
      {"cut_mid_stream", FaultKind::kCutMidStream}, {"invalid_json", FaultKind::kInvalidJson},
      {"unauthorized", FaultKind::kUnauthorized}};
  if (!spec.is_object() || !spec.contains("kind") || !spec["kind"].is_string()) {
    return InvalidArgument("a fault needs a string \"kind\"");
  }
  auto it = kKinds.find(spec["kind"].get<std::string>());
  if (it == kKinds.end()) return InvalidArgument("unknown fault kind " + spec["kind"].dump());
  Fault f;
  f.kind = it->second;
  f.retry_after_s = spec.value("retry_after_s", 1);
  f.delay_ms = spec.value("delay_ms", 0);
  return f;
}

struct ModelTestServer::Impl {
  // A reply waiting for its delay; owned by `pending` until sent.
  struct Pending {
    Impl* impl;
    evhttp_request* req;
    model_server::Reply reply;
    event* timer = nullptr;
  };

  ModelServerOptions options;
  event_base* base = nullptr;
  evhttp* http = nullptr;
  event* stop = nullptr;  // activated by Stop(); stays active until the loop runs it
  mutable std::mutex mu;  // guards what the control methods share with the loop
  std::deque<Fault> faults;
  std::deque<Json> replies;
  std::vector<Json> requests;
  int64_t request_count = 0;
  std::unordered_set<Pending*> pending;  // loop thread (or after it stopped)

  Status Bind(int* port);
  void Routes();
  void Model(evhttp_request* req, bool anthropic);
  void Deliver(evhttp_request* req, model_server::Reply reply);
  static void Send(evhttp_request* req, const model_server::Reply& reply);
  void Release();  // after the loop stopped: frees pending replies and the loop
};

Status ModelTestServer::Impl::Bind(int* port) {
  // Stop() breaks the loop from another thread, which needs libevent's locks.
  static const int kThreadsReady = evthread_use_pthreads();
  if (kThreadsReady != 0) return Internal("libevent has no pthreads support");
  base = event_base_new();
  http = base ? evhttp_new(base) : nullptr;
  // event_base_loopbreak() is lost when it comes before the loop starts; an active event is not.
  stop = base ? event_new(base, -1, 0, BreakLoop, base) : nullptr;
  if (!http || !stop) return Internal("cannot create the event loop");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(options.port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  evconnlistener* listener = evconnlistener_new_bind(
      base, nullptr, nullptr, LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
      kListenBacklog, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  if (!listener) return Unavailable("cannot bind 127.0.0.1:" + std::to_string(options.port));
  int fd = evconnlistener_get_fd(listener);
  int yes = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));  // accepted sockets inherit it
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  evhttp_bind_listener(http, listener);  // evhttp owns it from here
  evhttp_set_timeout(http, kIdleConnectionTimeoutS);
  evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST);
  Routes();
  return Status::Ok();
}

void ModelTestServer::Impl::Send(evhttp_request* req, const model_server::Reply& reply) {
  evkeyvalq* headers = evhttp_request_get_output_headers(req);
  evhttp_add_header(headers, "Content-Type", reply.content_type.c_str());
  for (const auto& [name, value] : reply.headers) {
    evhttp_add_header(headers, name.c_str(), value.c_str());
  }
  evbuffer* out = evbuffer_new();
  if (!reply.chunked) {
    for (const auto& frame : reply.frames) evbuffer_add(out, frame.data(), frame.size());
    evhttp_send_reply(req, reply.status, nullptr, out);
    evbuffer_free(out);
    return;
  }
  if (evhttp_request_get_connection(req) == nullptr) {  // the client left while we waited
    evhttp_request_free(req);
    evbuffer_free(out);
    return;
  }
  evhttp_send_reply_start(req, reply.status, nullptr);
  size_t keep = reply.cut ? std::max<size_t>(1, reply.frames.size() / 2) : reply.frames.size();
  for (size_t i = 0; i < keep; ++i) {
    evbuffer_add(out, reply.frames[i].data(), reply.frames[i].size());
    bool last = i + 1 == keep;
    evhttp_send_reply_chunk_with_cb(req, out, reply.cut && last ? CloseAfterFlush : nullptr,
                                    nullptr);
  }
  evbuffer_free(out);
  if (!reply.cut) evhttp_send_reply_end(req);
}

void ModelTestServer::Impl::Deliver(evhttp_request* req, model_server::Reply reply) {
  if (reply.delay_ms <= 0) return Send(req, reply);
  auto* p = new Pending{this, req, std::move(reply)};
  p->timer = evtimer_new(
      base,
      [](evutil_socket_t, short, void* arg) {
        std::unique_ptr<Pending> p(static_cast<Pending*>(arg));
        p->impl->pending.erase(p.get());
        event_free(p->timer);
        // A client that left meanwhile detached the request; sending frees it.
        Send(p->req, p->reply);
      },
      p);
  pending.insert(p);
  timeval tv{p->reply.delay_ms / 1000, (p->reply.delay_ms % 1000) * 1000};
  evtimer_add(p->timer, &tv);
}

void ModelTestServer::Impl::Model(evhttp_request* req, bool anthropic) {
  if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
    return SendText(req, 405, "POST only", "text/plain");
  }
  model_server::ModelCall call;
  call.anthropic = anthropic;
  call.body = Json::parse(BodyOf(req), nullptr, false);
  if (call.body.is_discarded() || !call.body.is_object()) {
    return Deliver(req,
                   model_server::ErrorReply(anthropic, 400, "invalid_request_error", "invalid_json",
                                            "the request body is not a JSON object"));
  }
  std::optional<Fault> fault;
  std::optional<Json> canned;
  {
    std::lock_guard<std::mutex> lock(mu);
    ++request_count;
    if (requests.size() < kMaxRecordedRequests) requests.push_back(call.body);
    if (!faults.empty()) fault = faults.front(), faults.pop_front();
    if (!replies.empty()) canned = std::move(replies.front()), replies.pop_front();
  }
  call.key = HeaderOf(req, anthropic ? "x-api-key" : "Authorization");
  if (!anthropic && call.key.rfind("Bearer ", 0) == 0) call.key = call.key.substr(7);
  call.has_version = !HeaderOf(req, "anthropic-version").empty();
  Deliver(req, model_server::ModelReply(call, options.api_key, options.delay_ms, fault, canned));
}

void ModelTestServer::Impl::Routes() {
  using Handler = void (*)(evhttp_request*, void*);
  auto route = [this](const char* path, Handler handler) {
    evhttp_set_cb(http, path, handler, this);
  };
  route("/v1/chat/completions",
        [](evhttp_request* req, void* self) { static_cast<Impl*>(self)->Model(req, false); });
  route("/v1/messages",
        [](evhttp_request* req, void* self) { static_cast<Impl*>(self)->Model(req, true); });
  route("/control/faults", [](evhttp_request* req, void* self) {
    auto fault = ParseFault(Json::parse(BodyOf(req), nullptr, false));
    if (!fault.ok()) return SendText(req, 400, fault.error().message(), "text/plain");
    auto* impl = static_cast<Impl*>(self);
    std::lock_guard<std::mutex> lock(impl->mu);
    impl->faults.push_back(*fault);
    SendText(req, 200, "", "text/plain");
  });
  route("/control/replies", [](evhttp_request* req, void* self) {
    Json reply = Json::parse(BodyOf(req), nullptr, false);
    if (!reply.is_object()) return SendText(req, 400, "a reply is a JSON object", "text/plain");
    auto* impl = static_cast<Impl*>(self);
    std::lock_guard<std::mutex> lock(impl->mu);
    impl->replies.push_back(std::move(reply));
    SendText(req, 200, "", "text/plain");
  });
  route("/control/requests", [](evhttp_request* req, void* self) {
    auto* impl = static_cast<Impl*>(self);
    std::string all;
    {
      std::lock_guard<std::mutex> lock(impl->mu);
      all = Json(impl->requests).dump();
    }
    SendText(req, 200, all, "application/json");
  });
  evhttp_set_gencb(
      http, [](evhttp_request* req, void*) { SendText(req, 404, "not found", "text/plain"); },
      nullptr);
}

void ModelTestServer::Impl::Release() {
  for (Pending* p : pending) {
    event_free(p->timer);
    // Requests still on a connection are freed with it below; detached ones are ours.
    if (evhttp_request_get_connection(p->req) == nullptr) evhttp_request_free(p->req);
    delete p;
  }
  pending.clear();
  if (http) evhttp_free(http);
  if (stop) event_free(stop);
  if (base) event_base_free(base);
  http = nullptr;
  stop = nullptr;
  base = nullptr;
}

ModelTestServer::ModelTestServer(ModelServerOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  impl_->options = options_;
}

ModelTestServer::~ModelTestServer() { Stop(); }

Result<int> ModelTestServer::Start() {
  Status bound = impl_->Bind(&port_);
  if (!bound.ok()) {
    impl_->Release();
    return bound;
  }
  thread_ = std::thread([impl = impl_.get()] { event_base_dispatch(impl->base); });
  return port_;
}

void ModelTestServer::Stop() {
  if (!thread_.joinable()) return;
  event_active(impl_->stop, EV_READ, 0);
  thread_.join();
  impl_->Release();
}

void ModelTestServer::PushFault(Fault fault) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->faults.push_back(fault);
}

void ModelTestServer::PushReply(Json reply) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->replies.push_back(std::move(reply));
}

std::vector<Json> ModelTestServer::requests() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->requests;
}

int64_t ModelTestServer::request_count() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->request_count;
}

}  // namespace keel
