// Engine: executes workflow runs durably (DESIGN.md "Durability").
//
// Every step's completion is committed to the Store (group commit) before
// the next step starts; a run that dies mid-way is resumed from its event log
// by any worker that later claims it, re-running only steps that never
// completed (inside parallel and map nodes too). Runs waiting on a model, a
// timer or a human hold no thread: model and timer waits sit on the
// EventLoop, and a run parked at an approval is evicted from memory (kept a
// minute at most, for a decision made here soon after: see parked_runs.h).
//
// Threads: a fixed ThreadPool, one EventLoop thread, and the Store's commit
// thread. All public methods are thread-safe.
#ifndef KEEL_ENGINE_ENGINE_H_
#define KEEL_ENGINE_ENGINE_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "core/status.h"
#include "engine/model_gate.h"
#include "engine/parked_runs.h"
#include "models/model_router.h"
#include "project/definitions.h"
#include "store/store.h"
#include "tools/tool.h"

namespace keel {

class EventLoop;
class ThreadPool;
namespace policy {
class ToolInvoker;
struct InvokerOptions;
}  // namespace policy
struct Run;
struct NodeIndex;

struct EngineOptions {
  int threads = 0;                     // 0 = Engine::DefaultThreads()
  int64_t lease_us = 30'000'000;       // lease on a claimed run, renewed at a third of it
  int max_runs_in_flight = 10000;      // runs held in memory at once
  int64_t claim_interval_us = 200'000;  // how often the store is polled for runnable runs
  bool claim = true;                   // poll the store (a worker); false: only own runs
  // Model calls out at once, all runs together (0: no limit); see model_gate.h.
  int max_model_calls_in_flight = 0;
};

// Where a run came to rest (finished, or parked waiting for a human).
struct RunOutcome {
  std::string run_id;
  RunStatus status = RunStatus::kPending;
  Json result;
  std::string error;
  std::string approval_id;  // when parked
};

// Checks a human's edit of an approval's proposal against the approval
// node's `proposal_schema`, when it has one: kInvalidArgument naming the
// node and the field. A null edit (approved as proposed) always passes.
Status CheckApprovalEdit(const Project& project, const std::string& workflow,
                         const std::string& node, const Json& edited);

class Engine {
 public:
  Engine(const Project& project, Store* store, const ToolRegistry* tools,
         const ModelRouter* models, Clock* clock, EngineOptions options);
  ~Engine();  // Stop()

  // The pool's size when EngineOptions::threads is 0: one thread per core.
  static int DefaultThreads();

  void Start();
  // Stops claiming, waits for in-flight steps to reach the store, then stops
  // the threads. Runs still in progress keep their lease until it expires
  // (or another worker on this host sees this process is gone).
  void Stop();

  // Validates `input` against the workflow's input schema, writes the run
  // (durably) and starts it. kNotFound for an unknown workflow,
  // kInvalidArgument naming the field for bad input; nothing is written then.
  Result<std::string> StartRun(const std::string& workflow, const Json& input);
  // Same checks, but only enqueues the run (status pending) for a worker.
  Result<std::string> EnqueueRun(const std::string& workflow, const Json& input);

  // Called (on an engine thread) whenever a run comes to rest. Set before Start().
  void SetListener(std::function<void(const RunOutcome&)> listener);

  // Records a human decision on a pending approval and resumes its run in
  // this engine: the decision and the claim on the parked run commit in one
  // batch (group commit), then the run continues here. `done` gets
  // kFailedPrecondition if the approval is no longer pending or has expired,
  // kNotFound for an unknown id. Never blocks on the commit.
  void Decide(const std::string& approval_id, ApprovalStatus decision, Json edited,
              std::string reason, std::string by, std::function<void(Status)> done);

  // Claims one runnable run (e.g. just approved) and resumes it here.
  // kFailedPrecondition when it is not runnable or another worker holds it.
  Status ResumeRun(const std::string& run_id);

  // Polls the store for runnable runs now (e.g. right after an approval).
  void Poke();

  // Blocks until this engine holds no run and the store has nothing runnable
  // (`keel worker --until-idle`), or until Stop().
  void WaitIdle();

