// The validated, immutable picture of a keel project folder:
//
//   keel.yaml            ProjectConfig: store, model provider, tiers, defaults
//   workflows/*.yaml     WorkflowDef: input schema, entity key, nodes
//   agents/*.yaml        AgentDef: a scoped worker (prompt, tier, output schema,
//                        tool allowlist, deterministic fallback)
//   tools/*.yaml         ToolDef (tools/tool.h)
//   prompts/*.mustache   prompt templates and partials
//   schemas/*.json       JSON Schemas referenced by path
//
// Built once by LoadProject() (project/project_loader.h); never mutated after,
// so one Project serves every run on every thread. Per-run state lives in the
// engine. The file format is documented in docs/project-files.md.
#ifndef KEEL_PROJECT_DEFINITIONS_H_
#define KEEL_PROJECT_DEFINITIONS_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/source_location.h"
#include "expr/expression.h"
#include "project/model_config.h"
#include "schema/json_schema.h"
#include "template/mustache.h"
#include "tools/tool.h"

namespace keel {

struct AgentDef {
  std::string name;
  std::string description;
  std::string tier = "small";  // small | medium | large (keys of ProjectConfig::tiers)
  std::string prompt_file;     // relative to the project root
  std::shared_ptr<const MustacheTemplate> prompt;
  std::vector<std::string> inputs;  // names the prompt and fallback may read
  Json output_schema;
  std::shared_ptr<const JsonSchema> output;
  std::vector<std::string> tools;  // allowlist of tool names
  ValueExpression fallback;        // deterministic implementation over `inputs`
  SourceLocation location;
};

enum class NodeKind {
  kTool,
  kLlm,
  kAgent,
  kParallel,
  kMap,
  kRoute,
  kOptimize,
  kApproval,
  kVerify,
  kEscalate,
  kFinalize,
};
const char* NodeKindName(NodeKind kind);  // "tool", "llm", ...

struct RouteDef {
  std::shared_ptr<const Expression> when;
  std::string next;
};

struct CheckDef {
  std::shared_ptr<const Expression> expr;  // must evaluate to true
  std::string message;
};

// One node. Fields are grouped by the kinds that use them; the loader has
// checked that each kind has what it needs and nothing it does not.
struct NodeDef {
  std::string id;
  NodeKind kind = NodeKind::kTool;
  std::string next;  // explicit successor; "" = the next node in the list (or end)
  SourceLocation location;

  // tool
  std::string tool;
  ValueExpression args;

  // llm and agent: the agent sees only `inputs` (evaluated over the run's scope)
  std::string agent;
  ValueExpression inputs;
  // agent: a tool-calling loop over the agent's allowlisted tools, at most
  // `max_turns` model turns. Output: {"answer": <validated against the
  // agent's output schema>, "actions": [{"tool", "arguments", "ok"}], "turns": n}.
  int max_turns = 6;

  // parallel: each branch is a tool or llm node with a globally unique id;
  // its output is visible to later nodes under its own id. The parallel
  // node's own output is the list of its branch ids.
  std::vector<NodeDef> branches;

  // map: evaluates `over` to a list, runs `body[0]` once per item with the
  // item bound to `as` (and its index to `as`_index), at most
  // `max_concurrency` at a time. Output: the list of body outputs, in order.
  std::shared_ptr<const Expression> over;
  std::string as = "item";
  int max_concurrency = 4;
  std::vector<NodeDef> body;  // exactly one tool or llm node

  // route: first `when` that is true wins; when none is and the node has a
  // classifier, the agent `classify_agent` (typically small-tier; its output
  // has a string `label`) classifies `classify_inputs` and `labels` maps its
  // label to the next node; else `default_next`. Output: {"next", "matched"},
  // plus "label" when the classifier chose.
  std::vector<RouteDef> routes;
  std::string default_next;
  std::string classify_agent;
  ValueExpression classify_inputs;
  std::map<std::string, std::string> labels;  // classifier label -> node id

  // optimize: generator -> evaluator (scores each criterion 1..5) -> revise
  // while any score < threshold, at most max_iterations generator passes.
  // The generator also sees `previous` (last candidate), `feedback` (the
  // evaluator's last output) and `iteration` (1-based); the evaluator sees
  // `candidate`. Output: {"candidate", "scores", "feedback", "iterations", "passed"}.
  std::string generator;  // agent name
  ValueExpression generator_inputs;
  std::string evaluator;  // agent name
  ValueExpression evaluator_inputs;
  std::vector<std::string> criteria;
  double threshold = 4;
  int max_iterations = 3;

