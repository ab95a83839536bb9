// The model settings of keel.yaml beyond the tiers: how to reach each HTTP
// provider (`providers:`), the price overrides (`prices:`) and the circuit
// breaker every tier entry gets (`model_breaker:`). Part of ProjectConfig.
//
// Thread-safety: plain values, read-only once the project is loaded.
#ifndef KEEL_PROJECT_MODEL_CONFIG_H_
#define KEEL_PROJECT_MODEL_CONFIG_H_

#include <cstdint>
#include <map>
#include <string>

#include "core/json.h"

namespace keel {

// `providers: openai: {...}` / `anthropic: {...}`. Empty strings mean the
// provider's environment variable (OPENAI_API_KEY, OPENAI_BASE_URL,
// ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL), then the public endpoint.
struct ProviderSettings {
  std::string base_url;
  std::string api_key;  // never logged; prefer the environment variable
  int64_t connect_timeout_ms = 10'000;
  int64_t idle_timeout_ms = 60'000;
  int64_t total_timeout_ms = 600'000;
  int max_attempts = 4;  // per entry, the first try included (429/5xx retries)
  int64_t max_connections_per_host = 1000;
  int64_t max_tokens = 1024;
  bool stream = false;
};

// Opens a tier entry after `failures` consecutive unavailable answers; after
// `cooldown_ms` one probe call decides whether it closes.
struct ModelBreakerSettings {
  int failures = 3;  // 0 = no breaker
  int64_t cooldown_ms = 30'000;
};

struct ModelSettings {
  std::map<std::string, ProviderSettings> providers;  // "openai", "anthropic"
  // {"model": {"input": 2.5, "output": 10, ...}}, USD per million tokens,
  // over the built-in price table (providers/price_table.h).
  Json prices = Json::object();
  ModelBreakerSettings breaker;
};

}  // namespace keel

#endif  // KEEL_PROJECT_MODEL_CONFIG_H_
