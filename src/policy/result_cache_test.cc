#include "policy/result_cache.h"

#include <gtest/gtest.h>

namespace keel::policy {
namespace {

TEST(CacheKeyTest, KeyOrderDoesNotMatter) {
  Json a = Json::parse(R"({"b": 1, "a": {"y": [1, 2], "x": "s"}})");
  Json b = Json::parse(R"({"a": {"x": "s", "y": [1, 2]}, "b": 1})");
  EXPECT_EQ(CacheKey(a), CacheKey(b));
  EXPECT_NE(CacheKey(a), CacheKey(Json::parse(R"({"a": {"x": "s", "y": [2, 1]}, "b": 1})")));
}

TEST(ResultCacheTest, FreshUntilTheTtl) {
  ResultCache cache(/*ttl_us=*/1000, /*keep_us=*/0);
  cache.Store("k", Json{{"v", 1}}, 0);
  ResultCache::Hit hit = cache.Fresh("k", 999);
  ASSERT_TRUE(hit.value);
  EXPECT_EQ((*hit.value)["v"], 1);
  EXPECT_EQ(hit.age_us, 999);
  EXPECT_FALSE(cache.Fresh("k", 1000).value);
  EXPECT_FALSE(cache.Fresh("other", 0).value);
}

TEST(ResultCacheTest, StaleValuesAreKeptForTheStaleWindowOnly) {
  ResultCache cache(/*ttl_us=*/1000, /*keep_us=*/5000);
  cache.Store("k", Json(7), 0);
  EXPECT_FALSE(cache.Fresh("k", 3000).value);
  EXPECT_TRUE(cache.Stale("k", 3000, 5000).value);
  EXPECT_FALSE(cache.Stale("k", 3000, 2000).value);       // the caller's bound
  EXPECT_FALSE(cache.Stale("k", 5000, 1'000'000).value);  // the cache's own bound
}

TEST(ResultCacheTest, StoreReplacesAndStaysBounded) {
  ResultCache cache(1000, 0, /*max_entries=*/2);
  cache.Store("a", Json(1), 0);
  cache.Store("a", Json(2), 10);
  EXPECT_EQ(*cache.Fresh("a", 10).value, 2);
  cache.Store("b", Json(3), 10);
  cache.Store("c", Json(4), 2000);  // a and b expired: both dropped
  EXPECT_EQ(cache.size(), 1u);
  cache.Store("d", Json(5), 2000);
  cache.Store("e", Json(6), 2000);  // full of fresh entries: one goes
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_TRUE(cache.Fresh("e", 2000).value);
}

}  // namespace
}  // namespace keel::policy
