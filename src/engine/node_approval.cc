// The approval node: park the run until a human decides or the approval
// expires. Parking writes the request, the approval row and the run's parked
// status in one batch, then evicts the run from memory (but for a short
// while, see parked_runs.h); the decision (made by any process through the
// store) makes the run runnable again, and the walk picks up here.
#include "core/ids.h"
#include "engine/engine.h"
#include "engine/run_executor.h"
#include "engine/run_internal.h"
#include "engine/thread_pool.h"
#include "observe/span_builder.h"

namespace keel {

std::string RunExecutor::WalkApproval(const RunPtr& run, const NodeDef& node) {
  if (auto it = run->completed.find({node.id, ""}); it != run->completed.end()) {
    Json output = StepOutput(*run, {node.id, ""});
    std::string next = it->second.value("next", "");
    std::string decision = output.value("decision", "");
    if (decision == "approved") return next;
    std::string why = "approval " + decision +
                      (output.value("reason", "").empty() ? "" : ": " + output.value("reason", ""));
    return FollowOutcomeTarget(run, node, next, why);
  }
  auto requested = run->approvals_requested.find(node.id);
  if (requested == run->approvals_requested.end()) {
    Result<Json> proposal = Eval(*run, node.proposal);
    if (!proposal.ok()) {
      FailRun(run, node.id, proposal.status());
      return kWait;
    }
    if (node.proposal_schema) {
      // A human must never be asked to approve something malformed.
      Status valid = node.proposal_schema->Validate(*proposal);
      if (!valid.ok()) {
        FailRun(run, node.id, InvalidArgument("proposal of approval '" + node.id + "': " +
                                              valid.message()));
        return kWait;
      }
    }
    ParkRun(run, node, std::move(proposal).value());
    return kWait;
  }
  const std::string& approval_id = requested->second;
  Result<Approval> approval = engine_->store_->GetApproval(approval_id);
  if (!approval.ok()) {
    FailRun(run, node.id, approval.status());
    return kWait;
  }
  int64_t now = NowUs();
  Approval a = std::move(approval).value();
  if (a.status == ApprovalStatus::kPending && now < a.expires_us) {
    // Claimed before anyone decided (e.g. a worker restart): park again.
    CommitPark(run, WriteBatch(), approval_id, a.expires_us);
    return kWait;
  }
  WriteBatch batch;
  if (a.status == ApprovalStatus::kPending) {
    // Expired with no decision, possibly while no keel process was running.
    a.status = ApprovalStatus::kExpired;
    a.decided_us = now;
    batch.approval = ApprovalWrite{a, false, ApprovalStatus::kPending};
  }
  batch.events = ApprovalDecidedEvents(a, node, *run->index);
  Json payload = batch.events.back().payload;
  Commit(run, std::move(batch), [this, run, id = node.id, payload = std::move(payload)]() mutable {
    ContinueDecided(run, id, std::move(payload));
  });
  return kWait;
}

std::vector<Event> RunExecutor::ApprovalDecidedEvents(const Approval& a, const NodeDef& node,
                                                      const NodeIndex& index) {
  Json output;
  std::string next;
  if (a.status == ApprovalStatus::kExpired) {
    output = {{"decision", "expired"}, {"proposal", a.proposal}, {"edited", false},
              {"reason", "no decision before it expired"}, {"by", "keel"}};
    next = node.on_expiry;
  } else {
    bool edited = !a.edited.is_null();
    output = {{"decision", ApprovalStatusName(a.status)},
              {"proposal", edited ? a.edited : a.proposal},
              {"edited", edited},
              {"reason", a.reason},
              {"by", a.decided_by}};
    if (edited) output["original"] = a.proposal;  // the override, for the feedback loop
    next = a.status == ApprovalStatus::kApproved
               ? Successor(index, node)
               : (a.status == ApprovalStatus::kRejected ? node.on_reject : node.on_expiry);
  }
  std::vector<Event> events;
  events.push_back(Event{{}, 0, 0, EventType::kApprovalDecided, node.id, "",
                         {{"approval_id", a.approval_id}, {"decision", output["decision"]},
                          {"edited", output["edited"]}, {"reason", output["reason"]},
                          {"by", output["by"]}}});
  events.push_back(Event{{}, 0, 0, EventType::kNodeCompleted, node.id, "",
                         {{"output", std::move(output)}, {"next", std::move(next)}}});
  return events;
}

void RunExecutor::ContinueDecided(const RunPtr& run, const std::string& node, Json payload) {
  RecordCompletion(*run, {node, ""}, std::move(payload), true);
  WalkFrom(run, node);
}

void RunExecutor::ParkRun(const RunPtr& run, const NodeDef& node, Json proposal) {
  int64_t now = NowUs();
  Approval a;
  a.approval_id = NewOrderedId("apr_");
  a.run_id = run->record.run_id;
  a.node = node.id;
  a.workflow = run->record.workflow;
  a.entity_key = run->record.entity_key;
  a.proposal = std::move(proposal);
  a.requested_us = now;
  a.expires_us = now + node.expires_in_s * 1'000'000;
  WriteBatch batch;
  batch.approval = ApprovalWrite{a, true, ApprovalStatus::kPending};
  // The proposal is stored once, in the approval's row, which the event names.
  batch.events.push_back(Event{{}, 0, 0, EventType::kApprovalRequested, node.id, "",
                               {{"approval_id", a.approval_id}, {"expires_us", a.expires_us}}});
  Span span = StartSpan(run->record.trace_id, run->run_span_id, run->record.run_id,
                        "approval " + node.id, "node", now);
  EndSpan(span, now, "parked");
  span.attrs = {{"node_kind", "approval"}, {"approval_id", a.approval_id}, {"parked", true}};
  batch.spans.push_back(std::move(span));
  CommitPark(run, std::move(batch), a.approval_id, a.expires_us);
}

void RunExecutor::CommitPark(const RunPtr& run, WriteBatch batch, const std::string& approval_id,
                             int64_t wake_us) {
  batch.run_update = ReleaseRun(run->record.run_id, RunStatus::kParked);
  batch.run_update->parked_on = approval_id;
  batch.run_update->wake_us = wake_us;
  run->Stop();  // nothing else happens in this run until a decision
  CommitOr(run, std::move(batch), [this, run, approval_id](Status s) {
    if (!s.ok()) return engine_->Abandon(run->record.run_id, s);
    // Nothing of it is in flight at an approval node; kept for a decision
    // made here soon after (ParkedRuns).
    if (run->inflight.empty()) engine_->parked_.Keep(approval_id, run, ThreadPool::NowUs());
    engine_->Retire(run->record.run_id,
                    RunOutcome{run->record.run_id, RunStatus::kParked, Json(), "", approval_id});
  });
}

}  // namespace keel
