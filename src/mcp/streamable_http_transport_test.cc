// McpClient over StreamableHttpTransport against a scripted MCP peer: a
// cpp-httplib server on 127.0.0.1 (ephemeral port) that answers in JSON or
// in event streams, keeps a session, and can lose it, fail, or cut a stream.
#include "mcp/streamable_http_transport.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "connectors/testing/script_dir.h"
#include "mcp/mcp_client.h"
#include "mcp/mcp_server_config.h"

namespace keel {
namespace {

using testing::ResultWaiter;

std::string Event(const Json& message) {
  return "event: message\ndata: " + message.dump() + "\n\n";
}

Json Reply(const Json& id, Json result) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

Json TextResult(const std::string& text) {
  return {{"content", Json::array({{{"type", "text"}, {"text", text}}})}};
}

// The scripted peer. Every request's headers are kept for the tests to read.
class FakePeer {
 public:
  FakePeer() {
    server_.Post("/mcp",
                 [this](const httplib::Request& req, httplib::Response& res) { OnPost(req, res); });
    server_.Get("/mcp",
                [this](const httplib::Request& req, httplib::Response& res) { OnGet(req, res); });
    server_.Delete("/mcp", [this](const httplib::Request& req, httplib::Response&) {
      Record(req);
      std::lock_guard<std::mutex> lock(mu_);
      deleted_ = req.get_header_value("Mcp-Session-Id");
      cv_.notify_all();
    });
    // One request per connection: no idle keep-alive connection holds the
    // server's stop() for its keep-alive timeout.
    server_.set_keep_alive_max_count(1);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() is lost on a server that is not running yet.
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~FakePeer() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      cv_.notify_all();
    }
    server_.stop();
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/mcp"; }

  // Waits (bounded) until `ready` holds under the peer's lock.
  template <typename Pred>
  bool WaitFor(Pred ready) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(20), [&] { return ready(); });
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<httplib::Headers> requests_;  // headers of every request, in arrival order
  std::vector<std::string> methods_;        // JSON-RPC methods POSTed
  std::string session_ = "s-1";
  int initializes_ = 0;
  int lists_ = 0;
  std::string deleted_;
  std::string resumed_from_;  // the Last-Event-ID of a resuming GET
  bool stopping_ = false;
  bool no_listen_stream_ = false;

 private:
  void Record(const httplib::Request& req) {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(req.headers);
  }

  static void Stream(httplib::Response& res, std::string body) {
    res.set_chunked_content_provider("text/event-stream", [body](size_t, httplib::DataSink& sink) {
      sink.write(body.data(), body.size());
      sink.done();
      return true;
    });
  }

  void OnPost(const httplib::Request& req, httplib::Response& res) {
    Record(req);
    Json msg = Json::parse(req.body);
    std::string method = msg.value("method", "");
    std::unique_lock<std::mutex> lock(mu_);
    methods_.push_back(method);
    cv_.notify_all();
    if (method == "initialize") {
      ++initializes_;
      session_ = "s-" + std::to_string(initializes_);
      res.set_header("Mcp-Session-Id", session_);
      // A priming event (an id, empty data) comes first, as resumable servers send.
      return Stream(res, "id: p-0\ndata:\n\n" +
                             Event(Reply(msg["id"], {{"protocolVersion", "2025-11-25"},
                                                     {"capabilities", {{"tools", Json::object()}}},
                                                     {"serverInfo", {{"name", "peer"}}}})));
    }
    if (req.get_header_value("Mcp-Session-Id") != session_) {
      res.status = 404;
      return res.set_content(R"({"error":"unknown session"})", "application/json");
    }
    if (!msg.contains("id")) {
      res.status = 202;
      return;
    }
    if (method == "tools/list") {
      ++lists_;
      cv_.notify_all();
      Json tool = {{"name", "echo"},
                   {"inputSchema", {{"type", "object"}, {"required", {"message"}}}}};
      return res.set_content(Reply(msg["id"], {{"tools", {tool}}}).dump(), "application/json");
    }
    std::string tool = msg["params"].value("name", "");
    Json args = msg["params"].value("arguments", Json::object());
    if (tool == "echo") {
      Json log = {{"jsonrpc", "2.0"},
                  {"method", "notifications/message"},
                  {"params", {{"level", "info"}, {"data", "echoing"}}}};
      return Stream(res, Event(log) + Event(Reply(msg["id"], TextResult(args["message"]))));
    }
    if (tool == "status") {
      res.status = args["code"].get<int>();
      // Echoes the credentials, as careless servers do.
      return res.set_content(
          Json{{"message", "denied for " + req.get_header_value("Authorization")}}.dump(),
          "application/json");
    }
    if (tool == "expire") {
      session_ = "gone";
      res.status = 404;
      return;
    }
    if (tool == "resume") {
      // Ends the stream after the priming event; the answer waits for a GET.
      pending_resume_ = msg["id"];
      return Stream(res, "id: r-1\nretry: 10\ndata:\n\n");
    }
    res.status = 400;
  }

