// `keel run --detach` only enqueues; `keel worker --until-idle` executes
// everything runnable and exits 0 once nothing is left.
#include <gtest/gtest.h>

#include <set>

#include "cli_test_util.h"

namespace keel::testing {
namespace {

class CliWorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (KeelBinary().empty()) GTEST_SKIP() << "KEEL_BINARY is not set (run through ctest)";
    project_ = std::make_unique<TempProject>("tests/fixtures/crash_project");
    env_ = {"KEEL_TESTING_TOOLS_DB=" + project_->File("effects.db")};
  }

  ProcessResult Keel(std::vector<std::string> args) {
    args.insert(args.end(), {"--project", project_->path(), "--json"});
    return RunKeel(args, env_);
  }

  Json Runs(const std::string& status) {
    ProcessResult r = Keel({"runs", "ls", "--status", status, "--limit", "100"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    Json runs = ParseJsonOutput(r.out);
    return runs.is_discarded() ? Json::array() : runs;
  }

  std::unique_ptr<TempProject> project_;
  std::vector<std::string> env_;
};

TEST_F(CliWorkerTest, WorkerUntilIdleRunsDetachedRunsAndExits) {
  constexpr int kRuns = 6;
  std::set<std::string> ids;
  for (int n = 0; n < kRuns; ++n) {
    ProcessResult r = Keel({"run", "crash_flow", "--detach", "--input", Json{{"n", n}}.dump()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    Json out = ParseJsonOutput(r.out);
    ASSERT_FALSE(out.is_discarded()) << r.out;
    EXPECT_EQ(out["status"], "pending");
    ids.insert(out.value("run_id", ""));
  }
  ASSERT_EQ(ids.size(), size_t{kRuns});
  EXPECT_EQ(Runs("pending").size(), size_t{kRuns}) << "--detach only enqueues";
  EXPECT_TRUE(Runs("succeeded").empty());

  ProcessResult worker = Keel({"worker", "--until-idle"});
  ASSERT_EQ(worker.exit_code, 0) << worker.err;
  Json summary = ParseJsonOutput(worker.out);
  ASSERT_FALSE(summary.is_discarded()) << worker.out;
  EXPECT_EQ(summary["runs_rested"], kRuns);

  Json succeeded = Runs("succeeded");
  std::set<std::string> done;
  for (const Json& r : succeeded) done.insert(r.value("run_id", ""));
  EXPECT_EQ(done, ids);
  EXPECT_TRUE(Runs("pending").empty());
  EXPECT_TRUE(Runs("running").empty());

  // With nothing left, a worker exits at once and runs nothing twice.
  ProcessResult idle = Keel({"worker", "--until-idle"});
  ASSERT_EQ(idle.exit_code, 0) << idle.err;
  EXPECT_EQ(ParseJsonOutput(idle.out)["runs_rested"], 0) << idle.out;
}

TEST(CliWorkerSalesTest, WorkerLeavesParkedRunsAndFinishesThemOnceApproved) {
  if (KeelBinary().empty()) GTEST_SKIP() << "KEEL_BINARY is not set (run through ctest)";
  TempProject project("examples/sales");
  auto keel = [&](std::vector<std::string> args) {
    args.insert(args.end(), {"--project", project.path(), "--json"});
    ProcessResult r = RunKeel(args);
    Json out = ParseJsonOutput(r.out);
    EXPECT_FALSE(out.is_discarded()) << r.out << r.err;
    return std::make_pair(r.exit_code, out.is_discarded() ? Json::object() : out);
  };
  auto [run_exit, run] =
      keel({"run", "renewal_prep", "--detach", "--input", R"({"account_id":"A-1042"})"});
  ASSERT_EQ(run_exit, 0);
  // The worker runs it to the approval and exits: a parked run is not work.
  auto [first_exit, first] = keel({"worker", "--until-idle"});
  ASSERT_EQ(first_exit, 0);
  EXPECT_EQ(first["runs_rested"], 1);
  auto [ls_exit, pending] = keel({"approvals", "ls"});
  ASSERT_EQ(ls_exit, 0);
  ASSERT_EQ(pending.size(), 1u) << pending.dump();
  EXPECT_EQ(pending[0]["run_id"], run["run_id"]);

  // Decided without resuming: the next worker picks the run up.
  auto [decide_exit, decided] =
      keel({"approve", pending[0].value("approval_id", ""), "--no-resume"});
  ASSERT_EQ(decide_exit, 0);
  EXPECT_EQ(decided["decision"], "approved");
  auto [second_exit, second] = keel({"worker", "--until-idle"});
  ASSERT_EQ(second_exit, 0);
  EXPECT_EQ(second["runs_rested"], 1);
  auto [show_exit, shown] = keel({"runs", "show", run.value("run_id", "")});
  ASSERT_EQ(show_exit, 0);
  EXPECT_EQ(shown["status"], "succeeded") << shown.dump();
}

}  // namespace
}  // namespace keel::testing
