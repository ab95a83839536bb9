#include "mcp/tool_mapping.h"

#include <gtest/gtest.h>

#include "mcp/mcp_protocol.h"

namespace keel {
namespace {

Json TextContent(const std::string& text) {
  return {{"content", Json::array({Json{{"type", "text"}, {"text", text}}})}};
}

TEST(ToolMappingTest, TextThatIsJsonIsParsed) {
  Result<Json> out = mcp::MapCallToolResult(TextContent(R"({"score": 0.8})"), "crm.score");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, (Json{{"score", 0.8}}));
}

TEST(ToolMappingTest, SeveralTextItemsAreJoined) {
  Json result = {{"content", Json::array({Json{{"type", "text"}, {"text", "line one"}},
                                          Json{{"type", "text"}, {"text", "line two"}}})}};
  Result<Json> out = mcp::MapCallToolResult(result, "a.b");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, (Json{{"text", "line one\nline two"}}));
}

TEST(ToolMappingTest, NonTextContentRidesAlong) {
  Json image = {{"type", "image"}, {"data", "iVBOR"}, {"mimeType", "image/png"}};
  Json result = {{"content", Json::array({Json{{"type", "text"}, {"text", "a chart"}}, image})}};
  Result<Json> out = mcp::MapCallToolResult(result, "a.b");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)["text"], "a chart");
  EXPECT_EQ((*out)["content"], Json::array({image}));
  Result<Json> empty = mcp::MapCallToolResult({{"content", Json::array()}}, "a.b");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, (Json{{"text", ""}}));
}

TEST(ToolMappingTest, MalformedResultIsProtocolError) {
  Result<Json> out = mcp::MapCallToolResult("nope", "a.b");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().type(), "protocol_error");
}

TEST(ToolMappingTest, IdempotencyKeyAndTraceGoInMeta) {
  ToolCallContext ctx;
  ctx.idempotency_key = "run-1/send/0";
  ctx.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  ctx.span_id = "00f067aa0ba902b7";
  Json params = mcp::CallToolParams("send_email", {{"to", "a@b.c"}}, ctx);
  EXPECT_EQ(params["_meta"][mcp::kIdempotencyKeyMeta], "run-1/send/0");
  EXPECT_EQ(params["_meta"]["traceparent"],
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  EXPECT_FALSE(mcp::CallToolParams("x", nullptr, {}).contains("_meta"));
  EXPECT_EQ(mcp::CallToolParams("x", nullptr, {})["arguments"], Json::object());
}

TEST(ToolMappingTest, AnnotationsSetSideEffects) {
  Json tool = {{"name", "delete_deal"}, {"inputSchema", {{"type", "object"}}}};
  Result<ToolDef> plain = mcp::ToolDefFromMcp("crm", tool);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->name, "crm.delete_deal");
  EXPECT_TRUE(plain->side_effects);
  EXPECT_FALSE(plain->idempotent);
  EXPECT_EQ(plain->risk, ToolRisk::kMedium);
  tool["annotations"] = {{"idempotentHint", true}};
  EXPECT_TRUE(mcp::ToolDefFromMcp("crm", tool)->idempotent);
}

TEST(ToolMappingTest, BadEntriesAreReportedNotFatal) {
  Result<ToolDef> no_schema = mcp::ToolDefFromMcp("crm", {{"name", "x"}});
  ASSERT_FALSE(no_schema.ok());
  EXPECT_NE(no_schema.error().message().find("tool 'x': inputSchema is missing"),
            std::string::npos);
  Result<ToolDef> bad_schema =
      mcp::ToolDefFromMcp("crm", {{"name", "x"}, {"inputSchema", {{"type", 12}}}});
  ASSERT_FALSE(bad_schema.ok());
  EXPECT_NE(bad_schema.error().message().find("inputSchema does not compile"), std::string::npos);
  Result<ToolDef> bad_name =
      mcp::ToolDefFromMcp("crm", {{"name", "has space"}, {"inputSchema", Json::object()}});
  ASSERT_FALSE(bad_name.ok());
  EXPECT_NE(bad_name.error().message().find("\"has space\""), std::string::npos);
}

TEST(ToolMappingTest, RemoteNameStripsTheServerPrefix) {
  EXPECT_EQ(mcp::RemoteToolName("everything", "everything.get-sum"), "get-sum");
  EXPECT_EQ(mcp::RemoteToolName("everything", "every.get-sum"), "");
  EXPECT_EQ(mcp::RemoteToolName("everything", "everything."), "");
}

TEST(ProtocolTest, VersionNegotiation) {
  Json result = {{"protocolVersion", "2025-03-26"}, {"capabilities", {{"tools", Json::object()}}}};
  Result<mcp::ServerInfo> info = mcp::ParseInitializeResult(result, "x");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->protocol_version, "2025-03-26");
  EXPECT_FALSE(info->tools_list_changed);
  result["protocolVersion"] = "2024-11-05";
  ASSERT_FALSE(mcp::ParseInitializeResult(result, "x").ok());
  EXPECT_EQ(mcp::ParseInitializeResult(result, "x").error().type(), "unsupported_protocol_version");
  Json no_tools = {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()}};
  EXPECT_NE(mcp::ParseInitializeResult(no_tools, "x").error().message().find("offers no tools"),
            std::string::npos);
}

TEST(ProtocolTest, ToolsListPageCursor) {
  Result<mcp::ToolPage> page =
      mcp::ParseToolsListPage({{"tools", Json::array()}, {"nextCursor", "abc"}}, "x");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->next_cursor, "abc");
  EXPECT_FALSE(mcp::ParseToolsListPage({{"tools", 3}}, "x").ok());
  EXPECT_FALSE(mcp::ParseToolsListPage({{"tools", Json::array()}, {"nextCursor", 3}}, "x").ok());
}

}  // namespace
}  // namespace keel
