// agents/*.yaml: references, prompts and fallbacks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "project/internal/fixture_test_util.h"

namespace keel {
namespace {

using project_test::FixtureDiagnostics;
using ::testing::ElementsAre;
using ::testing::StartsWith;

TEST(AgentLoaderTest, UnknownToolsAgentsAndTiersAreReported) {
  EXPECT_THAT(
      FixtureDiagnostics("unknown_refs"),
      ElementsAre("agents/a.yaml:2:7: unknown tier 'small' (keel.yaml configures fast)",
                  "agents/a.yaml:5:21: unknown tool 'crm.delete' in the allowlist",
                  "agents/b.yaml:1:1: agent has no 'tier' and keel.yaml configures no 'small' "
                  "tier",
                  "workflows/w.yaml:6:11: unknown tool 'crm.lookpu' (did you mean 'crm.lookup'?)",
                  "workflows/w.yaml:9:12: unknown agent 'writter' (did you mean 'writer'?)",
                  "workflows/w.yaml:13:16: unknown agent 'critic'"));
}

TEST(AgentLoaderTest, AgentNodesNeedAnAllowlistTheToolsAdmitAndBoundedTurns) {
  EXPECT_THAT(
      FixtureDiagnostics("agent_node"),
      ElementsAre("agents/handler.yaml:5:21: tool 'billing.pay' does not let agent 'handler' "
                  "call it (its policies.agents: none, tool nodes only)",
                  "workflows/w.yaml:8:16: 'max_turns' must be an integer >= 1",
                  "workflows/w.yaml:11:12: agent 'talker' has no 'tools' allowlist: an agent "
                  "node calls tools (use an llm node)",
                  "workflows/w.yaml:13:16: 'max_turns' must be at most 50"));
}

TEST(AgentLoaderTest, PromptsAndFallbacksReadOnlyInputsAndTheirRoleExtras) {
  EXPECT_THAT(
      FixtureDiagnostics("agent_scope"),
      ElementsAre("agents/gen.yaml:5:71: fallback reads 'usage', which is not among the inputs "
                  "of agent 'gen' (account, previous, feedback, iteration)",
                  "agents/judge.yaml:5:78: fallback reads 'feedback', which is not among the "
                  "inputs of agent 'judge' (account, candidate)",
                  "prompts/judge.mustache:2:10: prompt reads 'previous', which is not among the "
                  "inputs of agent 'judge' (account, candidate)"));
}

TEST(AgentLoaderTest, TemplateProblemsAreReportedInTheTemplateFile) {
  std::vector<std::string> diagnostics = FixtureDiagnostics("template_errors");
  ASSERT_EQ(diagnostics.size(), 4u);
  // Parse errors: the position comes from the template module, the tail too.
  EXPECT_THAT(diagnostics[0], StartsWith("prompts/a.mustache:2:1: invalid template: "));
  EXPECT_THAT(diagnostics[1], StartsWith("prompts/footer.mustache:1:8: invalid template: "));
  EXPECT_EQ(diagnostics[2],
            "agents/b.yaml:2:9: prompt file 'prompts/not_there.mustache' does not exist");
  EXPECT_EQ(diagnostics[3],
            "workflows/w.yaml:8:21: brief template file 'prompts/brief.mustache' does not exist");
}

}  // namespace
}  // namespace keel
