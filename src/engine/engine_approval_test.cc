// Approval nodes: a run parks with its proposal, and resumes when a human
// approves (as proposed or edited), rejects, or lets it expire. Time is a
// FakeClock shared by the engine and the store, so expiry needs no sleep.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>

#include "engine/engine_test_util.h"

namespace keel {
namespace {

using engine_test::EngineHarness;
using engine_test::EventsOf;
using engine_test::HarnessOptions;

constexpr int64_t kSecond = 1'000'000;

class EngineApprovalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HarnessOptions options;
    options.project = "tests/fixtures/engine/flows";
    options.clock = &clock_;
    options.claim = true;
    auto h = EngineHarness::Open(options);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    h_ = std::move(h).value();
    h_->engine().Start();
  }

  // Starts approval_flow and waits until it parks; returns the outcome.
  RunOutcome Park(int n) {
    Result<std::string> id = h_->engine().StartRun("approval_flow", {{"n", n}});
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    if (!id.ok()) return {};
    std::optional<RunOutcome> parked = h_->Wait(*id);
    EXPECT_TRUE(parked.has_value());
    EXPECT_EQ(parked.value_or(RunOutcome{}).status, RunStatus::kParked);
    return parked.value_or(RunOutcome{});
  }

  // Resumes a decided run here and waits for it to come to rest again.
  RunOutcome ResumeToRest(const std::string& run_id) {
    Status resumed = h_->engine().ResumeRun(run_id);
    EXPECT_TRUE(resumed.ok()) << resumed.ToString();
    std::optional<RunOutcome> outcome = h_->Wait(run_id, 2);
    EXPECT_TRUE(outcome.has_value()) << "run " << run_id << " did not come to rest";
    return outcome.value_or(RunOutcome{});
  }

  Json ApprovalOutput(const std::string& run_id) {
    std::vector<Event> done = EventsOf(h_->store(), run_id, EventType::kNodeCompleted, "approve");
    EXPECT_EQ(done.size(), 1u);
    return done.empty() ? Json() : done[0].payload["output"];
  }

  FakeClock clock_;
  std::unique_ptr<EngineHarness> h_;
};

TEST_F(EngineApprovalTest, ParkedRunHoldsNoMemoryAndNoLease) {
  RunOutcome parked = Park(1);
  ASSERT_FALSE(parked.approval_id.empty());
  EXPECT_EQ(h_->engine().ActiveRuns(), 0u);
  Result<RunRecord> row = h_->store().GetRun(parked.run_id);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->status, RunStatus::kParked);
  EXPECT_EQ(row->parked_on, parked.approval_id);
  EXPECT_EQ(row->wake_us, clock_.NowMicros() + 600 * kSecond);
  EXPECT_TRUE(row->lease_owner.empty());
  Result<Approval> approval = h_->store().GetApproval(parked.approval_id);
  ASSERT_TRUE(approval.ok());
  EXPECT_EQ(approval->status, ApprovalStatus::kPending);
  EXPECT_EQ(approval->proposal, Json({{"amount", 10}, {"note", "standard"}}));
  EXPECT_EQ(approval->entity_key, "E-1");
  // Not runnable before a decision or the expiry: a resume is refused.
  EXPECT_EQ(h_->engine().ResumeRun(parked.run_id).code(), StatusCode::kFailedPrecondition);
}

TEST_F(EngineApprovalTest, ApprovalWithAnEditRecordsTheOverride) {
  RunOutcome parked = Park(2);
  Json edit = {{"amount", 15}, {"note", "rounded up"}};
  Status decided = h_->store().DecideApproval(parked.approval_id, ApprovalStatus::kApproved, edit,
                                              "customer asked", "alice", clock_.NowMicros());
  ASSERT_TRUE(decided.ok()) << decided.ToString();

  RunOutcome done = ResumeToRest(parked.run_id);
  ASSERT_EQ(done.status, RunStatus::kSucceeded) << done.error;
  Json output = ApprovalOutput(parked.run_id);
  EXPECT_EQ(output["decision"], "approved");
  EXPECT_EQ(output["edited"], true);
  EXPECT_EQ(output["proposal"], edit);
  EXPECT_EQ(output["original"], Json({{"amount", 20}, {"note", "standard"}}));
  EXPECT_EQ(output["reason"], "customer asked");
  EXPECT_EQ(output["by"], "alice");
  // What follows the approval acts on the human's version.
  EXPECT_EQ(done.result["output"], Json({{"amount", 15}, {"by", "alice"}}));
  std::vector<Event> decided_events =
      EventsOf(h_->store(), parked.run_id, EventType::kApprovalDecided);
  ASSERT_EQ(decided_events.size(), 1u);
  EXPECT_EQ(decided_events[0].payload["edited"], true);
}

