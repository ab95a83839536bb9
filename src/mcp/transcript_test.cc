// Parser and mapping tests over real stdio transcripts recorded from
// @modelcontextprotocol/server-everything (../shared/conformance, section 6).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "mcp/json_rpc.h"
#include "mcp/mcp_protocol.h"
#include "mcp/tool_mapping.h"

namespace keel {
namespace {

constexpr char kCaptures[] = "../shared/conformance/mcp-conformance/server-everything-captures/";

struct Exchange {
  Json request;
  Json response;
};

// A transcript as request/response pairs by id, plus what else the server sent.
struct Transcript {
  std::map<int64_t, Exchange> by_id;
  std::vector<Json> server_messages;
  size_t tool_count = 0;

  const Exchange* Find(const std::string& method, const std::string& tool = "") const {
    for (const auto& [id, exchange] : by_id) {
      const Json& req = exchange.request;
      if (req.value("method", "") != method) continue;
      if (!tool.empty() && req["params"].value("name", "") != tool) continue;
      return &exchange;
    }
    return nullptr;
  }
};

class TranscriptTest : public ::testing::TestWithParam<std::pair<const char*, size_t>> {
 protected:
  void SetUp() override {
    std::string path = std::string(kCaptures) + GetParam().first;
    if (!std::filesystem::exists(path)) {
      GTEST_SKIP() << "MCP transcripts not found at " << path
                   << " (the shared conformance material is not checked out beside the repo)";
    }
    Json file = Json::parse(std::ifstream(path));
    for (const Json& entry : file["transcript"]) {
      const Json& msg = entry["msg"];
      bool from_client = entry["dir"] == "client->server";
      if (from_client && msg.contains("id")) transcript_.by_id[msg["id"]].request = msg;
      if (from_client) continue;
      transcript_.server_messages.push_back(msg);
      if (json_rpc::Classify(msg) == json_rpc::Kind::kResponse) {
        transcript_.by_id[msg["id"]].response = msg;
      }
    }
  }

