// The protocol test server over real HTTP on 127.0.0.1.
#include "model_server.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <future>
#include <thread>

#include "io/http_client.h"
#include "io/sse_parser.h"
#include "protocol.h"

namespace keel {
namespace {

class ModelServerTest : public ::testing::Test {
 protected:
  void SetUp() override { Serve({}); }
  void TearDown() override {
    loop_->Stop();
    client_.reset();
    loop_.reset();
    server_.reset();
  }
  void Serve(ModelServerOptions options) {
    if (server_) server_->Stop();
    server_ = std::make_unique<ModelTestServer>(options);
    ASSERT_TRUE(server_->Start().ok());
  }

  Result<HttpResponse> Post(const std::string& path, const Json& body, HttpHeaders headers = {}) {
    HttpRequest r;
    r.method = "POST";
    r.url = server_->base_url() + path;
    r.headers = std::move(headers);
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = body.dump();
    auto promise = std::make_shared<std::promise<Result<HttpResponse>>>();
    auto future = promise->get_future();
    HttpCallbacks cb;
    cb.on_done = [promise](Result<HttpResponse> res) { promise->set_value(std::move(res)); };
    client_->Send(std::move(r), std::move(cb));
    return future.get();
  }
  Result<HttpResponse> PostOpenAi(const Json& body) {
    return Post("/v1/chat/completions", body, {{"Authorization", "Bearer sk-test"}});
  }
  Result<HttpResponse> PostAnthropic(const Json& body) {
    return Post("/v1/messages", body,
                {{"x-api-key", "sk-ant"}, {"anthropic-version", "2023-06-01"}});
  }

  static std::vector<SseEvent> Events(const std::string& body) {
    std::vector<SseEvent> events;
    SseParser parser;
    parser.Feed(body, [&](const SseEvent& e) {
      events.push_back(e);
      return true;
    });
    return events;
  }

