// Model: how the engine asks a language model for a node's output. Calls are
// asynchronous: Generate() returns at once and `done` runs later on a thread
// the caller does not control (the event loop or the caller's own thread),
// so a run waiting on a model holds no thread.
//
// Implementations are thread-safe: one instance serves every run.
#ifndef KEEL_MODELS_MODEL_H_
#define KEEL_MODELS_MODEL_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "models/conversation.h"

namespace keel {

struct AgentDef;

// Separate meters: cached and reasoning tokens are priced differently from
// plain input and output tokens.
struct ModelUsage {
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t cached_input_tokens = 0;
  int64_t cache_write_tokens = 0;
  int64_t reasoning_tokens = 0;
  double cost_usd = 0;
};

struct ModelRequest {
  const AgentDef* agent = nullptr;  // never null
  std::string prompt;               // the rendered prompt
  Json inputs;                      // what the agent may see (already scoped)
  std::string repair_hint;          // set on the repair attempt: why the last output failed
};

struct ModelReply {
  Json output;  // the structured output (validated by the caller)
  // Or the output as JSON text, parsed by the caller on its own thread: keeps
  // the event loop quick, and replies queued behind busy workers small.
  std::string output_text;
  ModelUsage usage;
  std::string provider;
  std::string model;
  bool from_fallback = false;  // produced by the deterministic fallback
  // Tier entries that were unavailable before this one answered, each as
  // "provider/model: error_type" (empty on the common path).
  std::vector<std::string> failed_over;
};

using ModelCallback = std::function<void(Result<ModelReply>)>;

// One turn of an agent node's tool-calling loop: the conversation so far
// (the rendered prompt first, then each turn's answer and tool results) and
// the tools the agent may call. The reply is either tool calls, or a final
// answer in `text`: a JSON document for the agent's output schema.
struct TurnRequest {
  const AgentDef* agent = nullptr;  // never null
  Json inputs;                      // the agent's inputs (what replays are keyed by)
  int turn = 1;                     // 1-based
  std::vector<ChatMessage> messages;
  std::vector<ChatTool> tools;
};

struct TurnReply {
  std::string text;
  std::vector<ChatToolCall> tool_calls;
  std::string stop_reason;
  ModelUsage usage;
  std::string provider;
  std::string model;
  bool from_fallback = false;  // the agent's deterministic fallback answered
  std::vector<std::string> failed_over;  // as in ModelReply
};

using TurnCallback = std::function<void(Result<TurnReply>)>;

class Model {
 public:
  virtual ~Model() = default;
  virtual std::string name() const = 0;
  // Starts a call; never blocks on I/O. `done` is called exactly once.
  virtual void Generate(const ModelRequest& request, ModelCallback done) = 0;
  // Starts one agent turn; never blocks on I/O. `done` is called exactly
  // once. By default the model cannot call tools: kFailedPrecondition, type
  // "unsupported".
  virtual void Turn(const TurnRequest& request, TurnCallback done);
};

// Evaluates the agent's deterministic fallback over request.inputs.
// kFailedPrecondition when the agent has none; kInvalidArgument when an
// expression fails (naming the agent and field).
Result<Json> EvaluateFallback(const ModelRequest& request, int64_t now_unix_s);

}  // namespace keel

#endif  // KEEL_MODELS_MODEL_H_
