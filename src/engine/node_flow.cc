// Tool, llm, parallel, route and verify nodes (map nodes: node_map.cc).
#include "engine/engine.h"
#include "engine/run_executor.h"
#include "engine/run_internal.h"
#include "observe/span_builder.h"

namespace keel {
namespace {

bool Completed(const Run& run, const std::string& node, const std::string& key = "") {
  return run.completed.count({node, key}) > 0;
}

// Whether `branch` reads the output of another branch of `node` (through
// `??`, since a sibling may not have finished): such inputs can change
// while the branch runs.
bool ReadsSibling(const NodeDef& node, const NodeDef& branch) {
  for (const std::string& root : branch.inputs.RootNames()) {
    for (const NodeDef& other : node.branches) {
      if (other.id == root) return true;
    }
  }
  return false;
}

}  // namespace

std::string RunExecutor::WalkStepNode(const RunPtr& run, const NodeDef& node) {
  if (Completed(*run, node.id)) return Successor(*run->index, node);
  if (run->inflight.count({node.id, ""})) return kWait;
  Step step;
  step.key = {node.id, ""};
  step.node = &node;
  Result<Json> input = Eval(*run, node.kind == NodeKind::kTool ? node.args : node.inputs);
  if (!input.ok()) {
    FailRun(run, node.id, input.status());
    return kWait;
  }
  step.input = std::move(input).value();
  if (node.kind == NodeKind::kTool) {
    step.tool = engine_->project_.FindTool(node.tool);
  } else {
    step.agent = engine_->project_.FindAgent(node.agent);
    step.rebuild_input = [this, &node](const Run& r) { return Eval(r, node.inputs); };
  }
  if (!step.tool && !step.agent) {
    FailRun(run, node.id, NotFound("unknown tool or agent for node '" + node.id + "'"));
    return kWait;
  }
  Launch(run, std::move(step));
  return kWait;
}

std::string RunExecutor::WalkParallel(const RunPtr& run, const NodeDef& node) {
  bool all_done = true;
  for (const NodeDef& branch : node.branches) {
    if (Completed(*run, branch.id)) continue;
    all_done = false;
    if (run->inflight.count({branch.id, ""})) continue;
    Step step;
    step.key = {branch.id, ""};
    step.node = &branch;
    step.parent_span_id = OpenContainer(*run, node, NowUs());
    Result<Json> input =
        Eval(*run, branch.kind == NodeKind::kTool ? branch.args : branch.inputs);
    if (!input.ok()) {
      FailRun(run, branch.id, input.status());
      return kWait;
    }
    step.input = std::move(input).value();
    step.tool = branch.kind == NodeKind::kTool ? engine_->project_.FindTool(branch.tool) : nullptr;
    step.agent = branch.kind == NodeKind::kLlm ? engine_->project_.FindAgent(branch.agent) : nullptr;
    if (step.agent && !ReadsSibling(node, branch)) {
      // Nothing it reads changes while it runs: its inputs can be rebuilt.
      step.rebuild_input = [this, &branch](const Run& r) { return Eval(r, branch.inputs); };
    }
    Launch(run, std::move(step));
    if (run->stopped) return kWait;
  }
  if (!all_done) return kWait;
  CloseContainer(*run, node, NowUs());
  // Each branch's output is already published under the branch's own id;
  // the parallel node itself publishes only which branches it joined, so
  // no output is held twice.
  Json joined = Json::array();
  for (const NodeDef& branch : node.branches) joined.push_back(branch.id);
  run->scope[node.id] = std::move(joined);
  return Successor(*run->index, node);
}

std::string RunExecutor::WalkRoute(const RunPtr& run, const NodeDef& node) {
  if (auto it = run->completed.find({node.id, ""}); it != run->completed.end()) {
    return it->second.value("next", "");
  }
  for (const RouteDef& route : node.routes) ParsedRoots(*run, route.when->RootNames());
  ExprContext ctx{&run->scope, engine_->clock_->NowSeconds(), &run->parsed};
  std::string next = node.default_next;
  std::string matched = "default";
  for (const RouteDef& route : node.routes) {
    Result<Json> v = route.when->Evaluate(ctx);
    if (!v.ok()) {
      FailRun(run, node.id, v.status());
      return kWait;
    }
    if (Truthy(*v)) {
      next = route.next;
      matched = route.when->source();
      break;
    }
  }
  Json decision = {{"matched", matched}};
  if (matched == "default" && !node.classify_agent.empty()) {
    // No rule decided: the classifier's label does (a model call only now).
    auto classified = run->completed.find({node.id, "classify"});
    if (classified == run->completed.end()) return Classify(run, node);
    const Json& output = classified->second["output"];
    std::string label = output.value("label", "");
    auto target = node.labels.find(label);
    if (target != node.labels.end()) next = target->second;
    decision = {{"matched", "classify"}, {"label", label}};
  }
  if (next.empty()) next = Successor(*run->index, node);
  decision["next"] = next;
  CompleteDecision(run, node, std::move(decision), next);
  return kWait;
}

std::string RunExecutor::Classify(const RunPtr& run, const NodeDef& node) {
  if (run->inflight.count({node.id, "classify"})) return kWait;
  Result<Json> input = Eval(*run, node.classify_inputs);
  if (!input.ok()) {
    FailRun(run, node.id, input.status());
    return kWait;
  }
  Step step;
  step.key = {node.id, "classify"};
  step.node = &node;
  step.agent = engine_->project_.FindAgent(node.classify_agent);
  step.input = std::move(input).value();
  step.set_scope = false;
  if (step.agent == nullptr) {
    FailRun(run, node.id, NotFound("unknown agent '" + node.classify_agent + "'"));
    return kWait;
  }
  Launch(run, std::move(step));
  return kWait;
}

std::string RunExecutor::WalkVerify(const RunPtr& run, const NodeDef& node) {
  if (auto it = run->completed.find({node.id, ""}); it != run->completed.end()) {
    std::string next = it->second.value("next", "");
    Json output = ScopeValue(*run, node.id);
    if (!output.value("passed", false) && node.on_fail.empty()) {
      EscalateRun(run, node.id, "verification failed", output);
      return kWait;
    }
    return next;
  }
  for (const CheckDef& check : node.checks) ParsedRoots(*run, check.expr->RootNames());
  ExprContext ctx{&run->scope, engine_->clock_->NowSeconds(), &run->parsed};
  Json failed = Json::array();
  for (const CheckDef& check : node.checks) {
    Result<Json> v = check.expr->Evaluate(ctx);
    if (!v.ok()) {
      failed.push_back(check.message + " (" + v.status().message() + ")");
    } else if (!Truthy(*v)) {
      failed.push_back(check.message);
    }
  }
  bool passed = failed.empty();
  std::string next = passed ? Successor(*run->index, node) : node.on_fail;
  Json output = {{"passed", passed}, {"failed", failed}};
  if (!passed && node.on_fail.empty()) {
    // No alternative route: record the verdict with the escalation.
    run->scope[node.id] = output;
    EscalateRun(run, node.id, "verification failed: " + failed[0].get<std::string>(), output);
    return kWait;
  }
  CompleteDecision(run, node, output, next);
  return kWait;
}

}  // namespace keel
