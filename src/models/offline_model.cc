#include "models/offline_model.h"

#include "core/json_text.h"
#include "project/definitions.h"

namespace keel {

Result<Json> EvaluateFallback(const ModelRequest& request, int64_t now_unix_s) {
  const AgentDef& agent = *request.agent;
  if (agent.fallback.empty()) {
    return FailedPrecondition("agent '" + agent.name + "' has no deterministic fallback");
  }
  ExprContext ctx{&request.inputs, now_unix_s};
  Result<Json> out = agent.fallback.Evaluate(ctx);
  if (!out.ok()) {
    return InvalidArgument("agent '" + agent.name + "' fallback: " + out.status().message());
  }
  return out;
}

void OfflineModel::Generate(const ModelRequest& request, ModelCallback done) {
  Result<Json> out = EvaluateFallback(request, clock_->NowSeconds());
  if (!out.ok()) {
    done(out.status());
    return;
  }
  ModelReply reply;
  reply.output = std::move(out).value();
  reply.provider = "offline";
  reply.model = "fallback";
  reply.from_fallback = true;
  done(std::move(reply));
}

void OfflineModel::Turn(const TurnRequest& request, TurnCallback done) {
  ModelRequest as_call;
  as_call.agent = request.agent;
  as_call.inputs = request.inputs;
  Result<Json> out = EvaluateFallback(as_call, clock_->NowSeconds());
  if (!out.ok()) {
    done(out.status());
    return;
  }
  TurnReply reply;
  reply.text = DumpJsonText(*out);
  reply.stop_reason = "end_turn";
  reply.provider = "offline";
  reply.model = "fallback";
  reply.from_fallback = true;
  done(std::move(reply));
}

}  // namespace keel
