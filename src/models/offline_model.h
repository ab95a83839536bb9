// OfflineModel: the built-in model that answers every llm node with the
// agent's deterministic fallback (a value template over its inputs). This is
// what makes keel run end to end with no network. Agent nodes get the same
// fallback as their final answer: with no model, no tool is chosen. Thread-safe; completes
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
  // An agent turn: the agent's fallback as the final answer, no tool called.
  void Turn(const TurnRequest& request, TurnCallback done) override;

 private:
  Clock* clock_;
};

}  // namespace keel

#endif  // KEEL_MODELS_OFFLINE_MODEL_H_
