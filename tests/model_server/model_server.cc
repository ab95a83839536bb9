#include "model_server.h"

#include <httplib.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <chrono>
#include <map>

#include "protocol.h"

namespace keel {
namespace {

constexpr size_t kMaxRecordedRequests = 10'000;

void Pause(int ms) {
  // The test server stands in for a slow model: holding its own thread is the point.
  if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

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
  httplib::Server server;
  ModelServerOptions options;
  int listen_fd = -1;
  mutable std::mutex mu;
  std::deque<Fault> faults;
  std::deque<Json> replies;
  std::vector<Json> requests;
  int64_t request_count = 0;

  void Routes();
  void Model(const httplib::Request& req, httplib::Response& res, bool anthropic);
  // Sends `frames` (or half of them, then drops the connection, when `cut`).
  static void Send(httplib::Response& res, std::vector<std::string> frames, bool stream,
                   bool cut);
  static void Error(httplib::Response& res, bool anthropic, int status, const std::string& type,
                    const std::string& code, const std::string& message);
};

void ModelTestServer::Impl::Error(httplib::Response& res, bool anthropic, int status,
                                  const std::string& type, const std::string& code,
                                  const std::string& message) {
  res.status = status;
  Json body = anthropic ? model_server::AnthropicError(type, message)
                        : model_server::OpenAiError(type, code, message);
  res.set_content(body.dump(), "application/json");
}

void ModelTestServer::Impl::Send(httplib::Response& res, std::vector<std::string> frames,
                                 bool stream, bool cut) {
  if (!stream && !cut) {
    res.set_content(frames.front(), "application/json");
    return;
  }
  if (!stream) {  // one body: cutting it means sending its first half
    std::string body = std::move(frames.front());
    frames = {body.substr(0, body.size() / 2), body.substr(body.size() / 2)};
  }
  size_t keep = cut ? frames.size() / 2 : frames.size();
  auto shared = std::make_shared<std::vector<std::string>>(std::move(frames));
  res.set_chunked_content_provider(
      stream ? "text/event-stream" : "application/json",
      [shared, keep, cut](size_t, httplib::DataSink& sink) {
        for (size_t i = 0; i < keep; ++i) sink.write((*shared)[i].data(), (*shared)[i].size());
        if (cut) return false;  // closes the connection without the final chunk
        sink.done();
        return true;
      });
}

void ModelTestServer::Impl::Model(const httplib::Request& req, httplib::Response& res,
                                  bool anthropic) {
  Json body = Json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return Error(res, anthropic, 400, "invalid_request_error", "invalid_json",
                 "the request body is not a JSON object");
  }
  std::optional<Fault> fault;
  std::optional<Json> canned;
  {
    std::lock_guard<std::mutex> lock(mu);
    ++request_count;
    if (requests.size() < kMaxRecordedRequests) requests.push_back(body);
    if (!faults.empty()) fault = faults.front(), faults.pop_front();
    if (!replies.empty()) canned = std::move(replies.front()), replies.pop_front();
  }
  std::string key =
      anthropic ? req.get_header_value("x-api-key") : req.get_header_value("Authorization");
  if (!anthropic && key.rfind("Bearer ", 0) == 0) key = key.substr(7);
  bool bad_key = !options.api_key.empty() && key != options.api_key;
  if (bad_key || (fault && fault->kind == FaultKind::kUnauthorized)) {
    // Like the real services, the message quotes the key: clients must not repeat it.
    return Error(res, anthropic, 401, anthropic ? "authentication_error" : "invalid_request_error",
                 "invalid_api_key", "Incorrect API key provided: " + key);
  }
  if (anthropic && !req.has_header("anthropic-version")) {
    return Error(res, true, 400, "invalid_request_error", "", "anthropic-version is required");
  }
  if (body.value("model", "") == "no-such-model") {
    return Error(res, anthropic, 404, anthropic ? "not_found_error" : "invalid_request_error",
                 "model_not_found", "The model `no-such-model` does not exist");
  }
  if (fault && fault->kind == FaultKind::kRateLimited) {
    res.set_header("Retry-After", std::to_string(fault->retry_after_s));
    return Error(res, anthropic, 429, anthropic ? "rate_limit_error" : "requests",
                 "rate_limit_exceeded", "Rate limit reached; try again later");
  }
  if (fault && fault->kind == FaultKind::kServerError) {
    return Error(res, anthropic, 500, anthropic ? "api_error" : "server_error", "",
                 "The server had an error while processing your request");
  }
  if (fault && fault->kind == FaultKind::kOverloaded) {
    return Error(res, anthropic, 529, "overloaded_error", "", "Overloaded");
  }
  // Before any byte of the answer, headers included.
  Pause(options.delay_ms +
        (fault && fault->kind == FaultKind::kSlowFirstByte ? fault->delay_ms : 0));
  bool stream = body.value("stream", false);
  if (fault && fault->kind == FaultKind::kInvalidJson) {
    res.set_content(stream ? "data: {\"choices\": [\n\n" : "{\"id\": \"broken\", \"choices\": [",
                    stream ? "text/event-stream" : "application/json");
    return;
  }
  auto answer = anthropic ? model_server::DecideAnthropic(body, canned)
                          : model_server::DecideOpenAi(body, canned);
  std::vector<std::string> frames;
  if (stream) {
    frames = anthropic ? model_server::AnthropicStream(body, answer)
                       : model_server::OpenAiStream(body, answer);
  } else {
    frames.push_back((anthropic ? model_server::AnthropicResponse(body, answer)
                                : model_server::OpenAiResponse(body, answer))
                         .dump());
  }
  bool cut = fault && fault->kind == FaultKind::kCutMidStream;
  Send(res, std::move(frames), stream, cut);
}

void ModelTestServer::Impl::Routes() {
  server.Post("/v1/chat/completions",
              [this](const auto& req, auto& res) { Model(req, res, false); });
  server.Post("/v1/messages", [this](const auto& req, auto& res) { Model(req, res, true); });
  server.Post("/control/faults", [this](const httplib::Request& req, httplib::Response& res) {
    auto fault = ParseFault(Json::parse(req.body, nullptr, false));
    if (!fault.ok()) {
      res.status = 400;
      res.set_content(fault.error().message(), "text/plain");
      return;
    }
    std::lock_guard<std::mutex> lock(mu);
    faults.push_back(*fault);
  });
  server.Post("/control/replies", [this](const httplib::Request& req, httplib::Response& res) {
    Json reply = Json::parse(req.body, nullptr, false);
    if (!reply.is_object()) {
      res.status = 400;
      return;
    }
    std::lock_guard<std::mutex> lock(mu);
    replies.push_back(std::move(reply));
  });
  server.Get("/control/requests", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    res.set_content(Json(requests).dump(), "application/json");
  });
}

