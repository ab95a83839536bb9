#include "connectors/subprocess_tool.h"

#include <gtest/gtest.h>

#include <memory>

#include "connectors/testing/script_dir.h"

namespace keel {
namespace {

using testing::ResultWaiter;
using testing::ScriptDir;

class SubprocessToolTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir_.ok()) << "cannot create a temporary directory"; }

  // Runs `body` as a tool once and waits for its result.
  Result<Json> RunScript(const std::string& body, const Json& args = Json::object(),
                         const ToolCallContext& ctx = {}, SubprocessToolSpec spec = {}) {
    spec.command = {dir_.Script("tool" + std::to_string(++scripts_) + ".sh", body)};
    SubprocessTool tool("test.tool", spec, &reactor_);
    ResultWaiter waiter;
    tool.Start(args, ctx, waiter.Callback());
    if (!waiter.Wait()) return Internal("no result in time");
    return waiter.at(0);
  }

  ScriptDir dir_;
  ProcessReactor reactor_;
  int scripts_ = 0;
};

TEST_F(SubprocessToolTest, EchoesArgumentsAndPassesCallContext) {
  ToolCallContext ctx;
  ctx.run_id = "run-7";
  ctx.node = "send";
  ctx.idempotency_key = "run-7/send/0";
  ctx.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  ctx.span_id = "00f067aa0ba902b7";
  Result<Json> result = RunScript(
      R"(read -r args
printf '{"args":%s,"key":"%s","run":"%s","node":"%s","tp":"%s"}' "$args" \
  "$KEEL_IDEMPOTENCY_KEY" "$KEEL_RUN_ID" "$KEEL_NODE" "$TRACEPARENT")",
      {{"account_id", "A-1042"}, {"n", 3}}, ctx);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ((*result)["args"], (Json{{"account_id", "A-1042"}, {"n", 3}}));
  EXPECT_EQ((*result)["key"], "run-7/send/0");
  EXPECT_EQ((*result)["run"], "run-7");
  EXPECT_EQ((*result)["node"], "send");
  EXPECT_EQ((*result)["tp"], "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
}

TEST_F(SubprocessToolTest, UsesSpecEnvironmentAndWorkingDirectory) {
  SubprocessToolSpec spec;
  spec.cwd = dir_.path();
  spec.env = {{"TIER", "small"}};
  Result<Json> result =
      RunScript(R"sh(cat >/dev/null; printf '{"tier":"%s","pwd":"%s"}' "$TIER" "$(pwd -P)")sh",
                Json::object(), {}, spec);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ((*result)["tier"], "small");
  EXPECT_EQ((*result)["pwd"], std::filesystem::canonical(dir_.path()).string());
}

TEST_F(SubprocessToolTest, RoundTripsLargeArgumentsWithoutDeadlock) {
  // A megabyte each way: stdin and stdout must be served at the same time.
  Json args = {{"blob", std::string(1 << 20, 'x')}};
  Result<Json> result = RunScript("exec cat", args);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(*result, args);
}

TEST_F(SubprocessToolTest, NonZeroExitIsProcessFailedWithStderr) {
  Result<Json> result = RunScript("echo 'cannot reach the CRM' >&2; exit 3");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().type(), "process_failed");
  EXPECT_NE(result.error().message().find("exit code 3"), std::string::npos);
  EXPECT_NE(result.error().message().find("cannot reach the CRM"), std::string::npos);
  EXPECT_FALSE(result.error().retryable());
}

TEST_F(SubprocessToolTest, StructuredErrorOnStdoutIsKept) {
  Result<Json> result = RunScript(
      R"(echo '{"error":"rate_limited","message":"slow down","retryable":true,"retry_after_s":2}'
exit 1)");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().type(), "rate_limited");
  EXPECT_NE(result.error().message().find("slow down"), std::string::npos);
  EXPECT_TRUE(result.error().retryable());
  EXPECT_EQ(result.error().retry_after_s(), 2);
}

TEST_F(SubprocessToolTest, CrashBySignalIsProcessFailed) {
  Result<Json> result = RunScript("kill -SEGV $$");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().type(), "process_failed");
  EXPECT_NE(result.error().message().find("signal 11"), std::string::npos);
}

TEST_F(SubprocessToolTest, GarbageOutputIsInvalidOutput) {
  Result<Json> result = RunScript("echo 'this is { not json'");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().type(), "invalid_output");
  EXPECT_NE(result.error().message().find("this is { not json"), std::string::npos);
}

TEST_F(SubprocessToolTest, EmptyOutputIsInvalidOutput) {
  Result<Json> result = RunScript("exit 0");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().type(), "invalid_output");
  EXPECT_NE(result.error().message().find("no output"), std::string::npos);
}

