// The policy chain's admission stages (allowlist, input validation, rate
// limit, cache) and its end (audit). The attempt stages are in
// tool_attempts.cc.
#include "policy/tool_invoker.h"

#include <algorithm>
#include <cassert>
#include <mutex>

#include "policy/internal/invoker_call.h"
#include "policy/policy_errors.h"

namespace keel::policy {

InvokerToolState::InvokerToolState(const ToolDef& def, int64_t now_us)
    : bucket(def.policies.rate_limit, now_us), breaker(def.policies.breaker) {
  const ToolPolicies& p = def.policies;
  // Side effects are never cached: a repeated call must reach the tool.
  if (!def.side_effects && (p.cache_ttl_s > 0 || p.fallback.stale_cache_s > 0)) {
    cache = std::make_unique<ResultCache>(p.cache_ttl_s * 1'000'000,
                                          p.fallback.stale_cache_s * 1'000'000);
  }
}

ToolInvoker::ToolInvoker(InvokerOptions options)
    : options_(std::move(options)),
      workspace_bucket_(options_.workspace_rate_limit, options_.clock->MonotonicMicros()) {}

ToolInvoker::~ToolInvoker() = default;

void ToolInvoker::Invoke(const ToolDef& def, Json args, const ToolCallContext& ctx,
                         ToolCallback done) {
  InvokeWithRecord(def, std::move(args), ctx,
                   [done = std::move(done)](Result<Json> result, const ToolCallRecord&) {
                     done(std::move(result));
                   });
}

void ToolInvoker::InvokeWithRecord(const ToolDef& def, Json args, const ToolCallContext& ctx,
                                   ToolResultCallback done) {
  auto call = std::make_shared<InvokerCall>();
  call->def = &def;
  call->args = std::move(args);
  call->ctx = ctx;
  call->done = std::move(done);
  Begin(std::move(call));
}

BreakerState ToolInvoker::breaker_state(const std::string& tool) const {
  std::shared_lock<std::shared_mutex> lock(states_mu_);
  auto it = states_.find(tool);
  return it == states_.end() ? BreakerState::kClosed : it->second->breaker.state(Now());
}

InvokerToolState* ToolInvoker::StateFor(const ToolDef& def) {
  {
    std::shared_lock<std::shared_mutex> lock(states_mu_);
    auto it = states_.find(def.name);
    if (it != states_.end()) return it->second.get();
  }
  std::unique_lock<std::shared_mutex> lock(states_mu_);
  auto& slot = states_[def.name];
  if (!slot) slot = std::make_unique<InvokerToolState>(def, Now());
  return slot.get();
}

bool ToolInvoker::Allowed(const ToolDef& def, const std::string& agent) const {
  if (agent.empty()) return true;  // a tool node: the workflow's author chose the tool
  const std::vector<std::string>& agents = def.policies.agents;
  if (def.policies.restrict_agents &&
      std::find(agents.begin(), agents.end(), agent) == agents.end()) {
    return false;
  }
  return !options_.agent_allows || options_.agent_allows(agent, def.name);
}

Status ToolInvoker::TakeTokens(InvokerCall& call, int64_t* wait_us) {
  int64_t now = Now();
  TokenBucket::Grant tool = call.state->bucket.Acquire(now);
  if (!tool.granted) return RateLimited(call.def->name, "the tool's", tool.wait_us / 1e6);
  TokenBucket::Grant workspace = workspace_bucket_.Acquire(now);
  if (!workspace.granted) {
    call.state->bucket.Refund();
    return RateLimited(call.def->name, "the workspace's", workspace.wait_us / 1e6);
  }
  *wait_us = std::max(tool.wait_us, workspace.wait_us);
  return Status::Ok();
}

void ToolInvoker::Begin(CallPtr call) {
  const ToolDef& def = *call->def;
  ToolCallRecord& record = call->record;
  record.tool = def.name;
  record.agent = call->ctx.agent;
  record.run_id = call->ctx.run_id;
  record.node = call->ctx.node;
  call->start_us = Now();
  if (!call->nested && !Allowed(def, call->ctx.agent)) {
    Finish(call, NotAllowed(def.name, call->ctx.agent));
    return;
  }
  if (def.input) {
    Status valid = def.input->Validate(call->args);
    if (!valid.ok()) {
      Finish(call, InvalidArguments(def.name, valid.message()));
      return;
    }
  }
  call->state = StateFor(def);
  int64_t wait_us = 0;
  Status taken = TakeTokens(*call, &wait_us);
  if (!taken.ok()) {
    Finish(call, std::move(taken));
    return;
  }
  if (wait_us > 0) {
    After(wait_us, [this, call] { AfterRateLimit(call); });
    return;
  }
  AfterRateLimit(call);
}

void ToolInvoker::AfterRateLimit(const CallPtr& call) {
  if (call->state->cache) {
    call->cache_key = CacheKey(call->args);
    if (call->def->policies.cache_ttl_s > 0) {
      ResultCache::Hit hit = call->state->cache->Fresh(call->cache_key, Now());
      if (hit.value) {
        call->record.cache_hit = true;
        call->record.breaker_state = BreakerStateName(call->state->breaker.state(Now()));
        Finish(call, Json(*hit.value));
        return;
      }
    }
  }
  Attempt(call);
}

void ToolInvoker::Finish(const CallPtr& call_ref, Result<Json> result) {
  CallPtr call = call_ref;  // the record must outlive `done`, whoever owns call_ref
  ToolCallRecord& record = call->record;
  record.latency_us = Now() - call->start_us;
  if (!result.ok()) {
    record.outcome = kOutcomeError;
    record.error_type = result.error().type();
    record.error_message = result.error().message();
  }
  if (options_.observer) options_.observer->OnToolCall(record);
  // Moved out first: `done` may drop the last reference to the call.
  ToolResultCallback done = std::move(call->done);
  done(std::move(result), record);
}

void ToolInvoker::Post(std::function<void()> fn) {
  if (options_.post) {
    options_.post(std::move(fn));
  } else {
    fn();
  }
}

void ToolInvoker::After(int64_t delay_us, std::function<void()> fn) {
  // A wait, an asynchronous tool or a retry without a timer service is a
  // wiring bug at the composition root, never a result of input.
  assert(options_.timers != nullptr);
  // Timer callbacks must be quick, so the continuation goes through `post`.
  options_.timers->After(delay_us, [this, fn = std::move(fn)]() mutable { Post(std::move(fn)); });
}

}  // namespace keel::policy
