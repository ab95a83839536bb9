// Map nodes over a tool with a batch form: one call per batch of items, every
// item of a batch completed in one commit, and a resumed run calls only the
// batches whose items are missing, under the same idempotency key.
#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <set>

#include "engine/engine_test_util.h"

namespace keel {
namespace {

using engine_test::EngineHarness;
using engine_test::EventsOf;
using engine_test::HarnessOptions;
using engine_test::LogBuilder;
using engine_test::PendingRun;

// testing.tag and its batch form, counting the calls and their keys.
struct TagTools {
  std::mutex mu;
  int single_calls = 0;
  std::vector<size_t> batch_sizes;
  bool short_answer = false;  // answer one result too few

  void Register(ToolRegistry& r) {
    r.Register("testing.tag", std::make_shared<FunctionTool>(
                                  [this](const Json& args, const ToolCallContext&) -> Result<Json> {
                                    std::lock_guard<std::mutex> lock(mu);
                                    ++single_calls;
                                    return Json{{"label", args["label"]}, {"applied", true}};
                                  }));
    r.Register("testing.tag_batch",
               std::make_shared<FunctionTool>(
                   [this](const Json& args, const ToolCallContext&) -> Result<Json> {
                     std::lock_guard<std::mutex> lock(mu);
                     batch_sizes.push_back(args["items"].size());
                     Json results = Json::array();
                     for (const Json& item : args["items"]) {
                       results.push_back({{"label", item["label"]}, {"applied", true}});
                     }
                     if (short_answer) results.erase(results.begin());
                     return Json{{"results", results}};
                   }));
  }
};

class EngineBatchTest : public ::testing::Test {
 protected:
  void Open(bool claim = false) {
    HarnessOptions options;
    options.project = "tests/fixtures/engine/flows";
    options.claim = claim;
    options.register_tools = [this](ToolRegistry& r) { tools_.Register(r); };
    auto h = EngineHarness::Open(options);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    h_ = std::move(h).value();
  }

  RunOutcome RunToRest() {
    h_->engine().Start();
    Result<std::string> id = h_->engine().StartRun("map_batched", {{"n", 1}});
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    if (!id.ok()) return {};
    std::optional<RunOutcome> outcome = h_->Wait(*id);
    EXPECT_TRUE(outcome.has_value());
    return outcome.value_or(RunOutcome{});
  }

  static Json Labels(const Json& outputs) {
    Json labels = Json::array();
    for (const Json& o : outputs) labels.push_back(o["label"]);
    return labels;
  }

  TagTools tools_;
  std::unique_ptr<EngineHarness> h_;
};

TEST_F(EngineBatchTest, SevenItemsMakeThreeBatchCallsAndKeepTheirOrder) {
  Open();
  RunOutcome outcome = RunToRest();
  ASSERT_EQ(outcome.status, RunStatus::kSucceeded) << outcome.error;
  EXPECT_EQ(tools_.single_calls, 0);
  std::vector<size_t> sizes = tools_.batch_sizes;
  std::sort(sizes.begin(), sizes.end());
  EXPECT_EQ(sizes, (std::vector<size_t>{1, 3, 3}));
  EXPECT_EQ(Labels(outcome.result),
            Json({"item 1", "item 2", "item 3", "item 4", "item 5", "item 6", "item 7"}));
  // Every item has its completion, and so has each batch step.
  std::set<std::string> keys;
  for (const Event& e : EventsOf(h_->store(), outcome.run_id, EventType::kNodeCompleted)) {
    keys.insert(e.key);
  }
  EXPECT_EQ(keys, (std::set<std::string>{"0", "1", "2", "3", "4", "5", "6", "batch-0", "batch-1",
                                         "batch-2"}));
}

TEST_F(EngineBatchTest, AResumedRunCallsOnlyTheBatchesWithMissingItems) {
  Open(/*claim=*/true);
  Json input = {{"n", 1}};
  RunRecord record = PendingRun("map_batched", input);
  Json done = {{"label", "item 1"}, {"applied", true}};
  LogBuilder log(record.run_id);
  log.RunStarted(input)
      .NodeCompleted("each", "0", done)
      .NodeCompleted("each", "1", {{"label", "item 2"}, {"applied", true}})
      .NodeCompleted("each", "2", {{"label", "item 3"}, {"applied", true}})
      .NodeCompleted("each", "4", {{"label", "item 5"}, {"applied", true}});
  std::optional<RunOutcome> outcome = h_->ResumeToRest(record, log.Build());
  ASSERT_TRUE(outcome.has_value());
  ASSERT_EQ(outcome->status, RunStatus::kSucceeded) << outcome->error;
  // Window 0 is complete; window 1 misses items 3 and 5; window 2 misses item 6.
  std::vector<size_t> sizes = tools_.batch_sizes;
  std::sort(sizes.begin(), sizes.end());
  EXPECT_EQ(sizes, (std::vector<size_t>{1, 2}));
  EXPECT_EQ(Labels(outcome->result),
            Json({"item 1", "item 2", "item 3", "item 4", "item 5", "item 6", "item 7"}));
}

TEST_F(EngineBatchTest, ABatchAnswerWithTheWrongNumberOfResultsFailsTheRun) {
  tools_.short_answer = true;
  Open();
  RunOutcome outcome = RunToRest();
  EXPECT_EQ(outcome.status, RunStatus::kFailed);
  EXPECT_NE(outcome.error.find("results for"), std::string::npos) << outcome.error;
}

}  // namespace
}  // namespace keel
