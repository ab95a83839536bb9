// tools/*.yaml -> ToolDef: the common fields, then the fields of the tool's
// kind (builtin, subprocess, http, mcp), validated by the connector's own
// parser and kept on ToolDef::connector for the composition root.
#include <algorithm>

#include "connectors/http_spec.h"
#include "connectors/http_tool.h"
#include "connectors/subprocess_spec.h"
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

constexpr std::string_view kCommonFields[] = {"name",         "description",   "kind",
                                              "risk",         "side_effects",  "idempotent",
                                              "input_schema", "output_schema", "policies",
                                              "batch"};
constexpr std::string_view kMcpToolFields[] = {"server", "tool"};

// The fields a kind adds to the common ones.
std::vector<std::string_view> KindFields(const std::string& kind) {
  if (kind == "subprocess") return {kSubprocessToolFields.begin(), kSubprocessToolFields.end()};
  if (kind == "http") return {kHttpToolFields.begin(), kHttpToolFields.end()};
  if (kind == "mcp") return {std::begin(kMcpToolFields), std::end(kMcpToolFields)};
  return {};
}

std::vector<std::string_view> AllFields() {
  std::vector<std::string_view> all(std::begin(kCommonFields), std::end(kCommonFields));
  for (const char* kind : {"subprocess", "http", "mcp"}) {
    for (std::string_view f : KindFields(kind)) {
      if (std::find(all.begin(), all.end(), f) == all.end()) all.push_back(f);
    }
  }
  return all;
}

// A connector parser's message starts with the field path it is about
// ("command[0]: expected the program name"): report it there.
void ReportSpecError(const FieldReader& reader, const Status& status) {
  const std::string& message = status.message();
  size_t colon = message.find(": ");
  std::string_view path =
      colon == std::string::npos ? std::string_view() : std::string_view(message).substr(0, colon);
  SourceLocation where = reader.Where();
  if (!path.empty() && path.find(' ') == std::string_view::npos) {
    where = WhereInYaml(reader.file(), reader.file().root, path);
  }
  reader.diags()->Add(where, message);
}

// The entry's fields of `kind`, as JSON.
Json KindEntry(const FieldReader& reader, const std::string& kind) {
  Json entry = Json::object();
  for (std::string_view name : KindFields(kind)) {
    if (const Field* field = reader.Find(name)) entry[std::string(name)] = YamlToJson(field->value);
  }
  return entry;
}

// An http tool whose host is written out (no ${env:} or template) must name
// an allowed host; one read from the environment is checked at call time.
void CheckStaticHost(LoadContext* ctx, const FieldReader& reader, const Json& entry) {
  std::string url = entry.value("base_url", "");
  const char* field = "base_url";
  if (url.empty()) {
    url = entry.value("url", "");
    field = "url";
  }
  std::string host = UrlHost(url);
  if (host.empty() || url.find("${") != std::string::npos || host.find('{') != std::string::npos) {
    return;
  }
  if (!EgressAllowed(ctx->project.config.egress_allow, host)) {
    reader.Error(*reader.Find(field),
                 "host '" + host + "' is not on the egress allowlist (keel.yaml egress.allow)");
  }
}

// Validates the kind's own fields and keeps them on tool->connector.
void ReadConnector(LoadContext* ctx, const FieldReader& reader, ToolDef* tool) {
  std::vector<std::string_view> own = KindFields(tool->kind);
  for (const Field& field : reader.fields()) {
    bool common = std::find(std::begin(kCommonFields), std::end(kCommonFields), field.name) !=
                  std::end(kCommonFields);
    if (!common && std::find(own.begin(), own.end(), field.name) == own.end()) {
      ctx->diags.Add(reader.file().At(field.key),
                     "field '" + field.name + "' does not apply to a tool of kind " + tool->kind);
    }
  }
  if (tool->kind == "builtin") return;
  Json entry = KindEntry(reader, tool->kind);
  if (tool->kind == "subprocess") {
    Result<SubprocessToolSpec> spec = ParseSubprocessToolSpec(entry);
    if (!spec.ok()) return ReportSpecError(reader, spec.status());
  } else if (tool->kind == "http") {
    Result<HttpToolSpec> spec = ParseHttpToolSpec(entry);
    if (!spec.ok()) return ReportSpecError(reader, spec.status());
    CheckStaticHost(ctx, reader, entry);
  } else {
    std::string server, remote;
    bool ok = reader.String("server", &server, /*required=*/true);
    ok = reader.String("tool", &remote, /*required=*/true) && ok;
    if (!ok) return;
    if (!ctx->project.config.mcp_servers.contains(server)) {
      reader.Error(*reader.Find("server"),
                   "mcp server '" + server + "' is not declared in keel.yaml mcp_servers");
      return;
    }
  }
  tool->connector = std::move(entry);
}

