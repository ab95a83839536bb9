#include "mcp/json_rpc.h"

namespace keel::json_rpc {

Kind Classify(const Json& message) {
  if (!message.is_object()) return Kind::kInvalid;
  auto id = message.find("id");
  bool has_id = id != message.end() && (id->is_number_integer() || id->is_string());
  auto method = message.find("method");
  if (method != message.end()) {
    if (!method->is_string()) return Kind::kInvalid;
    return has_id ? Kind::kRequest : Kind::kNotification;
  }
  bool has_outcome = message.contains("result") || message.contains("error");
  // An error response to a message whose id could not be read has id null.
  bool null_id = id != message.end() && id->is_null();
  if (has_outcome && (has_id || null_id)) return Kind::kResponse;
  return Kind::kInvalid;
}

Json Request(int64_t id, std::string_view method, Json params) {
  Json out = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (!params.is_null()) out["params"] = std::move(params);
  return out;
}

Json Notification(std::string_view method, Json params) {
  Json out = {{"jsonrpc", "2.0"}, {"method", method}};
  if (!params.is_null()) out["params"] = std::move(params);
  return out;
}

Json ResultResponse(const Json& id, Json result) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

Json ErrorResponse(const Json& id, int code, std::string_view message) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

Status ErrorStatus(const Json& error, std::string_view server, std::string_view method) {
  int code = 0;
  std::string text = "malformed error";
  if (error.is_object()) {
    if (auto c = error.find("code"); c != error.end() && c->is_number_integer()) code = *c;
    if (auto m = error.find("message"); m != error.end() && m->is_string()) text = *m;
  }
  std::string message = "mcp server '" + std::string(server) + "': " + std::string(method) +
                        " failed: " + text + " (JSON-RPC error " + std::to_string(code) + ")";
  switch (code) {
    case kMethodNotFound:
      return Status(StatusCode::kNotFound, message, "method_not_found");
    case kInvalidParams:
      return Status(StatusCode::kInvalidArgument, message, "invalid_params");
    case kParseError:
    case kInvalidRequest:
      return Status(StatusCode::kInternal, message, "protocol_error");
    case kInternalError:
      return Status(StatusCode::kInternal, message, "server_error");
    default:
      return Status(StatusCode::kUnknown, message, "server_error");
  }
}

}  // namespace keel::json_rpc
