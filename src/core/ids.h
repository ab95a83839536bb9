// Identifiers and content hashes. Thread-safe.
#ifndef KEEL_CORE_IDS_H_
#define KEEL_CORE_IDS_H_

#include <string>
#include <string_view>

namespace keel {

// A new random identifier: `prefix` + 16 lowercase hex chars (64 random bits),
// e.g. NewId("run_") -> "run_3f9a0c1d2e4b5a69".
std::string NewId(std::string_view prefix);

// Lowercase hex of `bytes` random bytes (trace ids: 16, span ids: 8).
std::string RandomHex(int bytes);

// Hex SHA-256 of `data` (OpenSSL).
std::string Sha256Hex(std::string_view data);

}  // namespace keel

#endif  // KEEL_CORE_IDS_H_