TEST_F(EngineApprovalTest, ApprovalAsProposedIsNotAnEdit) {
  RunOutcome parked = Park(3);
  ASSERT_TRUE(h_->store()
                  .DecideApproval(parked.approval_id, ApprovalStatus::kApproved, Json(), "", "bob",
                                  clock_.NowMicros())
                  .ok());
  RunOutcome done = ResumeToRest(parked.run_id);
  ASSERT_EQ(done.status, RunStatus::kSucceeded) << done.error;
  Json output = ApprovalOutput(parked.run_id);
  EXPECT_EQ(output["edited"], false);
  EXPECT_FALSE(output.contains("original"));
  EXPECT_EQ(output["proposal"], Json({{"amount", 30}, {"note", "standard"}}));
}

TEST_F(EngineApprovalTest, RejectionEscalatesWithTheReason) {
  RunOutcome parked = Park(4);
  ASSERT_TRUE(h_->store()
                  .DecideApproval(parked.approval_id, ApprovalStatus::kRejected, Json(),
                                  "too generous", "carol", clock_.NowMicros())
                  .ok());
  RunOutcome done = ResumeToRest(parked.run_id);
  EXPECT_EQ(done.status, RunStatus::kEscalated);
  EXPECT_NE(done.error.find("rejected"), std::string::npos) << done.error;
  EXPECT_NE(done.error.find("too generous"), std::string::npos) << done.error;
  EXPECT_EQ(ApprovalOutput(parked.run_id)["decision"], "rejected");
  EXPECT_EQ(EventsOf(h_->store(), parked.run_id, EventType::kEscalated).size(), 1u);
  // Nothing after the approval ran: no state vector for the entity.
  Result<std::optional<StateVector>> state = h_->store().GetState("E-4");
  ASSERT_TRUE(state.ok());
  EXPECT_FALSE(state->has_value());
}

TEST_F(EngineApprovalTest, ExpiryResumesTheRunInAWorkerAndFollowsOnExpiry) {
  RunOutcome parked = Park(5);
  clock_.Advance(601 * kSecond);
  // Too late to decide, even before any worker noticed.
  Status late = h_->store().DecideApproval(parked.approval_id, ApprovalStatus::kApproved, Json(),
                                           "", "dave", clock_.NowMicros());
  EXPECT_EQ(late.code(), StatusCode::kFailedPrecondition) << late.ToString();

  h_->engine().Poke();  // the worker's next claim finds the run due
  std::optional<RunOutcome> done = h_->Wait(parked.run_id, 2);
  ASSERT_TRUE(done.has_value()) << "the expired run was not resumed";
  EXPECT_EQ(done->status, RunStatus::kFailed);  // on_expiry: fail
  EXPECT_NE(done->error.find("expired"), std::string::npos) << done->error;
  EXPECT_EQ(ApprovalOutput(parked.run_id)["decision"], "expired");

  Result<Approval> approval = h_->store().GetApproval(parked.approval_id);
  ASSERT_TRUE(approval.ok());
  EXPECT_EQ(approval->status, ApprovalStatus::kExpired);
  Status after = h_->store().DecideApproval(parked.approval_id, ApprovalStatus::kApproved, Json(),
                                            "", "dave", clock_.NowMicros());
  EXPECT_EQ(after.code(), StatusCode::kFailedPrecondition) << after.ToString();
  Result<RunRecord> row = h_->store().GetRun(parked.run_id);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->status, RunStatus::kFailed);
}

TEST_F(EngineApprovalTest, UnexpiredUndecidedApprovalStaysParked) {
  RunOutcome parked = Park(6);
  clock_.Advance(599 * kSecond);
  // Nothing is runnable a second before the expiry.
  Result<bool> runnable = h_->store().HasRunnable(clock_.NowMicros());
  ASSERT_TRUE(runnable.ok());
  EXPECT_FALSE(*runnable);
  Result<RunRecord> row = h_->store().GetRun(parked.run_id);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->status, RunStatus::kParked);
  ASSERT_TRUE(h_->store()
                  .DecideApproval(parked.approval_id, ApprovalStatus::kApproved, Json(), "", "erin",
                                  clock_.NowMicros())
                  .ok());
  h_->engine().Poke();  // an approved run is runnable: the worker takes it
  std::optional<RunOutcome> done = h_->Wait(parked.run_id, 2);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->status, RunStatus::kSucceeded) << done->error;
}

