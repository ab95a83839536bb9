#include "core/ids.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>
#include <vector>

namespace keel {
namespace {

TEST(IdsTest, NewIdsAreUniqueAndPrefixed) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewId("run_");
    EXPECT_EQ(id.rfind("run_", 0), 0u);
    EXPECT_EQ(id.size(), 4u + 16u);
    EXPECT_TRUE(seen.insert(id).second);
  }
}

TEST(IdsTest, OrderedIdsSortByCreationTime) {
  std::string first = NewOrderedId("run_");
  EXPECT_EQ(first.size(), 4u + 12u + 8u);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));  // ids order by millisecond
  std::string second = NewOrderedId("run_");
  EXPECT_LT(first, second);
  EXPECT_NE(NewOrderedId("run_"), NewOrderedId("run_"));
}

TEST(IdsTest, TraceHexIsUniqueAcrossThreads) {
  // Each thread seeds its own generator: two threads must not repeat ids.
  std::vector<std::string> a, b;
  std::thread t1([&] { for (int i = 0; i < 2000; ++i) a.push_back(TraceHex(8)); });
  std::thread t2([&] { for (int i = 0; i < 2000; ++i) b.push_back(TraceHex(8)); });
  t1.join();
  t2.join();
  std::set<std::string> seen(a.begin(), a.end());
  seen.insert(b.begin(), b.end());
  EXPECT_EQ(seen.size(), 4000u);
  EXPECT_EQ(TraceHex(16).size(), 32u);
  EXPECT_EQ(TraceHex(3).find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(TraceHex(3).size(), 6u);
}

TEST(IdsTest, Sha256MatchesKnownVector) {
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace keel
