// Text cells for terminal tables: display width of UTF-8 text, fitting it to
// a column, and the compact number formats the waterfall shows. Private to
// src/observe. Pure functions: thread-safe.
//
// Width is counted in code points. That is exact for the ASCII, box-drawing
// and block characters keel draws; a wide (CJK) character in a span name
// counts as one column and may push that line one column over.
#ifndef KEEL_OBSERVE_INTERNAL_TEXT_CELLS_H_
#define KEEL_OBSERVE_INTERNAL_TEXT_CELLS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace keel::observe_internal {

// Columns `text` takes on a terminal (its code points).
int DisplayWidth(std::string_view text);

// `text` with control bytes (newlines, ESC, ...) replaced by '?', so a name
// taken from a workflow or tool can neither break a line nor inject ANSI.
std::string Sanitized(std::string_view text);

// `text` cut to at most `cols` columns, ending in "…" when cut.
std::string Truncated(std::string_view text, int cols);

// `text` cut or padded with spaces to exactly `cols` columns, left/right aligned.
std::string FitLeft(std::string_view text, int cols);
std::string FitRight(std::string_view text, int cols);

// "850µs" below 1 ms, "12.3ms" below a minute, then "12m 03s", "2h 05m".
std::string FormatDuration(int64_t micros);
// "1534 tok", "12.3k tok", "4.2M tok".
std::string FormatTokens(int64_t tokens);
// "$0.0123" below a dollar, "$12.34" above.
std::string FormatCost(double usd);

}  // namespace keel::observe_internal

#endif  // KEEL_OBSERVE_INTERNAL_TEXT_CELLS_H_
