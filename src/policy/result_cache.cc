#include "policy/result_cache.h"

#include <algorithm>
#include <climits>

#include "core/json_text.h"

namespace keel::policy {

std::string CacheKey(const Json& args) {
  return DumpJsonText(args);
}

ResultCache::ResultCache(int64_t ttl_us, int64_t keep_us, size_t max_entries)
    : ttl_us_(ttl_us), keep_us_(std::max(ttl_us, keep_us)), max_entries_(max_entries) {}

ResultCache::Hit ResultCache::Find(const std::string& key, int64_t now_us,
                                   int64_t max_age_us) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return {};
  int64_t age = now_us - it->second.stored_us;
  if (age >= max_age_us) return {};
  return {it->second.value, age};
}

ResultCache::Hit ResultCache::Fresh(const std::string& key, int64_t now_us) const {
  return Find(key, now_us, ttl_us_);
}

ResultCache::Hit ResultCache::Stale(const std::string& key, int64_t now_us,
                                    int64_t max_age_us) const {
  return Find(key, now_us, std::min(max_age_us, keep_us_));
}

void ResultCache::Store(const std::string& key, Json value, int64_t now_us) {
  auto shared = std::make_shared<const Json>(std::move(value));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    it->second = Entry{std::move(shared), now_us};
    return;
  }
  if (entries_.size() >= max_entries_) MakeRoom(now_us);
  entries_.emplace(key, Entry{std::move(shared), now_us});
}

void ResultCache::MakeRoom(int64_t now_us) {
  if (last_sweep_us_ != INT64_MIN && now_us - last_sweep_us_ < 1'000'000) {
    entries_.erase(entries_.begin());
    return;
  }
  last_sweep_us_ = now_us;
  for (auto it = entries_.begin(); it != entries_.end();) {
    it = now_us - it->second.stored_us >= keep_us_ ? entries_.erase(it) : std::next(it);
  }
  if (entries_.size() >= max_entries_) entries_.erase(entries_.begin());
}

size_t ResultCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace keel::policy
