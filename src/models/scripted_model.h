// ScriptedModel: replays recorded responses from a JSONL file, for tests,
// evals and benchmarks with no network. Each line is
//
//   {"agent": "risk_classifier", "input_hash": "<hex>" | "*",
//    "output": {...}, "usage": {"input_tokens": 812, "output_tokens": 95},
//    "latency_ms": 1000}
//
// A call is answered by the line for (agent, InputHash(inputs)); failing that
// by the agent's "*" line. The simulated latency waits on the TimerService,
// never on a thread: the configured latency when it is > 0 (so a benchmark
// can set 1 s for every call), otherwise the line's recorded latency_ms. Thread-safe;
// immutable after Load().
#ifndef KEEL_MODELS_SCRIPTED_MODEL_H_
#define KEEL_MODELS_SCRIPTED_MODEL_H_

#include <map>
#include <string>
#include <utility>

#include "core/timer_service.h"
#include "models/model.h"

namespace keel {

class ScriptedModel : public Model {
 public:
  // Reads `path`. kNotFound when missing; kInvalidArgument "path:line: ..."
  // for a malformed line.
  static Result<std::unique_ptr<ScriptedModel>> Load(const std::string& path,
                                                     TimerService* timers,
                                                     int64_t default_latency_ms);

  // The key a recording is stored under: hex SHA-256 of the inputs' JSON text
  // (keys sorted, so it is canonical).
  static std::string InputHash(const Json& inputs);

  std::string name() const override { return "scripted"; }
  // Unknown (agent, inputs) fails with type "no_recording".
  void Generate(const ModelRequest& request, ModelCallback done) override;

 private:
  struct Entry {
    std::string output;  // JSON text
    ModelUsage usage;
    int64_t latency_ms = -1;  // -1: use the default
  };
  static ModelReply Reply(const Entry& entry);
  ScriptedModel(TimerService* timers, int64_t default_latency_ms)
      : timers_(timers), default_latency_ms_(default_latency_ms) {}

  TimerService* timers_;
  int64_t default_latency_ms_;
  std::map<std::pair<std::string, std::string>, Entry> entries_;
};

}  // namespace keel

#endif  // KEEL_MODELS_SCRIPTED_MODEL_H_
