#include "mcp/mcp_server_config.h"

#include <gtest/gtest.h>

namespace keel {
namespace {

TEST(McpServerConfigTest, ParsesServers) {
  Json servers = Json::parse(R"({
    "everything": {"command": ["node", "index.js", "stdio"], "env": {"LOG": "warn", "N": 2},
                   "timeout_s": 5, "transport": "stdio", "cwd": "/srv"},
    "crm": {"command": ["crm-mcp"]}})");
  Result<std::vector<McpServerConfig>> configs = ParseMcpServers(servers);
  ASSERT_TRUE(configs.ok()) << configs.status().ToString();
  ASSERT_EQ(configs->size(), 2u);
  const McpServerConfig& crm = (*configs)[0];
  EXPECT_EQ(crm.name, "crm");
  EXPECT_DOUBLE_EQ(crm.timeout_s, 30);
  const McpServerConfig& everything = (*configs)[1];
  EXPECT_EQ(everything.command, (std::vector<std::string>{"node", "index.js", "stdio"}));
  std::vector<std::pair<std::string, std::string>> env = {{"LOG", "warn"}, {"N", "2"}};
  EXPECT_EQ(everything.env, env);
  EXPECT_EQ(everything.cwd, "/srv");
  EXPECT_DOUBLE_EQ(everything.timeout_s, 5);
  McpClientOptions options = StdioClientOptions(everything);
  EXPECT_EQ(options.server_name, "everything");
  EXPECT_EQ(options.request_timeout_us, 5'000'000);
  EXPECT_TRUE(options.transport);
}

struct BadCase {
  const char* json;
  const char* message;
};

class McpServerConfigErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(McpServerConfigErrorTest, NamesTheField) {
  Result<std::vector<McpServerConfig>> configs = ParseMcpServers(Json::parse(GetParam().json));
  ASSERT_FALSE(configs.ok());
  EXPECT_EQ(configs.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(configs.error().message().find(GetParam().message), std::string::npos)
      << configs.error().message();
}

INSTANTIATE_TEST_SUITE_P(
    Fields, McpServerConfigErrorTest,
    ::testing::Values(
        BadCase{R"([])", "mcp_servers: expected a mapping"},
        BadCase{R"({"s": []})", "mcp_servers.s: expected a mapping"},
        BadCase{R"({"a.b": {"command": ["x"]}})", "mcp_servers.a.b: a server name"},
        BadCase{R"({"s": {}})", "mcp_servers.s.command: required"},
        BadCase{R"({"s": {"command": "x"}})", "mcp_servers.s.command: expected a non-empty"},
        BadCase{R"({"s": {"command": ["x"], "env": {"A": []}}})", "mcp_servers.s.env.A"},
        BadCase{R"({"s": {"command": ["x"], "timeout_s": -1}})", "mcp_servers.s.timeout_s"},
        BadCase{R"({"s": {"command": ["x"], "transport": "http"}})",
                "mcp_servers.s.transport: only 'stdio'"},
        BadCase{R"({"s": {"command": ["x"], "url": "http://x"}})",
                "mcp_servers.s.url: unknown field"}));

}  // namespace
}  // namespace keel
