// Chaos: tools that are slow, fail every call, fail intermittently, return
// invalid output, or hang. The breaker opens, retries stop at their budget,
// the fallback answers, and every call ends exactly once: nothing hangs.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "policy/internal/invoker_test_util.h"
#include "policy/tool_invoker.h"

namespace keel::policy {
namespace {

using testing::InvokerTest;
using testing::ScriptedTool;

class ChaosTest : public InvokerTest {
 protected:
  // Retries: 3 attempts, 100 ms doubling; timeout 1 s; breaker at 5 failures.
  ToolDef& DefineResilient(const std::string& name, std::shared_ptr<Tool> impl) {
    ToolDef& def = Define(name, std::move(impl));
    def.policies.retry = RetryPolicy{3, 100, 10'000};
    def.policies.timeout_ms = 1000;
    def.policies.breaker = BreakerPolicy{5, 30'000};
    return def;
  }
  // Runs every timer; fails the test if timers keep coming (a livelock).
  void Drain() { ASSERT_LT(timers_.RunAll(1000), 1000); }
};

std::shared_ptr<ScriptedTool> Hanging() {
  return std::make_shared<ScriptedTool>([](int, const Json&, ToolCallback&) {});
}

TEST_F(ChaosTest, AFailingToolIsRetriedUpToItsBudgetThenTheErrorEscalates) {
  auto tool = Failing(Unavailable("crm down"));
  DefineResilient("t", tool);
  auto outcome = Call("t");
  EXPECT_EQ(outcome->calls, 0);  // waiting for the first backoff
  Drain();
  EXPECT_EQ(outcome->calls, 1);
  EXPECT_EQ(outcome->error_type(), "unavailable");
  EXPECT_EQ(tool->calls, 3);
  EXPECT_EQ(outcome->record.attempts, 3);
  EXPECT_EQ(outcome->record.attempt_errors,
            (std::vector<std::string>{"unavailable", "unavailable", "unavailable"}));
  // Backoff with jitter 0.5: 50 ms then 100 ms.
  EXPECT_EQ(outcome->record.latency_us, 150'000);
}

TEST_F(ChaosTest, NonRetryableErrorsAreNotRetriedAndDoNotTripTheBreaker) {
  auto tool = Failing(NotFound("no account A-1"));
  ToolDef& def = DefineResilient("t", tool);
  def.policies.breaker.failures = 1;
  def.policies.fallback.tools = {"backup"};
  Define("backup", Answering("from backup"));
  for (int i = 0; i < 3; ++i) {
    auto outcome = Call("t");
    EXPECT_EQ(outcome->error_type(), "not_found");  // a real answer: no fallback
  }
  EXPECT_EQ(tool->calls, 3);
  EXPECT_EQ(invoker().breaker_state("t"), BreakerState::kClosed);
}

TEST_F(ChaosTest, AnIntermittentToolSucceedsWithinTheBudget) {
  auto tool = std::make_shared<ScriptedTool>([](int call, const Json&, ToolCallback& done) {
    ToolCallback cb = std::move(done);
    done = nullptr;
    if (call % 3 != 0) {
      cb(Status(StatusCode::kUnavailable, "flaky", "", true).set_retry_after_s(0.25));
    } else {
      cb(Json{{"value", call}});
    }
  });
  DefineResilient("t", tool);
  auto outcome = Call("t");
  Drain();
  ASSERT_TRUE(outcome->ok());
  EXPECT_EQ((*outcome->result)->at("value"), 3);
  EXPECT_EQ(outcome->record.attempts, 3);
  EXPECT_EQ(outcome->record.attempt_errors.size(), 2u);
  EXPECT_EQ(outcome->record.latency_us, 500'000);  // retry_after_s honoured twice
}

TEST_F(ChaosTest, TheBreakerOpensStopsRetriesAndProbesAfterTheCooldown) {
  auto tool = Failing(Unavailable("down"));
  ToolDef& def = DefineResilient("t", tool);
  def.policies.breaker = BreakerPolicy{4, 30'000};
  auto first = Call("t");
  Drain();
  EXPECT_EQ(tool->calls, 3);
  // The second call's first failure is the fourth in a row: the breaker
  // opens, and the retry meets it instead of the tool.
  auto second = Call("t");
  Drain();
  EXPECT_EQ(tool->calls, 4);
  EXPECT_EQ(second->error_type(), "circuit_open");
  EXPECT_EQ(second->record.breaker_state, "open");
  EXPECT_EQ(invoker().breaker_state("t"), BreakerState::kOpen);
  auto third = Call("t");
  EXPECT_EQ(third->error_type(), "circuit_open");
  EXPECT_GT(*third->result->error().retry_after_s(), 29.0);
  EXPECT_EQ(tool->calls, 4);
  clock_.Advance(31'000'000);
  auto probe = Call("t");
  Drain();
  EXPECT_EQ(tool->calls, 5);  // one probe, then open again: no retries
  EXPECT_EQ(probe->error_type(), "circuit_open");
  EXPECT_EQ(invoker().breaker_state("t"), BreakerState::kOpen);
}

TEST_F(ChaosTest, AHangingToolTimesOutAndItsLateAnswerIsIgnored) {
  auto tool = Hanging();
  DefineResilient("t", tool);
  auto outcome = Call("t");
  Drain();
  EXPECT_EQ(outcome->calls, 1);
  EXPECT_EQ(outcome->error_type(), "timeout");
  EXPECT_TRUE(outcome->result->error().retryable());
  EXPECT_EQ(tool->calls, 3);
  ASSERT_EQ(tool->held.size(), 3u);
  for (ToolCallback& late : tool->held) late(Json{{"value", "late"}});
  EXPECT_EQ(outcome->calls, 1);
  EXPECT_EQ(outcome->error_type(), "timeout");
}

TEST_F(ChaosTest, ASlowInlineAnswerPastTheDeadlineIsATimeout) {
  auto tool = std::make_shared<ScriptedTool>([this](int, const Json&, ToolCallback& done) {
    ToolCallback cb = std::move(done);
    done = nullptr;
    clock_.Advance(2'000'000);  // a built-in that blocked for 2 s
    cb(Json{{"value", 1}});
  });
  DefineResilient("t", tool).policies.retry.max_attempts = 1;
  auto outcome = Call("t");
  EXPECT_EQ(outcome->error_type(), "timeout");
}

TEST_F(ChaosTest, ASideEffectTimeoutIsAnUnknownOutcomeNeverRepeatedOrReplaced) {
  auto tool = Hanging();
  ToolDef& def = DefineResilient("email.send", tool);
  def.side_effects = true;
  def.idempotent = false;
  def.policies.fallback.tools = {"backup"};
  Define("backup", Answering("sent twice?"));
  auto outcome = Call("email.send");
  Drain();
  EXPECT_EQ(outcome->error_type(), "timeout");
  EXPECT_NE(outcome->result->error().message().find("outcome unknown"), std::string::npos);
  EXPECT_FALSE(outcome->result->error().retryable());
  EXPECT_EQ(tool->calls, 1);
  EXPECT_TRUE(outcome->record.fallback_tool.empty());
}

TEST_F(ChaosTest, AnIdempotentSideEffectIsRetriedWithTheSameKey) {
  auto tool = Hanging();
  ToolDef& def = DefineResilient("crm.book", tool);
  def.side_effects = true;
  auto outcome = Call("crm.book");
  Drain();
  EXPECT_EQ(outcome->error_type(), "timeout");
  EXPECT_NE(outcome->result->error().message().find("outcome unknown"), std::string::npos);
  EXPECT_EQ(tool->calls, 3);
}

TEST_F(ChaosTest, InvalidOutputTripsTheBreakerAndTheFallbackAnswers) {
  auto tool = std::make_shared<ScriptedTool>([](int, const Json&, ToolCallback& done) {
    ToolCallback cb = std::move(done);
    done = nullptr;
    cb(Json{{"garbage", true}});
  });
  ToolDef& def = DefineResilient("t", tool);
  def.policies.breaker.failures = 2;
  def.policies.fallback.tools = {"replica"};
  auto replica = Answering("from replica");
  Define("replica", replica);
  for (int i = 0; i < 3; ++i) {
    auto outcome = Call("t");
    Drain();
    ASSERT_TRUE(outcome->ok()) << outcome->error_type();
    EXPECT_EQ(outcome->record.outcome, "fallback");
    EXPECT_EQ(outcome->record.fallback_tool, "replica");
    EXPECT_EQ((*outcome->result)->at("value"), "from replica");
  }
  EXPECT_EQ(tool->calls, 2);  // not retried; the third call met the open breaker
  EXPECT_EQ(replica->calls, 3);
  EXPECT_EQ(observer_.records.size(), 6u);  // each fallback call is audited too
}

TEST_F(ChaosTest, FallbacksAreTriedInOrderThenTheStaleValue) {
  int fail_from = 2;
  auto tool =
      std::make_shared<ScriptedTool>([&fail_from](int call, const Json&, ToolCallback& done) {
        ToolCallback cb = std::move(done);
        done = nullptr;
        if (call >= fail_from)
          cb(Unavailable("down"));
        else
          cb(Json{{"value", "fresh"}});
      });
  ToolDef& def = DefineResilient("deals", tool);
  def.policies.retry.max_attempts = 1;
  def.policies.cache_ttl_s = 60;
  def.policies.fallback = FallbackPolicy{{"missing_tool", "broken"}, 3600};
  auto broken = Failing(Unavailable("also down"));
  Define("broken", broken);
  ASSERT_TRUE(Call("deals")->ok());
  clock_.Advance(120'000'000);  // past the TTL, within the stale window
  auto stale = Call("deals");
  ASSERT_TRUE(stale->ok()) << stale->error_type();
  EXPECT_TRUE(stale->record.stale);
  EXPECT_EQ(stale->record.outcome, "fallback");
  EXPECT_EQ((*stale->result)->at("value"), "fresh");
  EXPECT_EQ(broken->calls, 1);
  clock_.Advance(3'600'000'000);  // past the stale window: the error stands
  auto failed = Call("deals");
  EXPECT_EQ(failed->error_type(), "unavailable");
  EXPECT_FALSE(failed->record.stale);
}

TEST_F(ChaosTest, ManyCallsAgainstAMixOfBadToolsAllEndExactlyOnce) {
  DefineResilient("hang", Hanging());
  DefineResilient("fail", Failing(Unavailable("x")));
  DefineResilient("bad", std::make_shared<ScriptedTool>([](int, const Json&, ToolCallback& done) {
                    ToolCallback cb = std::move(done);
                    done = nullptr;
                    cb(Json::array());
                  }));
  std::vector<std::shared_ptr<testing::Outcome>> outcomes;
  for (int i = 0; i < 50; ++i) {
    for (const char* t : {"hang", "fail", "bad"}) outcomes.push_back(Call(t));
  }
  Drain();
  EXPECT_EQ(timers_.pending(), 0u);
  for (const auto& o : outcomes) EXPECT_EQ(o->calls, 1);
}

TEST_F(ChaosTest, SharedStateHoldsUpUnderConcurrentCalls) {
  // Every third call fails; the cache, bucket and breaker are shared by all
  // threads. Each call must end exactly once and be audited once.
  std::atomic<int> n{0};
  auto tool = std::make_shared<ScriptedTool>([&n](int, const Json&, ToolCallback& done) {
    ToolCallback cb = std::move(done);
    done = nullptr;
    if (n.fetch_add(1) % 3 == 0) {
      cb(NotFound("gone"));
    } else {
      cb(Json{{"value", 1}});
    }
  });
  // ScriptedTool counts calls without a lock, so it sits behind a locked
  // wrapper; the chain around it is what this test exercises.
  auto safe = std::make_shared<FunctionTool>(
      [tool, mu = std::make_shared<std::mutex>()](const Json& args, const ToolCallContext& ctx) {
        std::lock_guard<std::mutex> lock(*mu);
        std::optional<Result<Json>> out;
        tool->Start(args, ctx, [&out](Result<Json> r) { out = std::move(r); });
        return std::move(*out);
      });
  ToolDef& def = DefineResilient("t", safe);
  def.policies.cache_ttl_s = 60;
  def.policies.rate_limit = RateLimit{1e9, 1e9, 0};
  invoker();  // built before the threads start
  constexpr int kThreads = 4;
  constexpr int kCalls = 500;
  std::atomic<int> ended{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        ToolCallContext ctx;
        invoker().Invoke(defs_.at("t"), {{"id", std::to_string(t * 7 + i % 50)}}, ctx,
                         [&ended](Result<Json>) { ++ended; });
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ended.load(), kThreads * kCalls);
  EXPECT_EQ(observer_.records.size(), size_t(kThreads * kCalls));
  EXPECT_EQ(timers_.pending(), 0u);  // not_found is not retried
}

}  // namespace
}  // namespace keel::policy
