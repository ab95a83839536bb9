// NodeIndex::remaining: the most nodes a run may still pass through from a
// top-level node, which orders the thread pool's work (SchedulingSlackUs).
#include <gtest/gtest.h>

#include "engine/run.h"
#include "engine/run_internal.h"

namespace keel {
namespace {

NodeDef Node(std::string id, NodeKind kind) {
  NodeDef n;
  n.id = std::move(id);
  n.kind = kind;
  return n;
}

// fetch -> triage -(urgent)-> alert (escalate)
//                  \-(default)-> draft -> review (approval, on_reject: rework)
//                                 -> done (finalize);  rework -> done
WorkflowDef Flow() {
  WorkflowDef w;
  w.name = "flow";
  w.nodes.push_back(Node("fetch", NodeKind::kTool));
  NodeDef triage = Node("triage", NodeKind::kRoute);
  triage.routes.push_back(RouteDef{nullptr, "alert"});
  triage.default_next = "draft";
  w.nodes.push_back(triage);
  w.nodes.push_back(Node("draft", NodeKind::kLlm));
  NodeDef review = Node("review", NodeKind::kApproval);
  review.next = "done";
  review.on_reject = "rework";
  w.nodes.push_back(review);
  NodeDef rework = Node("rework", NodeKind::kLlm);
  rework.next = "done";
  w.nodes.push_back(rework);
  w.nodes.push_back(Node("done", NodeKind::kFinalize));
  w.nodes.push_back(Node("alert", NodeKind::kEscalate));
  return w;
}

TEST(NodeIndexTest, RemainingIsTheLongestPathToAnEnd) {
  WorkflowDef w = Flow();
  NodeIndex index(w);
  EXPECT_EQ(index.remaining.at("done"), 1);
  EXPECT_EQ(index.remaining.at("alert"), 1);
  EXPECT_EQ(index.remaining.at("rework"), 2);
  EXPECT_EQ(index.remaining.at("review"), 3);  // via rework, the longer way
  EXPECT_EQ(index.remaining.at("draft"), 4);
  EXPECT_EQ(index.remaining.at("triage"), 5);  // default beats the escalation route
  EXPECT_EQ(index.remaining.at("fetch"), 6);
  EXPECT_EQ(index.longest, 6);
}

TEST(NodeIndexTest, RunsNearerTheirEndGetMoreSlack) {
  WorkflowDef w = Flow();
  NodeIndex index(w);
  EXPECT_EQ(SchedulingSlackUs(index, "fetch"), 0);
  EXPECT_EQ(SchedulingSlackUs(index, "draft"), 2 * kSlackPerNodeDoneUs);
  EXPECT_EQ(SchedulingSlackUs(index, "done"), 5 * kSlackPerNodeDoneUs);
  EXPECT_EQ(SchedulingSlackUs(index, "no_such_node"), 0);  // treated as just started
}

TEST(NodeIndexTest, ACycleDoesNotHangTheIndex) {
  // The loader rejects cycles; the index must still terminate on one.
  WorkflowDef w;
  NodeDef a = Node("a", NodeKind::kTool);
  a.next = "b";
  NodeDef b = Node("b", NodeKind::kTool);
  b.next = "a";
  w.nodes = {a, b};
  NodeIndex index(w);
  EXPECT_GE(index.remaining.at("a"), 1);
  EXPECT_GE(index.remaining.at("b"), 1);
}

}  // namespace
}  // namespace keel