  void OnGet(const httplib::Request& req, httplib::Response& res) {
    Record(req);
    std::string last = req.get_header_value("Last-Event-ID");
    std::lock_guard<std::mutex> lock(mu_);
    if (no_listen_stream_ && last.empty()) {
      res.status = 405;  // the spec's answer of a server without one
      return;
    }
    if (!last.empty()) {
      resumed_from_ = last;
      cv_.notify_all();
      return Stream(res, "id: r-2\ndata:\n\n" + Event(Reply(pending_resume_, TextResult("late"))));
    }
    // The listen stream: says the tool list changed once the client has
    // listed, then stays open until the session ends.
    res.set_chunked_content_provider("text/event-stream", [this](size_t, httplib::DataSink& sink) {
      std::unique_lock<std::mutex> lock(mu_);
      if (!cv_.wait_for(lock, std::chrono::seconds(20), [&] { return lists_ > 0 || stopping_; })) {
        return false;
      }
      std::string event =
          Event({{"jsonrpc", "2.0"}, {"method", "notifications/tools/list_changed"}});
      sink.write(event.data(), event.size());
      cv_.wait_for(lock, std::chrono::seconds(20), [&] { return !deleted_.empty() || stopping_; });
      sink.done();
      return true;
    });
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  Json pending_resume_;
};

class StreamableHttpTransportTest : public ::testing::Test {
 protected:
  void SetUp() override { loop_.Start(); }
  void TearDown() override {
    if (client_) client_->Close();
    peer_.reset();
    loop_.Stop();
  }

  std::shared_ptr<McpClient> Client(std::vector<std::string> egress = {"127.0.0.1"},
                                    std::vector<std::pair<std::string, std::string>> headers = {}) {
    McpServerConfig config;
    config.name = "peer";
    config.url = peer_->url();
    config.headers = std::move(headers);
    config.timeout_s = 20;
    client_ = McpClient::Create(HttpClientOptionsFor(config, &http_, &loop_, std::move(egress)));
    return client_;
  }

  Result<Json> Call(const std::string& tool, Json args = Json::object()) {
    ResultWaiter waiter;
    client_->CallTool(tool, args, {}, waiter.Callback());
    if (!waiter.Wait()) return Internal("no answer in time");
    return waiter.at(0);
  }

  EventLoop loop_{Clock::Real()};
  HttpClient http_{&loop_};
  std::unique_ptr<FakePeer> peer_ = std::make_unique<FakePeer>();
  std::shared_ptr<McpClient> client_;
};

TEST_F(StreamableHttpTransportTest, KeepsTheSessionAndReadsJsonAndEventStreams) {
  ::setenv("KEEL_TEST_PEER_TOKEN", "tok-123", 1);
  Client({"127.0.0.1"}, {{"Authorization", "Bearer ${env:KEEL_TEST_PEER_TOKEN}"}});
  Result<McpToolList> list = client_->ListToolsBlocking();
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->tools.size(), 1u);
  EXPECT_EQ(list->tools[0].name, "peer.echo");
  Result<Json> echo = Call("echo", {{"message", "hi"}});
  ASSERT_TRUE(echo.ok()) << echo.status().ToString();
  EXPECT_EQ(*echo, (Json{{"text", "hi"}}));
  ASSERT_EQ(client_->logs().size(), 1u);  // the notification on the response's stream
  EXPECT_EQ(client_->logs()[0].data, "echoing");

  std::lock_guard<std::mutex> lock(peer_->mu_);
  ASSERT_GE(peer_->methods_.size(), 4u);
  EXPECT_EQ(peer_->methods_[0], "initialize");
  EXPECT_EQ(std::count(peer_->methods_.begin(), peer_->methods_.end(), "notifications/initialized"),
            1);
  const httplib::Headers& first = peer_->requests_[0];
  EXPECT_EQ(first.find("Mcp-Session-Id"), first.end());
  EXPECT_EQ(first.find("Accept")->second, "application/json, text/event-stream");
  for (const httplib::Headers& headers : peer_->requests_) {
    EXPECT_EQ(headers.find("Authorization")->second, "Bearer tok-123");
  }
  const httplib::Headers& last = peer_->requests_.back();
  EXPECT_EQ(last.find("Mcp-Session-Id")->second, "s-1");
  EXPECT_EQ(last.find("MCP-Protocol-Version")->second, "2025-11-25");
  ::unsetenv("KEEL_TEST_PEER_TOKEN");
}

TEST_F(StreamableHttpTransportTest, DeliversNotificationsFromTheListenStream) {
  Client();
  testing::Waiter<size_t> changed;
  client_->SetToolsChangedListener(
      [&](const McpToolList& list) { changed.Add(list.tools.size()); });
  ASSERT_TRUE(client_->ListToolsBlocking().ok());
  ASSERT_TRUE(changed.Wait(1, std::chrono::seconds(20)));  // list_changed, then a fresh tools/list
  EXPECT_EQ(changed.at(0), 1u);
  EXPECT_TRUE(peer_->WaitFor([&] { return peer_->lists_ == 2; }));
}

TEST_F(StreamableHttpTransportTest, HttpErrorsFailTheirRequestWithSecretsRedacted) {
  ::setenv("KEEL_TEST_PEER_TOKEN", "tok-123", 1);
  Client({"127.0.0.1"}, {{"Authorization", "Bearer ${env:KEEL_TEST_PEER_TOKEN}"}});
  Result<Json> denied = Call("status", {{"code", 401}});
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().type(), "unauthenticated");
  EXPECT_NE(denied.error().message().find("mcp server 'peer': HTTP 401: denied for Bearer "
                                          "[redacted]"),
            std::string::npos)
      << denied.error().message();
  Result<Json> broken = Call("status", {{"code", 503}});
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().type(), "server_error");
  EXPECT_TRUE(broken.error().retryable());
  EXPECT_TRUE(Call("echo", {{"message", "still here"}}).ok());  // the session lives on
  ::unsetenv("KEEL_TEST_PEER_TOKEN");
}

