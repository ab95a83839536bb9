#include "project/internal/policies_reader.h"

namespace keel::project_internal {
namespace {

void ReadRateLimit(const FieldReader& parent, const Field& field, RateLimit* limit) {
  FieldReader r(parent.file(), field.value, "'" + field.name + "'",
                {"per_s", "burst", "max_wait_ms"}, parent.diags());
  if (!r.is_map()) return;
  r.Number("per_s", 0, &limit->per_s);
  r.Number("burst", 1, &limit->burst);
  r.Int("max_wait_ms", 0, &limit->max_wait_ms);
}

void ReadBreaker(const FieldReader& parent, const Field& field, BreakerPolicy* breaker) {
  FieldReader r(parent.file(), field.value, "'breaker'", {"failures", "cooldown_ms"},
                parent.diags());
  if (!r.is_map()) return;
  int64_t failures = 0;
  if (r.Int("failures", 0, &failures)) breaker->failures = static_cast<int>(failures);
  r.Int("cooldown_ms", 1, &breaker->cooldown_ms);
}

void ReadRetry(const FieldReader& parent, const Field& field, RetryPolicy* retry) {
  FieldReader r(parent.file(), field.value, "'retry'",
                {"max_attempts", "initial_backoff_ms", "max_backoff_ms"}, parent.diags());
  if (!r.is_map()) return;
  int64_t attempts = 0;
  if (r.Int("max_attempts", 1, &attempts)) retry->max_attempts = static_cast<int>(attempts);
  r.Int("initial_backoff_ms", 0, &retry->initial_backoff_ms);
  r.Int("max_backoff_ms", 0, &retry->max_backoff_ms);
  if (retry->max_backoff_ms < retry->initial_backoff_ms) {
    const Field* where = r.Find("max_backoff_ms");
    if (where == nullptr) where = r.Find("initial_backoff_ms");
    if (where == nullptr) where = &field;
    parent.Error(*where, "'max_backoff_ms' must be >= 'initial_backoff_ms'");
  }
}

void ReadFallback(const FieldReader& parent, const Field& field, FallbackPolicy* fallback) {
  FieldReader r(parent.file(), field.value, "'fallback'", {"tools", "stale_cache_s"},
                parent.diags());
  if (!r.is_map()) return;
  r.StringList("tools", &fallback->tools);
  r.Int("stale_cache_s", 0, &fallback->stale_cache_s);
}

// The fields a tool and the project defaults share.
void ReadCommon(const FieldReader& r, ToolPolicies* p) {
  if (const Field* f = r.Find("rate_limit")) ReadRateLimit(r, *f, &p->rate_limit);
  r.Int("cache_ttl_s", 0, &p->cache_ttl_s);
  if (const Field* f = r.Find("breaker")) ReadBreaker(r, *f, &p->breaker);
  // At least 1 ms: a tool without a deadline could hold a run forever.
  r.Int("timeout_ms", 1, &p->timeout_ms);
  if (const Field* f = r.Find("retry")) ReadRetry(r, *f, &p->retry);
}

}  // namespace

void ReadToolPolicies(const FieldReader& tool, const Field& field, ToolPolicies* policies) {
  FieldReader r(
      tool.file(), field.value, "'policies'",
      {"agents", "rate_limit", "cache_ttl_s", "breaker", "timeout_ms", "retry", "fallback"},
      tool.diags());
  if (!r.is_map()) return;
  if (r.StringList("agents", &policies->agents)) policies->restrict_agents = true;
  ReadCommon(r, policies);
  if (const Field* f = r.Find("fallback")) ReadFallback(r, *f, &policies->fallback);
}

void ReadToolPolicyDefaults(const FieldReader& defaults, const Field& field, ToolPolicies* policies,
                            RateLimit* workspace) {
  FieldReader r(
      defaults.file(), field.value, "'tool_policies'",
      {"rate_limit", "cache_ttl_s", "breaker", "timeout_ms", "retry", "workspace_rate_limit"},
      defaults.diags());
  if (!r.is_map()) return;
  ReadCommon(r, policies);
  if (const Field* f = r.Find("workspace_rate_limit")) ReadRateLimit(r, *f, workspace);
}

}  // namespace keel::project_internal
