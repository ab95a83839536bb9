// The policy chain's attempt stages: circuit breaker, hard timeout, retry
// budget, fallback chain and output validation.
#include <algorithm>
#include <atomic>
#include <random>

#include "policy/backoff.h"
#include "policy/internal/invoker_call.h"
#include "policy/policy_errors.h"
#include "policy/tool_invoker.h"

namespace keel::policy {
namespace {

double DefaultRandom01() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

// Failures that say the tool is unhealthy (they count for the breaker and
// may be answered by a fallback); anything else is a real answer, such as
// not_found.
bool Unhealthy(const Status& error) {
  const std::string type = error.type();
  return error.retryable() || type == "timeout" || type == "invalid_output" ||
         type == "circuit_open";
}

}  // namespace

void ToolInvoker::Attempt(const CallPtr& call) {
  const ToolDef& def = *call->def;
  CircuitBreaker::Admission admission = call->state->breaker.Admit(Now());
  call->record.breaker_state = BreakerStateName(admission.state);
  if (!admission.allowed) {
    Fail(call, CircuitOpen(def.name, admission.retry_after_us / 1e6));
    return;
  }
  call->probe = admission.probe;
  call->record.attempts = ++call->attempt;
  if (call->impl == nullptr && options_.tools) call->impl = options_.tools->Find(def.name);
  if (call->impl == nullptr) {
    OnAttempt(call, Unavailable("no implementation registered for tool '" + def.name + "'"));
    return;
  }
  // Whichever comes first, the answer or the timeout, settles the attempt;
  // the other is ignored.
  auto settled = std::make_shared<std::atomic<bool>>(false);
  const int64_t timeout_us = def.policies.timeout_ms * 1000;
  const int64_t started = Now();
  call->impl->Start(
      call->args, call->ctx, [this, call, settled, started, timeout_us](Result<Json> result) {
        if (settled->exchange(true)) return;  // late: already timed out
        if (timeout_us > 0 && Now() - started > timeout_us) {
          // Answered, but after the deadline (a slow inline built-in).
          const ToolDef& d = *call->def;
          result = Timeout(d.name, d.policies.timeout_ms, d.side_effects, d.idempotent);
        }
        OnAttempt(call, std::move(result));
      });
  if (timeout_us <= 0 || settled->load()) return;
  // Armed only for tools that answer later, so inline built-ins cost no timer.
  int64_t left = std::max<int64_t>(0, timeout_us - (Now() - started));
  After(left, [this, call, settled] {
    if (settled->exchange(true)) return;
    const ToolDef& d = *call->def;
    OnAttempt(call, Timeout(d.name, d.policies.timeout_ms, d.side_effects, d.idempotent));
  });
}

void ToolInvoker::OnAttempt(const CallPtr& call, Result<Json> result) {
  const ToolDef& def = *call->def;
  InvokerToolState& state = *call->state;
  if (result.ok() && def.output) {
    Status valid = def.output->Validate(*result);
    if (!valid.ok()) result = InvalidOutput(def.name, valid.message());
  }
  int64_t now = Now();
  if (!result.ok() && Unhealthy(result.error())) {
    state.breaker.OnFailure(call->probe, now);
  } else {
    state.breaker.OnSuccess(call->probe);
  }
  call->record.breaker_state = BreakerStateName(state.breaker.state(now));
  if (result.ok()) {
    if (state.cache) state.cache->Store(call->cache_key, *result, now);
    Finish(call, std::move(result));
    return;
  }
  Status error = result.error();
  call->record.attempt_errors.push_back(error.type());
  if (error.retryable() && call->attempt < def.policies.retry.max_attempts) {
    double r = options_.random01 ? options_.random01() : DefaultRandom01();
    int64_t delay = BackoffMicros(def.policies.retry, call->attempt, r, error.retry_after_s());
    After(delay, [this, call] { Attempt(call); });
    return;
  }
  Fail(call, std::move(error));
}

void ToolInvoker::Fail(const CallPtr& call, Status error) {
  const ToolDef& def = *call->def;
  // An unknown side-effect outcome must not be papered over by another tool.
  bool unknown_outcome = def.side_effects && error.type() == "timeout";
  if (call->nested || unknown_outcome || !Unhealthy(error) || def.policies.fallback.empty()) {
    Finish(call, std::move(error));
    return;
  }
  call->last_error = std::move(error);
  NextFallback(call);
}

void ToolInvoker::NextFallback(const CallPtr& call) {
  const ToolDef& def = *call->def;
  const FallbackPolicy& fallback = def.policies.fallback;
  while (call->next_fallback < fallback.tools.size()) {
    const std::string& name = fallback.tools[call->next_fallback++];
    const ToolDef* other = options_.find_def ? options_.find_def(name) : nullptr;
    if (other == nullptr || other == &def) continue;
    auto sub = std::make_shared<InvokerCall>();
    sub->def = other;
    sub->args = call->args;
    sub->ctx = call->ctx;
    sub->nested = true;
    sub->done = [this, call, name](Result<Json> result, const ToolCallRecord&) {
      const ToolDef& d = *call->def;
      if (result.ok() && d.output) {
        // The caller expects the primary tool's shape.
        Status valid = d.output->Validate(*result);
        if (!valid.ok()) result = InvalidOutput(name, valid.message());
      }
      if (!result.ok()) {
        NextFallback(call);
        return;
      }
      call->record.outcome = kOutcomeFallback;
      call->record.fallback_tool = name;
      Finish(call, std::move(result));
    };
    Begin(std::move(sub));
    return;
  }
  if (fallback.stale_cache_s > 0 && call->state->cache) {
    ResultCache::Hit hit =
        call->state->cache->Stale(call->cache_key, Now(), fallback.stale_cache_s * 1'000'000);
    if (hit.value) {
      call->record.outcome = kOutcomeFallback;
      call->record.stale = true;
      Finish(call, Json(*hit.value));
      return;
    }
  }
  Finish(call, call->last_error);
}

}  // namespace keel::policy
