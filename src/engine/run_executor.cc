// The walk, commits, and how a run ends. Node kinds are in node_*.cc; tool
// and model steps in step_*.cc.
#include "engine/run_executor.h"

#include <iterator>
#include <utility>

#include "core/ids.h"
#include "core/json_text.h"
#include "engine/engine.h"
#include "engine/run_internal.h"
#include "engine/thread_pool.h"
#include "io/event_loop.h"
#include "observe/span_builder.h"

namespace keel {

Json StepOutput(const Run& run, const StepKey& key) {
  auto it = run.completed.find(key);
  if (it == run.completed.end()) return Json();
  if (it->second.contains("output")) return it->second["output"];
  return ScopeValue(run, key.node);
}

namespace {

// `name`'s compact output as parsed by this burst of the strand, if it was.
const Json* CachedParse(const Run& run, const std::string& name) {
  if (!run.parsed.is_object()) return nullptr;
  auto it = run.parsed.find(name);
  return it == run.parsed.end() ? nullptr : &*it;
}

}  // namespace

Json ScopeValue(const Run& run, const std::string& name) {
  if (auto c = run.compact.find(name); c != run.compact.end()) {
    const Json* cached = CachedParse(run, name);
    return cached != nullptr ? *cached : ParseJsonText(c->second);
  }
  return run.scope.value(name, Json());
}

int64_t PlannedOffsetUs(const NodeIndex& index, const std::string& node, int rounds_done,
                        int64_t model_latency_us) {
  auto nodes = index.remaining.find(node);
  auto rounds = index.remaining_rounds.find(node);
  if (nodes == index.remaining.end() || rounds == index.remaining_rounds.end()) return 0;
  int nodes_before = std::max(0, index.longest - nodes->second);
  int rounds_before = std::max(0, index.longest_rounds - rounds->second + rounds_done);
  return kPlannedNodeUs * nodes_before + model_latency_us * rounds_before;
}

Json TakeFullScope(Run& run) {
  Json all = run.scope;
  for (const auto& [name, text] : run.compact) {
    if (run.parsed.is_object()) {
      if (auto cached = run.parsed.find(name); cached != run.parsed.end()) {
        all[name] = std::move(*cached);
        run.parsed.erase(cached);
        continue;
      }
    }
    all[name] = ParseJsonText(text);
  }
  return all;
}

const Json* ParsedRoots(const Run& run, const std::vector<std::string>& roots) {
  for (const std::string& root : roots) {
    auto c = run.compact.find(root);
    if (c != run.compact.end() && CachedParse(run, root) == nullptr) {
      run.parsed[root] = ParseJsonText(c->second);
    }
  }
  return &run.parsed;
}

void PublishOutput(Run& run, const std::string& name, Json output, std::string output_text) {
  if (run.parsed.is_object()) run.parsed.erase(name);  // a parse of the old value
  if (output_text.empty() && output.is_structured()) {
    output_text = SerializePayload(output);
    output_text.shrink_to_fit();  // grown by appending; kept while the run lives
  }
  if (output_text.size() >= kCompactMinBytes) {
    run.compact[name] = std::move(output_text);
    run.scope.erase(name);
  } else {
    run.compact.erase(name);
    run.scope[name] = std::move(output);
  }
}

void RecordCompletion(Run& run, const StepKey& key, Json payload, bool publish,
                      std::string output_text) {
  bool has_output = payload.contains("output");
  if (publish && (has_output || !output_text.empty())) {
    Json output = has_output ? std::move(payload["output"]) : Json();
    payload.erase("output");
    PublishOutput(run, key.node, std::move(output), std::move(output_text));
    run.last_node = key.node;
  }
  run.completed[key] = std::move(payload);
}

bool PublishesOutput(NodeKind kind) {
  return kind == NodeKind::kTool || kind == NodeKind::kLlm || kind == NodeKind::kAgent ||
         kind == NodeKind::kRoute || kind == NodeKind::kVerify || kind == NodeKind::kApproval;
}

std::string OpenContainer(Run& run, const NodeDef& node, int64_t now_us) {
  auto [it, inserted] = run.container_span.try_emplace(node.id);
  if (inserted) {
    it->second = TraceHex(8);
    run.container_start_us[node.id] = now_us;
  }
  return it->second;
}

void CloseContainer(Run& run, const NodeDef& node, int64_t end_us) {
  auto it = run.container_span.find(node.id);
  if (it == run.container_span.end()) return;
  Span span;
  span.trace_id = run.record.trace_id;
  span.span_id = it->second;
  span.parent_span_id = run.run_span_id;
  span.run_id = run.record.run_id;
  span.name = "node " + node.id;
  span.kind = "node";
  span.start_us = run.container_start_us[node.id];
  span.end_us = end_us;
  span.status = "ok";
  span.attrs = {{"node_kind", NodeKindName(node.kind)}};
  run.pending_spans.push_back(std::move(span));
  run.container_span.erase(it);
  run.container_start_us.erase(node.id);
}

Span RunSpan(const Run& run, const std::string& status, int64_t end_us,
             const std::string& error) {
  Span span;
  span.trace_id = run.record.trace_id;
  span.span_id = run.run_span_id;
  span.run_id = run.record.run_id;
  span.name = "run " + run.record.workflow;
  span.kind = "run";
  span.start_us = run.record.created_us;
  span.end_us = end_us;
  span.status = status;
  span.attrs = {{"workflow", run.record.workflow}, {"entity_key", run.record.entity_key}};
  if (!error.empty()) span.attrs["error"] = error;
  return span;
}

int64_t RunExecutor::NowUs() const { return engine_->clock_->NowMicros(); }

namespace {

// Where a run may go after top-level node `n` (the graph `keel validate`
// checks): routes, labels, `default`, the outcome targets, and `next` or the
// following node. Finalize and escalate end a run.
std::vector<std::string> NextNodes(const NodeDef& n, const std::string& fallthrough) {
  std::vector<std::string> out;
  if (n.kind == NodeKind::kFinalize || n.kind == NodeKind::kEscalate) return out;
  for (const RouteDef& r : n.routes) out.push_back(r.next);
  for (const auto& [label, target] : n.labels) out.push_back(target);
  for (const std::string* t : {&n.default_next, &n.on_fail, &n.on_reject, &n.on_expiry}) {
    out.push_back(*t);
  }
  if (!n.next.empty()) {
    out.push_back(n.next);
  } else if (n.default_next.empty()) {
    out.push_back(fallthrough);
  }
  return out;
}

// The most model calls node `n` makes one after another (the branches of a
// parallel node call at once: it counts as its slowest branch). A map counts
// one item's, as how many items it has is known only when it runs.
int ModelRounds(const NodeDef& n) {
  switch (n.kind) {
    case NodeKind::kLlm: return 1;
    case NodeKind::kAgent: return n.max_turns;
    case NodeKind::kOptimize: return 2 * n.max_iterations;  // generator, then evaluator
    case NodeKind::kRoute: return n.classify_agent.empty() ? 0 : 1;
    case NodeKind::kMap: return n.body.empty() ? 0 : ModelRounds(n.body.front());
    case NodeKind::kParallel: {
      int slowest = 0;
      for (const NodeDef& b : n.branches) slowest = std::max(slowest, ModelRounds(b));
      return slowest;
    }
    default: return 0;
  }
}

}  // namespace

NodeIndex::NodeIndex(const WorkflowDef& workflow) {
  const auto& list = workflow.nodes;
  for (size_t i = 0; i < list.size(); ++i) {
    const NodeDef& n = list[i];
    nodes[n.id] = &n;
    for (const NodeDef& b : n.branches) nodes[b.id] = &b;
    for (const NodeDef& b : n.body) nodes[b.id] = &b;
    fallthrough[n.id] = i + 1 < list.size() ? list[i + 1].id : "";
  }
  // Longest paths to an end, each node weighing `weight`, by memoized
  // depth-first search. The loader rejects cycles between top-level nodes;
  // a node's entry is set on entry so a cycle that slipped through ends the
  // search instead of looping.
  auto longest_paths = [&](std::map<std::string, int>& out, auto weight) {
    std::function<int(const std::string&)> from = [&](const std::string& id) {
      const NodeDef& n = *nodes.at(id);
      auto [it, fresh] = out.try_emplace(id, weight(n));
      if (!fresh) return it->second;
      int most = 0;
      for (const std::string& next : NextNodes(n, fallthrough.at(id))) {
        if (fallthrough.count(next)) most = std::max(most, from(next));
      }
      return out[id] = weight(n) + most;
    };
    for (const NodeDef& n : list) from(n.id);
    return list.empty() ? 0 : out[list.front().id];
  };
  longest = longest_paths(remaining, [](const NodeDef&) { return 1; });
  longest_rounds = longest_paths(remaining_rounds, ModelRounds);
}

void RunExecutor::Plan(Run& run, const std::string& node, int rounds_done) const {
  run.due_us.store(engine_->PlannedDueUs(run.origin_us, *run.index, node, rounds_done),
                   std::memory_order_relaxed);
}

bool RunExecutor::AheadOfPlan(const Run& run) const {
  int64_t latency = engine_->ModelLatencyUs();
  if (latency < kPlannedNodeUs) return false;
  return run.due_us.load(std::memory_order_relaxed) - ThreadPool::NowUs() > latency;
}

std::string RunExecutor::Successor(const NodeIndex& index, const NodeDef& node) {
  if (!node.next.empty()) return node.next;
  auto it = index.fallthrough.find(node.id);
  return it == index.fallthrough.end() ? "" : it->second;
}

Result<Json> RunExecutor::Eval(const Run& run, const ValueExpression& expr) const {
  if (expr.empty()) return Json::object();
  ExprContext ctx{&run.scope, engine_->clock_->NowSeconds(), ParsedRoots(run, expr.RootNames())};
  return expr.Evaluate(ctx);
}

void RunExecutor::Begin(const std::shared_ptr<Run>& run, WriteBatch first) {
  Commit(run, std::move(first), [this, run] { Walk(run); });
}

void RunExecutor::Walk(const std::shared_ptr<Run>& run) {
  if (run->workflow->nodes.empty()) {
    FinishRun(run, RunStatus::kSucceeded, Json(), "");
    return;
  }
  WalkFrom(run, run->current.empty() ? run->workflow->nodes.front().id : run->current);
}

void RunExecutor::WalkFrom(const RunPtr& run, std::string node_id) {
  while (!run->stopped) {
    if (node_id.empty()) {
      FinishRun(run, RunStatus::kSucceeded, ScopeValue(*run, run->last_node), "");
      return;
    }
    const NodeDef* found = run->index->Find(node_id);
    if (!found) {
      // The loader rejects unknown targets, so this means the workflow file
      // changed under a parked run.
      FailRun(run, node_id, FailedPrecondition("node '" + node_id + "' no longer exists"));
      return;
    }
    const NodeDef& node = *found;
    bool entering = run->current != node_id;
    if (entering && (!run->burst_events.empty() || run->commits_in_flight > 0)) {
      // A node starts only once the steps before it are committed (DESIGN.md,
      // durability); the steps inside one node go on without waiting.
      run->when_committed.push_back([this, run, node_id] { WalkFrom(run, node_id); });
      if (!run->burst_events.empty()) Commit(run, WriteBatch(), [] {});
      return;
    }
    run->current = node_id;
    Plan(*run, node_id, 0);
    if (entering && AheadOfPlan(*run)) {
      run->Defer(engine_->pool_.get(), [this, run, node_id] { WalkFrom(run, node_id); });
      return;
    }
    switch (node.kind) {
      case NodeKind::kTool:
      case NodeKind::kLlm: node_id = WalkStepNode(run, node); break;
      case NodeKind::kAgent: node_id = WalkAgent(run, node); break;
      case NodeKind::kParallel: node_id = WalkParallel(run, node); break;
      case NodeKind::kMap: node_id = WalkMap(run, node); break;
      case NodeKind::kRoute: node_id = WalkRoute(run, node); break;
      case NodeKind::kVerify: node_id = WalkVerify(run, node); break;
      case NodeKind::kOptimize: node_id = WalkOptimize(run, node); break;
      case NodeKind::kApproval: node_id = WalkApproval(run, node); break;
      case NodeKind::kFinalize: EnterFinalize(run, node); return;
      case NodeKind::kEscalate: RunEscalate(run, node); return;
    }
    if (node_id == kWait) return;
  }
}

void RunExecutor::QueueCompletion(const RunPtr& run, Event completed) {
  bool first = run->burst_events.empty();
  run->burst_events.push_back(std::move(completed));
  // Queued behind the tasks already on the strand, so the completions they
  // make join this batch. A commit the run makes before then takes them.
  if (first) {
    run->Post(engine_->pool_.get(), [this, run] {
      if (!run->burst_events.empty()) Commit(run, WriteBatch(), [] {});
    });
  }
}

namespace {

// `first` then `second`, moved. The run's queues are taken whole (exchanged,
// not cleared), so a waiting run keeps no room for what it no longer has:
// thousands of runs wait at once.
template <typename T>
std::vector<T> Concat(std::vector<T> first, std::vector<T> second) {
  if (first.empty()) return second;
  first.insert(first.end(), std::make_move_iterator(second.begin()),
               std::make_move_iterator(second.end()));
  return first;
}

}  // namespace

void RunExecutor::CommitOr(const RunPtr& run, WriteBatch batch,
                           std::function<void(Status)> then) {
  // The burst's step completions go first, in this same batch.
  batch.events = Concat(std::exchange(run->burst_events, {}), std::move(batch.events));
  int64_t now = NowUs();
  for (Event& e : batch.events) {
    if (e.type == EventType::kNodeCompleted) ++engine_->steps_completed_;
    e.run_id = run->record.run_id;
    e.seq = run->next_seq++;
    e.ts_us = now;
  }
  batch.spans = Concat(std::move(batch.spans), std::exchange(run->pending_spans, {}));
  batch.writer = engine_->owner_.owner_id;  // refused if another worker took the run over
  ThreadPool* pool = engine_->pool_.get();
  ++run->commits_in_flight;
  // The commit thread only hands the result to the run's strand; the run and
  // the continuation move into that task so nothing heavy is freed there.
  engine_->store_->Submit(std::move(batch), [run, pool, then = std::move(then)](Status s) mutable {
    Run* target = run.get();
    target->Post(pool, [s, then = std::move(then), run = std::move(run)]() mutable {
      --run->commits_in_flight;
      then(s);
      if (run->commits_in_flight > 0) return;
      // Taken even when the run stopped: they hold the run.
      auto waiting = std::exchange(run->when_committed, {});
      if (run->stopped) return;
      for (auto& enter : waiting) enter();
    });
  });
}

void RunExecutor::Commit(const RunPtr& run, WriteBatch batch, std::function<void()> then) {
  CommitOr(run, std::move(batch), [this, run, then = std::move(then)](Status s) {
    if (run->stopped) return;  // the run ended (failed elsewhere) meanwhile
    if (s.ok()) {
      then();
      return;
    }
    // The store refused or failed: nothing of this batch was written. Leave
    // the run to be resumed from its log by whoever holds the lease next.
    run->Stop();
    engine_->Abandon(run->record.run_id, s);
  });
}

void RunExecutor::CompleteDecision(const RunPtr& run, const NodeDef& node, Json output,
                                   const std::string& next) {
  Span span = StartSpan(run->record.trace_id, run->run_span_id, run->record.run_id,
                        "node " + node.id, "node", NowUs());
  EndSpan(span, NowUs(), "ok");
  span.attrs = {{"node_kind", NodeKindName(node.kind)}, {"next", next}};
  WriteBatch batch;
  Json payload = {{"output", std::move(output)}, {"next", next}};
  batch.events.push_back(Event{{}, 0, 0, EventType::kNodeCompleted, node.id, "", payload});
  batch.spans.push_back(std::move(span));
  Commit(run, std::move(batch), [this, run, id = node.id, payload = std::move(payload),
                                  next]() mutable {
    RecordCompletion(*run, {id, ""}, std::move(payload), true);
    WalkFrom(run, next);
  });
}

void RunExecutor::FinishRun(const RunPtr& run, RunStatus status, Json result, std::string error,
                            WriteBatch batch) {
  run->Stop();
  Json payload = {{"status", RunStatusName(status)}};
  if (!error.empty()) payload["error"] = error;
  if (!result.is_null()) payload["result"] = result;
  batch.events.push_back(Event{{}, 0, 0, EventType::kRunFinished, "", "", payload});
  batch.run_update = ReleaseRun(run->record.run_id, status);
  batch.run_update->result = result;
  batch.run_update->error = error;
  batch.spans.push_back(RunSpan(*run, status == RunStatus::kSucceeded ? "ok" : RunStatusName(status),
                               NowUs(), error));

  RunOutcome outcome{run->record.run_id, status, result, error, ""};
  CommitOr(run, std::move(batch), [this, run, outcome](Status s) {
    if (!s.ok()) {
      engine_->Abandon(run->record.run_id, s);
      return;
    }
    engine_->Retire(run->record.run_id, outcome);
  });
}

void RunExecutor::FailRun(const RunPtr& run, const std::string& node, const Status& error) {
  if (run->stopped) return;
  WriteBatch batch;
  Json payload = ToolErrorJson(error);
  batch.events.push_back(Event{{}, 0, 0, EventType::kNodeFailed, node, "", payload});
  std::string message = node.empty() ? error.message() : node + ": " + error.message();
  FinishRun(run, RunStatus::kFailed, Json(), message, std::move(batch));
}

void RunExecutor::EscalateRun(const RunPtr& run, const std::string& node, std::string reason,
                              Json evidence) {
  if (run->stopped) return;
  WriteBatch batch;
  Json payload = {{"reason", reason}, {"evidence", evidence}};
  batch.events.push_back(Event{{}, 0, 0, EventType::kEscalated, node, "", payload});
  FinishRun(run, RunStatus::kEscalated, Json{{"escalated", payload}}, reason, std::move(batch));
}

std::string RunExecutor::FollowOutcomeTarget(const RunPtr& run, const NodeDef& node,
                                             const std::string& target,
                                             const std::string& why) {
  if (target == "fail") {
    FailRun(run, node.id, Aborted(why));
    return kWait;
  }
  if (target == "escalate" || target.empty()) {
    EscalateRun(run, node.id, why, ScopeValue(*run, node.id));
    return kWait;
  }
  return target;
}

}  // namespace keel