  // approval: parks the run with `proposal` until a human decides.
  // Output once approved: {"decision": "approved", "proposal": <final>,
  // "edited": bool, "reason": "...", "by": "..."}.
  ValueExpression proposal;
  // Optional: what the proposal, and any edit a human makes to it, must match.
  std::shared_ptr<const JsonSchema> proposal_schema;
  int64_t expires_in_s = 600;
  std::string on_reject = "escalate";  // node id, or "escalate" / "fail"
  std::string on_expiry = "escalate";  // node id, or "escalate" / "fail"

  // verify: every check must hold; otherwise go to on_fail (node id), or
  // escalate when on_fail is "". Output: {"passed": bool, "failed": [messages]}.
  std::vector<CheckDef> checks;
  std::string on_fail;

  // escalate: ends the run as escalated with `reason` (and `evidence`).
  ValueExpression reason;
  ValueExpression evidence;
  std::string queue = "default";

  // finalize: writes the new state vector (`state`, optimistic locking) and
  // ends the run with `output`, plus `markdown` rendered from brief_template.
  ValueExpression state;
  ValueExpression output;
  std::string brief_template_file;
  std::shared_ptr<const MustacheTemplate> brief_template;
};

struct WorkflowDef {
  std::string name;
  std::string description;
  std::string file;  // relative to the project root
  Json input_schema;
  std::shared_ptr<const JsonSchema> input;
  std::shared_ptr<const Expression> entity_key;  // e.g. input.account_id; may be null
  Json state_schema;                             // schema of the state vector; may be null
  std::shared_ptr<const JsonSchema> state;
  std::vector<NodeDef> nodes;  // top-level nodes in listed order
};

struct TierTarget {
  std::string provider;  // "offline" | "scripted" | "openai" | "anthropic"
  std::string model;
};

struct ProjectConfig {
  std::string name;
  std::string store_path = ".keel/keel.db";  // relative to the project root
  // Default provider for every tier unless tiers say otherwise.
  std::string model_provider = "offline";
  std::string scripted_file;        // JSONL for the scripted provider
  int64_t scripted_latency_ms = 0;  // simulated latency, waits on the event loop
  // small/medium/large -> an ordered fallback chain of provider+model.
  std::map<std::string, std::vector<TierTarget>> tiers;
  ModelSettings models;  // `providers:`, `prices:`, `model_breaker:`
  int64_t lease_s = 30;
  int worker_threads = 0;  // 0 = one per core (Engine::DefaultThreads)
  int max_runs_in_flight = 10000;
  int max_model_calls_in_flight = 0;  // all runs together; 0 = no limit (engine/model_gate.h)
  std::string crm_path = ".keel/crm.db";  // the demo CRM (sales pack)
  // `defaults: tool_policies:`: what every tool's policies start from, and
  // the rate limit all tools share (the workspace's).
  ToolPolicies tool_policies;
  RateLimit workspace_rate_limit;
  // `egress: allow:`: the hosts `kind: http` tools may call (exact names or
  // "*.example.com"); empty denies every HTTP tool call.
  std::vector<std::string> egress_allow;
  // `mcp_servers:`: server name -> its settings as written (each validated
  // by ParseMcpServerConfig, mcp/mcp_server_config.h); an empty object when none.
  Json mcp_servers = Json::object();
};

struct Project {
  std::string root;  // absolute path of the project folder
  ProjectConfig config;
  std::map<std::string, WorkflowDef> workflows;
  std::map<std::string, AgentDef> agents;
  std::map<std::string, ToolDef> tools;
  MustachePartials partials;  // prompts/*.mustache by file stem

  const WorkflowDef* FindWorkflow(const std::string& name) const {
    auto it = workflows.find(name);
    return it == workflows.end() ? nullptr : &it->second;
  }
  const AgentDef* FindAgent(const std::string& name) const {
    auto it = agents.find(name);
    return it == agents.end() ? nullptr : &it->second;
  }
  const ToolDef* FindTool(const std::string& name) const {
    auto it = tools.find(name);
    return it == tools.end() ? nullptr : &it->second;
  }
};

}  // namespace keel

#endif  // KEEL_PROJECT_DEFINITIONS_H_
