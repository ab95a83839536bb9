// SseParser: an incremental parser for server-sent events (the WHATWG
// "text/event-stream" format), the framing both model providers stream in.
// Bytes go in as they arrive, split anywhere (even inside a "\r\n"); whole
// events come out. Hand-written because none of keel's libraries parses SSE
// and the format is a few lines of state.
//
// Thread-compatible: one parser per stream.
#ifndef KEEL_IO_SSE_PARSER_H_
#define KEEL_IO_SSE_PARSER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace keel {

struct SseEvent {
  std::string type = "message";  // the "event:" field, "message" when absent
  std::string data;              // "data:" lines joined by "\n"
  std::string id;                // the last "id:" seen on the stream
};

class SseParser {
 public:
  // Feeds a chunk; calls `on_event` for every event it completes. Stops
  // early and returns false when `on_event` returns false.
  bool Feed(std::string_view chunk, const std::function<bool(const SseEvent&)>& on_event);

  // Bytes buffered in an unfinished line (a stream that ends with some is truncated).
  size_t pending_bytes() const { return line_.size(); }
  // The last "retry:" the stream sent (its reconnection delay, ms); -1 if none.
  int64_t retry_ms() const { return retry_ms_; }
  // True when fields were read but no blank line has dispatched them yet.
  bool has_partial_event() const { return has_data_ || !line_.empty(); }

 private:
  // Processes one complete line; returns false when the consumer asked to stop.
  bool Line(const std::function<bool(const SseEvent&)>& on_event);

  std::string line_;
  bool skip_lf_ = false;  // the last chunk ended in '\r': a leading '\n' belongs to it
  bool has_data_ = false;
  SseEvent event_;
  std::string last_id_;
  int64_t retry_ms_ = -1;
};

}  // namespace keel

#endif  // KEEL_IO_SSE_PARSER_H_
