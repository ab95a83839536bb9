// The policy around a tool call: arguments and outputs checked against the
// tool's schemas, retryable errors retried (with the same idempotency key)
// within the retry budget, other errors failing the step at once.
#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "engine/engine_test_util.h"

namespace keel {
namespace {

using engine_test::CountInvocations;
using engine_test::EngineHarness;
using engine_test::EventsOf;
using engine_test::HarnessOptions;
using engine_test::IdempotencyKey;

// Fails the first `failures` calls with `error`, then answers `answer`;
// remembers the idempotency key of every call.
class FailingTool : public Tool {
 public:
  FailingTool(int failures, Status error, Json answer)
      : failures_(failures), error_(std::move(error)), answer_(std::move(answer)) {}

  Result<Json> Call(const Json& args, const ToolCallContext& ctx) override {
    std::lock_guard<std::mutex> lock(mu_);
    keys_.push_back(ctx.idempotency_key);
    if (static_cast<int>(keys_.size()) <= failures_) return error_;
    return answer_;
  }
  std::vector<std::string> keys() const {
    std::lock_guard<std::mutex> lock(mu_);
    return keys_;
  }

 private:
  const int failures_;
  const Status error_;
  const Json answer_;
  mutable std::mutex mu_;
  std::vector<std::string> keys_;
};

// Never answers: holds on to every call's callback, as a remote service that
// hangs would.
class HangingTool : public Tool {
 public:
  void Start(const Json& args, const ToolCallContext& ctx, ToolCallback done) override {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.push_back(std::move(done));
  }
  size_t calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return pending_.size();
  }

 private:
  mutable std::mutex mu_;
  std::vector<ToolCallback> pending_;
};

const Json kAnswer = {{"label", "call 1"}, {"applied", true}};

class EngineToolTest : public ::testing::Test {
 protected:
  // Opens an engine whose `name` tool is `tool` (none when null).
  void Open(std::shared_ptr<Tool> tool, const std::string& name = "testing.flaky") {
    HarnessOptions options;
    options.project = "tests/fixtures/engine/flows";
    if (tool) {
      options.register_tools = [tool, name](ToolRegistry& r) { r.Register(name, tool); };
    }
    auto h = EngineHarness::Open(options);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    h_ = std::move(h).value();
    h_->engine().Start();
  }

  RunOutcome RunToRest(const std::string& workflow) {
    Result<std::string> id = h_->engine().StartRun(workflow, {{"n", 1}});
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    if (!id.ok()) return {};
    std::optional<RunOutcome> outcome = h_->Wait(*id);
    EXPECT_TRUE(outcome.has_value()) << "run " << *id << " never came to rest";
    return outcome.value_or(RunOutcome{});
  }

  Span ToolSpan(const std::string& run_id) {
    Result<std::vector<Span>> spans = h_->store().LoadSpans(run_id);
    if (spans.ok()) {
      for (const Span& s : *spans) {
        if (s.kind == "tool") return s;
      }
    }
    ADD_FAILURE() << "no tool span for " << run_id;
    return {};
  }

  std::unique_ptr<EngineHarness> h_;
};

TEST_F(EngineToolTest, RetryableErrorsAreRetriedWithTheSameIdempotencyKey) {
  auto tool = std::make_shared<FailingTool>(2, Unavailable("busy"), kAnswer);
  Open(tool);
  RunOutcome outcome = RunToRest("flaky_call");
  ASSERT_EQ(outcome.status, RunStatus::kSucceeded) << outcome.error;
  EXPECT_EQ(outcome.result, kAnswer);
  std::string key = IdempotencyKey(outcome.run_id, "call");
  EXPECT_EQ(tool->keys(), (std::vector<std::string>{key, key, key}));
  EXPECT_EQ(ToolSpan(outcome.run_id).attrs.value("keel.tool.attempts", 0), 3);
  // One logical step: started once, completed once, whatever the retries.
  EXPECT_EQ(EventsOf(h_->store(), outcome.run_id, EventType::kNodeStarted).size(), 1u);
  EXPECT_EQ(EventsOf(h_->store(), outcome.run_id, EventType::kNodeCompleted).size(), 1u);
}

TEST_F(EngineToolTest, RetryBudgetRunsOutAndTheRunFailsWithTheToolsError) {
  auto tool = std::make_shared<FailingTool>(1000, Unavailable("still busy"), kAnswer);
  Open(tool);
  RunOutcome outcome = RunToRest("flaky_call");
  EXPECT_EQ(outcome.status, RunStatus::kFailed);
  EXPECT_NE(outcome.error.find("testing.flaky"), std::string::npos) << outcome.error;
  EXPECT_NE(outcome.error.find("still busy"), std::string::npos) << outcome.error;
  EXPECT_EQ(tool->keys().size(), 3u) << "the tool's retry policy: 3 attempts";
  std::vector<Event> failed = EventsOf(h_->store(), outcome.run_id, EventType::kNodeFailed);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].node, "call");
  EXPECT_EQ(failed[0].payload["retryable"], true);
}

TEST_F(EngineToolTest, NonRetryableErrorFailsAtOnce) {
  auto tool = std::make_shared<FailingTool>(
      1000, Status(StatusCode::kNotFound, "no such label", "not_found"), kAnswer);
  Open(tool);
  RunOutcome outcome = RunToRest("flaky_call");
  EXPECT_EQ(outcome.status, RunStatus::kFailed);
  EXPECT_NE(outcome.error.find("no such label"), std::string::npos) << outcome.error;
  EXPECT_EQ(tool->keys().size(), 1u);
  std::vector<Event> failed = EventsOf(h_->store(), outcome.run_id, EventType::kNodeFailed);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].payload["error"], "not_found");
  EXPECT_EQ(failed[0].payload["retryable"], false);
}

