// The audit record of one tool call through the policy chain, the observer
// that receives it, and the span attribute names it is written under in the
// tool-call span (which `keel tools stats` reads back).
//
// Records are plain values (thread-compatible). An AuditObserver is called
// once per call, on whatever thread finished the call: it must be
// thread-safe and quick.
#ifndef KEEL_POLICY_AUDIT_H_
#define KEEL_POLICY_AUDIT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/json.h"

namespace keel::policy {

// Span attribute names (OpenTelemetry style) for a tool call's audit record.
namespace attr {
inline constexpr char kTool[] = "tool";  // the name the engine already writes
inline constexpr char kAgent[] = "keel.tool.agent";
inline constexpr char kOutcome[] = "keel.tool.outcome";  // ok | fallback | error
inline constexpr char kErrorType[] = "keel.tool.error_type";
inline constexpr char kLatencyUs[] = "keel.tool.latency_us";
inline constexpr char kAttempts[] = "keel.tool.attempts";
inline constexpr char kCacheHit[] = "keel.tool.cache_hit";
inline constexpr char kStale[] = "keel.tool.stale";
inline constexpr char kBreaker[] = "keel.tool.breaker";  // closed | open | half_open
inline constexpr char kFallbackTool[] = "keel.tool.fallback_tool";
inline constexpr char kAttemptErrors[] = "keel.tool.attempt_errors";  // [error types]
}  // namespace attr

// Outcome names.
inline constexpr char kOutcomeOk[] = "ok";              // the tool (or its cache) answered
inline constexpr char kOutcomeFallback[] = "fallback";  // a fallback tool or stale value
inline constexpr char kOutcomeError[] = "error";

struct ToolCallRecord {
  std::string tool;
  std::string agent;  // "" for a tool node
  std::string run_id;
  std::string node;
  std::string outcome = kOutcomeOk;
  std::string error_type;  // the final error's type; "" unless outcome is error
  std::string error_message;
  int64_t latency_us = 0;
  int attempts = 0;  // calls made to the tool itself (0 on a cache hit or refusal)
  bool cache_hit = false;
  bool stale = false;                       // answered by the last cached value past its TTL
  std::string breaker_state = "closed";     // as the last attempt saw it
  std::string fallback_tool;                // the fallback tool that answered, if any
  std::vector<std::string> attempt_errors;  // error type of each failed attempt
};

// Writes the record's attributes into a span's `attrs` object.
void WriteSpanAttributes(const ToolCallRecord& record, Json* attrs);
// Reads them back; fields absent from `attrs` keep their defaults.
ToolCallRecord ReadSpanAttributes(const Json& attrs);

class AuditObserver {
 public:
  virtual ~AuditObserver() = default;
  virtual void OnToolCall(const ToolCallRecord& record) = 0;
};

}  // namespace keel::policy

#endif  // KEEL_POLICY_AUDIT_H_
