// ISO-8601 calendar dates ("YYYY-MM-DD") as day numbers, for the demo CRM's
// dates (renewals, usage days, follow-ups). Pure functions; thread-safe.
#ifndef KEEL_CRM_ISO_DATE_H_
#define KEEL_CRM_ISO_DATE_H_

#include <optional>
#include <string>
#include <string_view>

namespace keel {

// Days since 1970-01-01 of an ISO date; nullopt unless `text` is exactly
// "YYYY-MM-DD" naming a real calendar day (so "2026-02-30" is rejected).
std::optional<int> ParseIsoDate(std::string_view text);

// The ISO date of a day number (days since 1970-01-01).
std::string FormatIsoDate(int day);

// 0 = Sunday .. 6 = Saturday.
int WeekdayOf(int day);

}  // namespace keel

#endif  // KEEL_CRM_ISO_DATE_H_
