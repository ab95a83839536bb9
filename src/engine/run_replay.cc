// Rebuilding a run's in-memory state from its event log, for resume.
#include "core/json_text.h"
#include "engine/run_executor.h"
#include "engine/run_internal.h"

namespace keel {
namespace {

// An event's payload as a tree: the store hands a resume its payloads as
// text (Store::LoadLatestEvents).
Result<Json> PayloadTree(Event& e) {
  if (e.payload_text.empty()) return std::move(e.payload);
  Json value = ParseJsonTextOrDiscarded(e.payload_text);
  if (value.is_discarded()) {
    return Status(StatusCode::kDataLoss, "event " + std::to_string(e.seq) + " of run " +
                                             e.run_id + ": stored JSON is damaged");
  }
  return value;
}

// A published output kept as compact text (see Run::compact) is cut from
// the payload's text (kOutputPayloadHead) in place: no tree is built only to
// be printed again, and no second copy is made.
std::optional<std::string> CompactOutputText(Event& e) {
  std::optional<std::string_view> output = SoleMemberText(e.payload_text, "output");
  if (!output || output->size() < kCompactMinBytes) return std::nullopt;
  if (output->front() != '{' && output->front() != '[') return std::nullopt;
  size_t start = output->data() - e.payload_text.data();
  size_t size = output->size();
  std::string text = std::move(e.payload_text);
  text.resize(start + size);
  text.erase(0, start);
  return text;
}

}  // namespace

Status RunExecutor::Replay(Run& run, std::vector<Event> events) {
  run.scope = {{"input", run.record.input}, {"state", Json::object()}};
  for (Event& e : events) {
    run.next_seq = std::max(run.next_seq, e.seq + 1);
    switch (e.type) {
      case EventType::kRunStarted: {
        Result<Json> payload = PayloadTree(e);
        if (!payload.ok()) return payload.status();
        run.scope["state"] = payload->value("state", Json::object());
        run.state_version = payload->value("state_version", int64_t{0});
        run.run_span_id = payload->value("run_span_id", "");
        break;
      }
      case EventType::kNodeStarted: run.started.insert({e.node, e.key}); break;
      case EventType::kNodeCompleted: {
        const NodeDef* node = run.index->Find(e.node);
        bool publish = e.key.empty() && node && PublishesOutput(node->kind);
        std::optional<std::string> text = publish ? CompactOutputText(e) : std::nullopt;
        if (text) {
          RecordCompletion(run, {e.node, e.key}, Json::object(), true, std::move(*text));
          break;
        }
        Result<Json> payload = PayloadTree(e);
        if (!payload.ok()) return payload.status();
        RecordCompletion(run, {e.node, e.key}, std::move(payload).value(), publish);
        break;
      }
      case EventType::kApprovalRequested: {
        Result<Json> payload = PayloadTree(e);
        if (!payload.ok()) return payload.status();
        run.approvals_requested[e.node] = payload->value("approval_id", "");
        break;
      }
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
