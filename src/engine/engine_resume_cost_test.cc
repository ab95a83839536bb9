// The cost of resuming a run must not grow with the number of loop passes
// it made: an optimize node that runs 500 generate/evaluate passes (1,000
// model calls) and one that runs 5 must resume from an approval at the same
// price, counted in event payloads the store decodes.
#include <gtest/gtest.h>

#include "engine/engine_test_util.h"

namespace keel {
namespace {

using engine_test::EngineHarness;
using engine_test::EventsOf;
using engine_test::HarnessOptions;

struct ResumeCost {
  size_t latest_events = 0;      // LoadLatestEvents at the approval
  int64_t payloads_read = 0;  // decoded by the resume, through to the end
  int64_t passes = 0;
  size_t gen_completions = 0;  // the full log keeps every pass
};

// Runs `workflow` until it parks, approves it, resumes it in a fresh engine
// on the same store file, and measures what the resume read.
ResumeCost Measure(const std::string& workflow) {
  ResumeCost cost;
  engine_test::TempDir dir;
  HarnessOptions options;
  options.project = "tests/fixtures/engine/flows";
  options.store_path = dir.File("keel.db");
  std::string run_id, approval_id;
  {
    auto first = EngineHarness::Open(options);
    EXPECT_TRUE(first.ok()) << first.status().ToString();
    if (!first.ok()) return cost;
    EngineHarness& h = **first;
    h.engine().Start();
    Result<std::string> id = h.engine().StartRun(workflow, {{"n", 1}});
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    if (!id.ok()) return cost;
    std::optional<RunOutcome> parked = h.Wait(*id);
    EXPECT_TRUE(parked.has_value() && parked->status == RunStatus::kParked) << workflow;
    if (!parked) return cost;
    run_id = *id;
    approval_id = parked->approval_id;
    Result<std::vector<Event>> latest = h.store().LoadLatestEvents(run_id);
    EXPECT_TRUE(latest.ok());
    if (latest.ok()) cost.latest_events = latest->size();
    cost.gen_completions = EventsOf(h.store(), run_id, EventType::kNodeCompleted, "tune").size();
  }
  // A new process, as after a restart: nothing of the run is in memory.
  auto second = EngineHarness::Open(options);
  EXPECT_TRUE(second.ok()) << second.status().ToString();
  if (!second.ok()) return cost;
  EngineHarness& h = **second;
  EXPECT_TRUE(h.store()
                  .DecideApproval(approval_id, ApprovalStatus::kApproved, Json(), "", "tester",
                                  Clock::Real()->NowMicros())
                  .ok());
  h.engine().Start();
  int64_t before = h.store().Stats().payloads_read;
  Status resumed = h.engine().ResumeRun(run_id);
  EXPECT_TRUE(resumed.ok()) << resumed.ToString();
  std::optional<RunOutcome> done = h.Wait(run_id);
  EXPECT_TRUE(done.has_value() && done->status == RunStatus::kSucceeded) << workflow;
  cost.payloads_read = h.store().Stats().payloads_read - before;
  if (done) cost.passes = done->result["output"].value("passes", int64_t{0});
  return cost;
}

TEST(EngineResumeCostTest, ResumingAfterFiveHundredPassesCostsTheSameAsAfterFive) {
  ResumeCost small = Measure("loop_5");
  ResumeCost large = Measure("loop_500");
  ASSERT_EQ(small.passes, 5);
  ASSERT_EQ(large.passes, 500);
  // The full log does keep every pass (gen + eval per pass)...
  EXPECT_EQ(small.gen_completions, 2u * 5);
  EXPECT_EQ(large.gen_completions, 2u * 500);
  // ...but a resume reads only the newest event per step.
  EXPECT_EQ(small.latest_events, large.latest_events);
  EXPECT_GT(small.payloads_read, 0);
  EXPECT_EQ(small.payloads_read, large.payloads_read)
      << "resume cost grew with loop passes: " << small.payloads_read << " payloads after 5, "
      << large.payloads_read << " after 500";
}

}  // namespace
}  // namespace keel
