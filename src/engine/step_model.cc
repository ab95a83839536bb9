// Launching steps, model steps (render prompt -> model -> validate -> repair
// once -> fallback -> escalate) and committing a step's completion.
#include <atomic>

#include "core/json_text.h"
#include "engine/engine.h"
#include "engine/run_executor.h"
#include "engine/run_internal.h"
#include "engine/thread_pool.h"
#include "models/model.h"
#include "observe/span_builder.h"

namespace keel {

void RunExecutor::Launch(const RunPtr& run, Step step) {
  auto s = std::make_shared<Step>(std::move(step));
  run->inflight.insert(s->key);
  std::string parent = s->parent_span_id.empty() ? run->run_span_id : s->parent_span_id;
  std::string label = s->key.key.empty() ? s->key.node : s->key.node + "[" + s->key.key + "]";
  s->span = StartSpan(run->record.trace_id, parent, run->record.run_id, "node " + label, "node",
                      NowUs());
  if (s->tool) {
    s->call_span = StartSpan(run->record.trace_id, s->span.span_id, run->record.run_id,
                             "tool " + s->tool->name, "tool", NowUs());
    s->call_span.attrs = {{"tool", s->tool->name}};
    LaunchTool(run, s);
  } else if (s->turn > 0) {
    s->call_span = StartSpan(run->record.trace_id, s->span.span_id, run->record.run_id,
                             "model " + s->agent->name, "model", NowUs());
    s->call_span.attrs = {{"agent", s->agent->name}, {"tier", s->agent->tier}};
    CallModelTurn(run, s);
  } else {
    s->call_span = StartSpan(run->record.trace_id, s->span.span_id, run->record.run_id,
                             "model " + s->agent->name, "model", NowUs());
    s->call_span.attrs = {{"agent", s->agent->name}, {"tier", s->agent->tier}};
    LaunchModel(run, s);
  }
}

namespace {

// The step's inputs as a tree again, after a model call let go of them.
Result<Json> TakeInputs(const Run& run, RunExecutor::Step& step) {
  if (!step.input.is_null()) return std::move(step.input);
  if (step.rebuild_input) return step.rebuild_input(run);
  if (!step.input_text.empty()) {
    Json input = ParseJsonText(step.input_text);
    step.input_text.clear();
    return input;
  }
  return Json();
}

}  // namespace

Result<std::string> RenderPrompt(const AgentDef& agent, const Json& inputs,
                                 const MustachePartials& partials) {
  if (!agent.prompt) return std::string();
  MustacheOptions strict;
  strict.strict = true;
  Result<std::string> prompt = agent.prompt->Render(inputs, partials, strict);
  if (!prompt.ok()) {
    return InvalidArgument("prompt " + agent.prompt_file + ": " + prompt.status().message());
  }
  return prompt;
}

Result<Json> CheckedFallback(const AgentDef& agent, Json inputs, int64_t now_unix_s) {
  ModelRequest request;
  request.agent = &agent;
  request.inputs = std::move(inputs);
  Result<Json> fallback = EvaluateFallback(request, now_unix_s);
  if (!fallback.ok()) return fallback;
  Status valid = agent.output ? agent.output->Validate(*fallback) : Status();
  if (!valid.ok()) return valid;
  return fallback;
}

void AddUsageAttrs(const ModelUsage& usage, Json& attrs) {
  auto add = [&attrs](const char* key, int64_t n, bool always) {
    if (always || n != 0 || attrs.contains(key)) attrs[key] = attrs.value(key, int64_t{0}) + n;
  };
  add("tokens_in", usage.input_tokens, true);
  add("tokens_out", usage.output_tokens, true);
  // The other meters appear once a provider reports them (most calls have none).
  add("tokens_cached_in", usage.cached_input_tokens, false);
  add("tokens_cache_write", usage.cache_write_tokens, false);
  add("tokens_reasoning", usage.reasoning_tokens, false);
  attrs["cost_usd"] = attrs.value("cost_usd", 0.0) + usage.cost_usd;
}

void RunExecutor::EnterModelGate(const RunPtr& run, std::shared_ptr<Step> step,
                                 void (RunExecutor::*call)(const RunPtr&, std::shared_ptr<Step>)) {
  ModelGate* gate = engine_->model_gate_.get();
  if (gate->limit() <= 0) {
    (this->*call)(run, std::move(step));  // no gate: start now, on this strand
    return;
  }
  ThreadPool* pool = engine_->pool_.get();
  gate->Enter([this, run, step, call, gate, pool] {
    // Now on whichever thread freed the slot: the call starts on the run's strand.
    run->Post(pool, [this, run, step, call, gate] {
      if (run->stopped) {
        gate->Leave();
        return;
      }
      (this->*call)(run, step);
    });
  });
}

void RunExecutor::LaunchModel(const RunPtr& run, std::shared_ptr<Step> step) {
  if (engine_->model_gate_->limit() > 0 && !step->input.is_null()) {
    // It may wait behind the gate for a while: keep the inputs as CallModel
    // keeps them while a call is out (rebuilt from the scope, or as text).
    if (!step->rebuild_input) step->input_text = DumpJsonText(step->input);
    step->input = Json();
  }
  EnterModelGate(run, std::move(step), &RunExecutor::CallModel);
}

void RunExecutor::CallModel(const RunPtr& run, std::shared_ptr<Step> step) {
  const AgentDef& agent = *step->agent;
  ModelGate* gate = engine_->model_gate_.get();
  ModelRequest request;
  request.agent = &agent;
  Result<Json> inputs = TakeInputs(*run, *step);
  if (!inputs.ok()) {
    gate->Leave();
    return FailRun(run, step->key.node, inputs.status());
  }
  request.inputs = std::move(inputs).value();
  Result<std::string> prompt = RenderPrompt(agent, request.inputs, engine_->project_.partials);
  if (!prompt.ok()) {
    gate->Leave();
    return FailRun(run, step->key.node, prompt.status());
  }
  request.prompt = std::move(prompt).value();
  if (step->repaired) request.repair_hint = step->call_span.attrs.value("schema_error", "");
  Model* model = engine_->models_->ForTier(agent.tier);
  ThreadPool* pool = engine_->pool_.get();
  auto replied = std::make_shared<std::atomic<bool>>(false);
  int64_t sent_us = ThreadPool::NowUs();  // latency orders the pool's work: on its clock
  model->Generate(request, [this, run, step, pool, replied, gate,
                            sent_us](Result<ModelReply> reply) {
    *replied = true;
    gate->Leave();
    engine_->NoteModelLatency(ThreadPool::NowUs() - sent_us);
    run->Post(pool, [this, run, step, reply = std::move(reply)]() mutable {
      if (!run->stopped) OnModelReply(run, step, std::move(reply));
    });
  });
  // The reply runs on this strand, so it cannot read the inputs before this
  // task ends; let go of them if the call is still out.
  if (*replied) {
    step->input = std::move(request.inputs);
  } else if (!step->rebuild_input) {
    step->input_text = DumpJsonText(request.inputs);
  }
}

void RunExecutor::OnModelReply(const RunPtr& run, std::shared_ptr<Step> step,
                               Result<ModelReply> reply) {
  const AgentDef& agent = *step->agent;
  Json& attrs = step->call_span.attrs;
  if (reply.ok() && !reply->output_text.empty()) {
    reply->output = ParseJsonTextOrDiscarded(reply->output_text);
    if (reply->output.is_discarded()) {
      reply = Status(StatusCode::kInternal, "model output is not JSON", "malformed_response");
    }
  }
  if (reply.ok()) {
    attrs["provider"] = reply->provider;
    attrs["model"] = reply->model;
    AddUsageAttrs(reply->usage, attrs);
    if (!reply->failed_over.empty()) {
      Json& failed = attrs["failed_over"];
      for (std::string& entry : reply->failed_over) failed.push_back(std::move(entry));
    }
    Status valid = agent.output ? agent.output->Validate(reply->output) : Status();
    if (valid.ok()) {
      if (reply->from_fallback) attrs["fallback"] = true;
      CompleteStep(run, step, std::move(reply->output));
      return;
    }
    attrs["schema_error"] = valid.message();
    if (!step->repaired && !reply->from_fallback) {
      step->repaired = true;  // one repair attempt, told what was wrong
      LaunchModel(run, step);
      return;
    }
  } else {
    attrs["model_error"] = reply.status().ToString();
  }
  // The provider failed or its output stayed invalid: the deterministic fallback.
  Result<Json> inputs = TakeInputs(*run, *step);
  if (!inputs.ok()) return FailRun(run, step->key.node, inputs.status());
  Result<Json> fallback =
      CheckedFallback(agent, std::move(inputs).value(), engine_->clock_->NowSeconds());
  if (!fallback.ok()) {
    Json evidence = {{"agent", agent.name},
                     {"model_error", attrs.value("model_error", "")},
                     {"schema_error", attrs.value("schema_error", "")}};
    QueueFailedStepSpans(*run, *step);
    EscalateRun(run, step->key.node,
                "agent '" + agent.name + "' produced no output matching its schema: " +
                    fallback.status().message(),
                std::move(evidence));
    return;
  }
  attrs["fallback"] = true;
  CompleteStep(run, step, std::move(fallback).value());
}

void RunExecutor::QueueFailedStepSpans(Run& run, Step& step) {
  int64_t now = NowUs();
  EndSpan(step.call_span, now, "error");
  EndSpan(step.span, now, "error");
  run.pending_spans.push_back(std::move(step.span));
  run.pending_spans.push_back(std::move(step.call_span));
}

void RunExecutor::CompleteStep(const RunPtr& run, std::shared_ptr<Step> step, Json output) {
  int64_t now = NowUs();
  const char* status = step->failed ? "error" : "ok";
  EndSpan(step->call_span, now, status);
  EndSpan(step->span, now, status);
  bool agent_node = step->node != nullptr && step->node->kind == NodeKind::kAgent;
  step->span.attrs["node_kind"] = agent_node ? "agent" : step->tool ? "tool" : "llm";
  Json payload = step->extra.is_object() ? step->extra : Json::object();
  Event completed{{}, 0, 0, EventType::kNodeCompleted, step->key.node, step->key.key, {}};
  std::string output_text;
  if (step->set_scope && payload.empty() && output.is_structured()) {
    // Serialized once: the event's payload, and the run's compact copy cut
    // from it at its exact size (a string grown by appending keeps up to
    // twice its size, and thousands of runs hold these while they wait).
    std::string& text = completed.payload_text;
    text = kOutputPayloadHead;
    AppendJsonText(output, &text);
    text += '}';
    const size_t head = kOutputPayloadHead.size();
    output_text.assign(text, head, text.size() - head - 1);
  }
  if (output_text.size() >= kCompactMinBytes) {
    // The text is all the run keeps: drop the tree now, not after the commit,
    // while thousands of steps may be waiting for the commit thread.
    output = Json();
  } else {
    payload["output"] = std::move(output);
  }
  if (completed.payload_text.empty()) completed.payload_text = SerializePayload(payload);
  run->pending_spans.push_back(std::move(step->span));
  run->pending_spans.push_back(std::move(step->call_span));
  QueueCompletion(run, std::move(completed));
  // The node's next step (an optimize pass, a map item) need not wait for
  // this completion to be committed; leaving the node does (WalkFrom). Walked
  // in a task of its own: the caller may be launching the node's steps.
  run->Post(engine_->pool_.get(), [this, run, step, payload = std::move(payload),
                                   output_text = std::move(output_text)]() mutable {
    if (run->stopped) return;
    run->inflight.erase(step->key);
    run->started.erase(step->key);
    RecordCompletion(*run, step->key, std::move(payload), step->set_scope,
                     std::move(output_text));
    WalkFrom(run, run->current);  // finishes the node, or launches more of its steps
  });
}

}  // namespace keel
