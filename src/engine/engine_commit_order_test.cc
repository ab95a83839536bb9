// When a run waits for its commits: a node starts only once every step before
// it is in the store, while the steps inside one node (here an optimize
// node's passes) go on without waiting for each other's commits. Runs
// tests/fixtures/engine/flows' tune_then_act with the offline model, watched
// by a wrapper that counts its calls; the test holds the store's commits back
// by taking its write lock.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "engine/engine_test_util.h"
#include "models/offline_model.h"

namespace keel {
namespace {

using engine_test::EngineHarness;
using engine_test::EventsOf;
using engine_test::HarnessOptions;

// The offline model, with a hook called (on the calling thread) before each
// call with the agent's name.
class WatchedOfflineModel : public Model {
 public:
  explicit WatchedOfflineModel(std::function<void(const std::string&)> on_call)
      : offline_(Clock::Real()), on_call_(std::move(on_call)) {}
  std::string name() const override { return "offline"; }
  void Generate(const ModelRequest& request, ModelCallback done) override {
    on_call_(request.agent->name);
    offline_.Generate(request, std::move(done));
  }
  void Turn(const TurnRequest& request, TurnCallback done) override {
    on_call_(request.agent->name);
    offline_.Turn(request, std::move(done));
  }

 private:
  OfflineModel offline_;
  std::function<void(const std::string&)> on_call_;
};

class EngineCommitOrderTest : public ::testing::Test {
 protected:
  void TearDown() override { ReleaseStore(); }

  void Open(std::function<void(const std::string&)> on_call) {
    HarnessOptions options;
    options.project = "tests/fixtures/engine/flows";
    options.model = std::make_shared<WatchedOfflineModel>(std::move(on_call));
    auto h = EngineHarness::Open(options);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    h_ = std::move(h).value();
    h_->engine().Start();
  }

  // Takes the store's write lock from a connection of the test's own: no
  // commit lands until ReleaseStore(), which must come well within the
  // store's busy timeout (5 s). Called with mu_ held.
  void HoldStore() {
    ASSERT_EQ(sqlite3_open(h_->store_path().c_str(), &blocker_), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(blocker_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  void ReleaseStore() {
    std::lock_guard<std::mutex> lock(mu_);
    if (blocker_ == nullptr) return;
    sqlite3_exec(blocker_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(blocker_);
    blocker_ = nullptr;
  }

  // Calls of each agent so far.
  int Calls(const std::string& agent) {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_[agent];
  }
  // Waits up to `limit` for `agent` to have been called `n` times.
  bool WaitForCalls(const std::string& agent, int n, std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (Calls(agent) < n) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
  }

  // The nodes whose completions are in the store, for the harness's only run.
  std::set<std::string> DurableCompletions() {
    Result<std::vector<RunRecord>> runs = h_->store().ListRuns(RunFilter{{}, "tune_then_act", 10});
    if (!runs.ok() || runs->size() != 1) return {};
    std::set<std::string> nodes;
    for (const Event& e : EventsOf(h_->store(), runs->front().run_id, EventType::kNodeCompleted)) {
      nodes.insert(e.node);
    }
    return nodes;
  }

  // Counts every call; holds the store back on the first call of `agent`.
  void OpenHoldingOnFirstCallOf(const std::string& agent) {
    Open([this, agent](const std::string& called) {
      std::lock_guard<std::mutex> lock(mu_);
      if (called == agent && calls_[called] == 0) HoldStore();
      ++calls_[called];
    });
  }

  RunOutcome WaitForRest(const std::string& run_id) {
    std::optional<RunOutcome> outcome = h_->Wait(run_id);
    EXPECT_TRUE(outcome.has_value()) << "run " << run_id << " never came to rest";
    return outcome.value_or(RunOutcome{});
  }

  std::unique_ptr<EngineHarness> h_;
  std::mutex mu_;
  std::map<std::string, int> calls_;
  sqlite3* blocker_ = nullptr;
};

TEST_F(EngineCommitOrderTest, AnOptimizeNodesPassesGoOnButTheNextNodeWaitsForTheirCommits) {
  OpenHoldingOnFirstCallOf("proposer");
  Result<std::string> id = h_->engine().StartRun("tune_then_act", {{"n", 5}});
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  // Two passes of the optimize node `tune` (the judge is never satisfied):
  // four model calls, all made while none of their completions can commit.
  EXPECT_TRUE(WaitForCalls("stubborn_judge", 2, std::chrono::seconds(3)))
      << "the passes waited for the commits the test holds back";
  EXPECT_EQ(Calls("proposer"), 2);
  // The agent node `act` after it does not start until they are committed.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(Calls("operator"), 0) << "act started before tune's passes were committed";
  EXPECT_TRUE(DurableCompletions().empty());
  ReleaseStore();

  RunOutcome outcome = WaitForRest(*id);
  ASSERT_EQ(outcome.status, RunStatus::kSucceeded) << outcome.error;
  EXPECT_EQ(Calls("operator"), 1);
  // Every pass is in the log, in order, then the agent's turn and the node;
  // numbered without gaps.
  std::vector<std::string> steps;
  for (const Event& e : EventsOf(h_->store(), *id, EventType::kNodeCompleted)) {
    steps.push_back(e.node + "/" + e.key);
  }
  EXPECT_EQ(steps, (std::vector<std::string>{"tune/gen", "tune/eval", "tune/gen", "tune/eval",
                                             "act/turn-1", "act/"}));
  Result<std::vector<Event>> events = h_->store().LoadEvents(*id);
  ASSERT_TRUE(events.ok());
  for (size_t i = 0; i < events->size(); ++i) EXPECT_EQ((*events)[i].seq, int64_t(i) + 1);
  EXPECT_EQ(events->back().type, EventType::kRunFinished);
}

}  // namespace
}  // namespace keel
