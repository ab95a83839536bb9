#include "mcp/mcp_protocol.h"

namespace keel::mcp {
namespace {

Status ProtocolError(std::string_view server, const std::string& what) {
  return Status(StatusCode::kInternal, "mcp server '" + std::string(server) + "': " + what,
                "protocol_error");
}

std::string StringField(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

bool IsSupportedProtocolVersion(std::string_view version) {
  for (std::string_view v : kSupportedProtocolVersions) {
    if (v == version) return true;
  }
  return false;
}

Json InitializeParams(std::string_view client_version) {
  return {{"protocolVersion", kLatestProtocolVersion},
          {"capabilities", Json::object()},
          {"clientInfo", {{"name", "keel"}, {"version", client_version}}}};
}

Result<ServerInfo> ParseInitializeResult(const Json& result, std::string_view server) {
  if (!result.is_object()) return ProtocolError(server, "initialize result is not an object");
  ServerInfo info;
  info.protocol_version = StringField(result, "protocolVersion");
  if (info.protocol_version.empty()) {
    return ProtocolError(server, "initialize result has no protocolVersion");
  }
  if (!IsSupportedProtocolVersion(info.protocol_version)) {
    return Status(StatusCode::kFailedPrecondition,
                  "mcp server '" + std::string(server) + "' speaks protocol version " +
                      info.protocol_version + "; keel supports 2025-11-25, 2025-06-18 and " +
                      "2025-03-26",
                  "unsupported_protocol_version");
  }
  auto caps = result.find("capabilities");
  if (caps == result.end() || !caps->is_object()) {
    return ProtocolError(server, "initialize result has no capabilities");
  }
  info.capabilities = *caps;
  auto tools = caps->find("tools");
  if (tools == caps->end() || !tools->is_object()) {
    return Status(StatusCode::kFailedPrecondition,
                  "mcp server '" + std::string(server) + "' offers no tools", "protocol_error");
  }
  info.tools_list_changed = tools->value("listChanged", false);
  if (auto si = result.find("serverInfo"); si != result.end() && si->is_object()) {
    info.name = StringField(*si, "name");
    info.title = StringField(*si, "title");
    info.version = StringField(*si, "version");
  }
  info.instructions = StringField(result, "instructions");
  return info;
}

Result<ToolPage> ParseToolsListPage(const Json& result, std::string_view server) {
  if (!result.is_object()) return ProtocolError(server, "tools/list result is not an object");
  auto tools = result.find("tools");
  if (tools == result.end() || !tools->is_array()) {
    return ProtocolError(server, "tools/list result has no tools list");
  }
  ToolPage page;
  page.tools.assign(tools->begin(), tools->end());
  if (auto cursor = result.find("nextCursor"); cursor != result.end()) {
    if (!cursor->is_string() && !cursor->is_null()) {
      return ProtocolError(server, "tools/list nextCursor is not a string");
    }
    if (cursor->is_string()) page.next_cursor = cursor->get<std::string>();
  }
  return page;
}

}  // namespace keel::mcp
