// TokenBucket: the rate limit policy's counter, one per tool and one for the
// workspace (every tool of the process's project together).
//
// Decision: a call never holds a thread for a token. When the next token is
// due within the policy's max_wait_ms, the token is reserved (the bucket goes
// into debt) and the caller waits that long on a timer; otherwise the call
// fails fast as rate_limited with retry_after_s, and nothing is taken.
//
// Thread-safe; one short critical section per call.
#ifndef KEEL_POLICY_TOKEN_BUCKET_H_
#define KEEL_POLICY_TOKEN_BUCKET_H_

#include <cstdint>
#include <mutex>

#include "tools/tool_policies.h"

namespace keel::policy {

class TokenBucket {
 public:
  // Starts full at `now_us`.
  TokenBucket(const RateLimit& limit, int64_t now_us);

  struct Grant {
    bool granted = true;
    int64_t wait_us = 0;  // granted: wait this long first; refused: when to try again
  };
  // Takes one token. Never blocks.
  Grant Acquire(int64_t now_us);
  // Returns a token taken by Acquire (another bucket refused the call).
  void Refund();

  const RateLimit& limit() const { return limit_; }

 private:
  void Refill(int64_t now_us);

  const RateLimit limit_;
  std::mutex mu_;
  double tokens_;  // may go negative: tokens reserved by waiting callers
  int64_t last_us_;
};

}  // namespace keel::policy

#endif  // KEEL_POLICY_TOKEN_BUCKET_H_
