// Test-only: runs a sales-pack workflow on the offline path without the
// engine, straight from the YAML files, so the pack's expressions, fallbacks,
// schemas and prompts are checked against real CRM data.
//
// Every llm node answers with its agent's fallback (as the `offline` provider
// does), each approval is granted as proposed, and tools are called through a
// ToolRegistry. Every tool argument, tool output, agent output and state
// vector is validated against its schema; every agent prompt is rendered in
// strict mode over exactly the agent's inputs. Not thread-safe.
#ifndef KEEL_CRM_SALES_PACK_RUNNER_H_
#define KEEL_CRM_SALES_PACK_RUNNER_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "schema/json_schema.h"
#include "tools/tool.h"

namespace keel::crm_test {

class SalesPackRunner {
 public:
  struct Outcome {
    std::string end;                // "finalize" | "escalate"
    std::string end_node;           // the id of the finalize or escalate node
    std::vector<std::string> path;  // node ids in the order they ran
    Json scope;                     // input, state and every node's output
    Json result;  // finalize: {state, output, markdown}; escalate: {reason, evidence}
  };

  // Reads the pack at `dir` (workflows, agents, tools, schemas, prompts).
  static Result<std::unique_ptr<SalesPackRunner>> Load(const std::string& dir,
                                                       const ToolRegistry* tools);

  // Runs `workflow` with `input`; `run_id` seeds the idempotency keys.
  Result<Outcome> Run(const std::string& workflow, const Json& input, const std::string& run_id);

  // One agent call: renders the prompt (strict) and evaluates the fallback
  // over `inputs`, then validates the output against the agent's schema.
  Result<Json> CallAgent(const std::string& agent, const Json& inputs) const;

 private:
  struct Agent {
    Json def;  // the YAML as JSON
    std::shared_ptr<const JsonSchema> output;
  };
  struct ToolSchemas {
    std::shared_ptr<const JsonSchema> input, output;
  };

  Result<Json> RunLeaf(const Json& node, const Json& scope, const std::string& run_id);
  Result<Json> RunOptimize(const Json& node, const Json& scope);
  Result<std::shared_ptr<const JsonSchema>> Schema(const std::string& path) const;

  std::string dir_;
  const ToolRegistry* tools_ = nullptr;
  std::map<std::string, Json> workflows_;
  std::map<std::string, Agent> agents_;
  std::map<std::string, ToolSchemas> tool_schemas_;
  std::map<std::string, std::string> partials_;  // prompts by file stem
};

// Converts YAML to JSON the way docs/project-files.md describes: quoted and
// block scalars are strings; plain scalars that read as null, booleans or
// numbers become those; everything else is a string.
Json YamlFileToJson(const std::string& path, Status* error);

}  // namespace keel::crm_test

#endif  // KEEL_CRM_SALES_PACK_RUNNER_H_
