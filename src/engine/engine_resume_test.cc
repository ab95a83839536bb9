// Resuming from an event log written by hand, as a worker that died would
// have left it: completed steps are never executed again, and a step that
// was started but never recorded as finished is either re-called with the
// same idempotency key (idempotent tools) or escalated with "outcome
// unknown" (non-idempotent ones). DESIGN.md "Durability".
#include <gtest/gtest.h>

#include "engine/engine_test_util.h"

namespace keel {
namespace {

using engine_test::CountEffects;
using engine_test::CountInvocations;
using engine_test::EngineHarness;
using engine_test::EventsOf;
using engine_test::HarnessOptions;
using engine_test::IdempotencyKey;
using engine_test::LogBuilder;
using engine_test::PendingRun;

constexpr char kFlows[] = "tests/fixtures/engine/flows";

class EngineResumeTest : public ::testing::Test {
 protected:
  void Open(const std::string& project) {
    HarnessOptions options;
    options.project = project;
    options.claim = true;  // a worker: picks up the hand-written runs
    auto h = EngineHarness::Open(options);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    h_ = std::move(h).value();
  }

  // Writes the run, starts the worker and waits for the run to come to rest.
  RunOutcome ResumeToRest(const RunRecord& record, const LogBuilder& log) {
    return h_->ResumeToRest(record, log.Build()).value_or(RunOutcome{});
  }

  std::unique_ptr<EngineHarness> h_;
};

TEST_F(EngineResumeTest, CompletedParallelBranchIsNotRunAgain) {
  Open("tests/fixtures/crash_project");
  Json input = {{"n", 11}};
  RunRecord record = PendingRun("crash_flow", input, "C-11");
  LogBuilder log(record.run_id);
  log.RunStarted(input).NodeCompleted("effect_a", "", {{"label", "a"}, {"applied", true}});

  RunOutcome outcome = ResumeToRest(record, log);
  ASSERT_EQ(outcome.status, RunStatus::kSucceeded) << outcome.error;

  const std::string& db = h_->effects_db();
  EXPECT_EQ(CountInvocations(db, IdempotencyKey(record.run_id, "effect_a")), 0);
  EXPECT_EQ(CountInvocations(db, IdempotencyKey(record.run_id, "effect_b")), 1);
  // effect_a's completion is the hand-written one, and only it.
  std::vector<Event> a =
      EventsOf(h_->store(), record.run_id, EventType::kNodeCompleted, "effect_a");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].seq, 2);
  EXPECT_EQ(EventsOf(h_->store(), record.run_id, EventType::kNodeStarted, "effect_a").size(), 0u);
  EXPECT_EQ(EventsOf(h_->store(), record.run_id, EventType::kRunStarted).size(), 1u);
  EXPECT_EQ(outcome.result["output"]["n"], 11);
}

TEST_F(EngineResumeTest, CompletedMapItemsAreNotRunAgain) {
  Open("tests/fixtures/crash_project");
  Json input = {{"n", 12}};
  RunRecord record = PendingRun("crash_flow", input, "C-12");
  LogBuilder log(record.run_id);
  log.RunStarted(input)
      .NodeCompleted("effect_a", "", {{"label", "a"}, {"applied", true}})
      .NodeCompleted("effect_b", "", {{"label", "b"}, {"applied", true}})
      .NodeCompleted("think", "", {{"answer", "n is 12"}})
      .NodeCompleted("each", "0", {{"label", "item 1"}, {"applied", true}})
      .NodeCompleted("each", "1", {{"label", "item 2"}, {"applied", true}});

  RunOutcome outcome = ResumeToRest(record, log);
  ASSERT_EQ(outcome.status, RunStatus::kSucceeded) << outcome.error;

  const std::string& db = h_->effects_db();
  for (const char* done : {"0", "1"}) {
    EXPECT_EQ(CountInvocations(db, IdempotencyKey(record.run_id, "each", done)), 0) << done;
  }
  for (const char* missing : {"2", "3", "4"}) {
    EXPECT_EQ(CountInvocations(db, IdempotencyKey(record.run_id, "each", missing)), 1) << missing;
  }
  EXPECT_EQ(CountInvocations(db, IdempotencyKey(record.run_id, "effect_a")), 0);
  EXPECT_EQ(CountInvocations(db, IdempotencyKey(record.run_id, "effect_b")), 0);
  EXPECT_EQ(CountEffects(db), 3);
  // The verify node saw all five items, the two old ones included.
  std::vector<Event> check =
      EventsOf(h_->store(), record.run_id, EventType::kNodeCompleted, "check");
  ASSERT_EQ(check.size(), 1u);
  EXPECT_EQ(check[0].payload["output"]["passed"], true);
  EXPECT_EQ(outcome.result["output"]["answer"], "n is 12") << "the logged output is used";
}

