#include "routing/model_setup.h"

#include <algorithm>
#include <filesystem>

#include "models/offline_model.h"
#include "models/recording_model.h"
#include "models/scripted_model.h"
#include "providers/anthropic/anthropic_chat_model.h"
#include "providers/chat_model_adapter.h"
#include "providers/openai/openai_chat_model.h"

namespace keel {

namespace {

bool IsHttpProvider(const std::string& provider) {
  return provider == "openai" || provider == "anthropic";
}

const ProviderSettings& SettingsFor(const ProjectConfig& config, const std::string& provider) {
  static const ProviderSettings kDefaults;
  auto it = config.models.providers.find(provider);
  return it == config.models.providers.end() ? kDefaults : it->second;
}

std::string ProjectFile(const std::string& root, const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty() || fs::path(path).is_absolute() || root.empty()) return path;
  return (fs::path(root) / path).lexically_normal().string();
}

}  // namespace

std::string EntryName(const TierTarget& target) {
  return target.model.empty() ? target.provider : target.provider + "/" + target.model;
}

ModelResources::ModelResources(const ProjectConfig& config, const ModelSetupDeps& deps)
    : config_(config), deps_(deps), http_(deps.http) {}

ModelResources::~ModelResources() = default;

Result<std::unique_ptr<ModelResources>> ModelResources::Create(const ProjectConfig& config,
                                                               const ModelSetupDeps& deps) {
  std::unique_ptr<ModelResources> resources(new ModelResources(config, deps));
  PriceTable prices = PriceTable::Defaults();
  Status merged = prices.Merge(config.models.prices);
  if (!merged.ok()) return InvalidArgument("keel.yaml: prices: " + merged.message());
  resources->prices_ = std::make_shared<const PriceTable>(std::move(prices));
  return resources;
}

Result<std::shared_ptr<ChatModel>> ModelResources::ChatModelFor(const std::string& provider) {
  if (auto it = chat_.find(provider); it != chat_.end()) return it->second;
  if (!IsHttpProvider(provider)) {
    return InvalidArgument("'" + provider + "' is not an HTTP model provider");
  }
  if (!http_) {
    // One client per loop: the cap is the largest any provider asks for.
    HttpClientOptions options;
    options.max_host_connections = 1;
    for (const auto& [name, settings] : config_.models.providers) {
      options.max_host_connections =
          std::max(options.max_host_connections, settings.max_connections_per_host);
    }
    if (config_.models.providers.empty()) options.max_host_connections = 1000;
    options.max_total_connections = std::max<int64_t>(options.max_host_connections * 2, 4000);
    // A request beyond what a host's connections carry would only wait
    // inside libcurl, holding a transfer handle; in keel's queue it holds
    // only itself. (max_active_requests defaults to the per-host cap.)
    // Thousands of requests at once each hold a receive buffer; 4 KB holds
    // a typical answer whole.
    options.receive_buffer_bytes = 4 * 1024;
    own_http_ = std::make_unique<HttpClient>(deps_.loop, options);
    http_ = own_http_.get();
  }
  const ProviderSettings& settings = SettingsFor(config_, provider);
  ProviderConfig provider_config;
  provider_config.base_url = settings.base_url;
  provider_config.api_key = settings.api_key;
  provider_config.connect_timeout_ms = settings.connect_timeout_ms;
  provider_config.idle_timeout_ms = settings.idle_timeout_ms;
  provider_config.total_timeout_ms = settings.total_timeout_ms;
  provider_config.retry.max_attempts = settings.max_attempts;
  provider_config.prices = prices_;
  ProviderDeps provider_deps;
  provider_deps.http = http_;
  provider_deps.timers = deps_.loop;
  provider_deps.clock = deps_.clock;
  std::shared_ptr<ChatModel> chat =
      provider == "openai" ? NewOpenAiChatModel(std::move(provider_config), provider_deps)
                           : NewAnthropicChatModel(std::move(provider_config), provider_deps);
  chat_[provider] = chat;
  return chat;
}

