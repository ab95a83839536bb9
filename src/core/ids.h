// Identifiers and content hashes. Thread-safe.
#ifndef KEEL_CORE_IDS_H_
#define KEEL_CORE_IDS_H_

#include <string>
#include <string_view>

namespace keel {

// A new random identifier: `prefix` + 16 lowercase hex chars (64 random bits),
// e.g. NewId("run_") -> "run_3f9a0c1d2e4b5a69".
std::string NewId(std::string_view prefix);

// A new identifier that sorts by creation time: `prefix` + 12 hex chars of
// the wall clock in milliseconds + 8 random hex chars (32 bits), e.g.
// NewOrderedId("run_") -> "run_019a8c3f2b1e9c04d7a1". Rows keyed by such ids
// land at the end of the store's b-trees, so the runs in flight share pages
// instead of dirtying one random page each per commit.
std::string NewOrderedId(std::string_view prefix);

// Lowercase hex of `bytes` random bytes from OpenSSL's generator.
std::string RandomHex(int bytes);

// Lowercase hex of `bytes` bytes from a per-thread generator seeded from
// OpenSSL's: unique, not secret, and several times cheaper than RandomHex.
// For trace ids (16) and span ids (8), of which every step makes a few.
std::string TraceHex(int bytes);

// Hex SHA-256 of `data` (OpenSSL).
std::string Sha256Hex(std::string_view data);

}  // namespace keel

#endif  // KEEL_CORE_IDS_H_
