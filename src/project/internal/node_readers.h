// The per-kind halves of ReadNode (see load_context.h): each reads the fields
// of one node kind from an already-checked map. Internal to src/project;
// thread-compatible.
#ifndef KEEL_PROJECT_INTERNAL_NODE_READERS_H_
#define KEEL_PROJECT_INTERNAL_NODE_READERS_H_

#include <string_view>
#include <vector>

#include "project/internal/load_context.h"

namespace keel::project_internal {

// What every per-kind reader works on.
struct NodeInput {
  LoadContext* ctx;
  const FieldReader& reader;
  NodeDef* def;
  NodeInfo* info;
};

// The fields each kind takes besides id, kind and next.
const std::vector<std::string_view>& KindFields(NodeKind kind);

void ReadToolFields(const NodeInput& in);
void ReadLlmFields(const NodeInput& in);
void ReadAgentFields(const NodeInput& in);
void ReadParallelFields(const NodeInput& in);
void ReadMapFields(const NodeInput& in);
void ReadRouteFields(const NodeInput& in);
void ReadOptimizeFields(const NodeInput& in);
void ReadApprovalFields(const NodeInput& in);
void ReadVerifyFields(const NodeInput& in);
void ReadEscalateFields(const NodeInput& in);
void ReadFinalizeFields(const NodeInput& in);

// Records field `name` (a node id) as a target of the node.
void ReadTarget(const NodeInput& in, std::string_view name, std::string* out);

// The agent named by field `name`, reporting an unknown one; null when absent
// or unknown.
const AgentDef* ReadAgentRef(const NodeInput& in, std::string_view name, std::string* out);

// Reads value template `inputs_field` for `agent` and checks its keys against
// the agent's declared inputs; `provided` are inputs the engine supplies
// itself (the optimize extras).
ValueExpression ReadAgentInputs(const NodeInput& in, std::string_view inputs_field,
                                const AgentDef* agent,
                                const std::vector<std::string_view>& provided);

}  // namespace keel::project_internal

#endif  // KEEL_PROJECT_INTERNAL_NODE_READERS_H_
