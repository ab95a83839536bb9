// Rebuilding a run's in-memory state from its event log, for resume.
#include "engine/run_executor.h"
#include "engine/run_internal.h"

namespace keel {

Status RunExecutor::Replay(Run& run, std::vector<Event> events) {
  run.scope = {{"input", run.record.input}, {"state", Json::object()}};
  for (Event& e : events) {
    run.next_seq = std::max(run.next_seq, e.seq + 1);
    switch (e.type) {
      case EventType::kRunStarted:
        run.scope["state"] = e.payload.value("state", Json::object());
        run.state_version = e.payload.value("state_version", int64_t{0});
        run.run_span_id = e.payload.value("run_span_id", "");
        break;
      case EventType::kNodeStarted: run.started.insert({e.node, e.key}); break;
      case EventType::kNodeCompleted: {
        const NodeDef* node = run.index->Find(e.node);
        bool publish = e.key.empty() && node && PublishesOutput(node->kind);
        RecordCompletion(run, {e.node, e.key}, std::move(e.payload), publish);
        break;
      }
      case EventType::kApprovalRequested: run.approvals_requested[e.node] = e.payload; break;
      case EventType::kRunFinished:
        return FailedPrecondition("run " + run.record.run_id + " already finished");
      default: break;
    }
  }
  // A step both started and completed is simply done.
  for (auto it = run.started.begin(); it != run.started.end();) {
    it = run.completed.count(*it) ? run.started.erase(it) : std::next(it);
  }
  return Status();
}

}  // namespace keel
