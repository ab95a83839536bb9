// Whole-graph checks: ids, targets, reachability, cycles, scopes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "project/internal/fixture_test_util.h"

namespace keel {
namespace {

using project_test::FixtureDiagnostics;
using ::testing::ElementsAre;

TEST(GraphChecksTest, DuplicateIdsAcrossBranchesAndMapBodies) {
  EXPECT_THAT(
      FixtureDiagnostics("duplicate_ids"),
      ElementsAre("workflows/w.yaml:8:14: duplicate node id 'one' (first defined at line 7)",
                  "workflows/w.yaml:9:9: node id 'state' is reserved",
                  "workflows/w.yaml:15:14: duplicate node id 'fetch' (first defined at line 4)",
                  "workflows/w.yaml:16:10: duplicate node id 'each' (first defined at line 12)"));
}

TEST(GraphChecksTest, TargetsMustNameTopLevelNodes) {
  EXPECT_THAT(
      FixtureDiagnostics("bad_targets"),
      ElementsAre("workflows/w.yaml:8:11: 'next' names 'one', which is inside 'fetch'; only "
                  "top-level nodes can be jumped to",
                  "workflows/w.yaml:13:31: 'next' names unknown node 'nowhere'",
                  "workflows/w.yaml:14:14: 'default' names unknown node 'dne' (did you mean "
                  "'done'?)",
                  "workflows/w.yaml:19:16: 'on_expiry' names unknown node 'escalte'; expected a "
                  "node id, escalate or fail",
                  "workflows/w.yaml:23:14: 'on_fail' names unknown node 'fallback'"));
}

TEST(GraphChecksTest, UnreachableNodes) {
  EXPECT_THAT(
      FixtureDiagnostics("unreachable"),
      ElementsAre("workflows/w.yaml:8:9: node 'skipped' is unreachable from the first node 'start'",
                  "workflows/w.yaml:15:9: node 'after_end' is unreachable from the first node "
                  "'start'"));
}

TEST(GraphChecksTest, CyclesAreReportedAtTheEdgeThatClosesThem) {
  EXPECT_THAT(FixtureDiagnostics("cycle"), ElementsAre("workflows/w.yaml:10:33: cycle: a -> b -> a",
                                                       "workflows/w.yaml:14:14: cycle: c -> c"));
}

TEST(GraphChecksTest, NamesReadMustRunBefore) {
  EXPECT_THAT(
      FixtureDiagnostics("scope"),
      ElementsAre(
          "workflows/w.yaml:3:13: entity_key reads 'state'; it can read only input",
          // A branch cannot read its sibling: they run at the same time.
          "workflows/w.yaml:9:50: expression reads 'one', which is not input, state, or a node "
          "that runs before 'fetch'",
          "workflows/w.yaml:14:80: expression reads 'item', which is not input, state, row, "
          "row_index, or a node that runs before 'each'",
          "workflows/w.yaml:18:17: expression reads 'later', which is not input, state, or a "
          "node that runs before 'pick'",
          // A map body's id is not visible outside the map.
          "workflows/w.yaml:23:28: expression reads 'per_row', which is not input, state, or a "
          "node that runs before 'later'",
          "workflows/w.yaml:27:30: expression reads 'acount', which is not input, state, or a "
          "node that runs before 'done'",
          "prompts/brief.mustache:5:7: template reads 'approver', which is not input, state, or "
          "a node that runs before 'done'"));
}

}  // namespace
}  // namespace keel
