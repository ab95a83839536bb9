// McpClient against the real @modelcontextprotocol/server-everything over
// stdio. scripts/install-test-servers.sh installs it into .tools/mcp; without
// it (or without node) these tests skip.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "connectors/testing/script_dir.h"
#include "mcp/mcp_client.h"
#include "mcp/mcp_server_config.h"

namespace keel {
namespace {

constexpr char kServerEverything[] =
    ".tools/mcp/node_modules/@modelcontextprotocol/server-everything/dist/index.js";

bool HaveNode() { return std::system("node --version > /dev/null 2>&1") == 0; }

class ServerEverythingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kServerEverything)) {
      GTEST_SKIP() << "server-everything is not installed at " << kServerEverything
                   << "; run scripts/install-test-servers.sh (needs node and npm)";
    }
    if (!HaveNode()) GTEST_SKIP() << "node is not on PATH";
    McpServerConfig config;
    config.name = "everything";
    config.command = {"node", kServerEverything, "stdio"};
    config.timeout_s = 30;
    client_ = McpClient::Create(StdioClientOptions(config, &reactor_));
  }

  Result<Json> Call(const std::string& tool, Json args) {
    testing::ResultWaiter waiter;
    client_->CallTool(tool, args, {}, waiter.Callback());
    if (!waiter.Wait(1, std::chrono::seconds(60))) return Internal("no answer in time");
    return waiter.at(0);
  }

  ProcessReactor reactor_;
  std::shared_ptr<McpClient> client_;
};

TEST_F(ServerEverythingTest, InitializesAndListsTools) {
  Result<McpToolList> list = client_->ListToolsBlocking();
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  std::optional<mcp::ServerInfo> info = client_->server_info();
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->name, "mcp-servers/everything");
  EXPECT_TRUE(mcp::IsSupportedProtocolVersion(info->protocol_version));
  EXPECT_TRUE(list->problems.empty()) << list->problems[0].message();
  std::set<std::string> names;
  for (const ToolDef& def : list->tools) names.insert(def.name);
  for (const char* name :
       {"everything.echo", "everything.get-sum", "everything.get-structured-content"}) {
    EXPECT_TRUE(names.count(name)) << name;
  }
}

TEST_F(ServerEverythingTest, CallsTools) {
  Result<Json> echo = Call("echo", {{"message", "hello from keel"}});
  ASSERT_TRUE(echo.ok()) << echo.status().ToString();
  EXPECT_EQ(*echo, (Json{{"text", "Echo: hello from keel"}}));
  Result<Json> sum = Call("get-sum", {{"a", 2}, {"b", 40}});
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_NE((*sum)["text"].get<std::string>().find("42"), std::string::npos);
  Result<Json> weather = Call("get-structured-content", {{"location", "Chicago"}});
  ASSERT_TRUE(weather.ok()) << weather.status().ToString();
  EXPECT_TRUE(weather->contains("temperature"));
}

TEST_F(ServerEverythingTest, ReportsToolErrors) {
  Result<Json> bad = Call("echo", Json::object());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().type(), "tool_error");
  EXPECT_NE(bad.error().message().find("message"), std::string::npos);
  Result<Json> unknown = Call("no-such-tool", Json::object());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().type(), "tool_error");
  EXPECT_NE(unknown.error().message().find("not found"), std::string::npos);
  testing::ResultWaiter method;
  client_->Request("no/such/method", Json::object(), method.Callback());
  ASSERT_TRUE(method.Wait(1, std::chrono::seconds(60)));
  EXPECT_EQ(method.at(0).error().type(), "method_not_found");
}

}  // namespace
}  // namespace keel
