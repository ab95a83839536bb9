// Small definitions shared by the executor's .cc files. Private to engine/.
#ifndef KEEL_ENGINE_RUN_INTERNAL_H_
#define KEEL_ENGINE_RUN_INTERNAL_H_

#include <memory>
#include <string>
#include <string_view>

#include "core/json.h"
#include "engine/run.h"
#include "engine/run_executor.h"
#include "models/conversation.h"
#include "store/records.h"

namespace keel {

struct ModelUsage;

// Returned by a Walk* function when the run must now wait.
inline const std::string kWait = "\x01wait";

// One tool or model call whose completion is committed on its own.
struct RunExecutor::Step {
  StepKey key;                       // (node id, key) the completion is recorded under
  const NodeDef* node = nullptr;     // the tool/llm node, or the optimize node
  const AgentDef* agent = nullptr;   // model steps
  const ToolDef* tool = nullptr;     // tool steps
  Json input;                        // agent inputs or tool arguments
  // While a model call is out the inputs are not kept as a tree: thousands
  // of runs wait on models at once. They are rebuilt from the scope by
  // `rebuild_input` when the step has one, else kept as compact JSON text.
  std::function<Result<Json>(const Run&)> rebuild_input;
  std::string input_text;
  Json extra;                        // merged into the completion payload (e.g. iteration)
  bool set_scope = true;             // publish the output under the node id
  bool repaired = false;             // model: one repair attempt made
  // Agent nodes: a model turn (turn > 0, with the conversation so far), or a
  // tool call the model chose (agent_call: its failure goes back to the model).
  int turn = 0;
  std::vector<ChatMessage> messages;
  bool agent_call = false;
  bool failed = false;               // the step's spans end as "error"
  // Map nodes over a tool with a batch form: the items this batch call covers.
  std::vector<size_t> batch_items;
  std::string parent_span_id;
  Span span;                         // the node span for this step
  Span call_span;                    // the tool or model call span
};

// `agent`'s prompt rendered over `inputs` in strict mode ("" when it has
// none); a missing field fails naming the prompt file.
Result<std::string> RenderPrompt(const AgentDef& agent, const Json& inputs,
                                 const MustachePartials& partials);
// `agent`'s deterministic fallback over `inputs`, checked against its output
// schema; the error says why there is no usable fallback.
Result<Json> CheckedFallback(const AgentDef& agent, Json inputs, int64_t now_unix_s);

// Adds a model call's meters to a span's attributes, summed over the
// step's calls (a repair adds to the first).
void AddUsageAttrs(const ModelUsage& usage, Json& attrs);

// Truthiness as the expression language defines it: false, null, 0, "",
// [] and {} are false.
inline bool Truthy(const Json& v) {
  if (v.is_null()) return false;
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number()) return v.get<double>() != 0;
  if (v.is_string() || v.is_array() || v.is_object()) return !v.empty();
  return true;
}

// The recorded output of a completed step, wherever it is kept; null if the
// step has not completed.
Json StepOutput(const Run& run, const StepKey& key);

// A top-level value of the run's scope (a published output, parsed when kept
// compact); null when there is none.
Json ScopeValue(const Run& run, const std::string& name);
// The run's scope as one object, compact outputs parsed: for renderers that
// need every name at once (the brief). Parses the strand has cached move
// into it rather than being copied (a later read parses the text again).
Json TakeFullScope(Run& run);

// When, after its start, the workflow's plan has a run reach top-level `node`
// with `rounds_done` of the node's model calls made: `model_latency_us` for
// each model call, and kPlannedNodeUs for each node, that the longest path
// makes before that point. A run's tasks are due at its start plus this
// (Run::due_us), and the thread pool runs them earliest due first. So under
// load, runs behind their plan go first, and a run with all its model calls
// made (its remaining nodes take milliseconds) yields to runs with several
// seconds of model calls still ahead, which then reach their next call
// sooner; a burst of runs ends sooner as a whole. Nothing waits past its due
// time for this. An unknown node plans as the start.
int64_t PlannedOffsetUs(const NodeIndex& index, const std::string& node, int rounds_done,
                        int64_t model_latency_us);
// A nominal time per node, not a measurement: with model calls that take no
// time (the offline model) it still has runs nearer their end yield to runs
// with far to go.
inline constexpr int64_t kPlannedNodeUs = 100'000;

// Parses the compact outputs among `roots` not parsed yet into run.parsed,
// and returns it: with the scope itself, what an expression reading those
// roots sees (ExprContext::more). Allocates nothing when no root is compact.
const Json* ParsedRoots(const Run& run, const std::vector<std::string>& roots);

// Structured outputs at least this large (as text) are kept compact; smaller
// ones and scalars stay in the scope, where reading them costs nothing.
inline constexpr size_t kCompactMinBytes = 128;

// How a step completion's payload text starts when the output is all it
// holds: `{"output":` + the output's text + `}`. CompleteStep writes it so,
// and a resume cuts the compact output back out of it.
inline constexpr std::string_view kOutputPayloadHead = "{\"output\":";

// Publishes `output` under `name`: kept compact as text when it is
// structured and at least kCompactMinBytes (`output_text`, when the caller
// has it, is its serialized form), else in the scope.
void PublishOutput(Run& run, const std::string& name, Json output, std::string output_text = {});

// Records a durable completion: publishes the output under the node id when
// `publish` (moving it, or keeping it as compact text: `output_text` is its
// serialized form when the caller has it, and replaces payload["output"]
// only when it is at least kCompactMinBytes), and remembers the payload.
void RecordCompletion(Run& run, const StepKey& key, Json payload, bool publish,
                      std::string output_text = {});

// An agent node's step keys: model turn n is "turn-n", the i-th tool call
// it asked for is "turn-n/call-i".
std::string AgentTurnKey(int turn);
std::string AgentCallKey(int turn, size_t index);

// Whether a node kind's output is published under its id (as opposed to map
// items and optimize passes, which stay in the completion records).
bool PublishesOutput(NodeKind kind);
// The span of a parallel/map/optimize node covers its steps launched in this
// process: opened at the first launch (returns its span id), closed (queued
// for the next commit) when the node completes. A node found complete in
// the log on resume launches nothing and gets no second span.
std::string OpenContainer(Run& run, const NodeDef& node, int64_t now_us);
void CloseContainer(Run& run, const NodeDef& node, int64_t end_us);
// The run's own span, from its creation to `end_us`.
Span RunSpan(const Run& run, const std::string& status, int64_t end_us,
             const std::string& error = "");

}  // namespace keel

#endif  // KEEL_ENGINE_RUN_INTERNAL_H_
