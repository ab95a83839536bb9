#include "io/sse_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace keel {
namespace {

std::vector<SseEvent> ParseInChunks(const std::string& text, size_t chunk) {
  SseParser parser;
  std::vector<SseEvent> events;
  for (size_t i = 0; i < text.size(); i += chunk) {
    parser.Feed(std::string_view(text).substr(i, chunk), [&](const SseEvent& e) {
      events.push_back(e);
      return true;
    });
  }
  return events;
}

TEST(SseParserTest, ParsesEventsSplitAnywhere) {
  const std::string text =
      ": keep-alive\r\n"
      "event: message_start\r\ndata: {\"a\":1}\r\n\r\n"
      "data: line one\ndata: line two\n\n"
      "id: 7\rdata:no-space\r\r";
  for (size_t chunk = 1; chunk <= text.size(); ++chunk) {
    auto events = ParseInChunks(text, chunk);
    ASSERT_EQ(events.size(), 3u) << "chunk size " << chunk;
    EXPECT_EQ(events[0].type, "message_start");
    EXPECT_EQ(events[0].data, "{\"a\":1}");
    EXPECT_EQ(events[1].type, "message");
    EXPECT_EQ(events[1].data, "line one\nline two");
    EXPECT_EQ(events[2].data, "no-space");
    EXPECT_EQ(events[2].id, "7");
  }
}

TEST(SseParserTest, EventWithoutDataIsNotDispatched) {
  auto events = ParseInChunks("event: ping\n\ndata: x\n\n", 3);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "message");  // the type does not leak into the next event
  EXPECT_EQ(events[0].data, "x");
}

TEST(SseParserTest, ReportsATruncatedStream) {
  SseParser parser;
  int n = 0;
  parser.Feed("data: [DONE]\n\ndata: {\"partial\"", [&](const SseEvent&) { return ++n > 0; });
  EXPECT_EQ(n, 1);
  EXPECT_TRUE(parser.has_partial_event());
  EXPECT_GT(parser.pending_bytes(), 0u);
}

TEST(SseParserTest, StopsWhenTheConsumerSaysSo) {
  SseParser parser;
  int n = 0;
  bool ok = parser.Feed("data: 1\n\ndata: 2\n\n", [&](const SseEvent&) {
    ++n;
    return false;
  });
  EXPECT_FALSE(ok);
  EXPECT_EQ(n, 1);
}

TEST(SseParserTest, KeepsTheRetryDelayAndThePrimingEventsId) {
  SseParser parser;
  EXPECT_EQ(parser.retry_ms(), -1);
  std::vector<SseEvent> events;
  parser.Feed("id: e1\nretry: 250\ndata:\n\nretry: soon\n\n", [&](const SseEvent& e) {
    events.push_back(e);
    return true;
  });
  ASSERT_EQ(events.size(), 1u);  // an empty "data:" still dispatches (MCP's priming event)
  EXPECT_EQ(events[0].data, "");
  EXPECT_EQ(events[0].id, "e1");
  EXPECT_EQ(parser.retry_ms(), 250);  // a value that is not a number is ignored
}

}  // namespace
}  // namespace keel
