#include "connectors/subprocess_spec.h"

#include <gtest/gtest.h>

namespace keel {
namespace {

TEST(SubprocessSpecTest, ParsesAllFields) {
  Json entry = Json::parse(R"({
    "name": "lead.score", "kind": "subprocess",
    "command": ["python3", "tools/score.py", "--fast"],
    "cwd": "tools", "env": {"TIER": "small", "RETRIES": 3, "DEBUG": false},
    "timeout_s": 2.5, "max_output_bytes": 4096})");
  Result<SubprocessToolSpec> spec = ParseSubprocessToolSpec(entry);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->command, (std::vector<std::string>{"python3", "tools/score.py", "--fast"}));
  EXPECT_EQ(spec->cwd, "tools");
  std::vector<std::pair<std::string, std::string>> env = {
      {"DEBUG", "false"}, {"RETRIES", "3"}, {"TIER", "small"}};
  EXPECT_EQ(spec->env, env);
  EXPECT_DOUBLE_EQ(spec->timeout_s, 2.5);
  EXPECT_EQ(spec->max_output_bytes, 4096u);
}

TEST(SubprocessSpecTest, DefaultsApply) {
  Result<SubprocessToolSpec> spec = ParseSubprocessToolSpec({{"command", {"./run"}}});
  ASSERT_TRUE(spec.ok());
  EXPECT_DOUBLE_EQ(spec->timeout_s, 30);
  EXPECT_TRUE(spec->env.empty());
  EXPECT_TRUE(spec->cwd.empty());
}

struct BadCase {
  const char* json;
  const char* message;
};

class SubprocessSpecErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(SubprocessSpecErrorTest, NamesTheField) {
  Result<SubprocessToolSpec> spec = ParseSubprocessToolSpec(Json::parse(GetParam().json));
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(spec.error().message().find(GetParam().message), std::string::npos)
      << spec.error().message();
}

INSTANTIATE_TEST_SUITE_P(
    Fields, SubprocessSpecErrorTest,
    ::testing::Values(BadCase{R"({})", "command: required"},
                      BadCase{R"({"command": "run.sh"})", "command: expected a non-empty list"},
                      BadCase{R"({"command": []})", "command: expected a non-empty list"},
                      BadCase{R"({"command": [""]})", "command[0]: expected the program"},
                      BadCase{R"({"command": ["a", 3]})", "command[1]: expected a string"},
                      BadCase{R"({"command": ["a"], "timeout_s": 0})", "timeout_s: expected"},
                      BadCase{R"({"command": ["a"], "timeout_s": "5"})", "timeout_s: expected"},
                      BadCase{R"({"command": ["a"], "env": ["X=1"]})", "env: expected a mapping"},
                      BadCase{R"({"command": ["a"], "env": {"X": {}}})", "env.X: expected"},
                      BadCase{R"({"command": ["a"], "env": {"1X": "v"}})", "env.1X: not a valid"},
                      BadCase{R"({"command": ["a"], "cwd": 3})", "cwd: expected"},
                      BadCase{R"({"command": ["a"], "max_output_bytes": -1})",
                              "max_output_bytes: expected"}));

}  // namespace
}  // namespace keel
