// FallbackModel: the Model that serves one tier. It holds the tier's ordered
// chain of entries (provider+model) and tries them in turn: an entry that is
// unavailable (a retryable error, an auth or model-not-found failure, a
// timeout) hands the call to the next one; any other answer, good or bad, is
// the tier's answer. Each entry has its own circuit breaker: after
// `failures` consecutive unavailable answers it is skipped for `cooldown_ms`,
// then one probe call decides whether it serves again. The deterministic
// fallback (the offline provider), listed last, is the last resort.
//
// Each entry retries 429/5xx itself (ProviderRetryPolicy) before it counts as
// unavailable here, so the chain moves on only when an entry has given up.
//
// Thread-safe: one instance serves every run; breakers take a short lock.
#ifndef KEEL_ROUTING_FALLBACK_MODEL_H_
#define KEEL_ROUTING_FALLBACK_MODEL_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "models/model.h"
#include "policy/circuit_breaker.h"
#include "project/model_config.h"

namespace keel {

struct FallbackEntry {
  std::string name;  // "openai/gpt-4o-mini", "offline": names the entry in spans and errors
  std::shared_ptr<Model> model;
  // Shared by every tier that lists the same provider+model; null: the
  // FallbackModel makes its own from the breaker settings.
  std::shared_ptr<policy::CircuitBreaker> breaker = nullptr;
};

// Whether `error` says the entry cannot serve now, so the next entry should try.
bool ShouldFailOver(const Status& error);

class FallbackModel : public Model {
 public:
  // `entries` is non-empty; `clock` outlives the model. `breaker.failures`
  // of 0 means no breakers (an entry's own breaker is used when given).
  FallbackModel(std::vector<FallbackEntry> entries, const ModelBreakerSettings& breaker,
                Clock* clock);

  std::string name() const override { return name_; }
  // The first entry's answer that is not a fail-over error. When every entry
  // fails over (or is skipped by its breaker), the last error, its message
  // listing each entry's failure; its type and retryability are kept.
  // ModelReply::failed_over names the entries tried before the one that answered.
  void Generate(const ModelRequest& request, ModelCallback done) override;
  // The same chain for one agent turn.
  void Turn(const TurnRequest& request, TurnCallback done) override;

  size_t size() const { return entries_.size(); }
  const std::string& entry_name(size_t i) const { return entries_[i].name; }
  policy::BreakerState breaker_state(size_t i) const;

 private:
  struct Entry {
    std::string name;
    std::shared_ptr<Model> model;
    std::shared_ptr<policy::CircuitBreaker> breaker = nullptr;  // null: no breaker
  };
  // One call (a Generate or a Turn) through the chain; fallback_model.cc.
  template <typename Request, typename Reply>
  struct Call;
  template <typename Request, typename Reply>
  using Method = void (Model::*)(const Request&, std::function<void(Result<Reply>)>);
  template <typename Request, typename Reply>
  void Start(const Request& request, std::function<void(Result<Reply>)> done,
             Method<Request, Reply> method);
  template <typename Request, typename Reply>
  void TryFrom(std::shared_ptr<Call<Request, Reply>> call, size_t index);

  std::vector<Entry> entries_;
  std::string name_;
  Clock* clock_;
};

}  // namespace keel

#endif  // KEEL_ROUTING_FALLBACK_MODEL_H_
