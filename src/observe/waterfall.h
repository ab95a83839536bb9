// The terminal waterfall of one run's trace, as `keel trace RUN_ID` prints it:
// a header line with totals, then one line per span in tree order, indented
// by depth, with duration, status, tokens, cost and a bar on a shared time
// axis. Approval waits (parked spans) are compressed on that axis, with a
// break marker, so hours of waiting do not flatten minutes of work.
//
// A pure function over values: thread-safe, never blocks, never fails.
#ifndef KEEL_OBSERVE_WATERFALL_H_
#define KEEL_OBSERVE_WATERFALL_H_

#include <string>
#include <vector>

#include "store/records.h"

namespace keel {

struct WaterfallOptions {
  // Columns per line, bar included. Every line fits; values under
  // kMinWaterfallWidth are raised to it.
  int width = 100;
  // ANSI colours by kind and status. The caller turns this off when stdout
  // is not a TTY.
  bool color = false;
};

inline constexpr int kMinWaterfallWidth = 60;

// Renders `spans` (any order) as lines ending in '\n'.
//
// Tree: a span hangs under its parent_span_id; spans whose parent is missing
// (orphans) and extra parentless spans hang under the root (the earliest
// parentless span); siblings are ordered by start time. A span whose end_us
// is before its start_us is still open and drawn up to the trace's end.
//
// Tokens are attrs "tokens_in" + "tokens_out", cost is attrs "cost_usd". A
// span counts towards the header totals only when none of its descendants
// carries the same figure, so a parent that repeats its children's sum is
// not counted twice.
//
// A span is parked when its status is "parked" or attrs "parked" is true.
// Each stretch of parked time longer than a tenth of the active time is
// drawn that long, marked with "≈", and the header says how much was cut.
std::string RenderWaterfall(const std::vector<Span>& spans, const WaterfallOptions& options);

}  // namespace keel

#endif  // KEEL_OBSERVE_WATERFALL_H_
