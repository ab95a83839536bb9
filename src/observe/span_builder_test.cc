#include "observe/span_builder.h"

#include <gtest/gtest.h>

namespace keel {
namespace {

TEST(SpanBuilderTest, StartSpanFillsIdsAndLeavesItOpen) {
  Span span = StartSpan("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", "run_1",
                        "node draft_brief", "node", 1000);
  EXPECT_EQ(span.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(span.parent_span_id, "00f067aa0ba902b7");
  EXPECT_EQ(span.run_id, "run_1");
  EXPECT_EQ(span.name, "node draft_brief");
  EXPECT_EQ(span.kind, "node");
  EXPECT_EQ(span.start_us, 1000);
  EXPECT_EQ(span.end_us, 0);
  EXPECT_TRUE(span.attrs.is_object());
  ASSERT_EQ(span.span_id.size(), 16u);
  EXPECT_EQ(span.span_id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(StartSpan(span.trace_id, "", "run_1", "x", "node", 0).span_id, span.span_id);
}

TEST(SpanBuilderTest, EmptyTraceIdStartsANewTrace) {
  Span a = StartSpan("", "", "run_1", "run renewal_prep", "run", 0);
  Span b = StartSpan("", "", "run_2", "run renewal_prep", "run", 0);
  EXPECT_EQ(a.trace_id.size(), 32u);
  EXPECT_NE(a.trace_id, b.trace_id);
  EXPECT_NE(Traceparent(a.trace_id, a.span_id), "");
}

TEST(SpanBuilderTest, EndSpanSetsEndAndStatusAndNeverGoesBackwards) {
  Span span = StartSpan("", "", "run_1", "tool crm.get_account", "tool", 5000);
  EndSpan(span, 7500, "error");
  EXPECT_EQ(span.end_us, 7500);
  EXPECT_EQ(span.status, "error");
  EndSpan(span, 4000, "ok");  // the wall clock stepped back
  EXPECT_EQ(span.end_us, 5000);
  EXPECT_EQ(span.status, "ok");
}

TEST(SpanBuilderTest, TraceparentFollowsW3cFormat) {
  EXPECT_EQ(Traceparent("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"),
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  EXPECT_EQ(Traceparent("4BF92F3577B34DA6A3CE929D0E0E4736", "00F067AA0BA902B7"),
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
}

TEST(SpanBuilderTest, TraceparentRejectsMalformedIds) {
  const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  const std::string span = "00f067aa0ba902b7";
  EXPECT_EQ(Traceparent("", span), "");
  EXPECT_EQ(Traceparent(trace.substr(1), span), "");
  EXPECT_EQ(Traceparent(trace, span + "0"), "");
  EXPECT_EQ(Traceparent("4bf92f3577b34da6a3ce929d0e0e473g", span), "");
  EXPECT_EQ(Traceparent(std::string(32, '0'), span), "");
  EXPECT_EQ(Traceparent(trace, std::string(16, '0')), "");
}

}  // namespace
}  // namespace keel
