// ToolInvoker: the tool policy chain. Every tool call passes through the
// same named policies, in this fixed order:
//
//   1. allowlist         ctx.agent may use the tool (the tool's `agents` and
//                        the agent's own tool list); tool nodes (agent "")
//                        pass. Checked against definitions only: nothing a
//                        tool or model returns can widen it.
//   2. input validation  the arguments against the tool's input schema
//   3. rate limit        one token from the tool's bucket and one from the
//                        workspace's (waits on a timer up to max_wait_ms,
//                        else fails fast: rate_limited + retry_after_s)
//   4. cache             a fresh answer for the same canonical arguments
//                        (never for side-effecting tools)
//   5. circuit breaker   per tool; open -> circuit_open without a call
//   6. hard timeout      per attempt; the late answer is ignored; for a
//                        side-effecting tool the error says "outcome unknown"
//   7. retry budget      retryable errors only, backoff with full jitter;
//                        each retry passes the breaker (5) again
//   8. fallback chain    other tools, then the last cached value (stale),
//                        when the tool is unavailable (not for domain errors
//                        such as not_found, nor an unknown side-effect outcome)
//   9. output validation every answer a tool gives, before it is cached,
//                        counted as a success or returned
//  10. audit             one ToolCallRecord per call, to the observer and to
//                        the caller (for the call's span)
//
// State (buckets, breakers, caches) is per tool name and shared by every run
// using this invoker; it is created from the first ToolDef seen for a name.
//
// Thread-safe: Invoke may be called from any thread at once. `done` runs
// exactly once, on the calling thread (when everything answered inline), on a
// tool's thread, or on a timer (through InvokerOptions::post). Never blocks
// beyond what a built-in tool's Start does. The invoker, the ToolDefs, the
// registry and the observer must outlive every call in flight.
#ifndef KEEL_POLICY_TOOL_INVOKER_H_
#define KEEL_POLICY_TOOL_INVOKER_H_

#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "core/timer_service.h"
#include "policy/audit.h"
#include "policy/circuit_breaker.h"
#include "policy/token_bucket.h"
#include "tools/tool.h"

namespace keel::policy {

struct InvokerOptions {
  const ToolRegistry* tools = nullptr;  // implementations; required
  Clock* clock = Clock::Real();
  // Rate-limit waits, timeouts of tools that answer later, retry backoff.
  // Required unless every tool answers inline and none waits or retries.
  TimerService* timers = nullptr;
  // Runs a continuation that may block (a built-in's Call on retry) off the
  // timer thread; the engine passes its pool. Default: inline.
  std::function<void(std::function<void()>)> post;
  AuditObserver* observer = nullptr;  // may be null
  // Definitions of fallback tools by name; null = no fallback tools.
  std::function<const ToolDef*(const std::string&)> find_def;
  // The calling agent's own allowlist (AgentDef::tools); null = not checked.
  std::function<bool(const std::string& agent, const std::string& tool)> agent_allows;
  RateLimit workspace_rate_limit;  // every tool's calls together
  // Jitter source, uniform in [0, 1); default: a per-thread generator.
  std::function<double()> random01;
};

// The answer and its audit record.
using ToolResultCallback = std::function<void(Result<Json>, const ToolCallRecord&)>;

struct InvokerCall;
struct InvokerToolState;

class ToolInvoker {
 public:
  explicit ToolInvoker(InvokerOptions options);
  ~ToolInvoker();
  ToolInvoker(const ToolInvoker&) = delete;
  ToolInvoker& operator=(const ToolInvoker&) = delete;

  // Calls `def`'s tool through the chain. Errors are Status values whose
  // type() names them (policy/policy_errors.h), or the tool's own.
  void Invoke(const ToolDef& def, Json args, const ToolCallContext& ctx, ToolCallback done);
  // The same, also handing back the call's audit record.
  void InvokeWithRecord(const ToolDef& def, Json args, const ToolCallContext& ctx,
                        ToolResultCallback done);

  // The breaker's state for a tool ("closed" before its first call).
  BreakerState breaker_state(const std::string& tool) const;

 private:
  using CallPtr = std::shared_ptr<InvokerCall>;
  // Stages 1-4 (tool_invoker.cc).
  void Begin(CallPtr call);
  bool Allowed(const ToolDef& def, const std::string& agent) const;
  Status TakeTokens(InvokerCall& call, int64_t* wait_us);
  void AfterRateLimit(const CallPtr& call);
  void Finish(const CallPtr& call, Result<Json> result);
  InvokerToolState* StateFor(const ToolDef& def);
  // Stages 5-9 (tool_attempts.cc).
  void Attempt(const CallPtr& call);
  void OnAttempt(const CallPtr& call, Result<Json> result);
  void Fail(const CallPtr& call, Status error);
  void NextFallback(const CallPtr& call);
  void Post(std::function<void()> fn);
  void After(int64_t delay_us, std::function<void()> fn);
  int64_t Now() const { return options_.clock->MonotonicMicros(); }

  InvokerOptions options_;
  TokenBucket workspace_bucket_;
  mutable std::shared_mutex states_mu_;
  std::unordered_map<std::string, std::unique_ptr<InvokerToolState>> states_;
};

}  // namespace keel::policy

#endif  // KEEL_POLICY_TOOL_INVOKER_H_
