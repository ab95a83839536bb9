// Helpers that make and finish trace spans (keel::Span) and turn span ids into
// the W3C `traceparent` header value that HTTP tools pass on.
//
// Pure functions over values: thread-safe. Nothing here blocks.
#ifndef KEEL_OBSERVE_SPAN_BUILDER_H_
#define KEEL_OBSERVE_SPAN_BUILDER_H_

#include <cstdint>
#include <string>

#include "store/records.h"

namespace keel {

// A new open span with a fresh random span id (16 hex chars). An empty
// `trace_id` starts a new trace (32 hex chars); an empty `parent_span_id`
// makes it a root span. `attrs` starts as an empty object and `end_us` as 0,
// which readers (the waterfall) take to mean "still open".
Span StartSpan(const std::string& trace_id, const std::string& parent_span_id,
               const std::string& run_id, std::string name, std::string kind, int64_t start_us);

// Closes `span` at `end_us` with `status` ("ok", "error", "parked"). An end
// before the start (the wall clock stepped back) is clamped to the start, so
// a duration is never negative.
void EndSpan(Span& span, int64_t end_us, std::string status);

// The W3C trace-context header value "00-<trace_id>-<span_id>-01" (sampled).
// Ids are lowercased. Returns "" when `trace_id` is not 32 hex chars or
// `span_id` not 16, or either is all zeros: the spec says such a header must
// be ignored, so callers send none rather than a broken one.
std::string Traceparent(const std::string& trace_id, const std::string& span_id);

}  // namespace keel

#endif  // KEEL_OBSERVE_SPAN_BUILDER_H_