Result<std::shared_ptr<Model>> ModelResources::EntryModel(const TierTarget& target) {
  const std::string name = EntryName(target);
  if (auto it = entries_.find(name); it != entries_.end()) return it->second;
  std::shared_ptr<Model> model;
  if (target.provider == "offline") {
    model = std::make_shared<OfflineModel>(deps_.clock);
  } else if (target.provider == "scripted") {
    Result<std::unique_ptr<ScriptedModel>> scripted =
        ScriptedModel::Load(ProjectFile(deps_.project_root, config_.scripted_file), deps_.loop,
                            config_.scripted_latency_ms);
    if (!scripted.ok()) return scripted.status();
    model = std::move(scripted).value();
  } else if (IsHttpProvider(target.provider)) {
    if (target.model.empty()) {
      return InvalidArgument("keel.yaml: tiers: a " + target.provider +
                             " entry needs 'model' (the provider's model name)");
    }
    Result<std::shared_ptr<ChatModel>> chat = ChatModelFor(target.provider);
    if (!chat.ok()) return chat.status();
    const ProviderSettings& settings = SettingsFor(config_, target.provider);
    ChatModelAdapterOptions options;
    options.model = target.model;
    options.max_tokens = settings.max_tokens;
    options.stream = settings.stream;
    model = std::make_shared<ChatModelAdapter>(*chat, std::move(options));
  } else {
    return InvalidArgument("keel.yaml: unknown model provider '" + target.provider + "'");
  }
  entries_[name] = model;
  return model;
}

Result<std::shared_ptr<FallbackModel>> ModelResources::TierModel(
    const std::vector<TierTarget>& chain) {
  std::vector<FallbackEntry> entries;
  for (const TierTarget& target : chain) {
    Result<std::shared_ptr<Model>> model = EntryModel(target);
    if (!model.ok()) return model.status();
    // One breaker per provider+model, whichever tiers list it.
    std::shared_ptr<policy::CircuitBreaker>& breaker = breakers_[EntryName(target)];
    if (!breaker && config_.models.breaker.failures > 0) {
      breaker = std::make_shared<policy::CircuitBreaker>(
          BreakerPolicy{config_.models.breaker.failures, config_.models.breaker.cooldown_ms});
    }
    entries.push_back({EntryName(target), *model, breaker});
  }
  if (entries.empty()) return InvalidArgument("keel.yaml: a tier needs at least one entry");
  return std::make_shared<FallbackModel>(std::move(entries), config_.models.breaker, deps_.clock);
}

Status SetUpModelRouter(const ProjectConfig& config, ModelResources* resources,
                        const ModelSetupDeps& deps, ModelRouter* router) {
  auto wrap = [&](std::shared_ptr<Model> model) -> Result<std::shared_ptr<Model>> {
    if (deps.record_file.empty()) return model;
    auto recording = RecordingModel::Open(deps.record_file, std::move(model), deps.clock);
    if (!recording.ok()) return recording.status();
    return std::shared_ptr<Model>(std::move(recording).value());
  };
  if (IsHttpProvider(config.model_provider)) {
    bool all_tiers =
        config.tiers.count("small") && config.tiers.count("medium") && config.tiers.count("large");
    if (!all_tiers) {
      return InvalidArgument("keel.yaml: model provider '" + config.model_provider +
                             "' needs 'tiers:' naming a model for small, medium and large");
    }
  } else {
    Result<std::shared_ptr<Model>> fallback =
        resources->EntryModel(TierTarget{config.model_provider, ""});
    if (!fallback.ok()) return fallback.status();
    Result<std::shared_ptr<Model>> wrapped = wrap(*fallback);
    if (!wrapped.ok()) return wrapped.status();
    router->SetDefault(*wrapped);
  }
  for (const auto& [tier, chain] : config.tiers) {
    if (chain.empty()) continue;
    Result<std::shared_ptr<FallbackModel>> model = resources->TierModel(chain);
    if (!model.ok()) return model.status();
    Result<std::shared_ptr<Model>> wrapped = wrap(*model);
    if (!wrapped.ok()) return wrapped.status();
    router->SetTier(tier, *wrapped);
    // With an HTTP default every tier is listed; medium serves any other name.
    if (IsHttpProvider(config.model_provider) && tier == "medium") router->SetDefault(*wrapped);
  }
  return Status();
}

}  // namespace keel
