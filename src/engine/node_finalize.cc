// Ending nodes: finalize (new state vector with optimistic locking, the
// brief, the run's result) and escalate.
#include "engine/engine.h"
#include "engine/run_executor.h"
#include "engine/run_internal.h"
#include "engine/thread_pool.h"
#include "observe/span_builder.h"

namespace keel {
namespace {

// Every conflict means another run of the same entity finalized, so retrying
// always makes progress somewhere; the cap only guards against a bug.
constexpr int kStateWriteAttempts = 1000;

}  // namespace

void RunExecutor::EnterFinalize(const RunPtr& run, const NodeDef& node) {
  if (run->record.entity_key.empty()) return RunFinalize(run, node, 0, nullptr);
  ThreadPool* pool = engine_->pool_.get();
  entity_gate_.Enter(run->record.entity_key, [this, run, &node, pool](
                                                 EntityGate::TicketPtr ticket,
                                                 std::optional<GateState> written) {
    run->Post(pool, [this, run, &node, ticket = std::move(ticket),
                     written = std::move(written)]() mutable {
      if (run->stopped) return;
      if (written && written->version > run->state_version) {
        // A run before this one wrote the entity: finalize over its state.
        run->state_version = written->version;
        run->state_writer = std::move(written->writer);
        run->scope["state"] = std::move(written->data);
      }
      RunFinalize(run, node, 0, std::move(ticket));
    });
  });
}

void RunExecutor::RunFinalize(const RunPtr& run, const NodeDef& node, int attempt,
                              EntityGate::TicketPtr ticket) {
  Result<Json> state = Eval(*run, node.state);
  if (!state.ok()) return FailRun(run, node.id, state.status());
  if (run->workflow->state) {
    Status valid = run->workflow->state->Validate(*state);
    if (!valid.ok()) {
      return FailRun(run, node.id, InvalidArgument("new state vector: " + valid.message()));
    }
  }
  Result<Json> output = Eval(*run, node.output);
  if (!output.ok()) return FailRun(run, node.id, output.status());
  Json result = Json::object();
  result["output"] = std::move(output).value();
  result["state"] = *state;
  if (node.brief_template) {
    Result<std::string> md =
        node.brief_template->Render(TakeFullScope(*run), engine_->project_.partials,
                                    MustacheOptions{true});
    if (!md.ok()) {
      return FailRun(run, node.id,
                     InvalidArgument(node.brief_template_file + ": " + md.status().message()));
    }
    result["markdown"] = std::move(md).value();
  }
  WriteBatch batch;
  if (!run->record.entity_key.empty()) result["state_version"] = run->state_version + 1;
  // The node's output is the run's result: stored once, in this event, which
  // the run's row names (RunUpdate::result_of) rather than copies.
  Event completed{{}, 0, 0, EventType::kNodeCompleted, node.id, "", {}};
  completed.payload_text = kOutputPayloadHead;
  AppendJsonText(result, &completed.payload_text);
  completed.payload_text += '}';
  batch.events.push_back(std::move(completed));
  if (!run->record.entity_key.empty()) {
    batch.state = StateWrite{run->record.entity_key, run->state_version, std::move(*state),
                             run->record.run_id, run->state_writer};
    batch.events.push_back(Event{{}, 0, 0, EventType::kStateWritten, node.id, "",
                                 {{"entity_key", run->record.entity_key},
                                  {"version", run->state_version + 1}}});
  }
  Span span = StartSpan(run->record.trace_id, run->run_span_id, run->record.run_id,
                        "node " + node.id, "node", NowUs());
  EndSpan(span, NowUs(), "ok");
  span.attrs = {{"node_kind", "finalize"}, {"state_version", run->state_version + 1}};
  batch.spans.push_back(std::move(span));

  // The first attempt commits everything at once. A version conflict (another
  // run of the same entity finalized meanwhile) rolls the whole batch back;
  // reload the state, re-evaluate over it, and try again.
  batch.run_update = ReleaseRun(run->record.run_id, RunStatus::kSucceeded);
  batch.run_update->result_of = node.id;
  FinishRunWithState(run, node, std::move(batch), std::move(result), attempt, std::move(ticket));
}

void RunExecutor::FinishRunWithState(const RunPtr& run, const NodeDef& node, WriteBatch batch,
                                     Json result, int attempt, EntityGate::TicketPtr ticket) {
  bool has_state = batch.state.has_value();
  run->Stop();
  // The result is the output of `node`, just above in this batch: the log
  // names it rather than storing a second copy of the brief.
  batch.events.push_back(Event{{}, 0, 0, EventType::kRunFinished, "", "",
                               {{"status", "succeeded"}, {"result_of", node.id}}});
  batch.spans.push_back(RunSpan(*run, "ok", NowUs()));
  int64_t first_seq = run->next_seq;
  Json state = has_state ? result["state"] : Json();
  int64_t version = run->state_version + 1;
  bool through_gate = ticket != nullptr && has_state;
  CommitOr(run, std::move(batch), [this, run, &node, result = std::move(result), attempt,
                                   has_state, first_seq, version, through_gate](Status s) mutable {
    if (through_gate) entity_gate_.Landed(run->record.entity_key, version, s.ok());
    if (s.ok()) {
      return engine_->Retire(run->record.run_id, RunOutcome{run->record.run_id,
                                                            RunStatus::kSucceeded,
                                                            std::move(result), "", ""});
    }
    if (!has_state || s.code() != StatusCode::kAborted) {
      return engine_->Abandon(run->record.run_id, s);
    }
    run->stopped = false;
    if (attempt + 1 >= kStateWriteAttempts) {
      run->next_seq = first_seq;  // the rolled-back batch wrote no events
      return FailRun(run, node.id, Aborted("state vector " + run->record.entity_key +
                                           " kept changing: " + s.message()));
    }
    Result<std::optional<StateVector>> latest = engine_->store_->GetState(run->record.entity_key);
    if (!latest.ok()) return engine_->Abandon(run->record.run_id, latest.status());
    run->state_version = latest->has_value() ? (*latest)->version : 0;
    run->state_writer.clear();
    run->scope["state"] = latest->has_value() ? (*latest)->data : Json::object();
    run->next_seq = first_seq;  // the rolled-back batch wrote no events
    RunFinalize(run, node, attempt + 1, nullptr);
  });
  // The next run of this entity finalizes over this state now, without
  // waiting for this commit (see entity_gate.h).
  if (through_gate) ticket->Wrote(GateState{version, std::move(state), run->record.run_id});
}

void RunExecutor::RunEscalate(const RunPtr& run, const NodeDef& node) {
  Result<Json> reason = node.reason.empty() ? Result<Json>(Json("escalated"))
                                            : Eval(*run, node.reason);
  if (!reason.ok()) return FailRun(run, node.id, reason.status());
  Result<Json> evidence = Eval(*run, node.evidence);
  if (!evidence.ok()) return FailRun(run, node.id, evidence.status());
  std::string text = reason->is_string() ? reason->get<std::string>() : reason->dump();
  Json ev = *evidence;
  ev["queue"] = node.queue;
  EscalateRun(run, node.id, text, ev);
}

}  // namespace keel
