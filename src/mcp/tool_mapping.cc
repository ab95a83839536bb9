#include "mcp/tool_mapping.h"

#include <cctype>

#include "connectors/subprocess_tool.h"

namespace keel::mcp {
namespace {

// MCP 2025-11-25 tool names: 1-128 characters of A-Z a-z 0-9 _ - .
bool ValidToolName(const std::string& name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

Status CompileInto(const std::string& tool, const char* field, const Json& schema, Json* document,
                   std::shared_ptr<const JsonSchema>* compiled) {
  if (!schema.is_object()) return InvalidArgument(tool + ": " + field + " is not an object");
  // No loader: a server's schema must not make keel fetch documents.
  auto result = JsonSchema::Compile(schema);
  if (!result.ok()) {
    return InvalidArgument(tool + ": " + field + " does not compile: " + result.error().message());
  }
  *document = schema;
  *compiled = std::move(*result);
  return Status::Ok();
}

bool Hint(const Json& tool, const char* name, bool fallback) {
  auto annotations = tool.find("annotations");
  if (annotations == tool.end() || !annotations->is_object()) return fallback;
  auto hint = annotations->find(name);
  return hint != annotations->end() && hint->is_boolean() ? hint->get<bool>() : fallback;
}

}  // namespace

Result<ToolDef> ToolDefFromMcp(std::string_view server, const Json& tool) {
  const std::string where = "mcp server '" + std::string(server) + "'";
  if (!tool.is_object()) return InvalidArgument(where + ": a tools/list entry is not an object");
  auto name = tool.find("name");
  if (name == tool.end() || !name->is_string() || !ValidToolName(name->get<std::string>())) {
    return InvalidArgument(where + ": tool name " +
                           (name == tool.end() ? "missing" : name->dump()) +
                           " is not 1-128 characters of letters, digits, '_', '-' or '.'");
  }
  ToolDef def;
  def.name = std::string(server) + "." + name->get<std::string>();
  def.kind = "mcp";
  const std::string label = where + " tool '" + name->get<std::string>() + "'";
  def.description = tool.value("description", "");
  if (def.description.empty()) def.description = tool.value("title", "");
  auto input = tool.find("inputSchema");
  if (input == tool.end()) return InvalidArgument(label + ": inputSchema is missing");
  KEEL_RETURN_IF_ERROR(CompileInto(label, "inputSchema", *input, &def.input_schema, &def.input));
  if (auto output = tool.find("outputSchema"); output != tool.end() && !output->is_null()) {
    KEEL_RETURN_IF_ERROR(
        CompileInto(label, "outputSchema", *output, &def.output_schema, &def.output));
  }
  bool read_only = Hint(tool, "readOnlyHint", false);
  def.side_effects = !read_only;
  def.idempotent = read_only || Hint(tool, "idempotentHint", false);
  def.risk = read_only ? ToolRisk::kLow : ToolRisk::kMedium;
  def.location.file = where;
  return def;
}

std::string RemoteToolName(std::string_view server, std::string_view qualified) {
  if (qualified.size() <= server.size() + 1 || qualified.substr(0, server.size()) != server ||
      qualified[server.size()] != '.') {
    return "";
  }
  return std::string(qualified.substr(server.size() + 1));
}

Json CallToolParams(std::string_view remote_name, const Json& args, const ToolCallContext& ctx) {
  Json params = {{"name", remote_name}, {"arguments", args.is_null() ? Json::object() : args}};
  Json meta = Json::object();
  if (!ctx.idempotency_key.empty()) meta[kIdempotencyKeyMeta] = ctx.idempotency_key;
  std::string traceparent = TraceParent(ctx.trace_id, ctx.span_id);
  if (!traceparent.empty()) meta[kTraceParentMeta] = traceparent;
  if (!meta.empty()) params["_meta"] = std::move(meta);
  return params;
}

Result<Json> MapCallToolResult(const Json& result, std::string_view tool) {
  const std::string where = "tool '" + std::string(tool) + "'";
  if (!result.is_object()) {
    return Status(StatusCode::kInternal, where + ": tools/call result is not an object",
                  "protocol_error");
  }
  std::string text;
  Json other = Json::array();
  size_t text_items = 0;
  if (auto content = result.find("content"); content != result.end() && content->is_array()) {
    for (const Json& item : *content) {
      if (item.is_object() && item.value("type", "") == "text" && item.contains("text") &&
          item["text"].is_string()) {
        if (text_items++ > 0) text += "\n";
        text += item["text"].get<std::string>();
      } else {
        other.push_back(item);
      }
    }
  }
  if (result.value("isError", false)) {
    return Status(StatusCode::kUnknown,
                  where + " reported an error: " + (text.empty() ? "(no message)" : text),
                  "tool_error");
  }
  if (auto structured = result.find("structuredContent");
      structured != result.end() && !structured->is_null()) {
    return *structured;
  }
  if (text_items > 0 && other.empty()) {
    Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_discarded()) return parsed;
  }
  Json out = Json::object();
  if (text_items > 0) out["text"] = text;
  if (!other.empty()) out["content"] = std::move(other);
  if (out.empty()) out["text"] = "";
  return out;
}

}  // namespace keel::mcp
