// NodeIndex::remaining and remaining_rounds: the most nodes and model calls a
// run may still make from a top-level node, which plan when a run should be
// where and so order the thread pool's work (PlannedOffsetUs).
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

TEST(NodeIndexTest, RunsNearerTheirEndArePlannedLater) {
  WorkflowDef w = Flow();
  NodeIndex index(w);
  EXPECT_EQ(PlannedOffsetUs(index, "fetch", 0, 0), 0);
  EXPECT_EQ(PlannedOffsetUs(index, "draft", 0, 0), 2 * kPlannedNodeUs);
  EXPECT_EQ(PlannedOffsetUs(index, "done", 0, 0), 5 * kPlannedNodeUs);
  EXPECT_EQ(PlannedOffsetUs(index, "no_such_node", 0, 0), 0);  // planned as the start
}

// prep (three tools at once) -> workers (two llm branches at once) -> offer
// (optimize, at most 3 passes) -> approve -> done.
WorkflowDef Renewal() {
  WorkflowDef w;
  w.name = "renewal";
  NodeDef prep = Node("prep", NodeKind::kParallel);
  for (const char* id : {"account", "usage", "contract"}) {
    prep.branches.push_back(Node(id, NodeKind::kTool));
  }
  w.nodes.push_back(prep);
  NodeDef workers = Node("workers", NodeKind::kParallel);
  for (const char* id : {"risk", "summary"}) workers.branches.push_back(Node(id, NodeKind::kLlm));
  w.nodes.push_back(workers);
  NodeDef offer = Node("offer", NodeKind::kOptimize);
  offer.max_iterations = 3;
  w.nodes.push_back(offer);
  w.nodes.push_back(Node("approve", NodeKind::kApproval));
  w.nodes.push_back(Node("done", NodeKind::kFinalize));
  return w;
}

TEST(NodeIndexTest, RemainingRoundsCountModelCallsMadeOneAfterAnother) {
  WorkflowDef w = Renewal();
  NodeIndex index(w);
  EXPECT_EQ(index.remaining_rounds.at("done"), 0);
  EXPECT_EQ(index.remaining_rounds.at("approve"), 0);
  EXPECT_EQ(index.remaining_rounds.at("offer"), 6);    // generator + evaluator, 3 passes
  EXPECT_EQ(index.remaining_rounds.at("workers"), 7);  // its two branches call at once
  EXPECT_EQ(index.remaining_rounds.at("prep"), 7);
  EXPECT_EQ(index.longest_rounds, 7);
}

// With model calls of a second, a run done with the optimize loop after one
// pass is planned seconds after one still in its third pass: the pool runs
// the latter's tasks first.
TEST(NodeIndexTest, ModelCallsStillAheadWeighByTheirLatency) {
  WorkflowDef w = Renewal();
  NodeIndex index(w);
  constexpr int64_t kSecond = 1'000'000;
  EXPECT_EQ(PlannedOffsetUs(index, "workers", 0, kSecond), kPlannedNodeUs);
  EXPECT_EQ(PlannedOffsetUs(index, "offer", 0, kSecond), 2 * kPlannedNodeUs + kSecond);
  int64_t third_generator = PlannedOffsetUs(index, "offer", 4, kSecond);
  EXPECT_EQ(third_generator, 2 * kPlannedNodeUs + 5 * kSecond);
  int64_t approve = PlannedOffsetUs(index, "approve", 0, kSecond);
  EXPECT_EQ(approve, 3 * kPlannedNodeUs + 7 * kSecond);
  EXPECT_GT(approve - third_generator, kSecond);
  // Model calls that take no time leave the nodes alone to order runs.
  EXPECT_EQ(PlannedOffsetUs(index, "offer", 4, 0), 2 * kPlannedNodeUs);
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
