// The MCP lifecycle and listing messages, as pure functions: the initialize
// request and the reading of its result (protocol version negotiation), and
// the reading of one tools/list page.
//
// Pure functions over Json values; thread-safe.
#ifndef KEEL_MCP_MCP_PROTOCOL_H_
#define KEEL_MCP_MCP_PROTOCOL_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"

namespace keel::mcp {

// The version keel asks for; a server may answer with an older one it
// prefers, which keel accepts when it is listed below.
inline constexpr std::string_view kLatestProtocolVersion = "2025-11-25";
inline constexpr std::string_view kSupportedProtocolVersions[] = {"2025-11-25", "2025-06-18",
                                                                  "2025-03-26"};
bool IsSupportedProtocolVersion(std::string_view version);

// Params of the initialize request. keel declares no client capabilities: it
// answers no sampling, roots or elicitation requests.
Json InitializeParams(std::string_view client_version);

struct ServerInfo {
  std::string protocol_version;  // the negotiated version
  std::string name;
  std::string title;
  std::string version;
  std::string instructions;
  bool tools_list_changed = false;  // the server sends notifications/tools/list_changed
  Json capabilities;
};

// Reads an initialize result. Fails with type "protocol_error" when it is
// malformed or has no tools capability, and "unsupported_protocol_version"
// when the server chose a version keel does not speak.
Result<ServerInfo> ParseInitializeResult(const Json& result, std::string_view server);

struct ToolPage {
  std::vector<Json> tools;  // the raw Tool objects
  std::string next_cursor;  // "" on the last page
};

// Reads one tools/list result. Fails with type "protocol_error" when it is
// malformed.
Result<ToolPage> ParseToolsListPage(const Json& result, std::string_view server);

}  // namespace keel::mcp

#endif  // KEEL_MCP_MCP_PROTOCOL_H_
