// The map node: the same tool or llm step over every item of a list, at
// most max_concurrency at a time. Each item's completion is committed on its
// own, so a resumed run runs only the missing items. When the body's tool
// declares a batch form, the items go to it in batches of at most
// batch_max_items: one call per batch, and one commit that completes every
// item of the batch. Batches are fixed windows of the item list, so a batch
// resumed after a crash has the same idempotency key ("batch-w").
#include <algorithm>

#include "engine/engine.h"
#include "engine/run_executor.h"
#include "engine/run_internal.h"
#include "observe/span_builder.h"

namespace keel {
namespace {

bool Completed(const Run& run, const std::string& node, const std::string& key) {
  return run.completed.count({node, key}) > 0;
}

}  // namespace

std::string RunExecutor::WalkMap(const RunPtr& run, const NodeDef& node) {
  // The list is evaluated once per map node and kept until the node
  // completes: the walk comes back here after every item.
  auto cached = run->map_items.find(node.id);
  if (cached == run->map_items.end()) {
    ExprContext ctx{&run->scope, engine_->clock_->NowSeconds(),
                    ParsedRoots(*run, node.over->RootNames())};
    Result<Json> list = node.over->Evaluate(ctx);
    if (!list.ok() || !list->is_array()) {
      FailRun(run, node.id,
              list.ok() ? InvalidArgument("map 'over' is not a list: " + node.over->source())
                        : list.status());
      return kWait;
    }
    cached = run->map_items.emplace(node.id, std::move(list).value()).first;
  }
  const Json& items = cached->second;
  const NodeDef& body = node.body.front();
  const ToolDef* tool =
      body.kind == NodeKind::kTool ? engine_->project_.FindTool(body.tool) : nullptr;
  size_t done = tool != nullptr && !tool->batch_tool.empty()
                    ? LaunchMapBatches(run, node, *tool, items)
                    : LaunchMapItems(run, node, items);
  if (run->stopped || done < items.size()) return kWait;
  CloseContainer(*run, node, NowUs());
  // The items' outputs move from their completion records into the list.
  Json results = Json::array();
  for (size_t i = 0; i < items.size(); ++i) {
    Json& payload = run->completed[{node.id, std::to_string(i)}];
    results.push_back(std::move(payload["output"]));
    payload.erase("output");
  }
  run->map_items.erase(cached);
  run->scope[node.id] = std::move(results);
  run->last_node = node.id;
  return Successor(*run->index, node);
}

Result<Json> RunExecutor::EvalMapItem(Run& run, const NodeDef& node, const Json& item,
                                      size_t index) {
  // Bind the item (and its index) for the body's expressions only.
  run.scope[node.as] = item;
  run.scope[node.as + "_index"] = index;
  const NodeDef& body = node.body.front();
  Result<Json> input = Eval(run, body.kind == NodeKind::kTool ? body.args : body.inputs);
  run.scope.erase(node.as);
  run.scope.erase(node.as + "_index");
  return input;
}

size_t RunExecutor::LaunchMapItems(const RunPtr& run, const NodeDef& node, const Json& items) {
  const NodeDef& body = node.body.front();
  size_t done = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    std::string key = std::to_string(i);
    if (Completed(*run, node.id, key)) {
      ++done;
      continue;
    }
    if (run->inflight.count({node.id, key})) continue;
    if (static_cast<int>(run->inflight.size()) >= node.max_concurrency) continue;
    Result<Json> input = EvalMapItem(*run, node, items[i], i);
    if (!input.ok()) {
      FailRun(run, body.id, input.status());
      return done;
    }
    Step step;
    step.key = {node.id, key};
    step.node = &body;
    step.input = std::move(input).value();
    step.set_scope = false;
    step.parent_span_id = OpenContainer(*run, node, NowUs());
    step.tool = body.kind == NodeKind::kTool ? engine_->project_.FindTool(body.tool) : nullptr;
    step.agent = body.kind == NodeKind::kLlm ? engine_->project_.FindAgent(body.agent) : nullptr;
    Launch(run, std::move(step));
    if (run->stopped) return done;
  }
  return done;
}

