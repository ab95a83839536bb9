// Model setup: turns keel.yaml's model settings (tiers, providers, prices,
// model_breaker) into the Models the engine calls. Each tier becomes a
// FallbackModel over its chain; a tier keel.yaml does not list is served by
// the default provider (`model: provider:`). HTTP providers share one
// HttpClient on the engine's event loop, capped at the largest
// `max_connections_per_host` configured.
//
// ModelResources owns what the models run on (the HttpClient, the provider
// instances); it must outlive every call and be destroyed after the event
// loop stops. Built once; thread-safe afterwards (read-only).
#ifndef KEEL_ROUTING_MODEL_SETUP_H_
#define KEEL_ROUTING_MODEL_SETUP_H_

#include <map>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "io/event_loop.h"
#include "io/http_client.h"
#include "models/model_router.h"
#include "project/definitions.h"
#include "providers/chat_model.h"
#include "providers/price_table.h"
#include "routing/fallback_model.h"

namespace keel {

struct ModelSetupDeps {
  EventLoop* loop = nullptr;  // started; never null
  // The loop's one HttpClient when another part already made it (its
  // connection caps then rule); null: the resources make and own one.
  HttpClient* http = nullptr;
  Clock* clock = nullptr;    // never null
  std::string project_root;  // scripted_file is relative to it
  std::string record_file;   // "" = no cassette; else every exchange is appended to it
};

class ModelResources {
 public:
  // Checks the settings (known providers, prices) and makes nothing yet.
  static Result<std::unique_ptr<ModelResources>> Create(const ProjectConfig& config,
                                                        const ModelSetupDeps& deps);
  ~ModelResources();

  // The provider instance for `provider` ("openai", "anthropic"), made once.
  // kInvalidArgument for another provider.
  Result<std::shared_ptr<ChatModel>> ChatModelFor(const std::string& provider);
  // The Model serving one tier entry: offline, scripted, or a ChatModel adapter.
  Result<std::shared_ptr<Model>> EntryModel(const TierTarget& target);
  // The tier's chain as a FallbackModel (without recording).
  Result<std::shared_ptr<FallbackModel>> TierModel(const std::vector<TierTarget>& chain);

  // Connections the HTTP client opened so far (0 when no HTTP provider).
  int64_t connections_opened() const { return http_ ? http_->connections_opened() : 0; }
  HttpClient* http() const { return http_; }
  const PriceTable& prices() const { return *prices_; }

 private:
  ModelResources(const ProjectConfig& config, const ModelSetupDeps& deps);

  const ProjectConfig& config_;
  ModelSetupDeps deps_;
  std::shared_ptr<const PriceTable> prices_;
  std::unique_ptr<HttpClient> own_http_;
  HttpClient* http_ = nullptr;                              // deps.http or own_http_
  std::map<std::string, std::shared_ptr<ChatModel>> chat_;  // by provider
  std::map<std::string, std::shared_ptr<Model>> entries_;   // by entry name
  std::map<std::string, std::shared_ptr<policy::CircuitBreaker>> breakers_;  // by entry name
};

// "openai/gpt-4o-mini", or the provider alone when it names no model.
std::string EntryName(const TierTarget& target);

// Fills `router` from `config`: the default model and one model per tier
// listed. Errors: kInvalidArgument for settings that cannot be served
// (naming keel.yaml's field), kNotFound for a missing scripted file.
Status SetUpModelRouter(const ProjectConfig& config, ModelResources* resources,
                        const ModelSetupDeps& deps, ModelRouter* router);

}  // namespace keel

#endif  // KEEL_ROUTING_MODEL_SETUP_H_
