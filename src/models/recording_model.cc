#include "models/recording_model.h"

#include "models/scripted_model.h"
#include "project/definitions.h"

namespace keel {

Result<std::unique_ptr<RecordingModel>> RecordingModel::Open(const std::string& path,
                                                             std::shared_ptr<Model> inner,
                                                             Clock* clock) {
  std::unique_ptr<RecordingModel> model(new RecordingModel(std::move(inner), clock));
  model->out_.open(path, std::ios::app);
  if (!model->out_) return InvalidArgument(path + ": cannot open the recording file for writing");
  return model;
}

void RecordingModel::Append(const std::string& line) {
  std::lock_guard<std::mutex> lock(mu_);
  out_ << line << '\n';
  out_.flush();
}

void RecordingModel::Generate(const ModelRequest& request, ModelCallback done) {
  std::string agent = request.agent->name;
  std::string hash = ScriptedModel::InputHash(request.inputs);
  int64_t start = clock_->MonotonicMicros();
  inner_->Generate(request, [this, agent, hash, start, done = std::move(done)](
                                Result<ModelReply> reply) mutable {
    if (reply.ok()) {
      Json line = {{"agent", agent},
                   {"input_hash", hash},
                   {"output", reply->output_text.empty() ? reply->output
                                                         : Json::parse(reply->output_text)},
                   {"usage", UsageJson(reply->usage)},
                   {"latency_ms", (clock_->MonotonicMicros() - start) / 1000}};
      Append(line.dump());
    }
    done(std::move(reply));
  });
}

void RecordingModel::Turn(const TurnRequest& request, TurnCallback done) {
  std::string agent = request.agent->name;
  std::string hash = ScriptedModel::InputHash(request.inputs);
  int turn = request.turn;
  int64_t start = clock_->MonotonicMicros();
  inner_->Turn(request, [this, agent, hash, turn, start,
                         done = std::move(done)](Result<TurnReply> reply) mutable {
    if (reply.ok() && !reply->from_fallback) {
      Json calls = Json::array();
      for (const ChatToolCall& call : reply->tool_calls) calls.push_back(ToolCallToJson(call));
      Json line = {{"agent", agent},
                   {"input_hash", hash},
                   {"turn", turn},
                   {"reply", {{"text", reply->text}, {"tool_calls", std::move(calls)}}},
                   {"usage", UsageJson(reply->usage)},
                   {"latency_ms", (clock_->MonotonicMicros() - start) / 1000}};
      Append(line.dump());
    }
    done(std::move(reply));
  });
}

Json RecordingModel::UsageJson(const ModelUsage& u) {
  return {{"input_tokens", u.input_tokens},
          {"output_tokens", u.output_tokens},
          {"cached_input_tokens", u.cached_input_tokens},
          {"cache_write_tokens", u.cache_write_tokens},
          {"reasoning_tokens", u.reasoning_tokens},
          {"cost_usd", u.cost_usd}};
}

}  // namespace keel
