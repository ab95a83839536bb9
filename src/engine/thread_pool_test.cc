// The pool runs tasks earliest due time first, in posting order among equals,
// and finishes what is queued when shut down.
#include "engine/thread_pool.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace keel {
namespace {

TEST(ThreadPoolTest, RunsTasksInDueOrderThenPostingOrder) {
  ThreadPool pool(1);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  pool.Post([released] { released.wait(); });  // holds the only thread

  std::vector<std::string> order;  // written by the pool's one thread only
  int64_t now = ThreadPool::NowUs();
  pool.PostBy([&] { order.push_back("late"); }, now + 3'000'000);
  pool.Post([&] { order.push_back("first"); });
  pool.PostBy([&] { order.push_back("middle"); }, now + 1'000'000);
  pool.Post([&] { order.push_back("second"); });
  pool.PostBy([&] { order.push_back("overdue"); }, now - 1'000'000);
  release.set_value();
  pool.Shutdown();  // drains the queue: a later due time delays no task past its turn
  EXPECT_EQ(order,
            (std::vector<std::string>{"overdue", "first", "second", "middle", "late"}));
}

TEST(ThreadPoolTest, ADueTimeOnlyReordersItDoesNotStarve) {
  ThreadPool pool(1);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  pool.Post([released] { released.wait(); });
  std::vector<int> order;
  pool.PostBy([&] { order.push_back(1); }, ThreadPool::NowUs() + 50'000);  // due in 50 ms
  // Posted after the first fell due: the first one is overdue by then, so
  // it still runs first.
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
