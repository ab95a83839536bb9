#include "observe/internal/text_cells.h"

#include <gtest/gtest.h>

namespace keel::observe_internal {
namespace {

TEST(TextCellsTest, WidthCountsCodePoints) {
  EXPECT_EQ(DisplayWidth(""), 0);
  EXPECT_EQ(DisplayWidth("abc"), 3);
  EXPECT_EQ(DisplayWidth("850µs"), 5);
  EXPECT_EQ(DisplayWidth("██▍"), 3);
}

TEST(TextCellsTest, FitCutsWithEllipsisAndPads) {
  EXPECT_EQ(FitLeft("abc", 5), "abc  ");
  EXPECT_EQ(FitRight("abc", 5), "  abc");
  EXPECT_EQ(FitLeft("usage_summarizer", 8), "usage_s…");
  EXPECT_EQ(FitLeft("µµµµµµ", 4), "µµµ…");
  EXPECT_EQ(DisplayWidth(FitLeft("◆ ◇◇◇◇◇◇◇◇", 6)), 6);
  EXPECT_EQ(Truncated("abc", 0), "");
}

TEST(TextCellsTest, SanitizedReplacesControlBytes) {
  EXPECT_EQ(Sanitized("a\nb\x1b[31mc\x7f"), "a?b?[31mc?");
  EXPECT_EQ(Sanitized("crm.get_account"), "crm.get_account");
}

TEST(TextCellsTest, DurationsUseMicrosMillisThenClockUnits) {
  EXPECT_EQ(FormatDuration(0), "0µs");
  EXPECT_EQ(FormatDuration(850), "850µs");
  EXPECT_EQ(FormatDuration(1000), "1.0ms");
  EXPECT_EQ(FormatDuration(18'460), "18.5ms");
  EXPECT_EQ(FormatDuration(59'999'900), "59999.9ms");
  EXPECT_EQ(FormatDuration(60'000'000), "1m 00s");
  EXPECT_EQ(FormatDuration(723'000'000), "12m 03s");
  EXPECT_EQ(FormatDuration(7'500'000'000), "2h 05m");
}

TEST(TextCellsTest, TokensAndCost) {
  EXPECT_EQ(FormatTokens(1534), "1534 tok");
  EXPECT_EQ(FormatTokens(12'345), "12.3k tok");
  EXPECT_EQ(FormatTokens(4'200'000), "4.2M tok");
  EXPECT_EQ(FormatCost(0.0233), "$0.0233");
  EXPECT_EQ(FormatCost(12.346), "$12.35");
}

}  // namespace
}  // namespace keel::observe_internal
