// TailBuffer: keeps the last `capacity` bytes of a stream (a child's stderr,
// a server's log) and counts what it dropped, so a chatty process costs a
// bounded amount of memory.
//
// Thread-compatible: callers synchronize.
#ifndef KEEL_CONNECTORS_TAIL_BUFFER_H_
#define KEEL_CONNECTORS_TAIL_BUFFER_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace keel {

class TailBuffer {
 public:
  explicit TailBuffer(size_t capacity) : capacity_(capacity) {}

  void Append(std::string_view data) {
    if (data.size() >= capacity_) {
      dropped_ += text_.size() + data.size() - capacity_;
      text_.assign(data.substr(data.size() - capacity_));
      return;
    }
    size_t overflow = text_.size() + data.size();
    if (overflow > capacity_) {
      // Trim in one go rather than per byte; the buffer is small.
      size_t cut = overflow - capacity_;
      text_.erase(0, cut);
      dropped_ += cut;
    }
    text_.append(data);
  }

  // The kept text, prefixed with "[... N bytes dropped] " when any were.
  std::string Text() const {
    if (dropped_ == 0) return text_;
    return "[... " + std::to_string(dropped_) + " bytes dropped] " + text_;
  }
  const std::string& kept() const { return text_; }
  size_t dropped() const { return dropped_; }
  bool empty() const { return text_.empty() && dropped_ == 0; }

 private:
  size_t capacity_;
  size_t dropped_ = 0;
  std::string text_;
};

}  // namespace keel

#endif  // KEEL_CONNECTORS_TAIL_BUFFER_H_
