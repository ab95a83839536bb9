// JSON-RPC 2.0 messages as MCP uses them: building requests, notifications
// and responses, telling incoming messages apart, and turning error objects
// into keel Status values.
//
// Pure functions over Json values; thread-safe.
#ifndef KEEL_MCP_JSON_RPC_H_
#define KEEL_MCP_JSON_RPC_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/json.h"
#include "core/status.h"

namespace keel::json_rpc {

// Error codes defined by JSON-RPC 2.0.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;

enum class Kind { kRequest, kNotification, kResponse, kInvalid };

// What an incoming message is. Responses carry "result" or "error" and an id;
// requests carry a method and an id; notifications a method and no id.
Kind Classify(const Json& message);

Json Request(int64_t id, std::string_view method, Json params);
Json Notification(std::string_view method, Json params = nullptr);
Json ResultResponse(const Json& id, Json result);
Json ErrorResponse(const Json& id, int code, std::string_view message);

// A Status for a JSON-RPC error object received for `method` from `server`:
//   -32601 -> kNotFound "method_not_found";   -32602 -> kInvalidArgument "invalid_params";
//   -32700/-32600 -> kInternal "protocol_error"; -32603 -> kInternal "server_error";
//   anything else -> kUnknown "server_error".
// The message names the server, the method, the code and the server's text.
Status ErrorStatus(const Json& error, std::string_view server, std::string_view method);

}  // namespace keel::json_rpc

#endif  // KEEL_MCP_JSON_RPC_H_
