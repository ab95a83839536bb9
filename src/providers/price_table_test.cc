#include "providers/price_table.h"

#include <gtest/gtest.h>

namespace keel {
namespace {

TEST(PriceTableTest, MatchesTheLongestPrefix) {
  PriceTable t = PriceTable::Defaults();
  ASSERT_NE(t.Find("gpt-4o-mini-2024-07-18"), nullptr);
  EXPECT_DOUBLE_EQ(t.Find("gpt-4o-mini-2024-07-18")->input, 0.15);
  EXPECT_DOUBLE_EQ(t.Find("gpt-4o-2024-08-06")->input, 2.50);
  EXPECT_DOUBLE_EQ(t.Find("claude-sonnet-4-5-20250929")->output, 15.0);
  EXPECT_EQ(t.Find("unknown-model"), nullptr);
  EXPECT_EQ(t.Find(""), nullptr);
}

TEST(PriceTableTest, CostsEachMeterAtItsPrice) {
  PriceTable t;
  t.Set("m", {1.0, 2.0, 0.5, 3.0, 4.0});
  ModelUsage u;
  u.input_tokens = 1'000'000;
  u.output_tokens = 500'000;
  u.cached_input_tokens = 2'000'000;
  u.cache_write_tokens = 100'000;
  u.reasoning_tokens = 250'000;
  EXPECT_DOUBLE_EQ(t.Cost("m", u), 1.0 + 1.0 + 1.0 + 0.3 + 1.0);
  EXPECT_DOUBLE_EQ(t.Cost("other", u), 0.0);
}

TEST(PriceTableTest, MergeOverridesAndRejectsBadEntries) {
  PriceTable t = PriceTable::Defaults();
  ASSERT_TRUE(t.Merge(Json::parse(R"({"gpt-4o": {"input": 1}, "local": {"output": 0.1}})")).ok());
  EXPECT_DOUBLE_EQ(t.Find("gpt-4o")->input, 1.0);
  EXPECT_DOUBLE_EQ(t.Find("gpt-4o")->output, 10.0);  // untouched meters keep their price
  EXPECT_DOUBLE_EQ(t.Find("local")->output, 0.1);
  EXPECT_FALSE(t.Merge(Json::parse(R"({"m": {"input": -1}})")).ok());
  EXPECT_FALSE(t.Merge(Json::parse(R"({"m": {"bogus": 1}})")).ok());
}

}  // namespace
}  // namespace keel