// Engine::Decide records the decision and resumes the run in one step;
// returns the status its callback got.
Status DecideAndWait(Engine& engine, const std::string& approval_id, ApprovalStatus decision,
                     Json edited = Json()) {
  auto promise = std::make_shared<std::promise<Status>>();
  std::future<Status> result = promise->get_future();
  engine.Decide(approval_id, decision, std::move(edited), "decided in process", "frank",
                [promise](Status s) { promise->set_value(std::move(s)); });
  if (result.wait_for(engine_test::kWaitLimit) != std::future_status::ready) {
    return DeadlineExceeded("Decide never called back");
  }
  return result.get();
}

TEST_F(EngineApprovalTest, DecideInTheEngineResumesTheRunHere) {
  RunOutcome parked = Park(7);
  Status decided = DecideAndWait(h_->engine(), parked.approval_id, ApprovalStatus::kApproved);
  ASSERT_TRUE(decided.ok()) << decided.ToString();
  std::optional<RunOutcome> done = h_->Wait(parked.run_id, 2);
  ASSERT_TRUE(done.has_value()) << "the decided run was not resumed";
  EXPECT_EQ(done->status, RunStatus::kSucceeded) << done->error;
  EXPECT_EQ(done->result["output"], Json({{"amount", 70}, {"by", "frank"}}));
  EXPECT_EQ(h_->store().GetApproval(parked.approval_id)->status, ApprovalStatus::kApproved);
  // The decision committed the approval node's completion with it: the log
  // has each once, numbered on from the request, and the run went on.
  Result<std::vector<Event>> log = h_->store().LoadEvents(parked.run_id);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  std::vector<std::string> kinds;
  for (size_t i = 0; i < log->size(); ++i) {
    EXPECT_EQ((*log)[i].seq, static_cast<int64_t>(i) + 1);
    kinds.push_back(std::string(EventTypeName((*log)[i].type)) + " " + (*log)[i].node);
  }
  EXPECT_THAT(kinds, ::testing::ElementsAre("run_started ", "approval_requested approve",
                                            "approval_decided approve", "node_completed approve",
                                            "node_completed done", "state_written done",
                                            "run_finished "));
  EXPECT_EQ(ApprovalOutput(parked.run_id)["by"], "frank");

  // A decision is made once.
  Status again = DecideAndWait(h_->engine(), parked.approval_id, ApprovalStatus::kRejected);
  EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition) << again.ToString();
  EXPECT_EQ(h_->store().GetApproval(parked.approval_id)->status, ApprovalStatus::kApproved);
  Status unknown = DecideAndWait(h_->engine(), "apr_missing", ApprovalStatus::kApproved);
  EXPECT_EQ(unknown.code(), StatusCode::kNotFound) << unknown.ToString();
}

// A decided run's whole log: `size` events, numbered 1, 2, ... with no gap
// or repeat across the park and the decision.
void ExpectLogNumberedWithoutGaps(Store& store, const std::string& run_id, size_t size) {
  Result<std::vector<Event>> log = store.LoadEvents(run_id);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->size(), size);
  for (size_t i = 0; i < log->size(); ++i) EXPECT_EQ((*log)[i].seq, static_cast<int64_t>(i) + 1);
}

// Decided moments after it parked, the run goes on from memory
// (ParkedRuns): the same log, without reading it back.
TEST_F(EngineApprovalTest, APromptDecisionContinuesTheParkedRunWithoutReloadingIt) {
  RunOutcome parked = Park(12);
  int64_t read_before = h_->store().Stats().payloads_read;
  Status decided = DecideAndWait(h_->engine(), parked.approval_id, ApprovalStatus::kApproved);
  ASSERT_TRUE(decided.ok()) << decided.ToString();
  std::optional<RunOutcome> done = h_->Wait(parked.run_id, 2);
  ASSERT_TRUE(done.has_value()) << "the decided run was not resumed";
  EXPECT_EQ(done->status, RunStatus::kSucceeded) << done->error;
  EXPECT_EQ(done->result["output"], Json({{"amount", 120}, {"by", "frank"}}));
  EXPECT_EQ(h_->store().Stats().payloads_read, read_before) << "the run's log was read back";
  ExpectLogNumberedWithoutGaps(h_->store(), parked.run_id, 7);
}

