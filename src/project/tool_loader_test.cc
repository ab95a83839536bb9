// tools/*.yaml and the schemas every file references.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "project/internal/fixture_test_util.h"

namespace keel {
namespace {

using project_test::FixtureDiagnostics;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::StartsWith;

TEST(ToolLoaderTest, BuiltinToolsMustHaveAnImplementation) {
  LoadOptions options;
  options.builtin_tools = {"crm.get_account"};
  EXPECT_THAT(
      FixtureDiagnostics("valid", options),
      ElementsAre("tools/get_usage.yaml:1:7: no built-in implementation of tool "
                  "'analytics.get_usage_trend'",
                  "tools/send_email.yaml:1:7: no built-in implementation of tool 'email.send'"));
}

TEST(ToolLoaderTest, AnEmptyBuiltinListChecksNothing) {
  EXPECT_THAT(FixtureDiagnostics("valid", LoadOptions{}), IsEmpty());
}

// The tails of these messages come from the JSON parser and the schema
// module; the positions and the loader's own words are checked exactly.
TEST(ToolLoaderTest, SchemaProblemsAreReportedWhereTheyAre) {
  std::vector<std::string> diagnostics = FixtureDiagnostics("schema_errors");
  ASSERT_EQ(diagnostics.size(), 6u);
  EXPECT_EQ(diagnostics[0],
            "schemas/not_json.json:4:29: invalid JSON: syntax error while parsing object key - "
            "unexpected ','; expected string literal");
  EXPECT_THAT(diagnostics[1], StartsWith("tools/t.yaml:3:16: 'schemas/bad_type.json' is not a "
                                         "valid draft-07 JSON Schema: "));
  EXPECT_EQ(diagnostics[2], "tools/u.yaml:2:15: schema file 'schemas/missing.json' does not exist");
  EXPECT_THAT(diagnostics[3],
              StartsWith("tools/u.yaml:3:16: inline schema is not a valid draft-07 JSON Schema: "));
  EXPECT_THAT(diagnostics[4], StartsWith("workflows/w.yaml:2:15: 'schemas/bad_type.json' is not "
                                         "a valid draft-07 JSON Schema: "));
  EXPECT_EQ(diagnostics[5],
            "workflows/w.yaml:3:15: 'state_schema' must be a schema file path or an inline schema");
}

// A throw-away project folder written by the test: policies are easiest to
// read beside the assertions on them.
class PolicyProject {
 public:
  explicit PolicyProject(const std::map<std::string, std::string>& files)
      : dir_(std::filesystem::temp_directory_path() /
             ("keel-policies-" + std::to_string(getpid()) + "-" + std::to_string(++count_))) {
    std::filesystem::remove_all(dir_);
    for (const auto& [path, text] : files) {
      std::filesystem::create_directories((dir_ / path).parent_path());
      std::ofstream(dir_ / path) << text;
    }
  }
  ~PolicyProject() { std::filesystem::remove_all(dir_); }

  Result<Project> Load(std::vector<std::string>* diagnostics) const {
    std::vector<Diagnostic> found;
    Result<Project> project = LoadProject(dir_.string(), LoadOptions{}, &found);
    for (const Diagnostic& d : found) diagnostics->push_back(d.ToString());
    return project;
  }

