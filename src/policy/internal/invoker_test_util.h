// Fakes for the policy chain's tests: a scripted tool, a recording audit
// observer, and a fixture wiring an invoker to a FakeClock and manual timers
// so no test sleeps. Test-only.
#ifndef KEEL_POLICY_INTERNAL_INVOKER_TEST_UTIL_H_
#define KEEL_POLICY_INTERNAL_INVOKER_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "policy/manual_timer_service.h"
#include "policy/tool_invoker.h"

namespace keel::policy::testing {

// A tool whose behaviour a test scripts per call. Start hands the callback to
// `behaviour`, which may answer at once, later (kept in `held`), or never.
class ScriptedTool : public Tool {
 public:
  using Behaviour = std::function<void(int call, const Json& args, ToolCallback& done)>;
  explicit ScriptedTool(Behaviour behaviour) : behaviour_(std::move(behaviour)) {}

  void Start(const Json& args, const ToolCallContext& ctx, ToolCallback done) override {
    ++calls;
    last_ctx = ctx;
    behaviour_(calls, args, done);
    if (done) held.push_back(std::move(done));  // not answered: kept for a late answer
  }

  int calls = 0;
  ToolCallContext last_ctx;
  std::vector<ToolCallback> held;

 private:
  Behaviour behaviour_;
};

class RecordingObserver : public AuditObserver {
 public:
  void OnToolCall(const ToolCallRecord& record) override {
    std::lock_guard<std::mutex> lock(mu);
    records.push_back(record);
  }
  std::mutex mu;
  std::vector<ToolCallRecord> records;
};

// One call's outcome as the test sees it.
struct Outcome {
  int calls = 0;  // how many times `done` ran (must end at exactly 1)
  std::optional<Result<Json>> result;
  ToolCallRecord record;
  bool ok() const { return result && result->ok(); }
  std::string error_type() const {
    return result && !result->ok() ? result->error().type() : std::string();
  }
};

class InvokerTest : public ::testing::Test {
 protected:
  InvokerTest() : timers_(&clock_) {}

  // A tool definition with a small object schema for input ({"id": string})
  // and output ({"value": any, required}); no timeouts or retries unless the
  // test sets them.
  ToolDef& Define(const std::string& name, std::shared_ptr<Tool> impl) {
    ToolDef& def = defs_[name];
    def.name = name;
    def.input_schema =
        Json::parse(R"({"type":"object","properties":{"id":{"type":"string"}},"required":["id"]})");
    def.output_schema = Json::parse(R"({"type":"object","required":["value"]})");
    def.input = JsonSchema::Compile(def.input_schema).value();
    def.output = JsonSchema::Compile(def.output_schema).value();
    def.policies.retry.max_attempts = 1;
    def.policies.breaker.failures = 0;
    registry_.Register(name, std::move(impl));
    return def;
  }

  static void AllowOnly(ToolDef& def, std::vector<std::string> agents) {
    def.policies.restrict_agents = true;
    def.policies.agents = std::move(agents);
  }

  ToolInvoker& invoker() {
    if (!invoker_) {
      InvokerOptions options;
      options.tools = &registry_;
      options.clock = &clock_;
      options.timers = &timers_;
      options.observer = &observer_;
      options.find_def = [this](const std::string& name) -> const ToolDef* {
        auto it = defs_.find(name);
        return it == defs_.end() ? nullptr : &it->second;
      };
      options.agent_allows = agent_allows_;
      options.workspace_rate_limit = workspace_limit_;
      options.random01 = [] { return 0.5; };
      invoker_ = std::make_unique<ToolInvoker>(std::move(options));
    }
    return *invoker_;
  }

  std::shared_ptr<Outcome> Call(const std::string& tool, Json args = {{"id", "A-1"}},
                                const std::string& agent = "") {
    auto outcome = std::make_shared<Outcome>();
    ToolCallContext ctx;
    ctx.run_id = "run-1";
    ctx.node = "n1";
    ctx.agent = agent;
    invoker().InvokeWithRecord(defs_.at(tool), std::move(args), ctx,
                               [outcome](Result<Json> result, const ToolCallRecord& record) {
                                 ++outcome->calls;
                                 outcome->result = std::move(result);
                                 outcome->record = record;
                               });
    return outcome;
  }

  static std::shared_ptr<ScriptedTool> Answering(Json value) {
    return std::make_shared<ScriptedTool>([value](int, const Json&, ToolCallback& done) {
      ToolCallback cb = std::move(done);
      done = nullptr;
      cb(Json{{"value", value}});
    });
  }
  static std::shared_ptr<ScriptedTool> Failing(Status error) {
    return std::make_shared<ScriptedTool>([error](int, const Json&, ToolCallback& done) {
      ToolCallback cb = std::move(done);
      done = nullptr;
      cb(error);
    });
  }

  FakeClock clock_;
  ManualTimerService timers_;
  ToolRegistry registry_;
  std::map<std::string, ToolDef> defs_;
  RecordingObserver observer_;
  std::function<bool(const std::string&, const std::string&)> agent_allows_;
  RateLimit workspace_limit_;
  std::unique_ptr<ToolInvoker> invoker_;
};

}  // namespace keel::policy::testing

#endif  // KEEL_POLICY_INTERNAL_INVOKER_TEST_UTIL_H_
