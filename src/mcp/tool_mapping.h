// Mapping between MCP tools and keel tools: a tools/list entry becomes a
// ToolDef (named "<server>.<tool>", schemas compiled), a keel call becomes
// tools/call params (the idempotency key in _meta), and a CallToolResult
// becomes the tool's JSON result or a structured tool error.
//
// Pure functions; thread-safe.
#ifndef KEEL_MCP_TOOL_MAPPING_H_
#define KEEL_MCP_TOOL_MAPPING_H_

#include <string>
#include <string_view>

#include "core/json.h"
#include "core/status.h"
#include "tools/tool.h"

namespace keel::mcp {

// The _meta keys keel sends with tools/call.
inline constexpr char kIdempotencyKeyMeta[] = "io.keel/idempotency_key";
inline constexpr char kTraceParentMeta[] = "traceparent";

// A ToolDef for one tools/list entry of server `server`:
//   name           "<server>.<tool name>"
//   kind           "mcp"
//   description    the description, else the title
//   input/output   inputSchema / outputSchema, compiled (draft-07 semantics)
//   side_effects   false only when annotations.readOnlyHint is true
//   idempotent     annotations.idempotentHint (default false), true when read-only
//   risk           low when read-only, else medium (configuration may raise it)
// Annotations are hints from the server; keel's configuration has the last word.
// Fails with kInvalidArgument naming the tool and what is wrong (bad name,
// missing inputSchema, a schema that does not compile).
Result<ToolDef> ToolDefFromMcp(std::string_view server, const Json& tool);

// The name a qualified keel tool has on its server ("everything.echo" ->
// "echo"), or "" when it does not belong to `server`.
std::string RemoteToolName(std::string_view server, std::string_view qualified);

// tools/call params: {"name", "arguments", "_meta"?}; _meta carries the
// idempotency key (set for side-effecting calls) and the W3C traceparent.
Json CallToolParams(std::string_view remote_name, const Json& args, const ToolCallContext& ctx);

// A CallToolResult as the tool's result:
//   isError: true        -> error type "tool_error" with the content's text
//   structuredContent    -> that value
//   text content         -> the text parsed as JSON when it is JSON, else
//                           {"text": ...}; other content items (images,
//                           resources) ride along under "content".
// `tool` names the keel tool in messages. Fails with "protocol_error" when
// the result is malformed.
Result<Json> MapCallToolResult(const Json& result, std::string_view tool);

}  // namespace keel::mcp

#endif  // KEEL_MCP_TOOL_MAPPING_H_
