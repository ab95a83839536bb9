#include "mcp/json_rpc.h"

#include <gtest/gtest.h>

namespace keel {
namespace {

using json_rpc::Kind;

TEST(JsonRpcTest, ClassifiesMessages) {
  EXPECT_EQ(json_rpc::Classify(json_rpc::Request(1, "ping", nullptr)), Kind::kRequest);
  EXPECT_EQ(json_rpc::Classify({{"jsonrpc", "2.0"}, {"id", "s-1"}, {"method", "ping"}}),
            Kind::kRequest);
  EXPECT_EQ(json_rpc::Classify(json_rpc::Notification("notifications/initialized")),
            Kind::kNotification);
  EXPECT_EQ(json_rpc::Classify(json_rpc::ResultResponse(3, Json::object())), Kind::kResponse);
  EXPECT_EQ(json_rpc::Classify(json_rpc::ErrorResponse(nullptr, -32700, "Parse error")),
            Kind::kResponse);
  EXPECT_EQ(json_rpc::Classify(Json::array()), Kind::kInvalid);
  EXPECT_EQ(json_rpc::Classify({{"jsonrpc", "2.0"}, {"id", 1}}), Kind::kInvalid);
  EXPECT_EQ(json_rpc::Classify({{"jsonrpc", "2.0"}, {"method", 7}}), Kind::kInvalid);
}

TEST(JsonRpcTest, BuildsWellFormedMessages) {
  EXPECT_EQ(json_rpc::Request(4, "tools/list", Json::object()),
            Json::parse(R"({"jsonrpc":"2.0","id":4,"method":"tools/list","params":{}})"));
  EXPECT_FALSE(json_rpc::Notification("notifications/initialized").contains("params"));
  EXPECT_EQ(json_rpc::ErrorResponse("x", -32601, "Method not found")["error"]["code"], -32601);
}

struct ErrorCase {
  int code;
  StatusCode status;
  const char* type;
};

class JsonRpcErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(JsonRpcErrorTest, MapsCodes) {
  Status status =
      json_rpc::ErrorStatus({{"code", GetParam().code}, {"message", "boom"}}, "crm", "tools/call");
  EXPECT_EQ(status.code(), GetParam().status);
  EXPECT_EQ(status.type(), GetParam().type);
  EXPECT_EQ(status.message(), "mcp server 'crm': tools/call failed: boom (JSON-RPC error " +
                                  std::to_string(GetParam().code) + ")");
}

INSTANTIATE_TEST_SUITE_P(
    Codes, JsonRpcErrorTest,
    ::testing::Values(ErrorCase{-32601, StatusCode::kNotFound, "method_not_found"},
                      ErrorCase{-32602, StatusCode::kInvalidArgument, "invalid_params"},
                      ErrorCase{-32700, StatusCode::kInternal, "protocol_error"},
                      ErrorCase{-32600, StatusCode::kInternal, "protocol_error"},
                      ErrorCase{-32603, StatusCode::kInternal, "server_error"},
                      ErrorCase{-32002, StatusCode::kUnknown, "server_error"}));

TEST(JsonRpcTest, MalformedErrorObjectStillMaps) {
  Status status = json_rpc::ErrorStatus("oops", "crm", "tools/call");
  EXPECT_EQ(status.type(), "server_error");
  EXPECT_NE(status.message().find("malformed error"), std::string::npos);
}

}  // namespace
}  // namespace keel
