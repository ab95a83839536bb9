// ProviderConfig: what every HTTP model provider needs — where to send, the
// key, timeouts, the retry policy and the price table — and ProviderDeps, the
// runtime services it runs on. Keys come from configuration or the
// provider's environment variable and are never logged or returned.
//
// Thread-safety: plain values, read-only once a provider is built.
#ifndef KEEL_PROVIDERS_PROVIDER_CONFIG_H_
#define KEEL_PROVIDERS_PROVIDER_CONFIG_H_

#include <functional>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/timer_service.h"
#include "io/http_client.h"
#include "providers/price_table.h"
#include "providers/provider_retry_policy.h"

namespace keel {

struct ProviderConfig {
  std::string base_url;  // empty: the environment variable, then the public endpoint
  std::string api_key;   // empty: the environment variable
  int64_t connect_timeout_ms = 10'000;
  int64_t idle_timeout_ms = 60'000;  // streamed calls: no byte for this long fails the attempt
  int64_t total_timeout_ms = 600'000;
  ProviderRetryPolicy retry;
  std::shared_ptr<const PriceTable> prices;  // null: PriceTable::Defaults()
};

struct ProviderDeps {
  HttpClient* http = nullptr;      // never null
  TimerService* timers = nullptr;  // retry backoff; never null (usually the EventLoop)
  Clock* clock = nullptr;          // latency and the retry budget; never null
  // A draw in [0, 1) for the backoff jitter; null: a thread-local generator.
  std::function<double()> uniform01;
};

// `value` when non-empty, else the environment variable `env` when set, else `fallback`.
std::string ConfigOrEnv(const std::string& value, const char* env, const std::string& fallback);

}  // namespace keel

#endif  // KEEL_PROVIDERS_PROVIDER_CONFIG_H_
