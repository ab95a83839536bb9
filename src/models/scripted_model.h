// ScriptedModel: replays recorded responses from a JSONL file, for tests,
// evals and benchmarks with no network. Each line is
//
//   {"agent": "risk_classifier", "input_hash": "<hex>" | "*",
//    "output": {...}, "usage": {"input_tokens": 812, "output_tokens": 95},
//    "latency_ms": 1000}
//
// A call is answered by the line for (agent, InputHash(inputs)); failing that
// by the agent's "*" line.
//
// Agent turns (an agent node's tool-calling loop) are lines with a "turn"
// and a "reply" instead of an "output":
//
//   {"agent": "am_request_handler", "input_hash": "<hex>" | "*", "turn": 1,
//    "match": "discount",                       (optional)
//    "reply": {"text": "...", "tool_calls": [{"id", "name", "arguments"}]},
//    "usage": {...}, "latency_ms": 900}
//
// Turn n of a run is answered by the line for (agent, InputHash(inputs), n);
// failing that by the first "*" line for (agent, n) whose "match" text occurs
// in the conversation's first message (the rendered prompt), or that has no
// "match". A replay answers turn n as recorded, whatever the tools returned.
//
// The simulated latency waits on the TimerService,
// never on a thread: the configured latency when it is > 0 (so a benchmark
// can set 1 s for every call), otherwise the line's recorded latency_ms. Thread-safe;
// immutable after Load().
#ifndef KEEL_MODELS_SCRIPTED_MODEL_H_
#define KEEL_MODELS_SCRIPTED_MODEL_H_

#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

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
  // Unknown (agent, inputs, turn) fails with type "no_recording".
  void Turn(const TurnRequest& request, TurnCallback done) override;

 private:
  struct Entry {
    std::string output;  // JSON text
    ModelUsage usage;
    int64_t latency_ms = -1;  // -1: use the default
  };
  struct TurnEntry {
    std::string match;  // "" matches every conversation
    TurnReply reply;
    int64_t latency_ms = -1;
  };
  using TurnKey = std::tuple<std::string, std::string, int>;  // agent, input hash, turn

  static ModelReply Reply(const Entry& entry);
  Status AddLine(const Json& line);
  const TurnEntry* FindTurn(const TurnRequest& request) const;
  // Calls `answer` now, or after the simulated latency on the timer service.
  void After(int64_t recorded_latency_ms, std::function<void()> answer) const;
  ScriptedModel(TimerService* timers, int64_t default_latency_ms)
      : timers_(timers), default_latency_ms_(default_latency_ms) {}

  TimerService* timers_;
  int64_t default_latency_ms_;
  std::map<std::pair<std::string, std::string>, Entry> entries_;
  std::map<TurnKey, std::vector<TurnEntry>> turns_;  // in file order
};

}  // namespace keel

#endif  // KEEL_MODELS_SCRIPTED_MODEL_H_