TEST_F(SubprocessToolTest, OversizedOutputIsCutOff) {
  SubprocessToolSpec spec;
  spec.max_output_bytes = 1000;
  Result<Json> result =
      RunScript("head -c 100000 /dev/zero | tr '\\0' x; echo", Json::object(), {}, spec);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().type(), "invalid_output");
  EXPECT_NE(result.error().message().find("more than 1000 bytes"), std::string::npos);
}

TEST_F(SubprocessToolTest, HugeStderrIsBounded) {
  Result<Json> result = RunScript(
      "head -c 1000000 /dev/zero | tr '\\0' e >&2; echo END >&2; "
      "exit 1");
  ASSERT_FALSE(result.ok());
  const std::string& message = result.error().message();
  EXPECT_LT(message.size(), 10000u);
  EXPECT_NE(message.find("bytes dropped"), std::string::npos);
  EXPECT_NE(message.find("END"), std::string::npos) << "the tail of stderr is kept";
}

TEST_F(SubprocessToolTest, MissingProgramIsSpawnFailed) {
  SubprocessToolSpec spec;
  spec.command = {dir_.path() + "/no-such-program"};
  SubprocessTool tool("test.missing", spec, &reactor_);
  ResultWaiter waiter;
  tool.Start(Json::object(), {}, waiter.Callback());
  ASSERT_TRUE(waiter.Wait());
  ASSERT_FALSE(waiter.at(0).ok());
  EXPECT_EQ(waiter.at(0).error().type(), "spawn_failed");
  EXPECT_NE(waiter.at(0).error().message().find("no-such-program"), std::string::npos);
}

TEST(SubprocessToolTimeoutTest, TimeoutKillsTheWholeProcessGroup) {
  ScriptDir dir;
  ASSERT_TRUE(dir.ok());
  FakeClock clock;
  ProcessReactor reactor(&clock);
  SubprocessToolSpec spec;
  spec.timeout_s = 5;
  // The background sleep inherits stdout: the call can only finish once the
  // whole group is dead, so a prompt result proves the group was killed.
  spec.command = {dir.Script("slow.sh", "echo started >&2; sleep 1000 & wait")};
  SubprocessTool tool("test.slow", spec, &reactor);
  ResultWaiter waiter;
  tool.Start(Json::object(), {}, waiter.Callback());
  EXPECT_FALSE(waiter.Wait(1, std::chrono::seconds(0)));
  clock.Advance(5'000'001);
  reactor.Poke();
  ASSERT_TRUE(waiter.Wait());
  ASSERT_FALSE(waiter.at(0).ok());
  EXPECT_EQ(waiter.at(0).error().type(), "timeout");
  EXPECT_TRUE(waiter.at(0).error().retryable());
  EXPECT_EQ(reactor.running(), 0u);
}

TEST(SubprocessToolConcurrencyTest, FiftyCallsShareOneIoThread) {
  ScriptDir dir;
  ASSERT_TRUE(dir.ok());
  ProcessReactor reactor;
  std::string gate = dir.path() + "/gate";
  SubprocessToolSpec spec;
  // Each child waits for the gate file, so all fifty are in flight at once.
  spec.command = {dir.Script("gated.sh", "read -r args; while [ ! -e '" + gate +
                                             "' ]; do sleep 0.01; done; echo \"$args\"")};
  SubprocessTool tool("test.gated", spec, &reactor);
  ResultWaiter warm;  // one call first, so any lazily made thread exists
  tool.Start({{"i", -1}}, {}, warm.Callback());
  size_t threads_before = testing::ThreadCount();
  ResultWaiter waiter;
  for (int i = 0; i < 50; ++i) tool.Start({{"i", i}}, {}, waiter.Callback());
  EXPECT_EQ(reactor.running(), 51u);
  EXPECT_EQ(testing::ThreadCount(), threads_before);
  std::ofstream(gate) << "open";
  ASSERT_TRUE(waiter.Wait(50));
  ASSERT_TRUE(warm.Wait());
  std::vector<bool> seen(50, false);
  for (size_t i = 0; i < 50; ++i) {
    ASSERT_TRUE(waiter.at(i).ok()) << waiter.at(i).status().ToString();
    seen[(*waiter.at(i))["i"].get<int>()] = true;
  }
  EXPECT_EQ(std::count(seen.begin(), seen.end(), true), 50);
  EXPECT_EQ(testing::ThreadCount(), threads_before);
}

TEST(TraceParentTest, FormatsValidIdsOnly) {
  EXPECT_EQ(TraceParent("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"),
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  EXPECT_EQ(TraceParent("", "00f067aa0ba902b7"), "");
  EXPECT_EQ(TraceParent("4BF92F3577B34DA6A3CE929D0E0E4736", "00f067aa0ba902b7"), "");
  EXPECT_EQ(TraceParent(std::string(32, '0'), "00f067aa0ba902b7"), "");
}

}  // namespace
}  // namespace keel