 private:
  static inline int count_ = 0;
  std::filesystem::path dir_;
};

constexpr char kSchemas[] =
    "input_schema: {type: object}\noutput_schema: {type: object}\n";

TEST(ToolPoliciesTest, ToolSettingsOverrideTheProjectDefaults) {
  PolicyProject project({
      {"keel.yaml",
       "name: p\n"
       "defaults:\n"
       "  tool_policies:\n"
       "    timeout_ms: 5000\n"
       "    retry: {max_attempts: 4, initial_backoff_ms: 50, max_backoff_ms: 2000}\n"
       "    breaker: {failures: 3, cooldown_ms: 10000}\n"
       "    cache_ttl_s: 60\n"
       "    workspace_rate_limit: {per_s: 100, burst: 200}\n"},
      {"tools/contacts.yaml",
       std::string("name: crm.contacts\n") + kSchemas +
           "policies:\n"
           "  agents: [researcher]\n"
           "  cache_ttl_s: 300\n"
           "  rate_limit: {per_s: 5, burst: 10, max_wait_ms: 200}\n"
           "  fallback: {tools: [crm.replica], stale_cache_s: 3600}\n"},
      {"tools/replica.yaml", std::string("name: crm.replica\n") + kSchemas},
      {"tools/email.yaml", std::string("name: email.send\nside_effects: true\n") + kSchemas},
  });
  std::vector<std::string> diagnostics;
  Result<Project> loaded = project.Load(&diagnostics);
  ASSERT_TRUE(loaded.ok()) << ::testing::PrintToString(diagnostics);
  EXPECT_DOUBLE_EQ(loaded->config.workspace_rate_limit.per_s, 100);
  const ToolPolicies& contacts = loaded->FindTool("crm.contacts")->policies;
  EXPECT_TRUE(contacts.restrict_agents);
  EXPECT_EQ(contacts.agents, std::vector<std::string>{"researcher"});
  EXPECT_FALSE(loaded->FindTool("crm.replica")->policies.restrict_agents);
  EXPECT_EQ(contacts.cache_ttl_s, 300);
  EXPECT_DOUBLE_EQ(contacts.rate_limit.per_s, 5);
  EXPECT_DOUBLE_EQ(contacts.rate_limit.burst, 10);
  EXPECT_EQ(contacts.rate_limit.max_wait_ms, 200);
  EXPECT_EQ(contacts.fallback.tools, std::vector<std::string>{"crm.replica"});
  EXPECT_EQ(contacts.fallback.stale_cache_s, 3600);
  EXPECT_EQ(contacts.timeout_ms, 5000);  // from the defaults
  EXPECT_EQ(contacts.retry.max_attempts, 4);
  EXPECT_EQ(contacts.breaker.failures, 3);
  EXPECT_EQ(loaded->FindTool("crm.replica")->policies.cache_ttl_s, 60);
  // A side-effecting tool never inherits a cache.
  EXPECT_EQ(loaded->FindTool("email.send")->policies.cache_ttl_s, 0);
}

TEST(ToolPoliciesTest, BadValuesAreReportedWhereTheyAre) {
  PolicyProject project({
      {"keel.yaml",
       "name: p\n"
       "defaults:\n"
       "  tool_policies:\n"
       "    timeout_ms: 0\n"
       "    agents: [x]\n"},
      {"tools/t.yaml",
       std::string("name: t\nside_effects: true\n") + kSchemas +
           "policies:\n"
           "  cache_ttl_s: 60\n"
           "  retry: {max_attempts: 0, initial_backoff_ms: 500, max_backoff_ms: 100}\n"
           "  rate_limit: {per_s: -1, burst: 5}\n"
           "  breaker: {failurs: 3}\n"
           "  fallback: {tools: [t]}\n"
           "  agents: researcher\n"},
  });
  std::vector<std::string> diagnostics;
  EXPECT_FALSE(project.Load(&diagnostics).ok());
  EXPECT_THAT(
      diagnostics,
      ElementsAre(
          "keel.yaml:5:5: unknown field 'agents' in 'tool_policies'",
          "keel.yaml:4:17: 'timeout_ms' must be an integer >= 1",
          "tools/t.yaml:11:11: 'agents' must be a list of strings",
          "tools/t.yaml:8:23: 'per_s' must be a number >= 0",
          "tools/t.yaml:9:13: unknown field 'failurs' in 'breaker' (did you mean 'failures'?)",
          "tools/t.yaml:7:25: 'max_attempts' must be an integer >= 1",
          "tools/t.yaml:7:69: 'max_backoff_ms' must be >= 'initial_backoff_ms'",
          "tools/t.yaml:6:3: tool 't' cannot be its own fallback",
          "tools/t.yaml:6:16: tool 't' has side effects, so its answers are never cached"));
}

TEST(ToolPoliciesTest, AFallbackToAnUnknownToolIsReported) {
  PolicyProject project({
      {"keel.yaml", "name: p\n"},
      {"tools/t.yaml", std::string("name: t\n") + kSchemas +
                           "policies:\n"
                           "  fallback: {tools: [t_backup, t_mirror]}\n"},
      {"tools/t_backup.yaml", std::string("name: t_backup\n") + kSchemas},
  });
  std::vector<std::string> diagnostics;
  EXPECT_FALSE(project.Load(&diagnostics).ok());
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_THAT(diagnostics[0], StartsWith("tools/t.yaml:"));
  EXPECT_THAT(diagnostics[0], ::testing::HasSubstr("falls back to unknown tool 't_mirror'"));
}

TEST(ToolBatchTest, ABatchFormMustExistAndDoWhatItsToolDoes) {
  PolicyProject project({
      {"keel.yaml", "name: p\n"},
      {"tools/log.yaml", std::string("name: log\nside_effects: true\n") + kSchemas +
                             "batch: {tool: log_many, max_items: 10}\n"},
      {"tools/log_many.yaml", std::string("name: log_many\n") + kSchemas},
      {"tools/read.yaml", std::string("name: read\n") + kSchemas + "batch: {tool: read_all}\n"},
      {"tools/tag.yaml", std::string("name: tag\n") + kSchemas + "batch: {max_items: 0}\n"},
  });
  std::vector<std::string> diagnostics;
  EXPECT_FALSE(project.Load(&diagnostics).ok());
  EXPECT_THAT(diagnostics,
              ::testing::UnorderedElementsAre(
                  ::testing::HasSubstr("missing required field 'tool' in a tool's batch"),
                  ::testing::HasSubstr("'max_items' must be an integer >= 1"),
                  "tools/log.yaml:1:1: tool 'log': batch form 'log_many' must declare the same "
                  "side_effects and idempotent as the tool",
                  "tools/read.yaml:1:1: tool 'read': batch form 'read_all' is not a tool of the "
                  "project"));
}

TEST(ToolBatchTest, TheBatchFormIsKeptOnTheTool) {
  PolicyProject project({
      {"keel.yaml", "name: p\n"},
      {"tools/read.yaml", std::string("name: read\n") + kSchemas + "batch: {tool: read_all}\n"},
      {"tools/read_all.yaml", std::string("name: read_all\n") + kSchemas},
  });
  std::vector<std::string> diagnostics;
  Result<Project> loaded = project.Load(&diagnostics);
  ASSERT_TRUE(loaded.ok()) << ::testing::PrintToString(diagnostics);
  EXPECT_EQ(loaded->FindTool("read")->batch_tool, "read_all");
  EXPECT_EQ(loaded->FindTool("read")->batch_max_items, 25);  // the default
}

// The connector kinds: each kind's fields are checked by its own parser and
// kept on ToolDef::connector for the composition root.
TEST(ToolConnectorsTest, EachKindKeepsItsValidatedFields) {
  PolicyProject project({
      {"keel.yaml",
       "name: p\n"
       "egress: {allow: [api.example.com]}\n"
       "mcp_servers:\n"
       "  files: {command: [node, server.js], timeout_s: 5}\n"},
      {"tools/score.yaml", std::string("name: score\nkind: subprocess\n") + kSchemas +
                               "command: [python3, score.py]\ntimeout_s: 3\n"},
      {"tools/news.yaml", std::string("name: news\nkind: http\n") + kSchemas +
                              "base_url: https://api.example.com\n"
                              "url: /news?q={{company}}\n"
                              "headers: {Authorization: 'Bearer ${env:NEWS_TOKEN}'}\n"
                              "response: {pointer: /articles}\n"},
      {"tools/read.yaml", "name: files.read\nkind: mcp\nserver: files\ntool: read_file\n"},
  });
  std::vector<std::string> diagnostics;
  Result<Project> loaded = project.Load(&diagnostics);
  ASSERT_TRUE(loaded.ok()) << ::testing::PrintToString(diagnostics);
  EXPECT_EQ(loaded->config.egress_allow, std::vector<std::string>{"api.example.com"});
  EXPECT_EQ(loaded->config.mcp_servers["files"]["command"], (Json{"node", "server.js"}));
  EXPECT_EQ(loaded->FindTool("score")->connector,
            (Json{{"command", {"python3", "score.py"}}, {"timeout_s", 3}}));
  EXPECT_EQ(loaded->FindTool("news")->connector["response"], (Json{{"pointer", "/articles"}}));
  const ToolDef* read = loaded->FindTool("files.read");
  EXPECT_EQ(read->connector, (Json{{"server", "files"}, {"tool", "read_file"}}));
  EXPECT_EQ(read->input, nullptr);  // the server's schema is used
  EXPECT_TRUE(loaded->FindTool("score")->input != nullptr);
  EXPECT_TRUE(loaded->FindTool("score")->connector.is_object());
}

TEST(ToolConnectorsTest, ConnectorErrorsAreReportedAtTheField) {
  PolicyProject project({
      {"keel.yaml",
       "name: p\n"
       "egress: {allow: [api.example.com]}\n"
       "mcp_servers:\n"
       "  files: {command: [node], timeout_s: -1}\n"},
      {"tools/a.yaml",
       std::string("name: a\nkind: subprocess\n") + kSchemas + "command: [python3, 7]\n"},
      {"tools/b.yaml",
       std::string("name: b\nkind: http\n") + kSchemas + "url: https://evil.example.org/x\n"},
      {"tools/c.yaml",
       std::string("name: c\nkind: http\n") + kSchemas + "url: /x\nresponse: {pointer: items}\n"},
      {"tools/d.yaml", "name: d\nkind: mcp\nserver: nope\ntool: x\n"},
      {"tools/e.yaml", std::string("name: e\nkind: builtin\n") + kSchemas + "url: /x\n"},
      {"tools/f.yaml", std::string("name: f\nkind: grpc\n") + kSchemas},
      {"tools/g.yaml", "name: g\nkind: mcp\nserver: files\n"},
  });
  std::vector<std::string> diagnostics;
  EXPECT_FALSE(project.Load(&diagnostics).ok());
  EXPECT_THAT(
      diagnostics,
      ElementsAre(
          "keel.yaml:4:39: mcp_servers.files.timeout_s: expected a positive number of seconds",
          "tools/a.yaml:5:20: command[1]: expected a string",
          "tools/b.yaml:5:6: host 'evil.example.org' is not on the egress allowlist (keel.yaml "
          "egress.allow)",
          "tools/c.yaml:6:21: response.pointer: 'items' is not a JSON Pointer (e.g. /data/items)",
          "tools/d.yaml:3:9: mcp server 'nope' is not declared in keel.yaml mcp_servers",
          "tools/e.yaml:5:1: field 'url' does not apply to a tool of kind builtin",
          "tools/f.yaml:2:7: unknown tool kind 'grpc' (expected builtin, subprocess, http or mcp)",
          "tools/g.yaml:1:1: missing required field 'tool' in a tool"));
}

TEST(ToolConnectorsTest, McpServerSettingsAreCheckedAtTheirField) {
  PolicyProject project(std::map<std::string, std::string>{
      {"keel.yaml",
       "name: p\n"
       "egress: {allow: [mcp.example.com]}\n"
       "mcp_servers:\n"
       "  both: {command: [x], url: 'https://mcp.example.com/mcp'}\n"
       "  neither: {timeout_s: 3}\n"
       "  bad: {url: 'ftp://mcp.example.com/mcp'}\n"
       "  far: {url: 'https://mcp.evil.example.org/mcp'}\n"
       "  env: {command: [x], env: {KEY: '${KEEL_TEST_SURELY_UNSET}'}}\n"
       "  good: {url: 'https://mcp.example.com/mcp', headers: {X-Key: '${env:K}'}}\n"},
  });
  std::vector<std::string> diagnostics;
  EXPECT_FALSE(project.Load(&diagnostics).ok());
  EXPECT_THAT(
      diagnostics,
      ElementsAre(
          "keel.yaml:4:29: mcp_servers.both.url: give either command (stdio) or url (Streamable "
          "HTTP), not both",
          "keel.yaml:5:3: mcp_servers.neither: needs command (a server run over stdio) or url "
          "(one reached over Streamable HTTP)",
          "keel.yaml:6:14: mcp_servers.bad.url: expected an http(s) URL, e.g. https://host/mcp",
          "keel.yaml:7:14: mcp_servers.far.url: host 'mcp.evil.example.org' is not on the "
          "egress allowlist (keel.yaml egress.allow)",
          "keel.yaml:8:34: mcp_servers.env.env.KEY: ${KEEL_TEST_SURELY_UNSET} is not set in "
          "keel's environment"));
}

}  // namespace
}  // namespace keel
