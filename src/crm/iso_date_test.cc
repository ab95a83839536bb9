#include "crm/iso_date.h"

#include <gtest/gtest.h>

namespace keel {
namespace {

TEST(IsoDateTest, RoundTripsDayNumbers) {
  EXPECT_EQ(ParseIsoDate("1970-01-01"), 0);
  EXPECT_EQ(ParseIsoDate("1970-01-02"), 1);
  for (int day : {-1, 0, 365, 19000, 20758, 30000}) {
    EXPECT_EQ(ParseIsoDate(FormatIsoDate(day)), day) << day;
  }
  EXPECT_EQ(FormatIsoDate(*ParseIsoDate("2026-11-01") + 30), "2026-12-01");
  EXPECT_EQ(FormatIsoDate(*ParseIsoDate("2028-02-28") + 1), "2028-02-29");
}

TEST(IsoDateTest, RejectsAnythingButARealCalendarDay) {
  for (const char* bad : {"", "2026-2-01", "2026-02-30", "2026-13-01", "2026-00-10", "abcd-ef-gh",
                          "+026-01-01", "2026-01-01T09:00", "2026/01/01", "2026-01--1"}) {
    EXPECT_FALSE(ParseIsoDate(bad).has_value()) << bad;
  }
}

TEST(IsoDateTest, KnowsTheWeekday) {
  EXPECT_EQ(WeekdayOf(*ParseIsoDate("2026-11-01")), 0);  // a Sunday
  EXPECT_EQ(WeekdayOf(*ParseIsoDate("2026-10-31")), 6);  // a Saturday
  EXPECT_EQ(WeekdayOf(0), 4);                            // 1970-01-01, a Thursday
}

}  // namespace
}  // namespace keel
