// ParkedRuns: runs kept by approval id, each taken once, within bounds of
// count and age. (Engine use: EngineApprovalTest.)
#include "engine/parked_runs.h"

#include <gtest/gtest.h>

#include "engine/run.h"

namespace keel {
namespace {

std::shared_ptr<Run> NewRun(const std::string& id) {
  auto run = std::make_shared<Run>();
  run->record.run_id = id;
  return run;
}

// Keeps a new run and returns a watch on it, to see when it is freed.
std::weak_ptr<keel::Run> KeepWatched(ParkedRuns& parked, const std::string& approval_id,
                                     int64_t now_us) {
  std::shared_ptr<keel::Run> run = NewRun("run_of_" + approval_id);
  std::weak_ptr<keel::Run> watch = run;
  parked.Keep(approval_id, std::move(run), now_us);
  return watch;
}

TEST(ParkedRunsTest, AKeptRunIsTakenOnce) {
  ParkedRuns parked;
  parked.Keep("apr_1", NewRun("run_1"), 0);
  EXPECT_EQ(parked.Take("apr_2", 0), nullptr);
  std::shared_ptr<keel::Run> taken = parked.Take("apr_1", 0);
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(taken->record.run_id, "run_1");
  EXPECT_EQ(parked.Take("apr_1", 0), nullptr);
  EXPECT_EQ(parked.size(), 0u);
}

TEST(ParkedRunsTest, ARunIsKeptForAMinuteAtMost) {
  ParkedRuns parked;
  parked.Keep("apr_old", NewRun("run_old"), 0);
  parked.Keep("apr_new", NewRun("run_new"), ParkedRuns::kKeepUs / 2);
  EXPECT_EQ(parked.Take("apr_old", ParkedRuns::kKeepUs), nullptr);
  EXPECT_NE(parked.Take("apr_new", ParkedRuns::kKeepUs), nullptr);
}

TEST(ParkedRunsTest, ExpiredRunsAreDroppedWithoutAnotherKeepOrTake) {
  ParkedRuns parked;
  std::weak_ptr<keel::Run> old = KeepWatched(parked, "apr_old", 0);
  parked.Keep("apr_new", NewRun("run_new"), 10);
  parked.DropExpired(ParkedRuns::kKeepUs - 1);
  EXPECT_EQ(parked.size(), 2u);
  parked.DropExpired(ParkedRuns::kKeepUs);
  EXPECT_EQ(parked.size(), 1u);
  EXPECT_TRUE(old.expired()) << "the dropped run is freed";
}

TEST(ParkedRunsTest, BeyondTheLimitTheOldestGoFirst) {
  ParkedRuns parked;
  for (size_t i = 0; i <= ParkedRuns::kKept; ++i) {
    parked.Keep("apr_" + std::to_string(i), NewRun("run_" + std::to_string(i)), 0);
  }
  EXPECT_EQ(parked.size(), ParkedRuns::kKept);
  EXPECT_EQ(parked.Take("apr_0", 0), nullptr);
  EXPECT_NE(parked.Take("apr_1", 0), nullptr);
  EXPECT_NE(parked.Take("apr_" + std::to_string(ParkedRuns::kKept), 0), nullptr);
}

TEST(ParkedRunsTest, ParkingAgainOnAnApprovalReplacesTheRunKept) {
  ParkedRuns parked;
  parked.Keep("apr_1", NewRun("run_first"), 0);
  parked.Keep("apr_1", NewRun("run_again"), 10);
  EXPECT_EQ(parked.size(), 1u);
  // The first keep's age does not drop the second.
  std::shared_ptr<keel::Run> taken = parked.Take("apr_1", ParkedRuns::kKeepUs + 5);
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(taken->record.run_id, "run_again");
}

TEST(ParkedRunsTest, TakenAndDroppedRunsLeaveNothingBehind) {
  ParkedRuns parked;
  std::weak_ptr<keel::Run> dropped = KeepWatched(parked, "apr_1", 0);
  for (int i = 0; i < 3000; ++i) {
    std::string id = "apr_x" + std::to_string(i);
    parked.Keep(id, NewRun(id), 1);
    ASSERT_NE(parked.Take(id, 1), nullptr);
  }
  EXPECT_EQ(parked.size(), 1u);
  parked.Clear();
  EXPECT_TRUE(dropped.expired()) << "Clear() frees the runs it held";
}

}  // namespace
}  // namespace keel
