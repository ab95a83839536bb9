// The pool runs tasks earliest deadline first (posting time + slack), in
// posting order among equals, and finishes what is queued when shut down.
#include "engine/thread_pool.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace keel {
namespace {

TEST(ThreadPoolTest, RunsTasksInDeadlineOrderThenPostingOrder) {
  ThreadPool pool(1);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  pool.Post([released] { released.wait(); });  // holds the only thread

  std::vector<std::string> order;  // written by the pool's one thread only
  pool.Post([&] { order.push_back("late"); }, 3'000'000);
  pool.Post([&] { order.push_back("first"); });
  pool.Post([&] { order.push_back("middle"); }, 1'000'000);
  pool.Post([&] { order.push_back("second"); });
  release.set_value();
  pool.Shutdown();  // drains the queue: slack delays no task past its turn
  EXPECT_EQ(order, (std::vector<std::string>{"first", "second", "middle", "late"}));
}

TEST(ThreadPoolTest, SlackOnlyReordersItDoesNotStarve) {
  ThreadPool pool(1);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  pool.Post([released] { released.wait(); });
  std::vector<int> order;
  pool.Post([&] { order.push_back(1); }, 50'000);  // 50 ms of slack
  // Posted more than its slack after the first: the first one's deadline
  // has passed by then, so it still runs first.
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  pool.Post([&] { order.push_back(2); });
  release.set_value();
  pool.Shutdown();
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(ThreadPoolTest, DropsTasksPostedAfterShutdown) {
  ThreadPool pool(2);
  pool.Shutdown();
  bool ran = false;
  pool.Post([&] { ran = true; });
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace keel
