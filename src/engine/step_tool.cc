// Tool steps: the side-effect protocol (NodeStarted before the call,
// idempotency key, in-doubt escalation) around the policy chain, which
// validates, rate-limits, caches, retries and falls back (src/policy).
#include "engine/engine.h"
#include "engine/run_executor.h"
#include "engine/run_internal.h"
#include "engine/thread_pool.h"
#include "policy/tool_invoker.h"

namespace keel {
namespace {

std::string IdempotencyKey(const Run& run, const StepKey& key) {
  return run.record.run_id + "/" + key.node + "/" + (key.key.empty() ? "0" : key.key);
}

}  // namespace

void RunExecutor::LaunchTool(const RunPtr& run, std::shared_ptr<Step> step) {
  const ToolDef& def = *step->tool;
  if (!def.side_effects) {
    CallTool(run, step);
    return;
  }
  if (def.input) {
    // Checked here as well as in the chain: arguments that can never be
    // valid must fail before NodeStarted puts a side effect in doubt.
    Status valid = def.input->Validate(step->input);
    if (!valid.ok()) {
      step->call_span.attrs["error"] = valid.message();
      QueueFailedStepSpans(*run, *step);
      FailRun(run, step->key.node,
              Status(StatusCode::kInvalidArgument,
                     "arguments for tool '" + def.name + "': " + valid.message(),
                     "invalid_arguments"));
      return;
    }
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
    CallTool(run, step);  // same idempotency key: the tool dedupes
    return;
  }
  WriteBatch batch;
  batch.events.push_back(Event{{}, 0, 0, EventType::kNodeStarted, step->key.node, step->key.key,
                               {{"idempotency_key", idem}, {"tool", def.name}}});
  Commit(run, std::move(batch), [this, run, step] {
    run->started.insert(step->key);
    CallTool(run, step);
  });
}

void RunExecutor::CallTool(const RunPtr& run, std::shared_ptr<Step> step) {
  ToolCallContext ctx;
  ctx.run_id = run->record.run_id;
  ctx.node = step->key.node;
  ctx.agent = step->agent ? step->agent->name : "";
  ctx.trace_id = run->record.trace_id;
  ctx.span_id = step->call_span.span_id;
  if (step->tool->side_effects) ctx.idempotency_key = IdempotencyKey(*run, step->key);
  ThreadPool* pool = engine_->pool_.get();
  // Every call goes through the policy chain (src/policy). Built-in tools may
  // block briefly on local I/O, so the chain starts on the pool, off the
  // run's strand, due when the run's own work is; the answer always comes
  // back through the strand.
  pool->PostBy(
      [this, run, step, ctx = std::move(ctx), pool] {
        engine_->invoker_->InvokeWithRecord(
            *step->tool, step->input, ctx,
            [this, run, step, pool](Result<Json> result, const policy::ToolCallRecord& record) {
              run->Post(pool, [this, run, step, result = std::move(result), record]() mutable {
                OnToolResult(run, step, std::move(result), record);
              });
            });
      },
      run->due_us.load(std::memory_order_relaxed));
}

void RunExecutor::OnToolResult(const RunPtr& run, std::shared_ptr<Step> step, Result<Json> result,
                               const policy::ToolCallRecord& record) {
  if (run->stopped) return;
  policy::WriteSpanAttributes(record, &step->call_span.attrs);
  if (result.ok() && !step->batch_items.empty()) {
    CompleteBatch(run, step, std::move(result).value());
    return;
  }
  if (result.ok()) {
    Json output = std::move(result).value();
    if (step->agent_call) output = {{"ok", true}, {"result", std::move(output)}};
    CompleteStep(run, step, std::move(output));
    return;
  }
  const Status& err = result.error();
  const ToolDef& def = *step->tool;
  step->call_span.attrs["error"] = err.message();
  bool in_doubt = err.type() == "timeout" && def.side_effects && !def.idempotent;
  if (step->agent_call && !in_doubt) {
    // The agent's model hears of the failure and decides what to do next.
    step->failed = true;
    CompleteStep(run, step, {{"ok", false}, {"error", ToolErrorJson(err)}});
    return;
  }
  QueueFailedStepSpans(*run, *step);
  if (in_doubt) {
    // The call may have happened: repeating it could do it twice.
    EscalateRun(run, step->key.node, err.message(),
                {{"tool", def.name},
                 {"idempotency_key", IdempotencyKey(*run, step->key)},
                 {"arguments", step->input}});
    return;
  }
  FailRun(run, step->key.node,
          Status(err.code(), "tool '" + def.name + "': " + err.message(), err.type(),
                 err.retryable()));
}

}  // namespace keel
