// The per-tool shared state and the per-call state of the ToolInvoker.
// Internal to src/policy. A ToolState is thread-safe (each part locks
// itself); an InvokerCall is owned by one call and touched by one thread at
// a time (each stage hands it on to the next).
#ifndef KEEL_POLICY_INTERNAL_INVOKER_CALL_H_
#define KEEL_POLICY_INTERNAL_INVOKER_CALL_H_

#include <memory>
#include <optional>
#include <string>

#include "policy/audit.h"
#include "policy/circuit_breaker.h"
#include "policy/result_cache.h"
#include "policy/token_bucket.h"
#include "policy/tool_invoker.h"

namespace keel::policy {

struct InvokerToolState {
  InvokerToolState(const ToolDef& def, int64_t now_us);
  TokenBucket bucket;
  CircuitBreaker breaker;
  std::unique_ptr<ResultCache> cache;  // null: no TTL and no stale fallback, or side effects
};

struct InvokerCall {
  const ToolDef* def = nullptr;
  Json args;
  ToolCallContext ctx;
  ToolResultCallback done;
  bool nested = false;  // a fallback's call: no allowlist (the definition chose it), no fallback
  InvokerToolState* state = nullptr;
  Tool* impl = nullptr;
  std::string cache_key;
  int64_t start_us = 0;
  int attempt = 0;
  bool probe = false;
  size_t next_fallback = 0;
  Status last_error;
  ToolCallRecord record;
};

}  // namespace keel::policy

#endif  // KEEL_POLICY_INTERNAL_INVOKER_CALL_H_
