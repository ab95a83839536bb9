// ConnectorTools: a project's subprocess, HTTP and MCP tools become working
// implementations (the MCP ones against the fake server over stdio).
#include "cli/connector_tools.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>

namespace keel {
namespace {

ToolDef Def(const std::string& name, const std::string& kind, Json connector) {
  ToolDef def;
  def.name = name;
  def.kind = kind;
  def.connector = std::move(connector);
  return def;
}

Result<Json> CallTool(Tool* tool, const Json& args) {
  std::promise<Result<Json>> promise;
  tool->Start(args, ToolCallContext{}, [&](Result<Json> r) { promise.set_value(std::move(r)); });
  auto future = promise.get_future();
  if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    return Internal("no answer in time");
  }
  return future.get();
}

class ConnectorToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    project_.root = std::filesystem::temp_directory_path().string();
    project_.config.egress_allow = {"api.example.com"};
    project_.config.mcp_servers["fake"] = {{"command", {KEEL_FAKE_MCP_SERVER}}};
    loop_.Start();
  }
  void TearDown() override { loop_.Stop(); }

  Project project_;
  EventLoop loop_{Clock::Real()};
  ToolRegistry registry_;
};

TEST_F(ConnectorToolsTest, McpToolsWithoutYamlSchemasUseTheServers) {
  project_.tools["fake.echo"] = Def("fake.echo", "mcp", {{"server", "fake"}, {"tool", "echo"}});
  ConnectorTools connectors;
  ASSERT_TRUE(connectors.Register(project_, &loop_, &registry_).ok());
  Tool* echo = registry_.Find("fake.echo");
  ASSERT_NE(echo, nullptr);
  Result<Json> ok = CallTool(echo, {{"message", "hi"}});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  // The server's inputSchema requires "message": checked before any call.
  Result<Json> bad = CallTool(echo, Json::object());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().type(), "invalid_arguments");
  EXPECT_NE(bad.status().message().find("arguments for tool 'fake.echo'"), std::string::npos);
}

TEST_F(ConnectorToolsTest, AnUnknownRemoteToolIsNotFound) {
  project_.tools["fake.nope"] = Def("fake.nope", "mcp", {{"server", "fake"}, {"tool", "nope"}});
  ConnectorTools connectors;
  ASSERT_TRUE(connectors.Register(project_, &loop_, &registry_).ok());
  Result<Json> out = CallTool(registry_.Find("fake.nope"), Json::object());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().type(), "not_found");
}

TEST_F(ConnectorToolsTest, SubprocessToolsRunFromTheProjectRoot) {
  project_.tools["where"] =
      Def("where", "subprocess", {{"command", {"sh", "-c", "printf '\"%s\"' \"$PWD\""}}});
  ConnectorTools connectors;
  ASSERT_TRUE(connectors.Register(project_, &loop_, &registry_).ok());
  Result<Json> out = CallTool(registry_.Find("where"), Json::object());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(std::filesystem::path(out->get<std::string>()).lexically_normal(),
            std::filesystem::path(project_.root).lexically_normal());
}

TEST_F(ConnectorToolsTest, HttpToolsGetTheProjectsEgressAllowlist) {
  project_.tools["news"] = Def("news", "http", {{"url", "http://127.0.0.1:9/news"}});
  ConnectorTools connectors;
  ASSERT_TRUE(connectors.Register(project_, &loop_, &registry_).ok());
  Result<Json> out = CallTool(registry_.Find("news"), Json::object());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().type(), "egress_denied");
}

TEST_F(ConnectorToolsTest, McpServersWithAUrlGoOverHttpUnderTheEgressAllowlist) {
  project_.config.mcp_servers["remote"] = {{"url", "http://127.0.0.1:9/mcp"}};
  project_.tools["remote.echo"] =
      Def("remote.echo", "mcp", {{"server", "remote"}, {"tool", "echo"}});
  ConnectorTools connectors;
  ASSERT_TRUE(connectors.Register(project_, &loop_, &registry_).ok());
  Result<Json> out = CallTool(registry_.Find("remote.echo"), Json::object());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().type(), "egress_denied");
  EXPECT_NE(out.status().message().find("mcp server 'remote': host '127.0.0.1'"), std::string::npos)
      << out.status().message();
}

}  // namespace
}  // namespace keel
