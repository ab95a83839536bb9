#include "io/sse_parser.h"

namespace keel {

bool SseParser::Feed(std::string_view chunk, const std::function<bool(const SseEvent&)>& on_event) {
  size_t i = 0;
  if (skip_lf_ && !chunk.empty()) {
    if (chunk[0] == '\n') i = 1;
    skip_lf_ = false;
  }
  while (i < chunk.size()) {
    size_t end = chunk.find_first_of("\r\n", i);
    if (end == std::string_view::npos) {
      line_.append(chunk.substr(i));
      break;
    }
    line_.append(chunk.substr(i, end - i));
    if (chunk[end] == '\r') {
      if (end + 1 == chunk.size()) {
        skip_lf_ = true;
      } else if (chunk[end + 1] == '\n') {
        ++end;
      }
    }
    i = end + 1;
    if (!Line(on_event)) return false;
  }
  return true;
}

bool SseParser::Line(const std::function<bool(const SseEvent&)>& on_event) {
  std::string_view line(line_);
  bool keep_going = true;
  if (line.empty()) {
    // A blank line dispatches the event; one with no data is dropped (per spec).
    if (has_data_) {
      event_.id = last_id_;
      keep_going = on_event(event_);
    }
    event_ = SseEvent();
    has_data_ = false;
  } else if (line[0] != ':') {  // lines starting with ':' are comments (keep-alives)
    size_t colon = line.find(':');
    std::string_view field = line.substr(0, colon);
    std::string_view value;
    if (colon != std::string_view::npos) {
      value = line.substr(colon + 1);
      if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
    }
    if (field == "data") {
      if (has_data_) event_.data.push_back('\n');
      event_.data.append(value);
      has_data_ = true;
    } else if (field == "event") {
      event_.type.assign(value);
    } else if (field == "id") {
      last_id_.assign(value);
    } else if (field == "retry" && !value.empty() &&
               value.find_first_not_of("0123456789") == std::string_view::npos &&
               value.size() < 10) {
      retry_ms_ = std::stoll(std::string(value));
    }  // unknown fields are ignored; reconnecting is the caller's policy
  }
  line_.clear();
  return keep_going;
}

}  // namespace keel
