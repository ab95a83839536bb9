// HttpTool against a real cpp-httplib server on 127.0.0.1, ephemeral port.
#include "connectors/http_tool.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <cstdlib>
#include <future>
#include <mutex>
#include <thread>

namespace keel {
namespace {

constexpr char kTraceId[] = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr char kSpanId[] = "00f067aa0ba902b7";
constexpr char kSecret[] = "s3cr3t-token-value";

HttpToolSpec Spec(const Json& entry) {
  Result<HttpToolSpec> spec = ParseHttpToolSpec(entry);
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  return spec.ok() ? std::move(spec).value() : HttpToolSpec{};
}

class HttpToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("KEEL_HTTP_TEST_TOKEN", kSecret, 1);
    server_.Get("/news", [this](const httplib::Request& req, httplib::Response& res) {
      Record(req);
      Json body = {{"data",
                    {{"company", req.get_param_value("company")},
                     {"items", Json::array({"a", "b"})},
                     {"total", 2}}}};
      res.set_content(body.dump(), "application/json");
    });
    server_.Post("/tasks", [this](const httplib::Request& req, httplib::Response& res) {
      Record(req);
      res.status = 201;
      res.set_content(Json{{"received", Json::parse(req.body)}}.dump(), "application/json");
    });
    server_.Get(R"(/status/(\d+))", [this](const httplib::Request& req, httplib::Response& res) {
      Record(req);
      res.status = std::stoi(req.matches[1].str());
      if (res.status == 429) res.set_header("Retry-After", "7");
      // A careless server that echoes the credential back in its error.
      res.set_content(
          Json{{"message", "bad token " + req.get_header_value("Authorization")}}.dump(),
          "application/json");
    });
    server_.Get("/text", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("not json", "text/plain");
    });
    server_.Get("/hang", [this](const httplib::Request&, httplib::Response& res) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return released_; });
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    server_thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
    loop_->Start();
  }

  void TearDown() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      released_ = true;
    }
    cv_.notify_all();
    loop_->Stop();
    client_.reset();
    loop_.reset();
    server_.stop();
    server_thread_.join();
    unsetenv("KEEL_HTTP_TEST_TOKEN");
  }

  void Record(const httplib::Request& req) {
    std::lock_guard<std::mutex> lock(mu_);
    ++requests_;
    last_ = req;
  }

  std::string Base() { return "http://127.0.0.1:" + std::to_string(port_); }

  Result<Json> Call(const Json& entry, const Json& args, bool side_effects = false,
                    std::vector<std::string> allow = {"127.0.0.1"}) {
    Json with_base = entry;
    if (!with_base.contains("base_url")) with_base["base_url"] = Base();
    HttpTool tool("test.tool", Spec(with_base), client_.get(), std::move(allow), side_effects);
    ToolCallContext ctx;
    ctx.run_id = "r1";
    ctx.trace_id = kTraceId;
    ctx.span_id = kSpanId;
    if (side_effects) ctx.idempotency_key = "r1/create/1";
    std::promise<Result<Json>> promise;
    tool.Start(args, ctx, [&promise](Result<Json> r) { promise.set_value(std::move(r)); });
    return promise.get_future().get();
  }

  httplib::Server server_;
  std::thread server_thread_;
  int port_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
  int requests_ = 0;
  httplib::Request last_;
  std::unique_ptr<EventLoop> loop_ = std::make_unique<EventLoop>(Clock::Real());
  std::unique_ptr<HttpClient> client_ = std::make_unique<HttpClient>(loop_.get());
};

TEST_F(HttpToolTest, UrlValuesAreEncodedAndTheResponseIsMappedByPointer) {
  Result<Json> out =
      Call({{"url", "/news?company={{company}}"}, {"response", {{"pointer", "/data"}}}},
           {{"company", "AT&T /x?y=1"}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)["company"], "AT&T /x?y=1");  // one parameter, decoded intact by the server
  EXPECT_EQ(last_.path, "/news");
  EXPECT_EQ(last_.get_header_value("traceparent"),
            std::string("00-") + kTraceId + "-" + kSpanId + "-01");
  EXPECT_FALSE(last_.has_header("Idempotency-Key"));  // not a side effect
}

TEST_F(HttpToolTest, FieldsMapEachOutputFieldToAPointer) {
  Result<Json> out =
      Call({{"url", "/news?company=x"},
            {"response", {{"fields", {{"items", "/data/items"}, {"count", "/data/total"}}}}}},
           Json::object());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, (Json{{"items", {"a", "b"}}, {"count", 2}}));
}

TEST_F(HttpToolTest, SideEffectsSendTheBodyTemplateAndAnIdempotencyKey) {
  Result<Json> out = Call({{"method", "POST"},
                           {"url", "/tasks"},
                           {"body", {{"title", "Call {{&name}}"}, {"due_days", "{{days}}"}}}},
                          {{"name", "Ada & Co"}, {"days", 3}}, /*side_effects=*/true);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)["received"], (Json{{"title", "Call Ada & Co"}, {"due_days", 3}}));
  EXPECT_EQ(last_.get_header_value("Idempotency-Key"), "r1/create/1");
  EXPECT_EQ(last_.get_header_value("Content-Type"), "application/json");
}

