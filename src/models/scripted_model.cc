#include "models/scripted_model.h"

#include <fstream>

#include "core/ids.h"
#include "project/definitions.h"

namespace keel {
namespace {

ModelUsage ParseUsage(const Json& u) {
  ModelUsage usage;
  if (!u.is_object()) return usage;
  usage.input_tokens = u.value("input_tokens", int64_t{0});
  usage.output_tokens = u.value("output_tokens", int64_t{0});
  usage.cached_input_tokens = u.value("cached_input_tokens", int64_t{0});
  usage.cache_write_tokens = u.value("cache_write_tokens", int64_t{0});
  usage.reasoning_tokens = u.value("reasoning_tokens", int64_t{0});
  usage.cost_usd = u.value("cost_usd", 0.0);
  return usage;
}

}  // namespace

std::string ScriptedModel::InputHash(const Json& inputs) { return Sha256Hex(inputs.dump()); }

Result<std::unique_ptr<ScriptedModel>> ScriptedModel::Load(const std::string& path,
                                                           TimerService* timers,
                                                           int64_t default_latency_ms) {
  std::ifstream in(path);
  if (!in) return NotFound(path + ": scripted model file not found");
  std::unique_ptr<ScriptedModel> model(new ScriptedModel(timers, default_latency_ms));
  std::string line;
  for (int line_no = 1; std::getline(in, line); ++line_no) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    std::string where = path + ":" + std::to_string(line_no) + ": ";
    if (j.is_discarded() || !j.is_object()) return InvalidArgument(where + "not a JSON object");
    if (!j.contains("agent") || !j["agent"].is_string()) {
      return InvalidArgument(where + "missing string field 'agent'");
    }
    if (!j.contains("output")) return InvalidArgument(where + "missing field 'output'");
    Entry entry;
    entry.output = j["output"].dump();
    entry.usage = ParseUsage(j.value("usage", Json::object()));
    entry.latency_ms = j.value("latency_ms", int64_t{-1});
    std::string hash = j.value("input_hash", std::string("*"));
    model->entries_[{j["agent"].get<std::string>(), hash}] = std::move(entry);
  }
  return model;
}

void ScriptedModel::Generate(const ModelRequest& request, ModelCallback done) {
  const std::string& agent = request.agent->name;
  auto it = entries_.find({agent, InputHash(request.inputs)});
  if (it == entries_.end()) it = entries_.find({agent, "*"});
  if (it == entries_.end()) {
    done(Status(StatusCode::kNotFound, "scripted: no recording for agent '" + agent + "'",
                "no_recording"));
    return;
  }
  const Entry& entry = it->second;
  int64_t latency_ms = default_latency_ms_ > 0 ? default_latency_ms_
                                              : std::max<int64_t>(entry.latency_ms, 0);
  if (latency_ms <= 0 || timers_ == nullptr) {
    done(Reply(entry));
    return;
  }
  // The reply is built when the timer fires: thousands of calls wait at once,
  // and entries are immutable, so a waiting call holds a pointer, not a copy.
  timers_->After(latency_ms * 1000, [done = std::move(done), &entry] { done(Reply(entry)); });
}

ModelReply ScriptedModel::Reply(const Entry& entry) {
  ModelReply reply;
  reply.output_text = entry.output;
  reply.usage = entry.usage;
  reply.provider = "scripted";
  reply.model = "recording";
  return reply;
}

}  // namespace keel
