// PackedText: text kept deflated (zlib, raw deflate) while it waits, given
// back whole by Unpack(). For payloads that sit in memory much longer than
// they are used: a model request's body waiting behind the connection cap
// holds about half its bytes this way. Text too short or too random to
// shrink is kept as it is.
//
// Thread-safe: a PackedText is an immutable value once made; Pack() and
// Unpack() may run on any thread (each keeps its own zlib state).
#ifndef KEEL_IO_PACKED_TEXT_H_
#define KEEL_IO_PACKED_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace keel {

class PackedText {
 public:
  PackedText() = default;

  // Never fails: when deflating does not shrink `text` it is stored as is.
  static PackedText Pack(std::string_view text);

  // The text given to Pack().
  std::string Unpack() const;

  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }                 // of the text
  size_t packed_size() const { return bytes_.size(); }  // held in memory

 private:
  std::string bytes_;
  size_t size_ = 0;
  bool deflated_ = false;
};

}  // namespace keel

#endif  // KEEL_IO_PACKED_TEXT_H_
