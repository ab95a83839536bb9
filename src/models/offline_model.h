// OfflineModel: the built-in model that answers every llm node with the
// agent's deterministic fallback (a value template over its inputs). This is
// what makes keel run end to end with no network. Thread-safe; completes
// synchronously inside Generate().
#ifndef KEEL_MODELS_OFFLINE_MODEL_H_
#define KEEL_MODELS_OFFLINE_MODEL_H_

#include "core/clock.h"
#include "models/model.h"

namespace keel {

class OfflineModel : public Model {
 public:
  explicit OfflineModel(Clock* clock) : clock_(clock) {}
  std::string name() const override { return "offline"; }
  void Generate(const ModelRequest& request, ModelCallback done) override;

 private:
  Clock* clock_;
};

}  // namespace keel

#endif  // KEEL_MODELS_OFFLINE_MODEL_H_
