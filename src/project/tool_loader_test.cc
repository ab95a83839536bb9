// tools/*.yaml and the schemas every file references.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace keel
