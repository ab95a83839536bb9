// keel.yaml, and what goes wrong reading any project file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "project/internal/fixture_test_util.h"

namespace keel {
namespace {

using project_test::FixtureDiagnostics;
using ::testing::ElementsAre;

TEST(ConfigLoaderTest, ReportsEveryConfigProblem) {
  EXPECT_THAT(
      FixtureDiagnostics("config_errors"),
      ElementsAre(
          "keel.yaml:1:1: missing required field 'name' in keel.yaml",
          "keel.yaml:3:3: the scripted provider needs 'scripted_file'",
          "keel.yaml:5:22: unknown model provider 'openia' (expected offline, scripted, openai "
          "or anthropic)",
          "keel.yaml:6:10: tier 'large' must be a non-empty list of {provider, model}",
          "keel.yaml:8:12: 'lease_s' must be an integer >= 1",
          "keel.yaml:9:19: 'worker_threads' must be an integer >= 0"));
}

TEST(ConfigLoaderTest, MissingConfigIsReported) {
  EXPECT_THAT(FixtureDiagnostics("no_config"),
              ElementsAre("keel.yaml: file not found; every project folder needs one"));
}

TEST(ConfigLoaderTest, InvalidYamlIsReportedAtTheParserPositionAndOtherFilesStillLoad) {
  EXPECT_THAT(FixtureDiagnostics("bad_yaml"),
              ElementsAre("workflows/broken.yaml:6:12: invalid YAML: illegal map value",
                          "workflows/fine.yaml:4:55: unknown field 'extra' in a finalize node"));
}

TEST(ConfigLoaderTest, UnknownFieldsAreReportedWithASuggestion) {
  EXPECT_THAT(
      FixtureDiagnostics("unknown_fields"),
      ElementsAre(
          "keel.yaml:2:12: unknown field 'lease' in defaults (did you mean 'lease_s'?)",
          "tools/t.yaml:2:1: unknown field 'risc' in a tool (did you mean 'risk'?)",
          "agents/a.yaml:4:1: unknown field 'fallbak' in an agent (did you mean 'fallback'?)",
          "workflows/w.yaml:2:1: unknown field 'descripton' in a workflow (did you mean "
          "'description'?)",
          "workflows/w.yaml:8:5: unknown field 'arg' in a tool node (did you mean 'args'?)",
          "workflows/w.yaml:12:24: unknown field 'then' in a route (did you mean 'when'?)",
          "workflows/w.yaml:12:9: missing required field 'next' in a route",
          "workflows/w.yaml:18:5: unknown field 'colour' in a finalize node"));
}

TEST(ConfigLoaderTest, MissingRequiredFieldsAreReportedAtTheirMap) {
  EXPECT_THAT(FixtureDiagnostics("missing_fields"),
              ElementsAre("keel.yaml:1:1: missing required field 'name' in keel.yaml",
                          "tools/t.yaml:1:1: missing required field 'output_schema' in a tool",
                          "agents/a.yaml:1:1: missing required field 'prompt' in an agent",
                          "workflows/w.yaml:1:1: missing required field 'input_schema' in a "
                          "workflow",
                          "workflows/w.yaml:3:5: missing required field 'tool' in a tool node",
                          "workflows/w.yaml:8:9: missing required field 'when' in a route",
                          "workflows/w.yaml:9:5: missing required field 'id' in an escalate "
                          "node"));
}

}  // namespace
}  // namespace keel
