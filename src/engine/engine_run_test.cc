// A fresh run of tests/fixtures/crash_project's crash_flow (parallel, map,
// optimize, verify, finalize) through an in-process Engine: what the event
// log, the side-effect counter and the state vector must show afterwards.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "engine/engine_test_util.h"

namespace keel {
namespace {

using engine_test::CountEffects;
using engine_test::CountInvocations;
using engine_test::EngineHarness;
using engine_test::EventsOf;
using engine_test::HarnessOptions;
using engine_test::IdempotencyKey;

class EngineRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto h = EngineHarness::Open(HarnessOptions{});
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    h_ = std::move(h).value();
    h_->engine().Start();
  }

  RunOutcome RunToRest(const Json& input) {
    Result<std::string> id = h_->engine().StartRun("crash_flow", input);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    if (!id.ok()) return {};
    std::optional<RunOutcome> outcome = h_->Wait(*id);
    EXPECT_TRUE(outcome.has_value()) << "run " << *id << " never came to rest";
    return outcome.value_or(RunOutcome{});
  }

  std::unique_ptr<EngineHarness> h_;
};

TEST_F(EngineRunTest, EveryNodeCompletesOnceAndEveryEffectAppliesOnce) {
  RunOutcome outcome = RunToRest({{"n", 7}});
  ASSERT_EQ(outcome.status, RunStatus::kSucceeded) << outcome.error;
  const std::string& run = outcome.run_id;

  // One completion per step; the optimize node's slots once per pass.
  std::map<std::pair<std::string, std::string>, int> completions;
  std::vector<int> gen_iterations, eval_iterations;
  for (const Event& e : EventsOf(h_->store(), run, EventType::kNodeCompleted)) {
    if (e.node == "tune") {
      (e.key == "gen" ? gen_iterations : eval_iterations)
          .push_back(e.payload.value("iteration", 0));
      continue;
    }
    ++completions[{e.node, e.key}];
  }
  std::map<std::pair<std::string, std::string>, int> expected = {
      {{"effect_a", ""}, 1}, {{"effect_b", ""}, 1}, {{"think", ""}, 1}, {{"each", "0"}, 1},
      {{"each", "1"}, 1},    {{"each", "2"}, 1},    {{"each", "3"}, 1}, {{"each", "4"}, 1},
      {{"check", ""}, 1},    {{"done", ""}, 1},
      // The agent node: offline, its one turn is the fallback's answer, then the node's own.
      {{"act", "turn-1"}, 1}, {{"act", ""}, 1}};
  EXPECT_EQ(completions, expected);
  // The proposer offers 2, 4, 6; the judge passes 6 or more: three passes.
  EXPECT_EQ(gen_iterations, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(eval_iterations, (std::vector<int>{1, 2, 3}));

  // Every side effect was called once, under its own idempotency key.
  const std::string& db = h_->effects_db();
  EXPECT_EQ(CountInvocations(db, IdempotencyKey(run, "effect_a")), 1);
  EXPECT_EQ(CountInvocations(db, IdempotencyKey(run, "effect_b")), 1);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(CountInvocations(db, IdempotencyKey(run, "each", std::to_string(i))), 1) << i;
  }
  EXPECT_EQ(CountEffects(db), 7);
  // Side-effecting steps announce themselves before the call; others do not.
  EXPECT_EQ(EventsOf(h_->store(), run, EventType::kNodeStarted).size(), 7u);
  EXPECT_TRUE(EventsOf(h_->store(), run, EventType::kNodeStarted, "think").empty());

  // The log starts once and finishes once, in strictly increasing seq order.
  Result<std::vector<Event>> events = h_->store().LoadEvents(run);
  ASSERT_TRUE(events.ok());
  ASSERT_FALSE(events->empty());
  EXPECT_EQ(events->front().type, EventType::kRunStarted);
  EXPECT_EQ(events->back().type, EventType::kRunFinished);
  for (size_t i = 0; i < events->size(); ++i) EXPECT_EQ((*events)[i].seq, int64_t(i) + 1);

  // The result and the state vector.
  EXPECT_EQ(outcome.result["output"], Json({{"n", 7},
                                            {"answer", "n is 7"},
                                            {"value", 6},
                                            {"agent_answer", "no model for 7"}}));
  EXPECT_EQ(outcome.result["state_version"], 1);
  Result<std::optional<StateVector>> state = h_->store().GetState("C-7");
  ASSERT_TRUE(state.ok() && state->has_value());
  EXPECT_EQ((*state)->version, 1);
  EXPECT_EQ((*state)->data, Json({{"n", 7}, {"runs", 1}}));
  EXPECT_EQ((*state)->run_id, run);

  Result<RunRecord> record = h_->store().GetRun(run);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->status, RunStatus::kSucceeded);
  EXPECT_TRUE(record->lease_owner.empty()) << "a finished run keeps no lease";
}

