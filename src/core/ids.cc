#include "core/ids.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <chrono>
#include <random>

namespace keel {
namespace {

std::string ToHex(const unsigned char* data, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xf];
  }
  return out;
}

}  // namespace

std::string RandomHex(int bytes) {
  unsigned char buf[64];
  if (bytes > 64) bytes = 64;
  if (RAND_bytes(buf, bytes) != 1) {
    // OpenSSL's generator failing is not expected; fall back to a seeded PRNG
    // rather than crash, since ids need uniqueness, not secrecy.
    thread_local std::mt19937_64 rng{std::random_device{}()};
    for (int i = 0; i < bytes; ++i) buf[i] = static_cast<unsigned char>(rng());
  }
  return ToHex(buf, bytes);
}

std::string TraceHex(int bytes) {
  thread_local std::mt19937_64 rng = [] {
    uint64_t seed = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&seed), sizeof(seed)) != 1) {
      seed = (uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
    }
    return std::mt19937_64(seed);
  }();
  unsigned char buf[64];
  if (bytes > 64) bytes = 64;
  for (int i = 0; i < bytes; i += 8) {
    uint64_t word = rng();
    for (int j = 0; j < 8 && i + j < bytes; ++j) {
      buf[i + j] = static_cast<unsigned char>(word >> (8 * j));
    }
  }
  return ToHex(buf, bytes);
}

std::string NewId(std::string_view prefix) { return std::string(prefix) + RandomHex(8); }

std::string NewOrderedId(std::string_view prefix) {
  using namespace std::chrono;
  uint64_t ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  unsigned char time_bytes[6];
  for (int i = 5; i >= 0; --i, ms >>= 8) time_bytes[i] = static_cast<unsigned char>(ms & 0xff);
  return std::string(prefix) + ToHex(time_bytes, 6) + RandomHex(4);
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  return ToHex(digest, len);
}

}  // namespace keel