ModelTestServer::ModelTestServer(ModelServerOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  impl_->options = options_;
  int threads = options_.threads;
  impl_->server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  impl_->server.set_keep_alive_max_count(100'000);
  impl_->server.set_keep_alive_timeout(30);
  impl_->server.set_socket_options([impl = impl_.get()](int fd) {
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));  // accepted sockets inherit it
    impl->listen_fd = fd;
  });
  impl_->Routes();
}

ModelTestServer::~ModelTestServer() { Stop(); }

Status ModelTestServer::Bind() {
  if (options_.port == 0) {
    port_ = impl_->server.bind_to_any_port("127.0.0.1");
  } else {
    port_ = impl_->server.bind_to_port("127.0.0.1", options_.port) ? options_.port : -1;
  }
  if (port_ <= 0) return Unavailable("cannot bind 127.0.0.1:" + std::to_string(options_.port));
  // The packaged cpp-httplib listens with a backlog of 5, which drops the SYNs of
  // a burst of connects (1 s retransmits); listening again only enlarges it.
  ::listen(impl_->listen_fd, 4096);
  return Status::Ok();
}

Result<int> ModelTestServer::Start() {
  KEEL_RETURN_IF_ERROR(Bind());
  thread_ = std::thread([this] { impl_->server.listen_after_bind(); });
  while (!impl_->server.is_running()) std::this_thread::yield();
  return port_;
}

void ModelTestServer::Stop() {
  impl_->server.stop();
  if (thread_.joinable()) thread_.join();
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
