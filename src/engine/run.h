// Run: the in-memory state of one run while a worker holds it.
//
// A Run is an actor: every change to it happens in a task posted to its
// strand, and a strand runs one task at a time on the thread pool. So the
// fields below need no lock; only the strand's own queue is locked.
// Tool calls and model calls run off the strand and post their results back.
#ifndef KEEL_ENGINE_RUN_H_
#define KEEL_ENGINE_RUN_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/json.h"
#include "project/definitions.h"
#include "store/records.h"

namespace keel {

class ThreadPool;

// A workflow's nodes by id, built once per workflow and shared by its runs.
struct NodeIndex {
  std::map<std::string, const NodeDef*> nodes;     // every node (incl. branches, bodies)
  std::map<std::string, std::string> fallthrough;  // top-level node -> the following node
  // Top-level node -> the most nodes a run may still pass through from it to
  // an end, itself included; `longest` is the first node's. With
  // `remaining_rounds` (the same for model calls made one after another) it
  // plans when a run should be where: see PlannedOffsetUs().
  std::map<std::string, int> remaining;
  int longest = 0;
  std::map<std::string, int> remaining_rounds;
  int longest_rounds = 0;

  explicit NodeIndex(const WorkflowDef& workflow);
  const NodeDef* Find(const std::string& id) const {
    auto it = nodes.find(id);
    return it == nodes.end() ? nullptr : it->second;
  }
};

// Identifies one step: a node, and for map items / optimize slots a key.
struct StepKey {
  std::string node;
  std::string key;
  bool operator<(const StepKey& o) const {
    return node != o.node ? node < o.node : key < o.key;
  }
};

struct Run : std::enable_shared_from_this<Run> {
  RunRecord record;
  const WorkflowDef* workflow = nullptr;
  const NodeIndex* index = nullptr;  // the workflow's nodes, shared by all its runs

  Json scope;  // {"input", "state", <node id>: output, ...}
  // Published outputs of steps kept as compact JSON text instead of in
  // `scope`: a decoded tree takes about six times the memory of its text,
  // and thousands of runs wait at once holding their outputs. Read through
  // ScopeValue() or an expression view (run_internal.h), parsed per use.
  std::map<std::string, std::string> compact;
  // Compact outputs parsed by the strand's current burst of tasks, so the
  // expressions of one walk (four branches reading the same prep outputs, a
  // finalize's state, output and brief) parse each at most once. Emptied when
  // the strand goes idle: a waiting run holds only the text. See ParsedRoots().
  mutable Json parsed;
  int64_t state_version = 0;
  // The run that wrote `state_version`, when the entity gate handed it over
  // before it was committed ("" once read from the store).
  std::string state_writer;
  int64_t next_seq = 1;
  std::string run_span_id;

  // What the event log says happened (filled on resume, kept up to date live).
  // NodeCompleted payloads. For steps whose output is published under the
  // node id (tool, llm, route, verify, approval) the output is moved into
  // `scope` and the payload keeps only its bookkeeping; see StepOutput().
  std::map<StepKey, Json> completed;
  std::set<StepKey> started;           // NodeStarted with no completion yet
  // Approval node -> the id of the approval it requested. (Only the id: the
  // proposal, a tree of several KB, is the approval record's to keep, and a
  // resumed run keeps this until it ends.)
  std::map<std::string, std::string> approvals_requested;

  // The top-level node being executed and its steps in flight.
  std::string current;
  std::set<StepKey> inflight;
  std::string last_node;            // the last node that completed (its output ends the run)
  std::vector<Span> pending_spans;  // written with the run's next commit
  // Step completions made by the strand's current burst of tasks, not yet
  // submitted: they go to the store together, with the run's next commit or
  // at the end of the burst (RunExecutor::QueueCompletion).
  std::vector<Event> burst_events;
  // Commits submitted and not yet answered, and what waits for all of them
  // (a node about to start: see RunExecutor::WalkFrom).
  int commits_in_flight = 0;
  std::vector<std::function<void()>> when_committed;
  std::map<std::string, std::string> container_span;  // parallel/map/optimize node -> span id
  std::map<std::string, int64_t> container_start_us;
  std::map<std::string, Json> map_items;  // map node -> its evaluated list, while it runs
  bool stopped = false;  // finished, parked or abandoned: ignore late callbacks
  // The run's plan, on the thread pool's clock (ThreadPool::NowUs): it
  // started at origin_us (its creation, however long ago that was), and the
  // strand's tasks are due when the plan has the run reach where it is (set
  // with `current`, and per model call inside optimize and agent nodes;
  // read by Post from any thread). See PlannedOffsetUs() in run_internal.h.
  int64_t origin_us = 0;
  std::atomic<int64_t> due_us{0};
  // Starts the plan at `origin` (Engine::PlanOrigin): the run is due at once.
  void StartPlan(int64_t origin) {
    origin_us = origin;
    due_us.store(origin, std::memory_order_relaxed);
  }
  // Finished, parked or abandoned: late callbacks are ignored from here on,
  // and the tasks left, which only retire the run, are due at once, so what
  // it holds is freed without waiting for its plan.
  void Stop() {
    stopped = true;
    due_us.store(0, std::memory_order_relaxed);
  }

  // --- strand ---
  void Post(ThreadPool* pool, std::function<void()> task);
  // Post(), and the strand yields its thread after the current task: `task`
  // and whatever follows it wait in the pool until the run is due, behind
  // the work of runs due sooner.
  void Defer(ThreadPool* pool, std::function<void()> task);

 private:
  void Enqueue(ThreadPool* pool, std::function<void()> task, bool yield);
  void Drain();
  std::mutex strand_mu_;
  // A vector rather than a deque: an empty deque still holds ~600 bytes,
  // and thousands of idle runs each have a strand.
  std::vector<std::function<void()>> strand_;
  bool strand_scheduled_ = false;
  bool yield_ = false;  // Defer() asked the running Drain to give up its thread
  ThreadPool* pool_ = nullptr;
};

}  // namespace keel

#endif  // KEEL_ENGINE_RUN_H_
