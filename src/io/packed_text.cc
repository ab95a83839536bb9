#include "io/packed_text.h"

#include <zlib.h>

#include <cassert>

namespace keel {
namespace {

// Shorter text is not worth a zlib call.
constexpr size_t kMinPackedSize = 256;
// Raw deflate (no header: the size is kept beside it) with a 4 KB window and
// a small hash table: request bodies are a few KB, and a small state is
// cheap to reset (the default 256 KB state costs more to clear than the text
// takes to deflate). Level 1: this trades CPU for memory, so stay fast.
constexpr int kWindowBits = 12;
constexpr int kMemLevel = 5;

// One zlib stream per thread, reset per use instead of allocated per use.
struct Deflater {
  z_stream z{};
  bool ok = deflateInit2(&z, 1, Z_DEFLATED, -kWindowBits, kMemLevel, Z_DEFAULT_STRATEGY) == Z_OK;
  ~Deflater() { deflateEnd(&z); }
};

struct Inflater {
  z_stream z{};
  bool ok = inflateInit2(&z, -kWindowBits) == Z_OK;
  ~Inflater() { inflateEnd(&z); }
};

}  // namespace

PackedText PackedText::Pack(std::string_view text) {
  PackedText packed;
  packed.size_ = text.size();
  thread_local Deflater deflater;
  if (text.size() >= kMinPackedSize && deflater.ok && deflateReset(&deflater.z) == Z_OK) {
    z_stream& z = deflater.z;
    std::string out(deflateBound(&z, text.size()), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z.avail_in = static_cast<uInt>(text.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    if (deflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out < text.size()) {
      out.resize(z.total_out);
      out.shrink_to_fit();
      packed.bytes_ = std::move(out);
      packed.deflated_ = true;
      return packed;
    }
  }
  packed.bytes_ = std::string(text);
  return packed;
}

std::string PackedText::Unpack() const {
  if (!deflated_) return bytes_;
  thread_local Inflater inflater;
  std::string out(size_, '\0');
  z_stream& z = inflater.z;
  bool ok = inflater.ok && inflateReset(&z) == Z_OK;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes_.data()));
  z.avail_in = static_cast<uInt>(bytes_.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  ok = ok && inflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out == size_;
  // Holds: the bytes are what deflate made of exactly size_ bytes, and
  // nothing changes them (the value is immutable).
  assert(ok);
  (void)ok;
  return out;
}

}  // namespace keel
