#include "mcp/mcp_server_config.h"

#include <gtest/gtest.h>

#include <cstdlib>

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

TEST(McpServerConfigTest, ParsesAnHttpServer) {
  Json servers = Json::parse(R"({"crm": {"url": "https://mcp.example.com/mcp",
      "headers": {"Authorization": "Bearer ${env:CRM_TOKEN}"}, "transport": "streamable_http"}})");
  Result<std::vector<McpServerConfig>> configs = ParseMcpServers(servers);
  ASSERT_TRUE(configs.ok()) << configs.status().ToString();
  const McpServerConfig& crm = (*configs)[0];
  EXPECT_EQ(crm.url, "https://mcp.example.com/mcp");
  EXPECT_TRUE(crm.command.empty());
  std::vector<std::pair<std::string, std::string>> headers = {
      {"Authorization", "Bearer ${env:CRM_TOKEN}"}};  // resolved when connecting, not here
  EXPECT_EQ(crm.headers, headers);
}

TEST(McpServerConfigTest, ExpandsVariablesInEnvFromKeelsEnvironment) {
  ::setenv("KEEL_TEST_MCP_REGION", "eu-1", 1);
  Json servers = Json::parse(R"({"s": {"command": ["x"], "env": {
      "REGION": "${KEEL_TEST_MCP_REGION}", "URL": "https://${env:KEEL_TEST_MCP_REGION}.crm/${x",
      "PLAIN": "$HOME stays"}}})");
  // "${x" has no closing brace: an error, not a guess.
  EXPECT_FALSE(ParseMcpServers(servers).ok());
  servers["s"]["env"]["URL"] = "https://${env:KEEL_TEST_MCP_REGION}.crm/${KEEL_TEST_MCP_REGION}";
  Result<std::vector<McpServerConfig>> configs = ParseMcpServers(servers);
  ASSERT_TRUE(configs.ok()) << configs.status().ToString();
  std::vector<std::pair<std::string, std::string>> env = {
      {"PLAIN", "$HOME stays"}, {"REGION", "eu-1"}, {"URL", "https://eu-1.crm/eu-1"}};
  EXPECT_EQ((*configs)[0].env, env);
  ::unsetenv("KEEL_TEST_MCP_REGION");
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
        BadCase{R"({"s": {}})", "mcp_servers.s: needs command"},
        BadCase{R"({"s": {"command": ["x"], "url": "http://h/mcp"}})",
                "mcp_servers.s.url: give either command (stdio) or url"},
        BadCase{R"({"s": {"url": "ftp://h/mcp"}})", "mcp_servers.s.url: expected an http(s) URL"},
        BadCase{R"({"s": {"url": 3}})", "mcp_servers.s.url: expected an http(s) URL"},
        BadCase{R"({"s": {"url": "http://h", "env": {}}})", "mcp_servers.s.env: only for a"},
        BadCase{R"({"s": {"command": ["x"], "headers": {}}})", "mcp_servers.s.headers: only"},
        BadCase{R"({"s": {"url": "http://h", "headers": {"A": "${TOKEN}"}}})",
                "mcp_servers.s.headers.A: write secrets as ${env:NAME}"},
        BadCase{R"({"s": {"url": "http://h", "headers": {"A": 1}}})",
                "mcp_servers.s.headers.A: expected a string"},
        BadCase{R"({"s": {"url": "http://h", "transport": "stdio"}})",
                "mcp_servers.s.transport: expected 'streamable_http'"},
        BadCase{R"({"s": {"command": ["x"], "env": {"A": "${KEEL_TEST_SURELY_UNSET}"}}})",
                "mcp_servers.s.env.A: ${KEEL_TEST_SURELY_UNSET} is not set"},
        BadCase{R"({"s": {"command": ["x"], "env": {"A": "${OOPS"}}})",
                "mcp_servers.s.env.A: unclosed"},
        BadCase{R"({"s": {"command": ["x"], "env": {"A": "${a-b}"}}})",
                "mcp_servers.s.env.A: '${a-b}' is not a variable name"},
        BadCase{R"({"s": {"command": "x"}})", "mcp_servers.s.command: expected a non-empty"},
        BadCase{R"({"s": {"command": ["x"], "env": {"A": []}}})", "mcp_servers.s.env.A"},
        BadCase{R"({"s": {"command": ["x"], "timeout_s": -1}})", "mcp_servers.s.timeout_s"},
        BadCase{R"({"s": {"command": ["x"], "transport": "http"}})",
                "mcp_servers.s.transport: expected 'stdio'"},
        BadCase{R"({"s": {"command": ["x"], "uri": "http://x"}})",
                "mcp_servers.s.uri: unknown field"}));

}  // namespace
}  // namespace keel