TEST_F(EngineToolTest, OutputBreakingTheToolsSchemaFailsTheRun) {
  auto tool = std::make_shared<FailingTool>(0, Status(), Json{{"label", 5}, {"applied", true}});
  Open(tool);
  RunOutcome outcome = RunToRest("flaky_call");
  EXPECT_EQ(outcome.status, RunStatus::kFailed);
  EXPECT_NE(outcome.error.find("output of tool 'testing.flaky'"), std::string::npos)
      << outcome.error;
  EXPECT_NE(outcome.error.find("/label"), std::string::npos) << outcome.error;
  EXPECT_TRUE(EventsOf(h_->store(), outcome.run_id, EventType::kNodeCompleted).empty());
}

TEST_F(EngineToolTest, ArgumentsBreakingTheToolsSchemaFailBeforeTheCall) {
  Open(nullptr);
  RunOutcome outcome = RunToRest("bad_args");
  EXPECT_EQ(outcome.status, RunStatus::kFailed);
  EXPECT_NE(outcome.error.find("arguments for tool 'testing.record_effect'"), std::string::npos)
      << outcome.error;
  EXPECT_NE(outcome.error.find("/label"), std::string::npos) << outcome.error;
  EXPECT_EQ(CountInvocations(h_->effects_db(), "", "testing.record_effect"), 0);
  EXPECT_TRUE(EventsOf(h_->store(), outcome.run_id, EventType::kNodeStarted).empty())
      << "nothing was about to happen, so nothing is in doubt";
}

TEST_F(EngineToolTest, ToolWithNoImplementationFailsTheRunNamingIt) {
  Open(nullptr);  // testing.flaky is defined in the project but not registered
  RunOutcome outcome = RunToRest("flaky_call");
  EXPECT_EQ(outcome.status, RunStatus::kFailed);
  EXPECT_NE(outcome.error.find("testing.flaky"), std::string::npos) << outcome.error;
  EXPECT_NE(outcome.error.find("no implementation"), std::string::npos) << outcome.error;
}

TEST_F(EngineToolTest, MapRunsAtMostMaxConcurrencyCallsAndKeepsItemOrder) {
  // A slow fake that notes how many calls overlap; later items answer
  // sooner, so completion order differs from item order.
  struct Meter {
    std::mutex mu;
    int current = 0, peak = 0, calls = 0;
  };
  auto meter = std::make_shared<Meter>();
  auto tool = std::make_shared<FunctionTool>([meter](const Json& args, const ToolCallContext&) {
    std::string label = args.value("label", "");
    {
      std::lock_guard<std::mutex> lock(meter->mu);
      meter->peak = std::max(meter->peak, ++meter->current);
      ++meter->calls;
    }
    int item = label.size() > 5 ? label[5] - '0' : 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(2 * (9 - item)));
    std::lock_guard<std::mutex> lock(meter->mu);
    --meter->current;
    return Result<Json>(Json{{"label", label}, {"applied", true}});
  });
  HarnessOptions options;
  options.project = "tests/fixtures/engine/flows";
  options.threads = 8;  // more threads than the node allows calls
  options.register_tools = [tool](ToolRegistry& r) { r.Register("testing.flaky", tool); };
  auto h = EngineHarness::Open(options);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  h_ = std::move(h).value();
  h_->engine().Start();

  RunOutcome outcome = RunToRest("map_calls");
  ASSERT_EQ(outcome.status, RunStatus::kSucceeded) << outcome.error;
  EXPECT_EQ(meter->calls, 8);
  EXPECT_LE(meter->peak, 3) << "max_concurrency: 3 was exceeded";
  ASSERT_TRUE(outcome.result.is_array());
  ASSERT_EQ(outcome.result.size(), 8u);
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(outcome.result[i]["label"],
              "item " + std::to_string(i + 1) + " at " + std::to_string(i));
  }
}

TEST_F(EngineToolTest, ANonIdempotentSideEffectThatTimesOutEscalatesInsteadOfRepeating) {
  auto tool = std::make_shared<HangingTool>();
  Open(tool, "testing.hang");
  RunOutcome outcome = RunToRest("hang_call");
  EXPECT_EQ(outcome.status, RunStatus::kEscalated) << outcome.error;
  EXPECT_EQ(tool->calls(), 1u) << "the call may have happened: it must not be repeated";
  std::vector<Event> escalated = EventsOf(h_->store(), outcome.run_id, EventType::kEscalated);
  ASSERT_EQ(escalated.size(), 1u);
  EXPECT_NE(escalated[0].payload.dump().find("outcome unknown"), std::string::npos)
      << escalated[0].payload.dump();
  EXPECT_EQ(ToolSpan(outcome.run_id).attrs.value("keel.tool.error_type", ""), "timeout");
}

TEST_F(EngineToolTest, ToolSpansCarryTheAuditRecord) {
  Open(std::make_shared<FailingTool>(1, Unavailable("busy"), kAnswer));
  RunOutcome outcome = RunToRest("flaky_call");
  ASSERT_EQ(outcome.status, RunStatus::kSucceeded) << outcome.error;
  Json attrs = ToolSpan(outcome.run_id).attrs;
  EXPECT_EQ(attrs.value("keel.tool.outcome", ""), "ok");
  EXPECT_EQ(attrs.value("keel.tool.breaker", ""), "closed");
  EXPECT_EQ(attrs["keel.tool.attempt_errors"], Json::array({"unavailable"}));
}

}  // namespace
}  // namespace keel
