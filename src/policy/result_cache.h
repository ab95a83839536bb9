// ResultCache: the cache policy's store for one tool. Keys are the tool's
// canonical arguments (CacheKey); values are validated answers with the time
// they were stored. An entry is fresh for the tool's cache_ttl_s; older
// entries are kept (up to the fallback's stale_cache_s) so the fallback can
// answer with the last value, marked stale.
//
// Bounded: at `max_entries` an insert drops an arbitrary entry (a policy
// cache needs no exact LRU), after sweeping out expired ones at most once a
// second, so a full cache never costs a scan per insert.
//
// Thread-safe; one short critical section per lookup or store. Values are
// shared immutable JSON, so a hit copies nothing under the lock.
#ifndef KEEL_POLICY_RESULT_CACHE_H_
#define KEEL_POLICY_RESULT_CACHE_H_

#include <climits>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/json.h"

namespace keel::policy {

// The canonical form of a call's arguments. nlohmann's default object keeps
// keys sorted (std::map), so dump() of equal arguments is byte-identical
// whatever order the caller wrote the keys in.
std::string CacheKey(const Json& args);

class ResultCache {
 public:
  // `keep_us`: how long an entry is kept at all (max of the TTL and the
  // stale window).
  ResultCache(int64_t ttl_us, int64_t keep_us, size_t max_entries = 10'000);

  struct Hit {
    std::shared_ptr<const Json> value;  // null on a miss
    int64_t age_us = 0;
  };
  // A fresh entry (age < TTL), or a miss.
  Hit Fresh(const std::string& key, int64_t now_us) const;
  // Any kept entry no older than `max_age_us`, fresh or not.
  Hit Stale(const std::string& key, int64_t now_us, int64_t max_age_us) const;
  void Store(const std::string& key, Json value, int64_t now_us);

  size_t size() const;

 private:
  struct Entry {
    std::shared_ptr<const Json> value;
    int64_t stored_us;
  };
  Hit Find(const std::string& key, int64_t now_us, int64_t max_age_us) const;
  void MakeRoom(int64_t now_us);

  const int64_t ttl_us_;
  const int64_t keep_us_;
  const size_t max_entries_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  int64_t last_sweep_us_ = INT64_MIN;
};

}  // namespace keel::policy

#endif  // KEEL_POLICY_RESULT_CACHE_H_
