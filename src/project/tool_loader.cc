// tools/*.yaml -> ToolDef.
#include <algorithm>

#include "project/internal/load_context.h"
#include "project/internal/policies_reader.h"

namespace keel::project_internal {

namespace {

bool ReadRisk(const FieldReader& reader, ToolRisk* risk) {
  std::string value;
  if (!reader.String("risk", &value)) return false;
  if (value == "low") {
    *risk = ToolRisk::kLow;
  } else if (value == "medium") {
    *risk = ToolRisk::kMedium;
  } else if (value == "high") {
    *risk = ToolRisk::kHigh;
  } else {
    reader.Error(*reader.Find("risk"),
                 "unknown risk '" + value + "' (expected low, medium or high)");
    return false;
  }
  return true;
}

void CheckBuiltin(LoadContext* ctx, const FieldReader& reader, const ToolDef& tool) {
  const std::vector<std::string>& builtins = ctx->options.builtin_tools;
  if (tool.kind != "builtin" || builtins.empty() || tool.name.empty()) return;
  if (std::find(builtins.begin(), builtins.end(), tool.name) == builtins.end()) {
    reader.Error(*reader.Find("name"), "no built-in implementation of tool '" + tool.name + "'");
  }
}

// The tool's policies over the project defaults. Side effects are never
// cached: an inherited TTL is dropped, one written on the tool is an error.
void ReadPolicies(LoadContext* ctx, const FieldReader& reader, ToolDef* tool) {
  tool->policies = ctx->project.config.tool_policies;
  if (tool->side_effects) tool->policies.cache_ttl_s = 0;  // an inherited default
  const Field* field = reader.Find("policies");
  if (field == nullptr) return;
  ReadToolPolicies(reader, *field, &tool->policies);
  const std::vector<std::string>& fallbacks = tool->policies.fallback.tools;
  if (std::find(fallbacks.begin(), fallbacks.end(), tool->name) != fallbacks.end()) {
    reader.Error(*field, "tool '" + tool->name + "' cannot be its own fallback");
  }
  if (!tool->side_effects) return;
  ToolPolicies& p = tool->policies;
  if (field->value.IsMap()) {
    const YAML::Node& map = field->value;
    YAML::Node ttl = map["cache_ttl_s"];
    YAML::Node fallback = map["fallback"];
    YAML::Node stale = fallback && fallback.IsMap() ? fallback["stale_cache_s"] : YAML::Node();
    for (const YAML::Node& at : {ttl, stale}) {
      if (at && at.IsScalar() && YamlToJson(at) != 0) {
        ctx->diags.Add(reader.file().At(at), "tool '" + tool->name +
                                                 "' has side effects, so its answers are never "
                                                 "cached");
      }
    }
  }
  p.cache_ttl_s = 0;
  p.fallback.stale_cache_s = 0;
}

}  // namespace

void LoadTool(LoadContext* ctx, const YamlFile& file) {
  FieldReader reader(file, file.root, "a tool",
                     {"name", "description", "kind", "risk", "side_effects", "idempotent",
                      "input_schema", "output_schema", "policies"},
                     &ctx->diags);
  if (!reader.is_map()) return;
  ToolDef tool;
  tool.location = reader.Where();
  reader.String("name", &tool.name, /*required=*/true);
  reader.String("description", &tool.description);
  if (reader.String("kind", &tool.kind) && tool.kind != "builtin") {
    reader.Error(*reader.Find("kind"), "unknown tool kind '" + tool.kind + "' (expected builtin)");
  }
  ReadRisk(reader, &tool.risk);
  reader.Bool("side_effects", &tool.side_effects);
  reader.Bool("idempotent", &tool.idempotent);
  ReadPolicies(ctx, reader, &tool);
  CompiledSchema input;
  if (ctx->schemas.ReadField(reader, "input_schema", /*required=*/true, &input)) {
    tool.input_schema = std::move(input.document);
    tool.input = std::move(input.schema);
  }
  CompiledSchema output;
  if (ctx->schemas.ReadField(reader, "output_schema", /*required=*/true, &output)) {
    tool.output_schema = std::move(output.document);
    tool.output = std::move(output.schema);
  }
  CheckBuiltin(ctx, reader, tool);
  if (tool.name.empty()) return;
  auto [it, inserted] = ctx->project.tools.try_emplace(tool.name, tool);
  if (!inserted) {
    reader.Error(*reader.Find("name"), "duplicate tool name '" + tool.name + "' (also in " +
                                           it->second.location.file + ")");
  }
}

}  // namespace keel::project_internal