  std::unique_ptr<ModelTestServer> server_;
  std::unique_ptr<EventLoop> loop_ = [] {
    auto loop = std::make_unique<EventLoop>(Clock::Real());
    loop->Start();
    return loop;
  }();
  std::unique_ptr<HttpClient> client_ = std::make_unique<HttpClient>(loop_.get());
};

const Json kWeatherTool = {
    {"type", "function"},
    {"function",
     {{"name", "get_weather"},
      {"parameters",
       {{"type", "object"},
        {"properties", {{"city", {{"type", "string"}}}, {"days", {{"type", "integer"}}}}},
        {"required", {"city", "days"}}}}}}};

TEST(SampleFromSchemaTest, FillsRequiredFieldsWithValidValues) {
  Json schema = {{"type", "object"},
                 {"required", {"level", "score", "tags", "ok"}},
                 {"properties",
                  {{"level", {{"enum", {"low", "high"}}}},
                   {"score", {{"type", "number"}, {"minimum", 2}}},
                   {"tags", {{"type", "array"}, {"minItems", 1}, {"items", {{"type", "string"}}}}},
                   {"ok", {{"type", "boolean"}}},
                   {"optional", {{"type", "string"}}}}}};
  EXPECT_EQ(model_server::SampleFromSchema(schema),
            Json::parse(R"({"level":"low","score":2,"tags":["sample"],"ok":true})"));
}

TEST_F(ModelServerTest, OpenAiEchoesTheLastUserMessageWithUsage) {
  auto r = PostOpenAi(
      {{"model", "gpt-4o-mini"}, {"messages", {{{"role", "user"}, {"content", "hi there"}}}}});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200);
  Json body = Json::parse(r->body);
  EXPECT_EQ(body["object"], "chat.completion");
  EXPECT_EQ(body["choices"][0]["message"]["content"], "echo: hi there");
  EXPECT_EQ(body["choices"][0]["finish_reason"], "stop");
  const Json& usage = body["usage"];
  EXPECT_EQ(usage["total_tokens"],
            usage["prompt_tokens"].get<int>() + usage["completion_tokens"].get<int>());
  EXPECT_EQ(usage["prompt_tokens_details"]["cached_tokens"], usage["prompt_tokens"].get<int>() / 2);
}

TEST_F(ModelServerTest, OpenAiCallsTheOfferedToolUntilItHasAResult) {
  Json req = {{"model", "gpt-4o"},
              {"messages", {{{"role", "user"}, {"content", "weather?"}}}},
              {"tools", {kWeatherTool}}};
  Json body = Json::parse(PostOpenAi(req)->body);
  const Json& call = body["choices"][0]["message"]["tool_calls"][0];
  EXPECT_EQ(body["choices"][0]["finish_reason"], "tool_calls");
  EXPECT_EQ(call["function"]["name"], "get_weather");
  EXPECT_EQ(Json::parse(call["function"]["arguments"].get<std::string>()),
            Json::parse(R"({"city":"sample","days":1})"));
  req["messages"].push_back(body["choices"][0]["message"]);
  req["messages"].push_back({{"role", "tool"}, {"tool_call_id", call["id"]}, {"content", "sunny"}});
  body = Json::parse(PostOpenAi(req)->body);
  EXPECT_EQ(body["choices"][0]["message"]["content"], "echo: weather?");
}

TEST_F(ModelServerTest, OpenAiStreamsDeltasThenUsageThenDone) {
  auto r = PostOpenAi({{"model", "gpt-4o"},
                       {"stream", true},
                       {"stream_options", {{"include_usage", true}}},
                       {"messages", {{{"role", "user"}, {"content", "stream me please"}}}}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Header("content-type").substr(0, 17), "text/event-stream");
  auto events = Events(r->body);
  ASSERT_GE(events.size(), 4u);
  EXPECT_EQ(events.back().data, "[DONE]");
  std::string text;
  for (size_t i = 0; i + 2 < events.size(); ++i) {
    Json chunk = Json::parse(events[i].data);
    text += chunk["choices"][0]["delta"].value("content", "");
  }
  EXPECT_EQ(text, "echo: stream me please");
  Json usage_chunk = Json::parse(events[events.size() - 2].data);
  EXPECT_TRUE(usage_chunk["choices"].empty());
  EXPECT_GT(usage_chunk["usage"]["prompt_tokens"].get<int>(), 0);
}

TEST_F(ModelServerTest, AnthropicAnswersWithToolUseAndCacheUsage) {
  auto r = PostAnthropic(
      {{"model", "claude-sonnet-4-5"},
       {"max_tokens", 256},
       {"messages", {{{"role", "user"}, {"content", "weather?"}}}},
       {"tools",
        {{{"name", "get_weather"}, {"input_schema", kWeatherTool["function"]["parameters"]}}}}});
  ASSERT_TRUE(r.ok());
  Json body = Json::parse(r->body);
  EXPECT_EQ(body["type"], "message");
  EXPECT_EQ(body["stop_reason"], "tool_use");
  EXPECT_EQ(body["content"][0]["type"], "tool_use");
  EXPECT_EQ(body["content"][0]["input"]["city"], "sample");
  EXPECT_GT(body["usage"]["cache_read_input_tokens"].get<int>(), 0);
}

TEST_F(ModelServerTest, AnthropicStreamsTheDocumentedEventSequence) {
  auto r = PostAnthropic({{"model", "claude-sonnet-4-5"},
                          {"max_tokens", 256},
                          {"stream", true},
                          {"messages", {{{"role", "user"}, {"content", "hello"}}}}});
  ASSERT_TRUE(r.ok());
  std::vector<std::string> types;
  std::string text;
  for (const auto& e : Events(r->body)) {
    if (types.empty() || types.back() != e.type) types.push_back(e.type);
    Json data = Json::parse(e.data);
    EXPECT_EQ(data["type"], e.type);
    if (e.type == "content_block_delta") text += data["delta"]["text"].get<std::string>();
  }
  EXPECT_EQ(types, (std::vector<std::string>{"message_start", "ping", "content_block_start",
                                             "content_block_delta", "content_block_stop",
                                             "message_delta", "message_stop"}));
  EXPECT_EQ(text, "echo: hello");
}

TEST_F(ModelServerTest, AnthropicRequiresTheVersionHeader) {
  auto r = Post("/v1/messages", {{"model", "claude"}, {"messages", Json::array()}},
                {{"x-api-key", "k"}});
  EXPECT_EQ(r->status, 400);
}

TEST_F(ModelServerTest, FaultsAreServedInOrderThenNormalAnswers) {
  Json req = {{"model", "gpt-4o"}, {"messages", {{{"role", "user"}, {"content", "x"}}}}};
  server_->PushFault({FaultKind::kRateLimited, 7, 0});
  server_->PushFault({FaultKind::kServerError, 0, 0});
  ASSERT_TRUE(Post("/control/faults", {{"kind", "overloaded"}}).ok());
  ASSERT_TRUE(Post("/control/faults", {{"kind", "invalid_json"}}).ok());
  auto r = PostOpenAi(req);
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(r->Header("retry-after"), "7");
  EXPECT_EQ(PostOpenAi(req)->status, 500);
  EXPECT_EQ(PostOpenAi(req)->status, 529);
  r = PostOpenAi(req);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(Json::parse(r->body, nullptr, false).is_discarded());
  EXPECT_EQ(PostOpenAi(req)->status, 200);
  EXPECT_EQ(server_->request_count(), 5);
}

TEST_F(ModelServerTest, CutMidStreamDropsTheConnection) {
  server_->PushFault({FaultKind::kCutMidStream, 0, 0});
  auto r = PostOpenAi({{"model", "gpt-4o"},
                       {"stream", true},
                       {"messages", {{{"role", "user"}, {"content", "a long enough answer"}}}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type(), "connection_dropped");
}

TEST_F(ModelServerTest, WrongKeyIsRefusedWith401) {
  ModelServerOptions options;
  options.api_key = "sk-right";
  Serve(options);
  auto r = PostOpenAi({{"model", "gpt-4o"}, {"messages", Json::array()}});
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(Json::parse(r->body)["error"]["code"], "invalid_api_key");
}

TEST_F(ModelServerTest, UnknownFaultKindIsRejected) {
  EXPECT_EQ(Post("/control/faults", {{"kind", "gremlins"}})->status, 400);
}

// Threads of this process, from /proc/self/status.
int ThreadCount() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

TEST_F(ModelServerTest, ServesThousandsOfConcurrentSlowRequestsOnOneThread) {
  ModelServerOptions options;
  options.delay_ms = 1000;
  Serve(options);
  const int threads_before = ThreadCount();
  const int n = 2000;
  HttpClientOptions http_options;
  http_options.max_host_connections = n;
  client_ = std::make_unique<HttpClient>(loop_.get(), http_options);
  Json body = {{"model", "gpt-4o"}, {"messages", {{{"role", "user"}, {"content", "slow"}}}}};
  // libcurl holds further requests until it knows whether the first
  // connection multiplexes (it does not: HTTP/1.1), so answer one first.
  ASSERT_EQ(PostOpenAi(body)->status, 200);
  std::vector<std::future<Result<HttpResponse>>> futures;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    HttpRequest r;
    r.method = "POST";
    r.url = server_->base_url() + "/v1/chat/completions";
    r.body = body.dump();
    auto promise = std::make_shared<std::promise<Result<HttpResponse>>>();
    futures.push_back(promise->get_future());
    HttpCallbacks cb;
    cb.on_done = [promise](Result<HttpResponse> res) { promise->set_value(std::move(res)); };
    client_->Send(std::move(r), std::move(cb));
  }
  // Every request has arrived and waits for its answer: none holds a thread.
  while (server_->request_count() < n + 1 &&
         futures.front().wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    std::this_thread::yield();
  }
  EXPECT_EQ(server_->request_count(), n + 1);
  EXPECT_LE(ThreadCount(), threads_before);
  for (auto& f : futures) {
    auto r = f.get();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->status, 200);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Served together, 2,000 one-second answers take a little over a second, not 2,000.
  EXPECT_LT(seconds, 10.0);
  EXPECT_GE(seconds, 1.0);
  EXPECT_LE(client_->connections_opened(), n);
}

}  // namespace
}  // namespace keel
