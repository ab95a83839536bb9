// RecordingModel: wraps another Model and appends every exchange to a JSONL
// cassette in the format ScriptedModel replays (agent, input_hash, output,
// usage, latency_ms), so a run recorded once can be replayed with no
// provider. Thread-safe: lines are written whole under a mutex.
#ifndef KEEL_MODELS_RECORDING_MODEL_H_
#define KEEL_MODELS_RECORDING_MODEL_H_

#include <fstream>
#include <memory>
#include <mutex>
#include <string>

#include "core/clock.h"
#include "models/model.h"

namespace keel {

class RecordingModel : public Model {
 public:
  // Opens (appending to) `path`. kInvalidArgument when it cannot be written.
  static Result<std::unique_ptr<RecordingModel>> Open(const std::string& path,
                                                      std::shared_ptr<Model> inner, Clock* clock);

  std::string name() const override { return inner_->name(); }
  // Calls the wrapped model and records its reply (failures are not recorded).
  void Generate(const ModelRequest& request, ModelCallback done) override;
  // Records agent turns as ScriptedModel's turn lines (agent, input_hash, turn, reply).
  void Turn(const TurnRequest& request, TurnCallback done) override;

 private:
  RecordingModel(std::shared_ptr<Model> inner, Clock* clock) : inner_(std::move(inner)), clock_(clock) {}
  void Append(const std::string& line);
  static Json UsageJson(const ModelUsage& u);

  std::shared_ptr<Model> inner_;
  Clock* clock_;
  std::mutex mu_;
  std::ofstream out_;
};

}  // namespace keel

#endif  // KEEL_MODELS_RECORDING_MODEL_H_
