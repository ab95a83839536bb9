// ToolPolicies: the validated, immutable settings of the tool policy chain
// for one tool (src/policy/ enforces them), read from the `policies:` block of
// tools/*.yaml over the project defaults in keel.yaml (`defaults:
// tool_policies:`). Plain data; thread-compatible, shared read-only by every
// run once loaded.
#ifndef KEEL_TOOLS_TOOL_POLICIES_H_
#define KEEL_TOOLS_TOOL_POLICIES_H_

#include <cstdint>
#include <string>
#include <vector>

namespace keel {

// A token bucket: `per_s` tokens a second, holding at most `burst`.
// An empty bucket fails the call fast with rate_limited and retry_after_s,
// unless the next token is due within `max_wait_ms`: then the call waits on
// a timer (never a thread) for it.
struct RateLimit {
  double per_s = 0;  // 0 = unlimited
  double burst = 1;
  int64_t max_wait_ms = 0;
  bool enabled() const { return per_s > 0; }
};

// Consecutive failures (retryable errors, timeouts, invalid output) open the
// breaker; after `cooldown_ms` one probe call is let through (half-open).
struct BreakerPolicy {
  int failures = 5;  // 0 = no breaker
  int64_t cooldown_ms = 30'000;
};

// Exponential backoff with full jitter: attempt n waits a uniform random time
// in [0, min(max_backoff_ms, initial_backoff_ms * 2^(n-1))], or what the tool
// asked for with retry_after_s when that is longer. Retryable errors only.
struct RetryPolicy {
  int max_attempts = 3;  // 1 = no retry
  int64_t initial_backoff_ms = 200;
  int64_t max_backoff_ms = 10'000;
};

// What answers when the tool cannot: other tools in order (each through its
// own chain), then the last cached value, marked stale, when it is at most
// `stale_cache_s` old (0 = never).
struct FallbackPolicy {
  std::vector<std::string> tools;
  int64_t stale_cache_s = 0;
  bool empty() const { return tools.empty() && stale_cache_s == 0; }
};

struct ToolPolicies {
  // When `restrict_agents`, only the listed agents may call the tool (an
  // empty list: no agent at all); otherwise every agent may. Tool nodes (no
  // agent) are written by the workflow's author and always pass.
  bool restrict_agents = false;
  std::vector<std::string> agents;
  RateLimit rate_limit;
  // Seconds a successful answer is reused for the same arguments; 0 = no
  // cache. Never applied to side-effecting tools (the loader rejects it).
  int64_t cache_ttl_s = 0;
  BreakerPolicy breaker;
  // Hard limit on one attempt; the late answer is ignored.
  int64_t timeout_ms = 30'000;
  RetryPolicy retry;
  FallbackPolicy fallback;
};

}  // namespace keel

#endif  // KEEL_TOOLS_TOOL_POLICIES_H_
