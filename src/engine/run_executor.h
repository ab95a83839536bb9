// RunExecutor: the node semantics of a run (DESIGN.md "The flow of one run").
//
// Execution is a walk over the workflow graph that is safe to repeat: for
// each node the walk first looks at what the event log says already
// completed, and only launches what is missing. The same walk therefore
// serves a fresh run, a resumed run after kill -9, and the continuation after
// every step commits. Every method runs on the run's strand (see run.h).
#ifndef KEEL_ENGINE_RUN_EXECUTOR_H_
#define KEEL_ENGINE_RUN_EXECUTOR_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "engine/entity_gate.h"
#include "engine/run.h"
#include "models/conversation.h"
#include "store/store.h"

namespace keel {

class Engine;
namespace policy {
struct ToolCallRecord;
}  // namespace policy

class RunExecutor {
 public:
  struct Step;  // one tool or model call (run_internal.h)

  explicit RunExecutor(Engine* engine) : engine_(engine) {}

  // Fills `run` from its event log (LoadLatestEvents) before resuming.
  static Status Replay(Run& run, std::vector<Event> events);

  // Commits `first` (the RunStarted event and, for a new run, its row), then walks.
  void Begin(const std::shared_ptr<Run>& run, WriteBatch first);
  // Continues `run` from its first node (completed nodes are skipped).
  void Walk(const std::shared_ptr<Run>& run);

  // What approval `a` of `node`, decided or expired, appends to the run's
  // log: its ApprovalDecided event and the node's completion (whose payload
  // names the next node). The walk commits them when it finds the decision;
  // Engine::Decide commits them with the decision itself.
  static std::vector<Event> ApprovalDecidedEvents(const Approval& a, const NodeDef& node,
                                                  const NodeIndex& index);
  // Once those events are committed (`payload`: the completion's): records
  // the node's completion and walks on from it, its completed branch
  // following the outcome. On the run's strand.
  void ContinueDecided(const std::shared_ptr<Run>& run, const std::string& node, Json payload);

 private:
  using RunPtr = std::shared_ptr<Run>;

  // Walks forward from `node_id` until something must be waited for.
  void WalkFrom(const RunPtr& run, std::string node_id);
  // Each returns the next node id to walk to, or "" when the run now waits
  // (steps in flight, a commit pending, parked or finished).
  std::string WalkStepNode(const RunPtr& run, const NodeDef& node);
  std::string WalkAgent(const RunPtr& run, const NodeDef& node);
  std::string WalkParallel(const RunPtr& run, const NodeDef& node);
  std::string WalkMap(const RunPtr& run, const NodeDef& node);
  // Map nodes (node_map.cc): each returns how many items have completed.
  size_t LaunchMapItems(const RunPtr& run, const NodeDef& node, const Json& items);
  size_t LaunchMapBatches(const RunPtr& run, const NodeDef& node, const ToolDef& tool,
                          const Json& items);
  Result<Json> EvalMapItem(Run& run, const NodeDef& node, const Json& item, size_t index);
  // Commits every item of a batch call, and the batch step, at once.
  void CompleteBatch(const RunPtr& run, std::shared_ptr<Step> step, Json answer);
  std::string WalkRoute(const RunPtr& run, const NodeDef& node);
  // A route's classifier: one model step keyed "classify".
  std::string Classify(const RunPtr& run, const NodeDef& node);
  std::string WalkVerify(const RunPtr& run, const NodeDef& node);
  std::string WalkOptimize(const RunPtr& run, const NodeDef& node);
  std::string WalkApproval(const RunPtr& run, const NodeDef& node);
  // Finalize waits for its turn at the entity's gate (see entity_gate.h).
  void EnterFinalize(const RunPtr& run, const NodeDef& node);
  void RunFinalize(const RunPtr& run, const NodeDef& node, int attempt,
                   EntityGate::TicketPtr ticket);
  void FinishRunWithState(const RunPtr& run, const NodeDef& node, WriteBatch batch,
                          Json result, int attempt, EntityGate::TicketPtr ticket);
  void RunEscalate(const RunPtr& run, const NodeDef& node);

