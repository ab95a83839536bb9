// The span tree behind the waterfall: spans in display order with their
// depth, and the figures (tokens, cost, parked) read from span attributes.
// Private to src/observe. Pure functions: thread-safe.
#ifndef KEEL_OBSERVE_INTERNAL_SPAN_TREE_H_
#define KEEL_OBSERVE_INTERNAL_SPAN_TREE_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "store/records.h"

namespace keel::observe_internal {

struct TreeRow {
  const Span* span = nullptr;  // points into the vector given to TreeOrder
  int depth = 0;
  int parent = -1;  // index of the parent's row; -1 for a top-level row
};

// Every span once, depth first, siblings by start time. See RenderWaterfall
// for where orphans go. Parent cycles are broken: a span in one hangs under
// the root. The result points into `spans`, which must outlive it.
std::vector<TreeRow> TreeOrder(const std::vector<Span>& spans);

// attrs "tokens_in" + "tokens_out"; nullopt when neither is a number.
std::optional<int64_t> SpanTokens(const Span& span);
// attrs "cost_usd"; nullopt when it is not a number.
std::optional<double> SpanCost(const Span& span);
// Status "parked" or attrs "parked" == true.
bool IsParked(const Span& span);

struct TraceTotals {
  std::optional<int64_t> tokens;  // nullopt when no span has any
  std::optional<double> cost;
};
// Sums over `rows` (from TreeOrder), counting a span's own figure only when
// no descendant has one, so parents that repeat their children's sums are
// not counted twice.
TraceTotals Totals(const std::vector<TreeRow>& rows);

}  // namespace keel::observe_internal

#endif  // KEEL_OBSERVE_INTERNAL_SPAN_TREE_H_