TEST_F(EngineResumeTest, InDoubtNonIdempotentSideEffectEscalatesWithoutCalling) {
  Open(kFlows);
  Json input = {{"n", 1}};
  RunRecord record = PendingRun("in_doubt", input);
  LogBuilder log(record.run_id);
  log.RunStarted(input).NodeStarted("fire", "", "testing.fire_once");

  RunOutcome outcome = ResumeToRest(record, log);
  EXPECT_EQ(outcome.status, RunStatus::kEscalated);
  EXPECT_NE(outcome.error.find("outcome unknown"), std::string::npos) << outcome.error;
  EXPECT_NE(outcome.error.find("testing.fire_once"), std::string::npos) << outcome.error;
  EXPECT_EQ(CountInvocations(h_->effects_db(), "", "testing.fire_once"), 0);

  std::vector<Event> escalated = EventsOf(h_->store(), record.run_id, EventType::kEscalated);
  ASSERT_EQ(escalated.size(), 1u);
  EXPECT_EQ(escalated[0].node, "fire");
  EXPECT_EQ(escalated[0].payload["evidence"]["idempotency_key"],
            IdempotencyKey(record.run_id, "fire"));
  Result<RunRecord> row = h_->store().GetRun(record.run_id);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->status, RunStatus::kEscalated);
}

TEST_F(EngineResumeTest, InDoubtIdempotentSideEffectIsCalledAgainWithTheSameKey) {
  Open(kFlows);
  Json input = {{"n", 2}};
  RunRecord record = PendingRun("retry_effect", input);
  std::string key = IdempotencyKey(record.run_id, "effect");
  // The call before the crash reached the tool; its completion never reached the store.
  ToolCallContext before_crash;
  before_crash.run_id = record.run_id;
  before_crash.node = "effect";
  before_crash.idempotency_key = key;
  ASSERT_TRUE(
      h_->tools().Find("testing.record_effect")->Call({{"label", "effect 2"}}, before_crash).ok());
  LogBuilder log(record.run_id);
  log.RunStarted(input).NodeStarted("effect", "", "testing.record_effect");

  RunOutcome outcome = ResumeToRest(record, log);
  ASSERT_EQ(outcome.status, RunStatus::kSucceeded) << outcome.error;
  const std::string& db = h_->effects_db();
  EXPECT_EQ(CountInvocations(db, key), 2) << "called again, with the same key";
  EXPECT_EQ(CountInvocations(db, "", "testing.record_effect"), 2) << "and with no other key";
  EXPECT_EQ(CountEffects(db), 1) << "the tool applied it once";
  EXPECT_EQ(outcome.result, Json({{"label", "effect 2"}, {"applied", false}}));
  // The retry reuses the logged start: no second NodeStarted.
  EXPECT_EQ(EventsOf(h_->store(), record.run_id, EventType::kNodeStarted).size(), 1u);
  EXPECT_EQ(EventsOf(h_->store(), record.run_id, EventType::kNodeCompleted, "effect").size(), 1u);
}

TEST_F(EngineResumeTest, FinishedRunIsNotResumed) {
  Open(kFlows);
  Json input = {{"n", 3}};
  auto id = [&] {
    h_->engine().Start();
    return h_->engine().StartRun("retry_effect", input);
  }();
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  ASSERT_TRUE(h_->Wait(*id).has_value());
  // A finished run is not runnable: asking for it again changes nothing.
  Status again = h_->engine().ResumeRun(*id);
  EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition) << again.ToString();
  EXPECT_EQ(CountInvocations(h_->effects_db(), IdempotencyKey(*id, "effect")), 1);
  EXPECT_EQ(EventsOf(h_->store(), *id, EventType::kRunFinished).size(), 1u);
}

TEST_F(EngineResumeTest, OptimizeLoopResumesFromItsLastCompletedPass) {
  Open("tests/fixtures/crash_project");
  Json input = {{"n", 13}};
  RunRecord record = PendingRun("crash_flow", input, "C-13");
  LogBuilder log(record.run_id);
  log.RunStarted(input)
      .NodeCompleted("effect_a", "", {{"label", "a"}, {"applied", true}})
      .NodeCompleted("effect_b", "", {{"label", "b"}, {"applied", true}})
      .NodeCompleted("think", "", {{"answer", "n is 13"}});
  for (int i = 0; i < 5; ++i) {
    log.NodeCompleted("each", std::to_string(i), {{"label", "item"}, {"applied", true}});
  }
  // Pass 1 was generated and scored; pass 2 was generated, never scored.
  log.NodeCompleted("tune", "gen", {{"value", 2}}, {{"iteration", 1}})
      .NodeCompleted("tune", "eval", {{"scores", {{"quality", 2}}}, {"feedback", "bigger"}},
                     {{"iteration", 1}})
      .NodeCompleted("tune", "gen", {{"value", 4}}, {{"iteration", 2}});

  RunOutcome outcome = ResumeToRest(record, log);
  ASSERT_EQ(outcome.status, RunStatus::kSucceeded) << outcome.error;
  std::vector<std::pair<std::string, int>> passes;
  for (const Event& e : EventsOf(h_->store(), record.run_id, EventType::kNodeCompleted, "tune")) {
    passes.emplace_back(e.key, e.payload.value("iteration", 0));
  }
  // The log as written, then: score pass 2, generate and score pass 3 (which passes).
  EXPECT_EQ(passes,
            (std::vector<std::pair<std::string, int>>{
                {"gen", 1}, {"eval", 1}, {"gen", 2}, {"eval", 2}, {"gen", 3}, {"eval", 3}}));
  EXPECT_EQ(outcome.result["output"]["value"], 6);
  EXPECT_EQ(CountEffects(h_->effects_db()), 0) << "every side effect was already in the log";
}

}  // namespace
}  // namespace keel
