// `keel bench` end to end, small: the harness finishes every run it starts,
// and the waiting benchmark's model calls really wait (on the event loop) for
// the configured latency, so its critical path is at least the chain of calls.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "cli_test_util.h"

namespace keel::testing {
namespace {

TEST(CliBenchTest, EngineBenchFinishesEveryRunAndReportsItsFigures) {
  if (KeelBinary().empty()) GTEST_SKIP() << "KEEL_BINARY is not set (run through ctest)";
  TempProject project("examples/sales");
  ProcessResult r = RunKeel({"bench", "engine", "--project", project.path(), "--runs", "60"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json out = ParseJsonOutput(r.out);
  ASSERT_FALSE(out.is_discarded()) << r.out;
  EXPECT_EQ(out["succeeded"].get<int>() + out["escalated"].get<int>(), 60);
  for (const char* key : {"runs_per_s", "node_overhead_us", "p99_run_ms", "sequential_run_ms"}) {
    EXPECT_GT(out[key].get<double>(), 0) << key;
  }
}

TEST(CliBenchTest, WaitingBenchModelCallsWaitOnTheLoop) {
  if (KeelBinary().empty()) GTEST_SKIP() << "KEEL_BINARY is not set (run through ctest)";
  TempProject project("examples/sales");
  ProcessResult r = RunKeel({"bench", "waiting", "--project", project.path(), "--runs", "40",
                             "--latency-ms", "50"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json out = ParseJsonOutput(r.out);
  ASSERT_FALSE(out.is_discarded()) << r.out;
  EXPECT_EQ(out["succeeded"].get<int>() + out["escalated"].get<int>(), 40);
  // renewal_prep makes at least 3 sequential model calls (workers, one
  // generate, one evaluate); each waited 50 ms.
  EXPECT_GE(out["critical_path_s"].get<double>(), 0.15);
  EXPECT_GE(out["wall_s"].get<double>(), 0.15);
  // A fixed set of threads, whatever the run count: main, the pool (one per
  // core), the event loop, the store's commit thread, and the WAL
  // checkpointers of the store and of the demo CRM.
  int pool = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  EXPECT_EQ(out["threads"].get<int>(), 5 + pool);
}

}  // namespace
}  // namespace keel::testing