void ReadSchemas(LoadContext* ctx, const FieldReader& reader, ToolDef* tool) {
  // An MCP server describes its own tools: the YAML may leave the schemas
  // to it (the adapter then validates against the server's).
  bool required = tool->kind != "mcp";
  CompiledSchema input;
  if (ctx->schemas.ReadField(reader, "input_schema", required, &input)) {
    tool->input_schema = std::move(input.document);
    tool->input = std::move(input.schema);
  }
  CompiledSchema output;
  if (ctx->schemas.ReadField(reader, "output_schema", required, &output)) {
    tool->output_schema = std::move(output.document);
    tool->output = std::move(output.schema);
  }
}

}  // namespace

SourceLocation WhereInYaml(const YamlFile& file, const YAML::Node& map, std::string_view path) {
  YAML::Node at = map;
  while (!path.empty()) {
    size_t end = path.find_first_of(".[");
    std::string_view part = path.substr(0, end);
    YAML::Node next;
    if (!part.empty() && at.IsMap()) {
      next = at[std::string(part)];
    } else if (part.empty() && path[0] == '[' && at.IsSequence()) {
      size_t close = path.find(']');
      if (close == std::string_view::npos) break;
      size_t index = std::strtoul(std::string(path.substr(1, close - 1)).c_str(), nullptr, 10);
      if (index < at.size()) next = at[index];
      end = close + 1;
    }
    if (!next || !next.IsDefined()) break;
    at = next;
    path = end >= path.size() ? std::string_view() : path.substr(path[end] == '.' ? end + 1 : end);
  }
  return file.At(at);
}

// `batch: {tool, max_items}`; the batch tool itself is checked once every
// tool is loaded (CheckToolReferences).
void ReadBatch(const FieldReader& reader, ToolDef* tool) {
  const Field* field = reader.Find("batch");
  if (field == nullptr) return;
  FieldReader batch(reader.file(), field->value, "a tool's batch", {"tool", "max_items"},
                    reader.diags());
  if (!batch.is_map()) return;
  batch.String("tool", &tool->batch_tool, /*required=*/true);
  int64_t max_items = 25;
  batch.Int("max_items", 1, &max_items);
  tool->batch_max_items = static_cast<int>(max_items);
}

void LoadTool(LoadContext* ctx, const YamlFile& file) {
  FieldReader reader(file, file.root, "a tool", AllFields(), &ctx->diags);
  if (!reader.is_map()) return;
  ToolDef tool;
  tool.location = reader.Where();
  reader.String("name", &tool.name, /*required=*/true);
  reader.String("description", &tool.description);
  if (reader.String("kind", &tool.kind) && tool.kind != "builtin" && tool.kind != "subprocess" &&
      tool.kind != "http" && tool.kind != "mcp") {
    reader.Error(*reader.Find("kind"), "unknown tool kind '" + tool.kind +
                                           "' (expected builtin, subprocess, http or mcp)");
    return;
  }
  ReadRisk(reader, &tool.risk);
  reader.Bool("side_effects", &tool.side_effects);
  reader.Bool("idempotent", &tool.idempotent);
  ReadPolicies(ctx, reader, &tool);
  ReadBatch(reader, &tool);
  ReadConnector(ctx, reader, &tool);
  ReadSchemas(ctx, reader, &tool);
  CheckBuiltin(ctx, reader, tool);
  if (tool.name.empty()) return;
  auto [it, inserted] = ctx->project.tools.try_emplace(tool.name, tool);
  if (!inserted) {
    reader.Error(*reader.Find("name"), "duplicate tool name '" + tool.name + "' (also in " +
                                           it->second.location.file + ")");
  }
}

// The batch form must exist, be no batch itself, and do what the tool does
// (a side effect stays one, under the same idempotency rule).
void CheckBatchForm(LoadContext* ctx, const ToolDef& tool) {
  if (tool.batch_tool.empty()) return;
  auto batch = ctx->project.tools.find(tool.batch_tool);
  std::string prefix = "tool '" + tool.name + "': batch form '" + tool.batch_tool + "'";
  if (batch == ctx->project.tools.end()) {
    ctx->diags.Add(tool.location, prefix + " is not a tool of the project");
    return;
  }
  const ToolDef& form = batch->second;
  if (!form.batch_tool.empty()) {
    ctx->diags.Add(tool.location, prefix + " has a batch form of its own");
  }
  if (form.side_effects != tool.side_effects || form.idempotent != tool.idempotent) {
    ctx->diags.Add(tool.location,
                   prefix + " must declare the same side_effects and idempotent as the tool");
  }
}

void CheckToolReferences(LoadContext* ctx) {
  for (const auto& [name, tool] : ctx->project.tools) {
    CheckBatchForm(ctx, tool);
    for (const std::string& fallback : tool.policies.fallback.tools) {
      if (ctx->project.tools.count(fallback) == 0) {
        ctx->diags.Add(tool.location,
                       "tool '" + name + "' falls back to unknown tool '" + fallback + "'");
      }
    }
  }
}

}  // namespace keel::project_internal
