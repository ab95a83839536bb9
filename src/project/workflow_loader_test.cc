// workflows/*.yaml: node kinds and their fields.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "project/internal/fixture_test_util.h"

namespace keel {
namespace {

using project_test::FixtureDiagnostics;
using ::testing::ElementsAre;
using ::testing::StartsWith;

TEST(WorkflowLoaderTest, UnknownNodeKindsAreReported) {
  EXPECT_THAT(FixtureDiagnostics("unknown_kind"),
              ElementsAre("workflows/w.yaml:5:11: unknown node kind 'lm' (did you mean 'llm'?)",
                          "workflows/w.yaml:8:5: unknown field 'colour' in a node",
                          "workflows/w.yaml:7:11: unknown node kind 'banana' (expected tool, llm, "
                          "agent, parallel, map, route, optimize, approval, verify, escalate or "
                          "finalize)",
                          "workflows/w.yaml:9:5: missing required field 'kind' in a node"));
}

TEST(WorkflowLoaderTest, FinalizeNeedsStateAndOutput) {
  EXPECT_THAT(FixtureDiagnostics("finalize_missing"),
              ElementsAre("workflows/w.yaml:4:5: missing required field 'state' in a finalize "
                          "node",
                          "workflows/w.yaml:4:5: missing required field 'output' in a finalize "
                          "node",
                          "workflows/w.yaml:6:21: brief template file 'prompts/missing.mustache' "
                          "does not exist"));
}

TEST(WorkflowLoaderTest, ParallelBranchesAndMapBodiesAreSingleToolOrLlmNodes) {
  EXPECT_THAT(
      FixtureDiagnostics("bad_nesting"),
      ElementsAre(
          "workflows/w.yaml:8:28: a parallel branch must be a tool or llm node, not route",
          "workflows/w.yaml:9:41: 'next' is not allowed in a parallel branch",
          "workflows/w.yaml:14:7: 'do' must be exactly one tool or llm node",
          "workflows/w.yaml:19:27: a map body ('do') must be a tool or llm node, not approval",
          "workflows/w.yaml:24:5: 'next' is not allowed on a finalize node (it ends the run)"));
}

TEST(WorkflowLoaderTest, AgentInputsMustMatchTheAgentsDeclaredInputs) {
  EXPECT_THAT(
      FixtureDiagnostics("agent_inputs"),
      ElementsAre("workflows/w.yaml:7:38: input 'extra' is not declared by agent 'classifier' "
                  "(inputs: account, usage)",
                  "workflows/w.yaml:7:13: missing input 'usage' for agent 'classifier' in "
                  "'inputs'",
                  "workflows/w.yaml:8:5: missing input 'account' for agent 'classifier' in "
                  "'inputs'",
                  "workflows/w.yaml:8:5: missing input 'usage' for agent 'classifier' in 'inputs'",
                  // `previous` is supplied by the optimize loop itself.
                  "workflows/w.yaml:14:23: missing input 'usage' for agent 'gen' in "
                  "'generator_inputs'"));
}

// The text after "invalid expression: " is the expression module's; the
// column mapping into the file is the loader's and is checked exactly.
TEST(WorkflowLoaderTest, ExpressionParseErrorsPointIntoTheFile) {
  std::vector<std::string> diagnostics = FixtureDiagnostics("bad_expressions");
  ASSERT_EQ(diagnostics.size(), 7u);
  EXPECT_THAT(diagnostics[0], StartsWith("workflows/w.yaml:3:23: invalid expression: "));
  // Quoted leaves of a value template: the column skips the opening quote.
  EXPECT_THAT(diagnostics[1], StartsWith("workflows/w.yaml:8:37: invalid expression: "));
  EXPECT_THAT(diagnostics[2], StartsWith("workflows/w.yaml:8:50: invalid expression: "));
  // A plain scalar: the second '>' of `call.total >> 3`.
  EXPECT_EQ(diagnostics[3], "workflows/w.yaml:12:27: invalid expression: unexpected '>'");
  // A block scalar has no 1:1 mapping; its own position is given.
  EXPECT_THAT(diagnostics[4], StartsWith("workflows/w.yaml:17:15: invalid expression: "));
  EXPECT_THAT(diagnostics[5], StartsWith("workflows/w.yaml:22:35: invalid expression: "));
  EXPECT_THAT(diagnostics[6], StartsWith("workflows/w.yaml:23:21: invalid expression: "));
}

}  // namespace
}  // namespace keel
