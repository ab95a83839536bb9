#include "policy/audit.h"

namespace keel::policy {

void WriteSpanAttributes(const ToolCallRecord& record, Json* attrs) {
  Json& a = *attrs;
  a[attr::kTool] = record.tool;
  if (!record.agent.empty()) a[attr::kAgent] = record.agent;
  a[attr::kOutcome] = record.outcome;
  if (!record.error_type.empty()) a[attr::kErrorType] = record.error_type;
  a[attr::kLatencyUs] = record.latency_us;
  a[attr::kAttempts] = record.attempts;
  a[attr::kCacheHit] = record.cache_hit;
  a[attr::kStale] = record.stale;
  a[attr::kBreaker] = record.breaker_state;
  if (!record.fallback_tool.empty()) a[attr::kFallbackTool] = record.fallback_tool;
  if (!record.attempt_errors.empty()) a[attr::kAttemptErrors] = record.attempt_errors;
}

ToolCallRecord ReadSpanAttributes(const Json& attrs) {
  ToolCallRecord r;
  if (!attrs.is_object()) return r;
  auto str = [&](const char* key, std::string* out) {
    auto it = attrs.find(key);
    if (it != attrs.end() && it->is_string()) *out = it->get<std::string>();
  };
  str(attr::kTool, &r.tool);
  str(attr::kAgent, &r.agent);
  str(attr::kOutcome, &r.outcome);
  str(attr::kErrorType, &r.error_type);
  str(attr::kBreaker, &r.breaker_state);
  str(attr::kFallbackTool, &r.fallback_tool);
  // Spans come from the store: a value of the wrong type is skipped, not thrown.
  auto num = [&](const char* key) -> int64_t {
    auto it = attrs.find(key);
    return it != attrs.end() && it->is_number() ? it->get<int64_t>() : 0;
  };
  auto flag = [&](const char* key) {
    auto it = attrs.find(key);
    return it != attrs.end() && it->is_boolean() && it->get<bool>();
  };
  r.latency_us = num(attr::kLatencyUs);
  r.attempts = static_cast<int>(num(attr::kAttempts));
  r.cache_hit = flag(attr::kCacheHit);
  r.stale = flag(attr::kStale);
  auto errors = attrs.find(attr::kAttemptErrors);
  if (errors != attrs.end() && errors->is_array()) {
    for (const Json& e : *errors) {
      if (e.is_string()) r.attempt_errors.push_back(e.get<std::string>());
    }
  }
  return r;
}

}  // namespace keel::policy
