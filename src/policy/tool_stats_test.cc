#include "policy/tool_stats.h"

#include <gtest/gtest.h>

#include "policy/audit.h"

namespace keel::policy {
namespace {

Span ToolSpan(const ToolCallRecord& record, int64_t end_us) {
  Span span;
  span.kind = "tool";
  span.end_us = end_us;
  span.attrs = Json::object();
  WriteSpanAttributes(record, &span.attrs);
  return span;
}

ToolCallRecord Record(const std::string& tool, const std::string& outcome, int64_t latency_us) {
  ToolCallRecord r;
  r.tool = tool;
  r.outcome = outcome;
  r.latency_us = latency_us;
  return r;
}

TEST(ToolStatsTest, PerToolCountsRatesPercentilesAndBreaker) {
  std::vector<Span> spans;
  for (int i = 1; i <= 100; ++i) {
    ToolCallRecord r = Record("crm.get_account", "ok", i * 1000);
    r.cache_hit = i <= 40;
    spans.push_back(ToolSpan(r, i));
  }
  ToolCallRecord timeout = Record("crm.get_account", "error", 5'000'000);
  timeout.error_type = "timeout";
  timeout.breaker_state = "open";
  spans.push_back(ToolSpan(timeout, 1000));
  ToolCallRecord stale = Record("billing.get_contract", "fallback", 10);
  stale.stale = true;
  spans.push_back(ToolSpan(stale, 5));
  Span model;  // other spans are ignored
  model.kind = "model";
  spans.push_back(model);
  Span unaudited;  // a tool span the engine wrote before the chain existed
  unaudited.kind = "tool";
  unaudited.attrs = {{"tool", "crm.get_account"}, {"attempts", 1}};
  spans.push_back(unaudited);

  std::vector<ToolStats> stats = ComputeToolStats(spans);
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats[0].tool, "billing.get_contract");
  EXPECT_EQ(stats[0].fallbacks, 1);
  EXPECT_DOUBLE_EQ(stats[0].success_rate, 1.0);
  const ToolStats& crm = stats[1];
  EXPECT_EQ(crm.calls, 101);
  EXPECT_EQ(crm.succeeded, 100);
  EXPECT_NEAR(crm.success_rate, 100.0 / 101, 1e-9);
  EXPECT_NEAR(crm.cache_hit_rate, 40.0 / 101, 1e-9);
  EXPECT_DOUBLE_EQ(crm.p50_ms, 51);
  EXPECT_DOUBLE_EQ(crm.p95_ms, 96);
  EXPECT_DOUBLE_EQ(crm.p99_ms, 100);
  EXPECT_EQ(crm.error_types.at("timeout"), 1);
  EXPECT_EQ(crm.breaker_state, "open");  // the latest call's view

  Json json = ToolStatsJson(stats);
  EXPECT_EQ(json["tools"][1]["error_types"]["timeout"], 1);
  std::string table = ToolStatsTable(stats);
  EXPECT_NE(table.find("crm.get_account"), std::string::npos);
  EXPECT_NE(table.find("timeout=1"), std::string::npos);
}

TEST(ToolStatsTest, NoSpansNoTools) {
  EXPECT_TRUE(ComputeToolStats({}).empty());
  EXPECT_EQ(ToolStatsJson({})["tools"].size(), 0u);
}

}  // namespace
}  // namespace keel::policy