  // Steps: one tool or model call whose completion is committed on its own.
  void Launch(const RunPtr& run, Step step);
  void LaunchTool(const RunPtr& run, std::shared_ptr<Step> step);
  void CallTool(const RunPtr& run, std::shared_ptr<Step> step);
  void OnToolResult(const RunPtr& run, std::shared_ptr<Step> step, Result<Json> result,
                    const policy::ToolCallRecord& record);
  // Model calls pass the engine's ModelGate: `call` starts once a slot is free.
  void EnterModelGate(const RunPtr& run, std::shared_ptr<Step> step,
                      void (RunExecutor::*call)(const RunPtr&, std::shared_ptr<Step>));
  void LaunchModel(const RunPtr& run, std::shared_ptr<Step> step);
  void CallModel(const RunPtr& run, std::shared_ptr<Step> step);
  void OnModelReply(const RunPtr& run, std::shared_ptr<Step> step, Result<struct ModelReply> reply);
  void CompleteStep(const RunPtr& run, std::shared_ptr<Step> step, Json output);
  // Agent nodes (node_agent.cc).
  void LaunchAgentTurn(const RunPtr& run, const NodeDef& node, const AgentDef& agent,
                       const Json& inputs, int turn, std::vector<ChatMessage> messages);
  void LaunchAgentCall(const RunPtr& run, const NodeDef& node, const AgentDef& agent, int turn,
                       size_t index, const ChatToolCall& call);
  void CallModelTurn(const RunPtr& run, std::shared_ptr<Step> step);
  void SendModelTurn(const RunPtr& run, std::shared_ptr<Step> step);
  void OnTurnReply(const RunPtr& run, std::shared_ptr<Step> step, Result<struct TurnReply> reply);
  // Ends the node with the agent's fallback answer, or escalates when there is none.
  void GiveUpAgent(const RunPtr& run, const NodeDef& node, const Json& inputs,
                   const std::string& why, Json so_far);
  void FinishAgent(const RunPtr& run, const NodeDef& node, Json output);
  // Ends a failed step's spans and queues them for the run's next commit (the
  // one that fails or escalates it), so the failure shows in the trace.
  void QueueFailedStepSpans(Run& run, Step& step);
  // Records a decision node's output durably, then walks to `next`.
  void CompleteDecision(const RunPtr& run, const NodeDef& node, Json output,
                        const std::string& next);

  // Ending and parking.
  void FinishRun(const RunPtr& run, RunStatus status, Json result, std::string error,
                 WriteBatch batch = {});
  void FailRun(const RunPtr& run, const std::string& node, const Status& error);
  void EscalateRun(const RunPtr& run, const std::string& node, std::string reason,
                   Json evidence);
  void ParkRun(const RunPtr& run, const NodeDef& node, Json proposal);
  // Commits `batch` with the run parked on `approval_id` until `wake_us`,
  // then evicts the run.
  void CommitPark(const RunPtr& run, WriteBatch batch, const std::string& approval_id,
                  int64_t wake_us);
  // Follows on_reject / on_expiry targets: a node id, "escalate" or "fail".
  std::string FollowOutcomeTarget(const RunPtr& run, const NodeDef& node,
                                  const std::string& target, const std::string& why);

  // Commits `batch` (assigning event seqs, adding pending spans) and runs
  // `then` on the strand once durable. A store failure abandons the run.
  void Commit(const RunPtr& run, WriteBatch batch, std::function<void()> then);
  // Queues one step's completion for the run's next commit, which also takes
  // the other completions of the strand's current burst (the four answers of
  // a parallel node's workers arrive together): one batch instead of one
  // each. Committed at the latest when the burst ends. The step's successors
  // inside the same node do not wait for it; the next node does (WalkFrom).
  void QueueCompletion(const RunPtr& run, Event completed);
  void CommitOr(const RunPtr& run, WriteBatch batch, std::function<void(Status)> then);

  // Makes the run's tasks due when its plan has it at `node` with
  // `rounds_done` of the node's model calls made (see PlannedOffsetUs).
  void Plan(Run& run, const std::string& node, int rounds_done) const;
  // True when the run is more than one model call ahead of its plan, and
  // model calls are what the plan is made of (they take longer than
  // kPlannedNodeUs): it made fewer calls than the plan counted (an optimize
  // loop that passed early, a route around a step) and, on entering its next
  // node, yields to the runs still on the long path (WalkFrom).
  bool AheadOfPlan(const Run& run) const;

  static std::string Successor(const NodeIndex& index, const NodeDef& node);
  Result<Json> Eval(const Run& run, const ValueExpression& expr) const;
  int64_t NowUs() const;

  Engine* engine_;
  EntityGate entity_gate_;
};

}  // namespace keel

#endif  // KEEL_ENGINE_RUN_EXECUTOR_H_
