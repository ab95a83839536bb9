// The engine's model gate: with max_model_calls_in_flight set, no more model
// calls are out at once than it allows, and every run still finishes.
#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <mutex>
#include <thread>

#include "engine/engine_test_util.h"
#include "models/offline_model.h"

namespace keel {
namespace {

using engine_test::EngineHarness;
using engine_test::HarnessOptions;

// Answers with the agents' fallbacks from its own thread, a little later,
// so calls overlap; records the most calls it ever had out at once.
class SlowOfflineModel : public Model {
 public:
  SlowOfflineModel() : answerer_([this] { Answer(); }) {}
  ~SlowOfflineModel() override {
    stop_ = true;
    answerer_.join();
  }
  std::string name() const override { return "slow-offline"; }
  void Generate(const ModelRequest& request, ModelCallback done) override {
    std::lock_guard<std::mutex> lock(mu_);
    int out = ++out_;
    most_ = std::max(most_.load(), out);
    pending_.push_back({request, std::move(done)});
  }
  int most() const { return most_; }

 private:
  void Answer() {
    while (!stop_) {
      std::deque<std::pair<ModelRequest, ModelCallback>> batch;
      {
        std::lock_guard<std::mutex> lock(mu_);
        batch.swap(pending_);
        out_ -= static_cast<int>(batch.size());
      }
      for (auto& [request, done] : batch) inner_.Generate(request, std::move(done));
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  OfflineModel inner_{Clock::Real()};
  std::mutex mu_;
  int out_ = 0;
  std::atomic<int> most_{0};
  std::deque<std::pair<ModelRequest, ModelCallback>> pending_;
  std::atomic<bool> stop_{false};
  std::thread answerer_;
};

TEST(EngineModelGateTest, NoMoreCallsAreOutThanTheGateAllowsAndEveryRunFinishes) {
  auto model = std::make_shared<SlowOfflineModel>();
  HarnessOptions options;
  options.model = model;
  options.max_model_calls_in_flight = 2;
  auto h = EngineHarness::Open(options);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  (*h)->engine().Start();
  std::vector<std::string> ids;
  for (int n = 0; n < 6; ++n) {
    Result<std::string> id = (*h)->engine().StartRun("crash_flow", {{"n", n}});
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    ids.push_back(*id);
  }
  for (const std::string& id : ids) {
    std::optional<RunOutcome> outcome = (*h)->Wait(id);
    ASSERT_TRUE(outcome.has_value()) << id << " never came to rest";
    EXPECT_EQ(outcome->status, RunStatus::kSucceeded) << outcome->error;
  }
  EXPECT_LE(model->most(), 2);
  EXPECT_EQ(model->most(), 2);  // six runs launch together: the gate was full
}

}  // namespace
}  // namespace keel
