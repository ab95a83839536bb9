// McpClient against a scripted server (testing/fake_mcp_server.cc) over stdio.
#include "mcp/mcp_client.h"

#include <gtest/gtest.h>

#include <set>

#include "connectors/testing/script_dir.h"
#include "mcp/mcp_server_config.h"
#include "mcp/mcp_tool.h"

namespace keel {
namespace {

using testing::ResultWaiter;
using testing::Waiter;

class McpClientTest : public ::testing::Test {
 protected:
  std::shared_ptr<McpClient> Client(std::vector<std::string> flags = {},
                                    ProcessReactor* reactor = nullptr) {
    McpServerConfig config;
    config.name = "fake";
    config.command = {KEEL_FAKE_MCP_SERVER};
    config.command.insert(config.command.end(), flags.begin(), flags.end());
    config.timeout_s = 20;
    return McpClient::Create(StdioClientOptions(config, reactor ? reactor : &reactor_));
  }

  static Result<Json> Call(McpClient& client, const std::string& tool, Json args = Json::object(),
                           const ToolCallContext& ctx = {}) {
    ResultWaiter waiter;
    client.CallTool(tool, args, ctx, waiter.Callback());
    if (!waiter.Wait()) return Internal("no answer in time");
    return waiter.at(0);
  }

  static std::set<std::string> Names(const McpToolList& list) {
    std::set<std::string> names;
    for (const ToolDef& def : list.tools) names.insert(def.name);
    return names;
  }

  ProcessReactor reactor_;
};

TEST_F(McpClientTest, ListsEveryPage) {
  auto client = Client({"--tools", "7", "--page-size", "3"});
  EXPECT_TRUE(client->tools_stale());
  Result<McpToolList> list = client->ListToolsBlocking();
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ(list->tools.size(), 12u + 7u);  // 7 pages of 3
  EXPECT_TRUE(list->problems.empty());
  std::set<std::string> names = Names(*list);
  EXPECT_TRUE(names.count("fake.echo"));
  EXPECT_TRUE(names.count("fake.gen6"));
  EXPECT_FALSE(client->tools_stale());
  Result<Json> stats = Call(*client, "stats");
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ((*stats)["list_calls"], 7);
  std::optional<mcp::ServerInfo> info = client->server_info();
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->name, "fake");
  EXPECT_EQ(info->protocol_version, "2025-11-25");
}

TEST_F(McpClientTest, UncompilableSchemaIsAProblemNotACrash) {
  auto client = Client({"--bad-schema", "--banner"});
  Result<McpToolList> list = client->ListToolsBlocking();
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_NE(client->server_stderr().find("non-JSON line on stdout: fake MCP server starting up"),
            std::string::npos);
  EXPECT_EQ(list->tools.size(), 12u);
  ASSERT_EQ(list->problems.size(), 1u);
  EXPECT_NE(list->problems[0].message().find("tool 'broken': inputSchema does not compile"),
            std::string::npos)
      << list->problems[0].message();
}

TEST_F(McpClientTest, AcceptsAnOlderSupportedVersion) {
  auto client = Client({"--version", "2025-03-26"});
  Result<Json> echo = Call(*client, "echo", {{"message", "hi"}});
  ASSERT_TRUE(echo.ok()) << echo.status().ToString();
  EXPECT_EQ(client->server_info()->protocol_version, "2025-03-26");
}

TEST_F(McpClientTest, RejectsAnUnsupportedVersion) {
  auto client = Client({"--version", "2024-11-05"});
  Result<Json> echo = Call(*client, "echo", {{"message", "hi"}});
  ASSERT_FALSE(echo.ok());
  EXPECT_EQ(echo.error().type(), "connection_failed");
  EXPECT_NE(echo.error().message().find("2024-11-05"), std::string::npos);
}

TEST_F(McpClientTest, MapsToolResults) {
  auto client = Client();
  Result<Json> echo = Call(*client, "echo", {{"message", "hi"}});
  ASSERT_TRUE(echo.ok());
  EXPECT_EQ(*echo, (Json{{"text", "you said hi"}}));
  Result<Json> json = Call(*client, "json");
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(*json, (Json{{"answer", 42}, {"list", {1, 2}}}));
  Result<Json> structured = Call(*client, "structured");
  ASSERT_TRUE(structured.ok());
  EXPECT_EQ(*structured, (Json{{"n", 7}}));
}

TEST_F(McpClientTest, MapsErrors) {
  auto client = Client();
  Result<Json> fail = Call(*client, "fail");
  ASSERT_FALSE(fail.ok());
  EXPECT_EQ(fail.error().type(), "tool_error");
  EXPECT_NE(fail.error().message().find("the CRM is read-only today"), std::string::npos);
  Result<Json> rpc = Call(*client, "rpc_error");
  ASSERT_FALSE(rpc.ok());
  EXPECT_EQ(rpc.error().type(), "server_error");
  EXPECT_NE(rpc.error().message().find("database exploded"), std::string::npos);
  Result<Json> unknown = Call(*client, "nope");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().type(), "tool_error");
  ResultWaiter method;
  client->Request("resources/list", Json::object(), method.Callback());
  ASSERT_TRUE(method.Wait());
  EXPECT_EQ(method.at(0).error().type(), "method_not_found");
}