TEST_F(EngineRunTest, SecondRunOfTheSameEntityLoadsTheStateVector) {
  RunOutcome first = RunToRest({{"n", 3}});
  ASSERT_EQ(first.status, RunStatus::kSucceeded) << first.error;
  RunOutcome second = RunToRest({{"n", 3}});
  ASSERT_EQ(second.status, RunStatus::kSucceeded) << second.error;

  EXPECT_EQ(second.result["state"]["runs"], 2);
  EXPECT_EQ(second.result["state_version"], 2);
  std::vector<Event> started = EventsOf(h_->store(), second.run_id, EventType::kRunStarted);
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started[0].payload["state_version"], 1);
  EXPECT_EQ(started[0].payload["state"], Json({{"n", 3}, {"runs", 1}}));

  Result<std::vector<StateVector>> history = h_->store().StateHistory("C-3");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  std::set<int64_t> versions = {(*history)[0].version, (*history)[1].version};
  EXPECT_EQ(versions, (std::set<int64_t>{1, 2}));
  // A different entity starts from nothing.
  RunOutcome other = RunToRest({{"n", 4}});
  EXPECT_EQ(other.result["state"]["runs"], 1);
}

TEST_F(EngineRunTest, TraceHasRunNodeModelAndToolSpans) {
  RunOutcome outcome = RunToRest({{"n", 1}});
  ASSERT_EQ(outcome.status, RunStatus::kSucceeded) << outcome.error;
  Result<std::vector<Span>> spans = h_->store().LoadSpans(outcome.run_id);
  ASSERT_TRUE(spans.ok());
  std::map<std::string, int> kinds;
  std::set<std::string> ids;
  std::string trace_id;
  for (const Span& s : *spans) {
    ++kinds[s.kind];
    ids.insert(s.span_id);
    if (trace_id.empty()) trace_id = s.trace_id;
    EXPECT_EQ(s.trace_id, trace_id) << s.name;
    EXPECT_LE(s.start_us, s.end_us) << s.name;
  }
  EXPECT_EQ(kinds["run"], 1);
  EXPECT_EQ(kinds["tool"], 7);       // two branches + five map items
  EXPECT_EQ(kinds["model"], 1 + 6 + 1);  // think, three generate/evaluate passes, the agent's turn
  EXPECT_GE(kinds["node"], 7 + 7);
  // Every span hangs off another span of the same trace (the run is the root).
  for (const Span& s : *spans) {
    if (s.kind == "run") {
      EXPECT_TRUE(s.parent_span_id.empty());
    } else {
      EXPECT_TRUE(ids.count(s.parent_span_id)) << s.name << " has a dangling parent";
    }
  }
}

TEST_F(EngineRunTest, ConcurrentRunsOfOneEntityEachWriteTheStateVectorOnce) {
  // All four load version 0; optimistic locking makes the later ones reload
  // the state vector and write on top of it instead of over it.
  constexpr int kRuns = 4;
  std::vector<std::string> ids;
  for (int i = 0; i < kRuns; ++i) {
    Result<std::string> id = h_->engine().StartRun("crash_flow", {{"n", 5}});
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    ids.push_back(*id);
  }
  for (const std::string& id : ids) {
    std::optional<RunOutcome> outcome = h_->Wait(id);
    ASSERT_TRUE(outcome.has_value()) << id;
    EXPECT_EQ(outcome->status, RunStatus::kSucceeded) << outcome->error;
  }
  Result<std::vector<StateVector>> history = h_->store().StateHistory("C-5");
  ASSERT_TRUE(history.ok());
  std::set<int64_t> versions;
  std::set<std::string> writers;
  for (const StateVector& v : *history) {
    versions.insert(v.version);
    writers.insert(v.run_id);
  }
  EXPECT_EQ(versions, (std::set<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(writers, std::set<std::string>(ids.begin(), ids.end()));
  EXPECT_EQ((*h_->store().GetState("C-5"))->data["runs"], kRuns) << "no update was lost";
}

// A run started while the engine is full waits in the store and is started
// by the same engine when room frees up, even if it does not poll the store.
TEST(EngineCapacityTest, RunStartedBeyondMaxInFlightStillRunsInANonClaimingEngine) {
  HarnessOptions options;
  options.claim = false;
  options.max_runs_in_flight = 1;
  auto h = EngineHarness::Open(options);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  (*h)->engine().Start();
  Result<std::string> first = (*h)->engine().StartRun("crash_flow", {{"n", 21}});
  Result<std::string> second = (*h)->engine().StartRun("crash_flow", {{"n", 22}});
  ASSERT_TRUE(first.ok() && second.ok());
  std::optional<RunOutcome> a = (*h)->Wait(*first);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->status, RunStatus::kSucceeded);
  std::optional<RunOutcome> b = (*h)->Wait(*second, 1, std::chrono::seconds(10));
  ASSERT_TRUE(b.has_value()) << "the queued run never ran; its row says "
                             << RunStatusName((*h)->store().GetRun(*second)->status);
  EXPECT_EQ(b->status, RunStatus::kSucceeded);
}

}  // namespace
}  // namespace keel
