#include "connectors/process_reactor.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <string>

#include "connectors/testing/script_dir.h"

namespace keel {
namespace {

using testing::Waiter;

// Output and exit of one child, gathered on the reactor thread.
struct Captured {
  std::mutex mu;
  std::string out;
  std::string err;
  Waiter<ProcessExit> exits;
  Waiter<std::string> lines;

  ProcessCallbacks Callbacks() {
    ProcessCallbacks cb;
    cb.on_stdout = [this](std::string_view chunk) {
      std::lock_guard<std::mutex> lock(mu);
      out.append(chunk);
      for (size_t nl; (nl = out.find('\n')) != std::string::npos; out.erase(0, nl + 1)) {
        lines.Add(out.substr(0, nl));
      }
      return true;
    };
    cb.on_stderr = [this](std::string_view chunk) {
      std::lock_guard<std::mutex> lock(mu);
      err.append(chunk);
    };
    cb.on_exit = exits.Callback();
    return cb;
  }
};

TEST(ProcessReactorTest, StreamsStdinAndStdoutWhileOpen) {
  ProcessReactor reactor;
  Captured captured;
  SpawnOptions options;
  options.argv = {"cat"};
  options.keep_stdin_open = true;
  options.stdin_data = "first\n";
  Result<ProcessHandle> child = reactor.Spawn(options, captured.Callbacks());
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  ASSERT_TRUE(captured.lines.Wait(1));
  EXPECT_EQ(captured.lines.at(0), "first");
  EXPECT_TRUE(child->Write("second\n"));
  ASSERT_TRUE(captured.lines.Wait(2));
  EXPECT_EQ(captured.lines.at(1), "second");
  child->CloseStdin();
  EXPECT_FALSE(child->Write("too late\n"));
  ASSERT_TRUE(captured.exits.Wait());
  EXPECT_TRUE(captured.exits.at(0).success());
  EXPECT_EQ(reactor.running(), 0u);
}

TEST(ProcessReactorTest, ReportsExitCodeAndStderr) {
  ProcessReactor reactor;
  Captured captured;
  SpawnOptions options;
  options.argv = {"sh", "-c", "echo oops >&2; exit 7"};
  ASSERT_TRUE(reactor.Spawn(options, captured.Callbacks()).ok());
  ASSERT_TRUE(captured.exits.Wait());
  EXPECT_EQ(captured.exits.at(0).exit_code, 7);
  EXPECT_EQ(captured.exits.at(0).Describe(), "exit code 7");
  std::lock_guard<std::mutex> lock(captured.mu);
  EXPECT_EQ(captured.err, "oops\n");
}

TEST(ProcessReactorTest, SignalStopsTheChild) {
  ProcessReactor reactor;
  Captured captured;
  SpawnOptions options;
  options.argv = {"sleep", "1000"};
  Result<ProcessHandle> child = reactor.Spawn(options, captured.Callbacks());
  ASSERT_TRUE(child.ok());
  EXPECT_GT(child->pid(), 0);
  child->Signal(SIGTERM);
  ASSERT_TRUE(captured.exits.Wait());
  EXPECT_EQ(captured.exits.at(0).signal, SIGTERM);
  EXPECT_FALSE(captured.exits.at(0).timed_out);
}

TEST(ProcessReactorTest, RejectingStdoutKillsTheChild) {
  ProcessReactor reactor;
  Waiter<ProcessExit> exits;
  ProcessCallbacks cb;
  cb.on_stdout = [](std::string_view) { return false; };
  cb.on_exit = exits.Callback();
  SpawnOptions options;
  options.argv = {"sh", "-c", "echo hi; exec sleep 1000"};
  ASSERT_TRUE(reactor.Spawn(options, std::move(cb)).ok());
  ASSERT_TRUE(exits.Wait());
  EXPECT_EQ(exits.at(0).signal, SIGKILL);
  EXPECT_TRUE(exits.at(0).killed);
}

TEST(ProcessReactorTest, TimersFireInOrderOnTheClock) {
  FakeClock clock;
  ProcessReactor reactor(&clock);
  Waiter<int> fired;
  reactor.After(2000, [&] { fired.Add(2); });
  reactor.After(1000, [&] { fired.Add(1); });
  reactor.After(9000, [&] { fired.Add(9); });
  EXPECT_FALSE(fired.Wait(1, std::chrono::seconds(0)));
  clock.Advance(2000);
  reactor.Poke();
  ASSERT_TRUE(fired.Wait(2));
  EXPECT_EQ(fired.at(0), 1);
  EXPECT_EQ(fired.at(1), 2);
  EXPECT_EQ(fired.size(), 2u);
}

TEST(ProcessReactorTest, SpawnFailureRunsNoCallback) {
  ProcessReactor reactor;
  Captured captured;
  SpawnOptions options;
  options.argv = {"/nonexistent/keel-test-program"};
  Result<ProcessHandle> child = reactor.Spawn(options, captured.Callbacks());
  ASSERT_FALSE(child.ok());
  EXPECT_EQ(child.error().type(), "spawn_failed");
  EXPECT_EQ(reactor.running(), 0u);
}

TEST(ProcessReactorTest, DestructorFinishesRunningChildren) {
  Captured captured;
  {
    ProcessReactor reactor;
    SpawnOptions options;
    options.argv = {"sleep", "1000"};
    ASSERT_TRUE(reactor.Spawn(options, captured.Callbacks()).ok());
  }
  ASSERT_EQ(captured.exits.size(), 1u);
  EXPECT_TRUE(captured.exits.at(0).killed);
}

}  // namespace
}  // namespace keel