TEST_F(McpClientTest, SendsIdempotencyKeyOnSideEffectingCalls) {
  auto client = Client();
  ToolCallContext ctx;
  ctx.idempotency_key = "run-9/notify/0";
  Result<Json> meta = Call(*client, "meta", Json::object(), ctx);
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(*meta, (Json{{"io.keel/idempotency_key", "run-9/notify/0"}}));
  Result<Json> none = Call(*client, "meta");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, Json::object());
}

TEST_F(McpClientTest, KeepsServerLogs) {
  auto client = Client();
  ASSERT_TRUE(Call(*client, "log").ok());
  std::vector<McpLogEntry> logs = client->logs();
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].level, "warning");
  EXPECT_EQ(logs[0].data, "disk almost full");
}

TEST_F(McpClientTest, AnswersServerRequests) {
  auto client = Client();
  Result<Json> result = Call(*client, "ping_me");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ((*result)["ping"], Json::object());
  EXPECT_EQ((*result)["roots_error_code"], -32601);
}

TEST_F(McpClientTest, ListChangedRefreshesTheList) {
  auto client = Client();
  Waiter<McpToolList> changed;
  client->SetToolsChangedListener([&](const McpToolList& list) { changed.Add(list); });
  ASSERT_TRUE(client->ListToolsBlocking().ok());
  EXPECT_FALSE(Names(*client->cached_tools()).count("fake.added"));
  ASSERT_TRUE(Call(*client, "add_tool").ok());
  ASSERT_TRUE(changed.Wait());
  EXPECT_TRUE(Names(changed.at(0)).count("fake.added"));
  EXPECT_TRUE(Names(*client->cached_tools()).count("fake.added"));
  EXPECT_FALSE(client->tools_stale());
}

TEST_F(McpClientTest, CrashFailsPendingCallsAndNextCallRestarts) {
  auto client = Client();
  ResultWaiter slow;
  client->CallTool("slow", Json::object(), {}, slow.Callback());
  Result<Json> crash = Call(*client, "crash");
  ASSERT_FALSE(crash.ok());
  EXPECT_EQ(crash.error().type(), "connection_dropped");
  EXPECT_TRUE(crash.error().retryable());
  EXPECT_NE(crash.error().message().find("exit code 3"), std::string::npos);
  EXPECT_NE(crash.error().message().find("fatal: crash requested"), std::string::npos);
  ASSERT_TRUE(slow.Wait());
  EXPECT_EQ(slow.at(0).error().type(), "connection_dropped");
  Result<Json> again = Call(*client, "echo", {{"message", "back"}});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, (Json{{"text", "you said back"}}));
}

TEST_F(McpClientTest, ServerThatDiesDuringInitialize) {
  auto client = Client({"--exit-on-init"});
  Result<Json> result = Call(*client, "echo", {{"message", "x"}});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().type(), "connection_dropped");
  EXPECT_NE(result.error().message().find("cannot open the database"), std::string::npos);
}

TEST_F(McpClientTest, MissingServerProgramFailsToConnect) {
  McpServerConfig config;
  config.name = "ghost";
  config.command = {"/nonexistent/keel-mcp-server"};
  auto client = McpClient::Create(StdioClientOptions(config, &reactor_));
  Result<Json> result = Call(*client, "echo");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().type(), "connection_failed");
  EXPECT_NE(result.error().message().find("keel-mcp-server"), std::string::npos);
}

TEST_F(McpClientTest, ClosedClientCancels) {
  auto client = Client();
  client->Close();
  Result<Json> result = Call(*client, "echo");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().type(), "cancelled");
}

TEST_F(McpClientTest, McpToolAdapterRoutesToItsServerTool) {
  auto client = Client();
  Result<McpToolList> list = client->ListToolsBlocking();
  ASSERT_TRUE(list.ok());
  ToolRegistry registry;
  RegisterMcpTools(client, *list, &registry);
  Tool* echo = registry.Find("fake.echo");
  ASSERT_NE(echo, nullptr);
  ResultWaiter waiter;
  echo->Start({{"message", "via registry"}}, {}, waiter.Callback());
  ASSERT_TRUE(waiter.Wait());
  ASSERT_TRUE(waiter.at(0).ok());
  EXPECT_EQ(*waiter.at(0), (Json{{"text", "you said via registry"}}));
}

TEST(McpClientTimeoutTest, RequestTimesOutAndServerIsToldToCancel) {
  FakeClock clock;
  ProcessReactor reactor(&clock);
  McpServerConfig config;
  config.name = "fake";
  config.command = {KEEL_FAKE_MCP_SERVER};
  config.timeout_s = 2;
  auto client = McpClient::Create(StdioClientOptions(config, &reactor));
  ASSERT_TRUE(client->ListToolsBlocking().ok());  // connected
  ResultWaiter slow;
  client->CallTool("slow", Json::object(), {}, slow.Callback());
  EXPECT_FALSE(slow.Wait(1, std::chrono::seconds(0)));
  clock.Advance(2'000'001);
  reactor.Poke();
  ASSERT_TRUE(slow.Wait());
  ASSERT_FALSE(slow.at(0).ok());
  EXPECT_EQ(slow.at(0).error().type(), "timeout");
  EXPECT_NE(slow.at(0).error().message().find("tools/call"), std::string::npos);
  ResultWaiter stats;
  client->CallTool("stats", Json::object(), {}, stats.Callback());
  ASSERT_TRUE(stats.Wait());
  ASSERT_TRUE(stats.at(0).ok()) << stats.at(0).status().ToString();
  EXPECT_EQ((*stats.at(0))["cancelled"].size(), 1u);
}

}  // namespace
}  // namespace keel
