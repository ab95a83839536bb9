// A run's strand: its tasks run one at a time, in order, and are due when
// the run is (Run::due_us); Defer() hands the thread to runs due sooner.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <vector>

#include "engine/run.h"
#include "engine/thread_pool.h"

namespace keel {
namespace {

// Holds the pool's one thread until released, so the test can queue work.
class HeldPool {
 public:
  HeldPool() : pool_(1), released_(release_.get_future().share()) {
    pool_.Post([released = released_] { released.wait(); });
  }
  ThreadPool* get() { return &pool_; }
  // Lets the queued work run until `last` has, then stops the pool. (Not
  // Shutdown() at once: it drops tasks posted while it drains, as a deferred
  // strand re-posts itself.)
  void RunUntil(std::future<void> last) {
    release_.set_value();
    ASSERT_EQ(last.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    pool_.Shutdown();
  }

 private:
  ThreadPool pool_;
  std::promise<void> release_;
  std::shared_future<void> released_;
};

std::shared_ptr<Run> RunDueIn(int64_t us) {
  auto run = std::make_shared<Run>();
  run->due_us = ThreadPool::NowUs() + us;
  return run;
}

TEST(RunStrandTest, ARunsTasksWaitUntilTheRunIsDue) {
  HeldPool pool;
  std::vector<std::string> order;  // written by the pool's one thread only
  auto early = RunDueIn(-1'000'000);
  auto later = RunDueIn(1'000'000);
  std::promise<void> last;
  later->Post(pool.get(), [&] {
    order.push_back("later");
    last.set_value();
  });
  early->Post(pool.get(), [&] { order.push_back("early"); });
  pool.RunUntil(last.get_future());
  EXPECT_EQ(order, (std::vector<std::string>{"early", "later"}));
}

// A run that finds itself ahead of its plan defers the rest of its walk: the
// run due sooner, queued behind it, goes first.
TEST(RunStrandTest, DeferYieldsTheThreadToRunsDueSooner) {
  HeldPool pool;
  std::vector<std::string> order;
  std::promise<void> last;
  auto ahead = RunDueIn(-2'000'000);
  auto behind = RunDueIn(-1'000'000);
  ahead->Post(pool.get(), [&] {
    order.push_back("ahead starts");
    ahead->due_us = ThreadPool::NowUs() + 1'000'000;  // its plan moved on
    ahead->Defer(pool.get(), [&] { order.push_back("ahead goes on"); });
    ahead->Post(pool.get(), [&] {
      order.push_back("ahead's next task");
      last.set_value();
    });
  });
  behind->Post(pool.get(), [&] { order.push_back("behind"); });
  pool.RunUntil(last.get_future());
  EXPECT_EQ(order, (std::vector<std::string>{"ahead starts", "behind", "ahead goes on",
                                             "ahead's next task"}));
}

TEST(RunStrandTest, WithoutDeferTheStrandKeepsItsThread) {
  HeldPool pool;
  std::vector<std::string> order;
  auto first = RunDueIn(-2'000'000);
  auto second = RunDueIn(-1'000'000);
  first->Post(pool.get(), [&] {
    order.push_back("first");
    first->due_us = ThreadPool::NowUs() + 1'000'000;
    first->Post(pool.get(), [&] { order.push_back("first again"); });
  });
  std::promise<void> last;
  second->Post(pool.get(), [&] {
    order.push_back("second");
    last.set_value();
  });
  pool.RunUntil(last.get_future());
  EXPECT_EQ(order, (std::vector<std::string>{"first", "first again", "second"}));
}

TEST(RunStrandTest, AStoppedRunsLastTasksAreDueAtOnce) {
  HeldPool pool;
  std::vector<std::string> order;
  auto busy = RunDueIn(-1'000'000);
  auto stopped = RunDueIn(5'000'000);
  stopped->Stop();
  std::promise<void> last;
  busy->Post(pool.get(), [&] {
    order.push_back("busy");
    last.set_value();
  });
  stopped->Post(pool.get(), [&] { order.push_back("retire"); });
  pool.RunUntil(last.get_future());
  EXPECT_EQ(order, (std::vector<std::string>{"retire", "busy"}));
}

}  // namespace
}  // namespace keel
