#include "observe/span_builder.h"

#include <utility>

#include "core/ids.h"

namespace keel {
namespace {

// Lowercase copy of `id` when it is `length` hex chars and not all zeros
// (W3C trace-context rules for trace-id and parent-id); "" otherwise.
std::string NormalizedHexId(const std::string& id, size_t length) {
  if (id.size() != length) return "";
  std::string out(id);
  bool all_zero = true;
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (!hex) return "";
    all_zero = all_zero && c == '0';
  }
  return all_zero ? "" : out;
}

}  // namespace

Span StartSpan(const std::string& trace_id, const std::string& parent_span_id,
               const std::string& run_id, std::string name, std::string kind, int64_t start_us) {
  Span span;
  span.trace_id = trace_id.empty() ? TraceHex(16) : trace_id;
  span.span_id = TraceHex(8);
  span.parent_span_id = parent_span_id;
  span.run_id = run_id;
  span.name = std::move(name);
  span.kind = std::move(kind);
  span.start_us = start_us;
  span.attrs = Json::object();
  return span;
}

void EndSpan(Span& span, int64_t end_us, std::string status) {
  span.end_us = end_us < span.start_us ? span.start_us : end_us;
  span.status = std::move(status);
}

std::string Traceparent(const std::string& trace_id, const std::string& span_id) {
  std::string trace = NormalizedHexId(trace_id, 32);
  std::string span = NormalizedHexId(span_id, 16);
  if (trace.empty() || span.empty()) return "";
  return "00-" + trace + "-" + span + "-01";
}

}  // namespace keel
