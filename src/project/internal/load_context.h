// What the project loader carries between its stages: the project being
// built, the shared readers, and the side facts (positions, names read,
// roles) that later checks need but the immutable definitions do not keep.
// Internal to src/project; thread-compatible.
#ifndef KEEL_PROJECT_INTERNAL_LOAD_CONTEXT_H_
#define KEEL_PROJECT_INTERNAL_LOAD_CONTEXT_H_

#include <map>
#include <string>
#include <vector>

#include "project/definitions.h"
#include "project/internal/expr_reader.h"
#include "project/internal/schema_reader.h"
#include "project/internal/template_reader.h"
#include "project/project_loader.h"

namespace keel::project_internal {

// A node id named by `field` (next, a route's next, default, on_fail, ...).
struct Target {
  std::string field;
  std::string id;
  SourceLocation where;
};

// Per node, beside its NodeDef: what the graph checks need.
struct NodeInfo {
  SourceLocation id_where;         // the id's value
  std::vector<NameUse> reads;      // names read, checked against the node's scope
  std::vector<Target> targets;     // node ids this node may go to
  std::vector<NodeInfo> children;  // parallel branches or the map body, in order
};

// Per agent: how it is used, and what its fallback and prompt read.
struct AgentInfo {
  std::string file;
  std::vector<NameUse> fallback_reads;
  bool generator = false;  // used as an optimize generator
  bool evaluator = false;  // used as an optimize evaluator
};

struct LoadContext {
  LoadContext(std::string root_dir, const LoadOptions& load_options)
      : root(std::move(root_dir)),
        options(load_options),
        schemas(root, &diags),
        templates(root, &diags) {}

  std::string root;  // absolute
  const LoadOptions& options;
  Diagnostics diags;
  SchemaReader schemas;
  TemplateReader templates;
  Project project;
  std::map<std::string, AgentInfo> agent_infos;
};

// Stages, in the order LoadProject runs them. Each reports what it finds to
// ctx->diags and fills ctx->project with what is usable.
void LoadConfig(LoadContext* ctx);
void LoadPartials(LoadContext* ctx);
void LoadTool(LoadContext* ctx, const YamlFile& file);
// Once every tool is loaded: each fallback and batch form a tool names must
// exist (and a batch form must fit its tool).
void CheckToolReferences(LoadContext* ctx);
void LoadAgent(LoadContext* ctx, const YamlFile& file);
void LoadWorkflow(LoadContext* ctx, const YamlFile& file);
// After every workflow: prompts and fallbacks may read only the agent's
// inputs, plus the optimize extras for the roles the agent is used in.
void CheckAgentScopes(LoadContext* ctx);

// Where the value at `path` ("command[1]", "env.HOME", "response.pointer")
// is inside `map`, descending as far as the path exists; the map itself
// when none of it does. Maps the field paths that connector parsers name in
// their messages to file:line:col.
SourceLocation WhereInYaml(const YamlFile& file, const YAML::Node& map, std::string_view path);

// Where a node sits, which limits its kind and fields.
enum class NodePlace { kTop, kBranch, kBody };

// Parses one node map into `def` / `info`. Returns false when the node has
// no usable id.
bool ReadNode(LoadContext* ctx, const YamlFile& file, const YAML::Node& map, NodePlace place,
              NodeDef* def, NodeInfo* info);

// Checks one workflow's graph: node ids (unique, not reserved), targets,
// reachability, cycles, and that every name read is in scope.
void CheckWorkflowGraph(const WorkflowDef& workflow, const std::vector<NodeInfo>& infos,
                        Diagnostics* diags);

}  // namespace keel::project_internal

#endif  // KEEL_PROJECT_INTERNAL_LOAD_CONTEXT_H_