TEST_F(StreamableHttpTransportTest, ALostSessionEndsTheConnectionAndTheNextCallStartsAnother) {
  Client();
  Result<Json> lost = Call("expire");
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().type(), "connection_dropped");
  EXPECT_TRUE(lost.error().retryable());
  EXPECT_NE(lost.error().message().find("the session is gone (HTTP 404)"), std::string::npos)
      << lost.error().message();
  Result<Json> again = Call("echo", {{"message", "new session"}});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  std::lock_guard<std::mutex> lock(peer_->mu_);
  EXPECT_EQ(peer_->initializes_, 2);
  EXPECT_EQ(peer_->requests_.back().find("Mcp-Session-Id")->second, "s-2");
}

TEST_F(StreamableHttpTransportTest, ResumesABrokenStreamWithLastEventId) {
  Client();
  Result<Json> late = Call("resume");
  ASSERT_TRUE(late.ok()) << late.status().ToString();
  EXPECT_EQ(*late, (Json{{"text", "late"}}));
  std::lock_guard<std::mutex> lock(peer_->mu_);
  EXPECT_EQ(peer_->resumed_from_, "r-1");
}

TEST_F(StreamableHttpTransportTest, CloseDeletesTheSession) {
  Client();
  ASSERT_TRUE(Call("echo", {{"message", "x"}}).ok());
  client_->Close();
  EXPECT_TRUE(peer_->WaitFor([&] { return peer_->deleted_ == "s-1"; }));
}

TEST_F(StreamableHttpTransportTest, SettingsFailBeforeAnyRequest) {
  Client({"api.example.com"});
  Result<Json> denied = Call("echo", {{"message", "x"}});
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().type(), "egress_denied");
  EXPECT_FALSE(denied.error().retryable());
  ::unsetenv("KEEL_TEST_PEER_UNSET");
  Client({"127.0.0.1"}, {{"Authorization", "Bearer ${env:KEEL_TEST_PEER_UNSET}"}});
  Result<Json> missing = Call("echo", {{"message", "x"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().type(), "missing_secret");
  EXPECT_NE(missing.error().message().find("KEEL_TEST_PEER_UNSET"), std::string::npos);
  std::lock_guard<std::mutex> lock(peer_->mu_);
  EXPECT_TRUE(peer_->requests_.empty());
}

TEST_F(StreamableHttpTransportTest, AServerThatIsNotThereFailsTheCall) {
  std::string url = peer_->url();
  peer_.reset();  // nothing listens on the port now
  McpServerConfig config;
  config.name = "gone";
  config.url = url;
  client_ = McpClient::Create(HttpClientOptionsFor(config, &http_, &loop_, {"127.0.0.1"}));
  Result<Json> out = Call("echo", {{"message", "x"}});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().type(), "connection_failed");
  EXPECT_NE(out.error().message().find("mcp server 'gone': initialize failed"), std::string::npos)
      << out.error().message();
}

TEST_F(StreamableHttpTransportTest, AServerWithoutAListenStreamIsFine) {
  {
    std::lock_guard<std::mutex> lock(peer_->mu_);
    peer_->no_listen_stream_ = true;
  }
  Client();
  Result<Json> echo = Call("echo", {{"message", "hi"}});
  ASSERT_TRUE(echo.ok()) << echo.status().ToString();
  EXPECT_EQ(client_->server_stderr(), "");  // a 405 is not worth a note
  std::lock_guard<std::mutex> lock(peer_->mu_);
  EXPECT_EQ(std::count(peer_->methods_.begin(), peer_->methods_.end(), "initialize"), 1);
}

}  // namespace
}  // namespace keel
