#include "project/internal/model_config_reader.h"

#include <string>

#include "project/internal/yaml_file.h"

namespace keel::project_internal {

namespace {

void ReadProvider(const FieldReader& top, const std::string& name, const YAML::Node& map,
                  ProviderSettings* out) {
  FieldReader reader(
      top.file(), map, "provider '" + name + "'",
      {"base_url", "api_key", "connect_timeout_ms", "idle_timeout_ms", "total_timeout_ms",
       "max_attempts", "max_connections_per_host", "max_tokens", "stream"},
      top.diags());
  if (!reader.is_map()) return;
  reader.String("base_url", &out->base_url);
  reader.String("api_key", &out->api_key);
  reader.Int("connect_timeout_ms", 1, &out->connect_timeout_ms);
  reader.Int("idle_timeout_ms", 0, &out->idle_timeout_ms);
  reader.Int("total_timeout_ms", 1, &out->total_timeout_ms);
  int64_t attempts = 0;
  if (reader.Int("max_attempts", 1, &attempts)) out->max_attempts = static_cast<int>(attempts);
  reader.Int("max_connections_per_host", 1, &out->max_connections_per_host);
  reader.Int("max_tokens", 1, &out->max_tokens);
  reader.Bool("stream", &out->stream);
}

}  // namespace

void ReadProviders(const FieldReader& top, const Field& field, ModelSettings* settings) {
  if (!field.value.IsMap()) {
    top.Error(field, "'providers' must be a map of provider name (openai, anthropic) to settings");
    return;
  }
  for (const auto& pair : field.value) {
    const std::string name = pair.first.Scalar();
    if (name != "openai" && name != "anthropic") {
      top.diags()->Add(top.file().At(pair.first),
                       "unknown provider '" + name + "' under 'providers' (openai, anthropic)");
      continue;
    }
    ReadProvider(top, name, pair.second, &settings->providers[name]);
  }
}

void ReadPrices(const FieldReader& top, const Field& field, ModelSettings* settings) {
  if (!field.value.IsMap()) {
    top.Error(field, "'prices' must be a map of model name to USD per million tokens");
    return;
  }
  for (const auto& pair : field.value) {
    const std::string model = pair.first.Scalar();
    FieldReader price(top.file(), pair.second, "the price of '" + model + "'",
                      {"input", "output", "cached_input", "cache_write", "reasoning"}, top.diags());
    if (!price.is_map()) continue;
    Json entry = Json::object();
    for (const char* meter : {"input", "output", "cached_input", "cache_write", "reasoning"}) {
      double value = 0;
      if (price.Number(meter, 0, &value)) entry[meter] = value;
    }
    settings->prices[model] = std::move(entry);
  }
}

void ReadModelBreaker(const FieldReader& top, const Field& field, ModelSettings* settings) {
  FieldReader reader(top.file(), field.value, "model_breaker", {"failures", "cooldown_ms"},
                     top.diags());
  if (!reader.is_map()) return;
  int64_t failures = 0;
  if (reader.Int("failures", 0, &failures)) {
    settings->breaker.failures = static_cast<int>(failures);
  }
  reader.Int("cooldown_ms", 0, &settings->breaker.cooldown_ms);
}

}  // namespace keel::project_internal
