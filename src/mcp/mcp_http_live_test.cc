// McpClient over Streamable HTTP against the real
// @modelcontextprotocol/server-everything (`streamableHttp` mode), started on
// port 0 with tests/mcp/loopback_listen.cjs preloaded so that it listens on
// 127.0.0.1 only, and stopped after each test. scripts/install-test-servers.sh
// installs it into .tools/mcp; without it (or without node) these tests skip.
#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "connectors/process_reactor.h"
#include "connectors/testing/script_dir.h"
#include "mcp/mcp_client.h"
#include "mcp/mcp_server_config.h"

namespace keel {
namespace {

constexpr char kServerEverything[] =
    ".tools/mcp/node_modules/@modelcontextprotocol/server-everything/dist/index.js";
constexpr char kLoopbackPreload[] = "tests/mcp/loopback_listen.cjs";

class ServerEverythingHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kServerEverything)) {
      GTEST_SKIP() << "server-everything is not installed at " << kServerEverything
                   << "; run scripts/install-test-servers.sh (needs node and npm)";
    }
    if (std::system("node --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "node is not on PATH";
    SpawnOptions spawn;
    spawn.argv = {"node", "-r", std::string("./") + kLoopbackPreload, kServerEverything,
                  "streamableHttp"};
    spawn.env = {{"PORT", "0"}};
    ProcessCallbacks callbacks;
    callbacks.on_stdout = [this](std::string_view chunk) {
      Append(&stdout_, chunk);
      return true;
    };
    callbacks.on_stderr = [this](std::string_view chunk) { Append(&stderr_, chunk); };
    callbacks.on_exit = [this](const ProcessExit&) {
      std::lock_guard<std::mutex> lock(mu_);
      exited_ = true;
      cv_.notify_all();
    };
    Result<ProcessHandle> process = reactor_.Spawn(spawn, std::move(callbacks));
    ASSERT_TRUE(process.ok()) << process.status().ToString();
    process_ = *process;
    std::smatch match;
    static const std::regex kListening("keel-loopback-listening (\\d+)");
    ASSERT_TRUE(WaitFor([&] { return std::regex_search(stderr_, match, kListening) || exited_; }))
        << "server-everything did not start: " << stderr_;
    ASSERT_FALSE(exited_) << "server-everything exited: " << stderr_;
    port_ = std::stoi(match[1]);
    loop_.Start();
    McpServerConfig config;
    config.name = "everything";
    config.url = "http://127.0.0.1:" + std::to_string(port_) + "/mcp";
    config.timeout_s = 30;
    client_ = McpClient::Create(HttpClientOptionsFor(config, &http_, &loop_, {"127.0.0.1"}));
  }

  void TearDown() override {
    if (client_) client_->Close();
    if (process_.pid() > 0) {
      process_.Signal(SIGINT);  // the server's own shutdown path
      EXPECT_TRUE(WaitFor([&] { return exited_; }));
    }
    loop_.Stop();
  }

  void Append(std::string* to, std::string_view chunk) {
    std::lock_guard<std::mutex> lock(mu_);
    to->append(chunk);
    if (to->size() > (1 << 20)) to->erase(0, to->size() - (1 << 20));
    cv_.notify_all();
  }

  // Waits (bounded) until `ready` holds under mu_.
  template <typename Pred>
  bool WaitFor(Pred ready, std::chrono::seconds limit = std::chrono::seconds(30)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return ready(); });
  }

  Result<Json> Call(const std::string& tool, Json args) {
    testing::ResultWaiter waiter;
    client_->CallTool(tool, args, {}, waiter.Callback());
    if (!waiter.Wait(1, std::chrono::seconds(60))) return Internal("no answer in time");
    return waiter.at(0);
  }

  ProcessReactor reactor_;  // kills the server, should a test end early
  ProcessHandle process_;
  EventLoop loop_{Clock::Real()};
  HttpClient http_{&loop_};
  std::shared_ptr<McpClient> client_;
  int port_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string stdout_;   // (mu_)
  std::string stderr_;   // (mu_)
  bool exited_ = false;  // (mu_)
};

TEST_F(ServerEverythingHttpTest, InitializesListsAndCallsTools) {
  Result<McpToolList> list = client_->ListToolsBlocking();
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  std::optional<mcp::ServerInfo> info = client_->server_info();
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->name, "mcp-servers/everything");
  EXPECT_EQ(info->protocol_version, "2025-11-25");
  std::set<std::string> names;
  for (const ToolDef& def : list->tools) names.insert(def.name);
  for (const char* name :
       {"everything.echo", "everything.get-sum", "everything.get-structured-content"}) {
    EXPECT_TRUE(names.count(name)) << name;
  }
  Result<Json> echo = Call("echo", {{"message", "hello over http"}});
  ASSERT_TRUE(echo.ok()) << echo.status().ToString();
  EXPECT_EQ(*echo, (Json{{"text", "Echo: hello over http"}}));
  Result<Json> sum = Call("get-sum", {{"a", 2}, {"b", 40}});
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_NE((*sum)["text"].get<std::string>().find("42"), std::string::npos);
  Result<Json> weather = Call("get-structured-content", {{"location", "Chicago"}});
  ASSERT_TRUE(weather.ok()) << weather.status().ToString();
  EXPECT_TRUE(weather->contains("temperature"));
}

TEST_F(ServerEverythingHttpTest, ReportsToolAndProtocolErrors) {
  Result<Json> bad = Call("echo", Json::object());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().type(), "tool_error");
  testing::ResultWaiter method;
  client_->Request("no/such/method", Json::object(), method.Callback());
  ASSERT_TRUE(method.Wait(1, std::chrono::seconds(60)));
  EXPECT_EQ(method.at(0).error().type(), "method_not_found");
}

TEST_F(ServerEverythingHttpTest, NotificationsArriveOnTheListenStream) {
  // The server then logs to the session on its own (not in answer to a
  // request), which only the GET stream carries: at once, then every 5 s.
  Result<Json> started = Call("toggle-simulated-logging", Json::object());
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  auto logged = [&] {
    for (const McpLogEntry& entry : client_->logs()) {
      if (entry.data.is_string() &&
          entry.data.get<std::string>().find("SessionId") != std::string::npos) {
        return true;
      }
    }
    return false;
  };
  // The client has no log listener, so look now and then, up to two periods.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(12);
  while (!logged() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(logged());
}

TEST_F(ServerEverythingHttpTest, CloseEndsTheSession) {
  ASSERT_TRUE(Call("echo", {{"message", "x"}}).ok());
  client_->Close();
  EXPECT_TRUE(WaitFor([&] {
    return stdout_.find("Received session termination request") != std::string::npos;
  })) << stdout_.substr(stdout_.size() > 2000 ? stdout_.size() - 2000 : 0);
  testing::ResultWaiter after;
  client_->CallTool("echo", {{"message", "y"}}, {}, after.Callback());
  ASSERT_TRUE(after.Wait());
  EXPECT_EQ(after.at(0).error().type(), "cancelled");
}

}  // namespace
}  // namespace keel
