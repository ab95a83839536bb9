// Tool steps: argument validation, the side-effect protocol (NodeStarted
// before the call, idempotency key, in-doubt escalation), retries with
// backoff for retryable errors, output validation.
#include <random>

#include "engine/engine.h"
#include "engine/event_loop.h"
#include "engine/run_executor.h"
#include "engine/run_internal.h"
#include "engine/thread_pool.h"

namespace keel {
namespace {

std::string IdempotencyKey(const Run& run, const StepKey& key) {
  return run.record.run_id + "/" + key.node + "/" + (key.key.empty() ? "0" : key.key);
}

int64_t Backoff(int64_t base_us, int attempt) {
  // Exponential with full jitter, so retries from many runs do not align.
  thread_local std::mt19937_64 rng{std::random_device{}()};
  int64_t cap = base_us << std::min(attempt, 10);
  return cap / 2 + static_cast<int64_t>(rng() % static_cast<uint64_t>(cap / 2 + 1));
}

}  // namespace

void RunExecutor::LaunchTool(const RunPtr& run, std::shared_ptr<Step> step) {
  const ToolDef& def = *step->tool;
  if (def.input) {
    Status valid = def.input->Validate(step->input);
    if (!valid.ok()) {
      FailRun(run, step->key.node,
              InvalidArgument("arguments for tool '" + def.name + "': " + valid.message()));
      return;
    }
  }
  if (!def.side_effects) {
    CallTool(run, step, 1);
    return;
  }
  std::string idem = IdempotencyKey(*run, step->key);
  if (run->started.count(step->key)) {
    // Started before a crash, never recorded as finished: the outcome is unknown.
    if (!def.idempotent) {
      EscalateRun(run, step->key.node,
                  "outcome unknown: non-idempotent tool '" + def.name +
                      "' may have run before the worker stopped",
                  {{"tool", def.name}, {"idempotency_key", idem}, {"arguments", step->input}});
      return;
    }
    CallTool(run, step, 1);  // same idempotency key: the tool dedupes
    return;
  }
  WriteBatch batch;
  batch.events.push_back(Event{{}, 0, 0, EventType::kNodeStarted, step->key.node, step->key.key,
                               {{"idempotency_key", idem}, {"tool", def.name}}});
  Commit(run, std::move(batch), [this, run, step] {
    run->started.insert(step->key);
    CallTool(run, step, 1);
  });
}

void RunExecutor::CallTool(const RunPtr& run, std::shared_ptr<Step> step, int attempt) {
  ToolCallContext ctx;
  ctx.run_id = run->record.run_id;
  ctx.node = step->key.node;
  ctx.trace_id = run->record.trace_id;
  ctx.span_id = step->call_span.span_id;
  if (step->tool->side_effects) ctx.idempotency_key = IdempotencyKey(*run, step->key);
  Tool* impl = engine_->tools_->Find(step->tool->name);
  ThreadPool* pool = engine_->pool_.get();
  // Built-in tools may block briefly on local I/O, so they start on the pool,
  // off the run's strand; connectors return at once and answer later. The
  // result always comes back through the strand.
  pool->Post([this, run, step, attempt, ctx, impl, pool] {
    auto finish = [this, run, step, attempt, pool](Result<Json> result) {
      run->Post(pool, [this, run, step, attempt, result = std::move(result)]() mutable {
        OnToolResult(run, step, attempt, std::move(result));
      });
    };
    if (!impl) {
      finish(Unavailable("no implementation registered for tool '" + step->tool->name + "'"));
      return;
    }
    impl->Start(step->input, ctx, std::move(finish));
  });
}

void RunExecutor::OnToolResult(const RunPtr& run, std::shared_ptr<Step> step, int attempt,
                               Result<Json> result) {
  if (run->stopped) return;
  if (!result.ok()) {
    const Status& err = result.error();
    step->call_span.attrs["attempts"] = attempt;
    if (err.retryable() && attempt < engine_->options_.tool_attempts) {
      int64_t delay = err.retry_after_s() ? int64_t(*err.retry_after_s() * 1e6)
                                          : Backoff(engine_->options_.tool_backoff_us, attempt);
      engine_->loop_->After(delay, [this, run, step, attempt] {
        run->Post(engine_->pool_.get(), [this, run, step, attempt] {
          if (!run->stopped) CallTool(run, step, attempt + 1);
        });
      });
      return;
    }
    FailRun(run, step->key.node,
            Status(err.code(), "tool '" + step->tool->name + "': " + err.message(),
                   err.type(), err.retryable()));
    return;
  }
  if (step->tool->output) {
    Status valid = step->tool->output->Validate(*result);
    if (!valid.ok()) {
      FailRun(run, step->key.node,
              InvalidArgument("output of tool '" + step->tool->name + "': " +
                              valid.message()));
      return;
    }
  }
  step->call_span.attrs["attempts"] = attempt;
  CompleteStep(run, step, std::move(result).value());
}

}  // namespace keel
