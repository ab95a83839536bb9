// workflows/*.yaml -> WorkflowDef.
#include "project/internal/load_context.h"

namespace keel::project_internal {

namespace {

// The entity key picks the state vector, so it can read only the input.
void ReadEntityKey(LoadContext* ctx, const FieldReader& reader, WorkflowDef* workflow) {
  std::vector<NameUse> reads;
  workflow->entity_key = ReadExpressionField(reader, "entity_key", /*required=*/false, &reads);
  for (const NameUse& use : reads) {
    if (use.name == "input") continue;
    ctx->diags.Add(use.where, "entity_key reads '" + use.name + "'; it can read only input");
  }
}

void ReadNodes(LoadContext* ctx, const FieldReader& reader, WorkflowDef* workflow,
               std::vector<NodeInfo>* infos) {
  const Field* field = reader.Require("nodes");
  if (field == nullptr) return;
  if (!field->value.IsSequence() || field->value.size() == 0) {
    reader.Error(*field, "'nodes' must be a non-empty list of nodes");
    return;
  }
  for (const YAML::Node& item : field->value) {
    NodeDef node;
    NodeInfo info;
    if (!ReadNode(ctx, reader.file(), item, NodePlace::kTop, &node, &info)) continue;
    workflow->nodes.push_back(std::move(node));
    infos->push_back(std::move(info));
  }
}

}  // namespace

void LoadWorkflow(LoadContext* ctx, const YamlFile& file) {
  FieldReader reader(file, file.root, "a workflow",
                     {"name", "description", "input_schema", "entity_key", "state_schema", "nodes"},
                     &ctx->diags);
  if (!reader.is_map()) return;
  WorkflowDef workflow;
  workflow.file = file.path;
  reader.String("name", &workflow.name, /*required=*/true);
  reader.String("description", &workflow.description);
  CompiledSchema input;
  if (ctx->schemas.ReadField(reader, "input_schema", /*required=*/true, &input)) {
    workflow.input_schema = std::move(input.document);
    workflow.input = std::move(input.schema);
  }
  ReadEntityKey(ctx, reader, &workflow);
  CompiledSchema state;
  if (ctx->schemas.ReadField(reader, "state_schema", /*required=*/false, &state)) {
    workflow.state_schema = std::move(state.document);
    workflow.state = std::move(state.schema);
  }
  std::vector<NodeInfo> infos;
  ReadNodes(ctx, reader, &workflow, &infos);
  CheckWorkflowGraph(workflow, infos, &ctx->diags);
  if (workflow.name.empty()) return;
  const std::string name = workflow.name;
  auto [it, inserted] = ctx->project.workflows.try_emplace(name, std::move(workflow));
  if (!inserted) {
    reader.Error(*reader.Find("name"),
                 "duplicate workflow name '" + name + "' (also in " + it->second.file + ")");
  }
}

}  // namespace keel::project_internal