  Transcript transcript_;
};

TEST_P(TranscriptTest, EveryServerMessageClassifies) {
  int responses = 0, notifications = 0, requests = 0;
  for (const Json& msg : transcript_.server_messages) {
    switch (json_rpc::Classify(msg)) {
      case json_rpc::Kind::kResponse:
        ++responses;
        break;
      case json_rpc::Kind::kNotification:
        ++notifications;
        EXPECT_EQ(msg["method"], "notifications/tools/list_changed");
        break;
      case json_rpc::Kind::kRequest:
        ++requests;
        EXPECT_EQ(msg["method"], "roots/list");
        break;
      case json_rpc::Kind::kInvalid:
        ADD_FAILURE() << "invalid: " << msg.dump();
        break;
    }
  }
  EXPECT_EQ(responses, 8);
  EXPECT_GE(notifications, 1);
}

TEST_P(TranscriptTest, InitializeResultNegotiates) {
  const Exchange* init = transcript_.Find("initialize");
  ASSERT_NE(init, nullptr);
  // keel's own initialize params have the recorded shape.
  Json params = mcp::InitializeParams("0.1.0");
  EXPECT_EQ(params["protocolVersion"], init->request["params"]["protocolVersion"]);
  Result<mcp::ServerInfo> info = mcp::ParseInitializeResult(init->response["result"], "everything");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->protocol_version, "2025-11-25");
  EXPECT_EQ(info->name, "mcp-servers/everything");
  EXPECT_EQ(info->title, "Everything Reference Server");
  EXPECT_TRUE(info->tools_list_changed);
  EXPECT_FALSE(info->instructions.empty());
}

TEST_P(TranscriptTest, ToolsListBecomesToolDefs) {
  const Exchange* list = transcript_.Find("tools/list");
  ASSERT_NE(list, nullptr);
  Result<mcp::ToolPage> page = mcp::ParseToolsListPage(list->response["result"], "everything");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_TRUE(page->next_cursor.empty());
  ASSERT_EQ(page->tools.size(), GetParam().second);
  std::map<std::string, ToolDef> defs;
  for (const Json& tool : page->tools) {
    Result<ToolDef> def = mcp::ToolDefFromMcp("everything", tool);
    ASSERT_TRUE(def.ok()) << def.status().ToString();
    EXPECT_EQ(def->kind, "mcp");
    EXPECT_NE(def->input, nullptr);
    defs[def->name] = *def;
  }
  ASSERT_TRUE(defs.count("everything.echo"));
  const ToolDef& echo = defs["everything.echo"];
  EXPECT_EQ(echo.description, "Echoes back the input string");
  EXPECT_FALSE(echo.side_effects) << "annotated readOnlyHint";
  EXPECT_TRUE(echo.input->Validate({{"message", "hello"}}).ok());
  EXPECT_FALSE(echo.input->Validate(Json::object()).ok());
  EXPECT_EQ(echo.output, nullptr);

  const ToolDef& structured = defs["everything.get-structured-content"];
  ASSERT_NE(structured.output, nullptr);
  const Exchange* call = transcript_.Find("tools/call", "get-structured-content");
  ASSERT_NE(call, nullptr);
  EXPECT_TRUE(structured.output->Validate(call->response["result"]["structuredContent"]).ok());
  EXPECT_FALSE(structured.output->Validate({{"temperature", "hot"}}).ok());
}

TEST_P(TranscriptTest, CallParamsMatchTheRecordedRequests) {
  for (const char* tool : {"get-sum", "echo"}) {
    const Exchange* call = transcript_.Find("tools/call", tool);
    ASSERT_NE(call, nullptr) << tool;
    const Json& recorded = call->request["params"];
    EXPECT_EQ(mcp::CallToolParams(tool, recorded["arguments"], {}), recorded);
  }
}

TEST_P(TranscriptTest, CallResultsMap) {
  auto result_of = [&](const std::string& tool, const Json& args) -> Json {
    for (const auto& [id, ex] : transcript_.by_id) {
      if (ex.request.value("method", "") == "tools/call" && ex.request["params"]["name"] == tool &&
          ex.request["params"]["arguments"] == args) {
        return ex.response["result"];
      }
    }
    ADD_FAILURE() << "no call of " << tool;
    return Json();
  };
  Result<Json> sum =
      mcp::MapCallToolResult(result_of("get-sum", {{"a", 2}, {"b", 40}}), "everything.get-sum");
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(*sum, (Json{{"text", "The sum of 2 and 40 is 42."}}));

  Result<Json> echo =
      mcp::MapCallToolResult(result_of("echo", {{"message", "hello"}}), "everything.echo");
  ASSERT_TRUE(echo.ok());
  EXPECT_EQ(*echo, (Json{{"text", "Echo: hello"}}));

  Result<Json> weather = mcp::MapCallToolResult(
      result_of("get-structured-content", {{"location", "New York"}}), "everything.x");
  ASSERT_TRUE(weather.ok());
  EXPECT_EQ(*weather, (Json{{"temperature", 33}, {"conditions", "Cloudy"}, {"humidity", 82}}));

  Result<Json> bad_args =
      mcp::MapCallToolResult(result_of("echo", Json::object()), "everything.echo");
  ASSERT_FALSE(bad_args.ok());
  EXPECT_EQ(bad_args.error().type(), "tool_error");
  EXPECT_NE(bad_args.error().message().find("Input validation error"), std::string::npos);
  EXPECT_NE(bad_args.error().message().find("everything.echo"), std::string::npos);

  Result<Json> unknown =
      mcp::MapCallToolResult(result_of("no-such-tool", Json::object()), "everything.no-such-tool");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().type(), "tool_error");
  EXPECT_NE(unknown.error().message().find("not found"), std::string::npos);
}

TEST_P(TranscriptTest, UnknownMethodErrorMaps) {
  const Exchange* call = transcript_.Find("no/such/method");
  ASSERT_NE(call, nullptr);
  Status status = json_rpc::ErrorStatus(call->response["error"], "everything", "no/such/method");
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.type(), "method_not_found");
  EXPECT_NE(status.message().find("no/such/method"), std::string::npos);
  EXPECT_NE(status.message().find("-32601"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    ServerEverything, TranscriptTest,
    ::testing::Values(std::make_pair("stdio-transcript-no-client-caps.json", size_t{13}),
                      std::make_pair("stdio-transcript-full-client-caps.json", size_t{19})),
    [](const auto& info) {
      return std::string(info.param.second == 13 ? "NoClientCaps" : "FullClientCaps");
    });

}  // namespace
}  // namespace keel