TEST_F(HttpToolTest, AHostOffTheAllowlistFailsBeforeAnyConnection) {
  Result<Json> out = Call({{"url", "/news"}}, Json::object(), false, {"api.example.com"});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().type(), "egress_denied");
  EXPECT_NE(out.status().message().find("'127.0.0.1' is not on the egress allowlist"),
            std::string::npos);
  EXPECT_EQ(requests_, 0);
}

TEST_F(HttpToolTest, SecretsReachTheServerButNeverAnErrorMessage) {
  Result<Json> out = Call({{"url", "/status/401"},
                           {"headers", {{"Authorization", "Bearer ${env:KEEL_HTTP_TEST_TOKEN}"}}}},
                          Json::object());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(last_.get_header_value("Authorization"), std::string("Bearer ") + kSecret);
  EXPECT_EQ(out.status().type(), "unauthenticated");
  EXPECT_FALSE(out.status().retryable());
  std::string error = ToolErrorJson(out.status()).dump();
  EXPECT_EQ(error.find(kSecret), std::string::npos) << error;
  EXPECT_NE(error.find("bad token Bearer [redacted]"), std::string::npos) << error;
}

TEST_F(HttpToolTest, AnUnsetSecretFailsWithoutARequest) {
  Result<Json> out =
      Call({{"url", "/news"}, {"headers", {{"X-Key", "${env:KEEL_HTTP_TEST_UNSET_VAR}"}}}},
           Json::object());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().type(), "missing_secret");
  EXPECT_NE(out.status().message().find("KEEL_HTTP_TEST_UNSET_VAR is not set"), std::string::npos);
  EXPECT_EQ(requests_, 0);
}

TEST_F(HttpToolTest, StatusCodesBecomeStructuredErrors) {
  Result<Json> limited = Call({{"url", "/status/429"}}, Json::object());
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.status().type(), "rate_limited");
  EXPECT_TRUE(limited.status().retryable());
  EXPECT_EQ(limited.status().retry_after_s(), 7.0);

  Result<Json> down = Call({{"url", "/status/503"}}, Json::object());
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.status().type(), "server_error");
  EXPECT_TRUE(down.status().retryable());

  Result<Json> missing = Call({{"url", "/status/404"}}, Json::object());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().type(), "not_found");
  EXPECT_FALSE(missing.status().retryable());
}

TEST_F(HttpToolTest, BodiesThatAreNotJsonOrLackAFieldAreInvalidResponses) {
  Result<Json> text = Call({{"url", "/text"}}, Json::object());
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().type(), "invalid_response");
  Result<Json> lacking =
      Call({{"url", "/news"}, {"response", {{"pointer", "/data/nope"}}}}, Json::object());
  ASSERT_FALSE(lacking.ok());
  EXPECT_EQ(lacking.status().type(), "invalid_response");
  EXPECT_NE(lacking.status().message().find("/data/nope"), std::string::npos);
}

TEST_F(HttpToolTest, ASlowServerTimesOut) {
  Result<Json> out = Call({{"url", "/hang"}, {"timeout_s", 0.2}}, Json::object());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().type(), "timeout");
  EXPECT_TRUE(out.status().retryable());
}

TEST(HttpSpecTest, ErrorsNameTheField) {
  EXPECT_EQ(ParseHttpToolSpec(Json::object()).status().message(), "url: required for an http tool");
  EXPECT_EQ(ParseHttpToolSpec({{"url", "/x"}, {"method", "FETCH"}}).status().message(),
            "method: expected GET, POST, PUT, PATCH, DELETE or HEAD");
  EXPECT_EQ(
      ParseHttpToolSpec({{"url", "/x"}, {"response", {{"pointer", "data"}}}}).status().message(),
      "response.pointer: 'data' is not a JSON Pointer (e.g. /data/items)");
  EXPECT_EQ(ParseHttpToolSpec({{"url", "/x"}, {"headers", {{"X-A", 1}}}}).status().message(),
            "headers.X-A: expected a string");
  EXPECT_EQ(ParseHttpToolSpec({{"url", "/{{#a}}"}}).status().message().rfind("url: ", 0), 0u);
}

TEST(HttpSpecTest, HostsAndTheAllowlist) {
  EXPECT_EQ(UrlHost("https://API.example.com:8443/v1?q=1"), "api.example.com");
  EXPECT_EQ(UrlHost("http://user:pw@127.0.0.1/x"), "127.0.0.1");
  EXPECT_EQ(UrlHost("http://[::1]:80/"), "::1");
  EXPECT_EQ(UrlHost("ftp://example.com/"), "");
  EXPECT_EQ(UrlHost("/relative"), "");
  EXPECT_TRUE(EgressAllowed({"*.example.com"}, "api.example.com"));
  EXPECT_FALSE(EgressAllowed({"*.example.com"}, "example.com"));
  EXPECT_FALSE(EgressAllowed({"*.example.com"}, "evil-example.com"));
  EXPECT_FALSE(EgressAllowed({}, "127.0.0.1"));
  EXPECT_EQ(UrlEncode("a b&c/é"), "a%20b%26c%2F%C3%A9");
}

}  // namespace
}  // namespace keel
