#include "policy/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace keel::policy {

TokenBucket::TokenBucket(const RateLimit& limit, int64_t now_us)
    : limit_(limit), tokens_(std::max(1.0, limit.burst)), last_us_(now_us) {}

void TokenBucket::Refill(int64_t now_us) {
  if (now_us <= last_us_) return;
  double capacity = std::max(1.0, limit_.burst);
  tokens_ = std::min(capacity, tokens_ + double(now_us - last_us_) * limit_.per_s / 1e6);
  last_us_ = now_us;
}

TokenBucket::Grant TokenBucket::Acquire(int64_t now_us) {
  if (!limit_.enabled()) return {};
  std::lock_guard<std::mutex> lock(mu_);
  Refill(now_us);
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return {};
  }
  int64_t wait_us = static_cast<int64_t>(std::ceil((1.0 - tokens_) * 1e6 / limit_.per_s));
  if (wait_us <= limit_.max_wait_ms * 1000) {
    tokens_ -= 1.0;
    return {true, wait_us};
  }
  return {false, wait_us};  // nothing taken; try again when the token is due
}

void TokenBucket::Refund() {
  if (!limit_.enabled()) return;
  std::lock_guard<std::mutex> lock(mu_);
  tokens_ = std::min(std::max(1.0, limit_.burst), tokens_ + 1.0);
}

}  // namespace keel::policy