size_t RunExecutor::LaunchMapBatches(const RunPtr& run, const NodeDef& node, const ToolDef& tool,
                                     const Json& items) {
  const NodeDef& body = node.body.front();
  const ToolDef* form = engine_->project_.FindTool(tool.batch_tool);
  size_t per = static_cast<size_t>(std::max(1, tool.batch_max_items));
  size_t done = 0;
  for (size_t first = 0, w = 0; first < items.size(); first += per, ++w) {
    size_t end = std::min(items.size(), first + per);
    std::vector<size_t> missing;
    for (size_t i = first; i < end; ++i) {
      if (Completed(*run, node.id, std::to_string(i))) {
        ++done;
      } else {
        missing.push_back(i);
      }
    }
    StepKey key{node.id, "batch-" + std::to_string(w)};
    if (missing.empty() || run->inflight.count(key)) continue;
    if (static_cast<int>(run->inflight.size()) >= node.max_concurrency) continue;
    Json args = Json::array();
    for (size_t i : missing) {
      Result<Json> input = EvalMapItem(*run, node, items[i], i);
      if (!input.ok()) {
        FailRun(run, body.id, input.status());
        return done;
      }
      args.push_back(std::move(input).value());
    }
    Step step;
    step.key = std::move(key);
    step.node = &body;
    step.tool = form;
    step.input = {{"items", std::move(args)}};
    step.set_scope = false;
    step.batch_items = std::move(missing);
    step.parent_span_id = OpenContainer(*run, node, NowUs());
    Launch(run, std::move(step));
    if (run->stopped) return done;
  }
  return done;
}

void RunExecutor::CompleteBatch(const RunPtr& run, std::shared_ptr<Step> step, Json answer) {
  Json* results = answer.is_object() && answer.contains("results") ? &answer["results"] : nullptr;
  if (results == nullptr || !results->is_array() ||
      results->size() != step->batch_items.size()) {
    std::string why = "batch tool '" + step->tool->name + "' answered " +
                      std::to_string(results && results->is_array() ? results->size() : 0) +
                      " results for " + std::to_string(step->batch_items.size()) + " items";
    step->call_span.attrs["error"] = why;
    QueueFailedStepSpans(*run, *step);
    FailRun(run, step->key.node, Status(StatusCode::kInternal, why, "invalid_output"));
    return;
  }
  int64_t now = NowUs();
  EndSpan(step->call_span, now, "ok");
  EndSpan(step->span, now, "ok");
  step->span.attrs["node_kind"] = "tool";
  step->call_span.attrs["batch_items"] = step->batch_items.size();
  WriteBatch batch;
  std::vector<Json> payloads;
  for (size_t j = 0; j < step->batch_items.size(); ++j) {
    Json payload = {{"output", std::move((*results)[j])}};
    batch.events.push_back(Event{{}, 0, 0, EventType::kNodeCompleted, step->key.node,
                                 std::to_string(step->batch_items[j]), payload});
    payloads.push_back(std::move(payload));
  }
  // The batch step itself completes too, so its node_started has a match.
  batch.events.push_back(Event{{}, 0, 0, EventType::kNodeCompleted, step->key.node,
                               step->key.key, {{"batch_of", step->batch_items}}});
  batch.spans.push_back(std::move(step->span));
  batch.spans.push_back(std::move(step->call_span));
  Commit(run, std::move(batch), [this, run, step, payloads = std::move(payloads)]() mutable {
    run->inflight.erase(step->key);
    run->started.erase(step->key);
    RecordCompletion(*run, step->key, {{"batch_of", step->batch_items}}, false);
    for (size_t j = 0; j < step->batch_items.size(); ++j) {
      RecordCompletion(*run, {step->key.node, std::to_string(step->batch_items[j])},
                       std::move(payloads[j]), false);
    }
    WalkFrom(run, run->current);
  });
}

}  // namespace keel