// A decision in a process that did not park the run (here: after a
// restart) resumes it from its log, to the same end.
TEST(EngineApprovalRestartTest, ADecisionAfterARestartReloadsTheRunFromItsLog) {
  engine_test::TempDir dir;
  FakeClock clock;
  HarnessOptions options;
  options.project = "tests/fixtures/engine/flows";
  options.clock = &clock;
  options.store_path = dir.File("keel.db");
  options.effects_db = dir.File("effects.db");
  RunOutcome parked;
  {
    auto first = EngineHarness::Open(options);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    (*first)->engine().Start();
    Result<std::string> id = (*first)->engine().StartRun("approval_flow", {{"n", 13}});
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    parked = (*first)->Wait(*id).value_or(RunOutcome{});
    ASSERT_EQ(parked.status, RunStatus::kParked);
  }
  auto second = EngineHarness::Open(options);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  (*second)->engine().Start();
  int64_t read_before = (*second)->store().Stats().payloads_read;
  Status decided =
      DecideAndWait((*second)->engine(), parked.approval_id, ApprovalStatus::kApproved);
  ASSERT_TRUE(decided.ok()) << decided.ToString();
  std::optional<RunOutcome> done = (*second)->Wait(parked.run_id);
  ASSERT_TRUE(done.has_value()) << "the decided run was not resumed";
  EXPECT_EQ(done->status, RunStatus::kSucceeded) << done->error;
  EXPECT_EQ(done->result["output"], Json({{"amount", 130}, {"by", "frank"}}));
  EXPECT_GT((*second)->store().Stats().payloads_read, read_before);
  ExpectLogNumberedWithoutGaps((*second)->store(), parked.run_id, 7);
}

TEST_F(EngineApprovalTest, RejectionInTheEngineFollowsOnReject) {
  RunOutcome parked = Park(11);
  Status decided = DecideAndWait(h_->engine(), parked.approval_id, ApprovalStatus::kRejected);
  ASSERT_TRUE(decided.ok()) << decided.ToString();
  std::optional<RunOutcome> done = h_->Wait(parked.run_id, 2);
  ASSERT_TRUE(done.has_value()) << "the decided run was not resumed";
  EXPECT_EQ(done->status, RunStatus::kEscalated) << done->error;
  EXPECT_NE(done->error.find("decided in process"), std::string::npos) << done->error;
  EXPECT_EQ(ApprovalOutput(parked.run_id)["decision"], "rejected");
  EXPECT_EQ(EventsOf(h_->store(), parked.run_id, EventType::kApprovalDecided).size(), 1u);
}

TEST_F(EngineApprovalTest, AnEditBreakingTheProposalSchemaIsRefusedAndChangesNothing) {
  RunOutcome parked = Park(9);
  Status decided = DecideAndWait(h_->engine(), parked.approval_id, ApprovalStatus::kApproved,
                                 {{"amount", -5}, {"note", "typo"}});
  EXPECT_EQ(decided.code(), StatusCode::kInvalidArgument) << decided.ToString();
  EXPECT_NE(decided.message().find("approval node 'approve'"), std::string::npos)
      << decided.message();
  EXPECT_EQ(h_->store().GetApproval(parked.approval_id)->status, ApprovalStatus::kPending);
  // A valid edit of the same approval still goes through.
  decided = DecideAndWait(h_->engine(), parked.approval_id, ApprovalStatus::kApproved,
                          {{"amount", 95}, {"note", "rounded"}});
  ASSERT_TRUE(decided.ok()) << decided.ToString();
  std::optional<RunOutcome> done = h_->Wait(parked.run_id, 2);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->result["output"]["amount"], 95);
}

TEST_F(EngineApprovalTest, DecideAfterTheExpiryIsRefused) {
  RunOutcome parked = Park(8);
  clock_.Advance(600 * kSecond);  // expires_us is exclusive: now it is too late
  Status decided = DecideAndWait(h_->engine(), parked.approval_id, ApprovalStatus::kApproved);
  EXPECT_EQ(decided.code(), StatusCode::kFailedPrecondition) << decided.ToString();
  EXPECT_EQ(h_->store().GetApproval(parked.approval_id)->status, ApprovalStatus::kPending)
      << "a refused decision changes nothing; the worker marks it expired";
}

}  // namespace
}  // namespace keel
