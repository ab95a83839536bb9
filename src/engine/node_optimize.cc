// The optimize node: generate -> evaluate against a rubric -> revise while
// any criterion scores under the threshold, for at most max_iterations
// generator passes. Each pass's outputs are committed under the keys "gen"
// and "eval"; the newest of each is all a resume needs.
#include "engine/engine.h"
#include "engine/run_executor.h"
#include "engine/run_internal.h"

namespace keel {
namespace {

// True when every criterion scored at or above the threshold.
bool Passes(const NodeDef& node, const Json& evaluation) {
  const Json& scores = evaluation.contains("scores") ? evaluation["scores"] : Json::object();
  for (const std::string& c : node.criteria) {
    if (!scores.contains(c) || !scores[c].is_number()) return false;
    if (scores[c].get<double>() < node.threshold) return false;
  }
  return true;
}

}  // namespace

std::string RunExecutor::WalkOptimize(const RunPtr& run, const NodeDef& node) {
  if (run->inflight.count({node.id, "gen"}) || run->inflight.count({node.id, "eval"})) {
    return kWait;
  }
  auto gen = run->completed.find({node.id, "gen"});
  auto eval = run->completed.find({node.id, "eval"});
  int iteration = gen == run->completed.end() ? 0 : gen->second.value("iteration", 0);
  int evaluated = eval == run->completed.end() ? 0 : eval->second.value("iteration", 0);

  Step step;
  step.node = &node;
  step.set_scope = false;
  if (iteration > 0 && evaluated == iteration) {
    const Json& evaluation = eval->second["output"];
    bool passed = Passes(node, evaluation);
    if (passed || iteration >= node.max_iterations) {
      Json output = {{"candidate", gen->second["output"]},
                     {"scores", evaluation.value("scores", Json::object())},
                     {"feedback", evaluation.value("feedback", Json())},
                     {"iterations", iteration},
                     {"passed", passed}};
      CloseContainer(*run, node, NowUs());
      PublishOutput(*run, node.id, std::move(output));
      run->last_node = node.id;
      return Successor(*run->index, node);
    }
  }
  if (iteration == evaluated) {
    // Next generator pass, shown its previous attempt and the feedback on it.
    Result<Json> input = Eval(*run, node.generator_inputs);
    if (!input.ok()) {
      FailRun(run, node.id, input.status());
      return kWait;
    }
    step.key = {node.id, "gen"};
    step.agent = engine_->project_.FindAgent(node.generator);
    step.input = std::move(input).value();
    step.input["iteration"] = iteration + 1;
    step.input["previous"] = iteration > 0 ? gen->second["output"] : Json();
    step.input["feedback"] = evaluated > 0 ? eval->second["output"] : Json();
    step.extra = {{"iteration", iteration + 1}};
  } else {
    Result<Json> input = Eval(*run, node.evaluator_inputs);
    if (!input.ok()) {
      FailRun(run, node.id, input.status());
      return kWait;
    }
    step.key = {node.id, "eval"};
    step.agent = engine_->project_.FindAgent(node.evaluator);
    step.input = std::move(input).value();
    step.input["candidate"] = gen->second["output"];
    step.extra = {{"iteration", iteration}};
  }
  // Pass k's generator is the node's model call 2k - 1, its evaluator 2k.
  Plan(*run, node.id, step.key.key == "gen" ? 2 * iteration : 2 * iteration - 1);
  step.parent_span_id = OpenContainer(*run, node, NowUs());
  Launch(run, std::move(step));
  return kWait;
}

}  // namespace keel
