#include "observe/internal/time_axis.h"

#include <gtest/gtest.h>

namespace keel::observe_internal {
namespace {

Span MakeSpan(int64_t start_us, int64_t end_us, std::string status = "ok") {
  Span span;
  span.start_us = start_us;
  span.end_us = end_us;
  span.status = std::move(status);
  return span;
}

TEST(TimeAxisTest, WithoutParkedTimeTheAxisIsLinear) {
  TimeAxis axis({MakeSpan(1000, 5000), MakeSpan(2000, 9000)});
  EXPECT_EQ(axis.start_us(), 1000);
  EXPECT_EQ(axis.end_us(), 9000);
  EXPECT_DOUBLE_EQ(axis.Visual(1000), 0);
  EXPECT_DOUBLE_EQ(axis.Visual(4000), 3000);
  EXPECT_DOUBLE_EQ(axis.VisualTotal(), 8000);
  EXPECT_TRUE(axis.compressed().empty());
  EXPECT_EQ(axis.compressed_us(), 0);
}

TEST(TimeAxisTest, LongParkedStretchIsCutToATenthOfActiveTime) {
  // 1000us of work, 100000us parked (two overlapping spans), 1000us of work.
  TimeAxis axis(
      {MakeSpan(0, 102000), MakeSpan(1000, 60000, "parked"), MakeSpan(50000, 101000, "parked")});
  ASSERT_EQ(axis.compressed().size(), 1u);
  EXPECT_EQ(axis.compressed()[0].start_us, 1000);
  EXPECT_EQ(axis.compressed()[0].end_us, 101000);
  EXPECT_DOUBLE_EQ(axis.compressed()[0].visual_us, 200);
  EXPECT_EQ(axis.compressed_us(), 100000 - 200);
  EXPECT_DOUBLE_EQ(axis.Visual(1000), 1000);
  EXPECT_DOUBLE_EQ(axis.Visual(51000), 1100);  // half way through the cut
  EXPECT_DOUBLE_EQ(axis.Visual(101000), 1200);
  EXPECT_DOUBLE_EQ(axis.VisualTotal(), 2200);
}

TEST(TimeAxisTest, ShortOrOnlyParkedTimeIsDrawnToScale) {
  TimeAxis short_wait({MakeSpan(0, 10000), MakeSpan(4000, 4500, "parked")});
  EXPECT_TRUE(short_wait.compressed().empty());
  EXPECT_DOUBLE_EQ(short_wait.Visual(4500), 4500);

  TimeAxis only_wait({MakeSpan(0, 10000, "parked")});
  EXPECT_TRUE(only_wait.compressed().empty());
  EXPECT_DOUBLE_EQ(only_wait.VisualTotal(), 10000);
}

TEST(TimeAxisTest, OpenSpansReachTheEndAndZeroLengthTracesStillDivide) {
  TimeAxis open({MakeSpan(0, 3000), MakeSpan(1000, 0)});
  EXPECT_EQ(open.end_us(), 3000);
  TimeAxis instant({MakeSpan(500, 500)});
  EXPECT_DOUBLE_EQ(instant.VisualTotal(), 1);
}

}  // namespace
}  // namespace keel::observe_internal