  size_t ActiveRuns() const;
  // Node steps whose completion was committed since start (benchmarks).
  int64_t StepsCompleted() const { return steps_completed_.load(); }
  EventLoop* loop() const;  // the I/O loop, e.g. for the scripted model's latency
  const LeaseOwner& owner() const { return owner_; }
  // The running average of model call latency (see model_latency_us_).
  int64_t ModelLatencyUs() const { return model_latency_us_.load(std::memory_order_relaxed); }

 private:
  policy::InvokerOptions InvokerOptionsFor(const Project& project);
  friend class RunExecutor;
  Result<RunRecord> NewRunRecord(const std::string& workflow, const Json& input,
                                 const WorkflowDef** def);
  void ClaimTick();
  void ClaimNow();
  void RenewTick();
  // Loads a run this engine holds the lease on and continues it.
  Status Resume(const std::string& run_id);
  // Resume(), and a run that cannot be resumed is marked failed.
  Status ResumeClaimed(const std::string& run_id);
  // Continues `run`, kept in memory since it parked at approval node `node`
  // (ParkedRuns), once the decision's `events` (the last one completing the
  // node with `completion`) are committed; the same as Resume() would rebuild
  // from the log, without reading it.
  void ResumeKept(std::shared_ptr<Run> run, const std::string& node, Json completion,
                  int64_t events);
  // Registers `run` as executing here; false (and nothing changes) when a
  // run with its id already is.
  bool Adopt(std::shared_ptr<Run> run);
  bool IsActive(const std::string& run_id) const;
  // Starts `run`'s in-memory state (scope with the entity's current state
  // vector, run span) and adds its run_started event to `batch`.
  Status BeginRecord(Run& run, WriteBatch* batch);
  void Retire(const std::string& run_id, const RunOutcome& outcome);
  // Drops a run whose progress could not be committed (`why`); its lease
  // lapses and a worker resumes it from the log.
  void Abandon(const std::string& run_id, const Status& why);
  // Starts runs this engine enqueued while it was full, as room frees up.
  void StartFromBacklog();

  const Project& project_;
  Store* store_;
  const ToolRegistry* tools_;
  const ModelRouter* models_;
  Clock* clock_;
  EngineOptions options_;
  LeaseOwner owner_;
  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<ThreadPool> pool_;
  std::unique_ptr<policy::ToolInvoker> invoker_;  // every tool call passes its chain
  std::unique_ptr<ModelGate> model_gate_;         // every model call passes it
  std::unique_ptr<class RunExecutor> executor_;
  std::function<void(const RunOutcome&)> listener_;

  mutable std::mutex mu_;
  std::condition_variable idle_cv_;
  std::map<std::string, std::unique_ptr<NodeIndex>> indexes_;  // by workflow; built once
  std::unordered_map<std::string, std::shared_ptr<Run>> active_;
  std::deque<std::string> backlog_;  // enqueued by StartRun while full
  ParkedRuns parked_;  // runs parked here moments ago, for a prompt decision
  std::atomic<bool> running_{false};
  std::atomic<bool> claiming_{false};
  std::atomic<int64_t> steps_completed_{0};
  // A running average of how long model calls take, request to reply: what
  // a run's plan counts per model call (PlannedOffsetUs). 0 until one replies.
  std::atomic<int64_t> model_latency_us_{0};
  void NoteModelLatency(int64_t us);
  // When, on the thread pool's clock, the plan of a run created at
  // `created_us` (on clock_) started (Run::origin_us).
  int64_t PlanOrigin(int64_t created_us) const;
  // When the plan that started at `origin_us` has a run at top-level `node`
  // with `rounds_done` of its model calls made (Run::due_us), a run that
  // waited longer than that (on a human, say) being due at once.
  int64_t PlannedDueUs(int64_t origin_us, const NodeIndex& index, const std::string& node,
                       int rounds_done) const;
  // PlanOrigin() of a run known only by its id (read from the store).
  int64_t StoredPlanOrigin(const std::string& run_id) const;
};

}  // namespace keel

#endif  // KEEL_ENGINE_ENGINE_H_
