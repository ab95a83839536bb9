#include "models/scripted_model.h"

#include <fstream>

#include "core/ids.h"
#include "core/json_text.h"
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

// A recorded turn's reply: {"text", "tool_calls": [{"id", "name", "arguments"}]}.
Result<TurnReply> ParseTurnReply(const Json& j) {
  if (!j.is_object()) return InvalidArgument("'reply' must be an object {text, tool_calls}");
  TurnReply reply;
  reply.text = j.value("text", "");
  const Json calls = j.value("tool_calls", Json::array());
  if (!calls.is_array()) return InvalidArgument("'reply.tool_calls' must be a list");
  for (const Json& call : calls) {
    if (!call.is_object() || !call.contains("name") || !call["name"].is_string()) {
      return InvalidArgument("each of 'reply.tool_calls' needs a string 'name'");
    }
    reply.tool_calls.push_back(ToolCallFromJson(call));
    if (reply.tool_calls.back().id.empty()) {
      reply.tool_calls.back().id = "call_" + std::to_string(reply.tool_calls.size());
    }
  }
  reply.stop_reason = reply.tool_calls.empty() ? "end_turn" : "tool_use";
  reply.provider = "scripted";
  reply.model = "recording";
  return reply;
}

}  // namespace

std::string ScriptedModel::InputHash(const Json& inputs) { return Sha256Hex(DumpJsonText(inputs)); }

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
    Status added = model->AddLine(j);
    if (!added.ok()) return InvalidArgument(where + added.message());
  }
  return model;
}

Status ScriptedModel::AddLine(const Json& j) {
  if (!j.contains("agent") || !j["agent"].is_string()) {
    return InvalidArgument("missing string field 'agent'");
  }
  std::string agent = j["agent"].get<std::string>();
  std::string hash = j.value("input_hash", std::string("*"));
  int64_t latency_ms = j.value("latency_ms", int64_t{-1});
  ModelUsage usage = ParseUsage(j.value("usage", Json::object()));
  if (j.contains("turn")) {
    if (!j["turn"].is_number_integer() || j["turn"].get<int>() < 1) {
      return InvalidArgument("'turn' must be a whole number from 1");
    }
    if (!j.contains("reply")) return InvalidArgument("a turn line needs a 'reply'");
    Result<TurnReply> reply = ParseTurnReply(j["reply"]);
    if (!reply.ok()) return reply.status();
    TurnEntry entry{j.value("match", ""), std::move(reply).value(), latency_ms};
    entry.reply.usage = usage;
    turns_[{agent, hash, j["turn"].get<int>()}].push_back(std::move(entry));
    return Status();
  }
  if (!j.contains("output")) return InvalidArgument("missing field 'output' (or 'turn' and 'reply')");
  entries_[{agent, hash}] = Entry{DumpJsonText(j["output"]), usage, latency_ms};
  return Status();
}

void ScriptedModel::After(int64_t recorded_latency_ms, std::function<void()> answer) const {
  int64_t latency_ms = default_latency_ms_ > 0 ? default_latency_ms_
                                              : std::max<int64_t>(recorded_latency_ms, 0);
  if (latency_ms <= 0 || timers_ == nullptr) {
    answer();
    return;
  }
  timers_->After(latency_ms * 1000, std::move(answer));
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
  // The reply is built when the timer fires: thousands of calls wait at once,
  // and entries are immutable, so a waiting call holds a pointer, not a copy.
  const Entry& entry = it->second;
  After(entry.latency_ms, [done = std::move(done), &entry] { done(Reply(entry)); });
}

const ScriptedModel::TurnEntry* ScriptedModel::FindTurn(const TurnRequest& request) const {
  const std::string& agent = request.agent->name;
  auto exact = turns_.find({agent, InputHash(request.inputs), request.turn});
  if (exact != turns_.end()) return &exact->second.front();
  auto any = turns_.find({agent, "*", request.turn});
  if (any == turns_.end()) return nullptr;
  const std::string& prompt = request.messages.empty() ? std::string() : request.messages[0].text;
  for (const TurnEntry& entry : any->second) {
    if (entry.match.empty() || prompt.find(entry.match) != std::string::npos) return &entry;
  }
  return nullptr;
}

void ScriptedModel::Turn(const TurnRequest& request, TurnCallback done) {
  const TurnEntry* entry = FindTurn(request);
  if (entry == nullptr) {
    done(Status(StatusCode::kNotFound,
                "scripted: no recording for agent '" + request.agent->name + "' turn " +
                    std::to_string(request.turn),
                "no_recording"));
    return;
  }
  After(entry->latency_ms, [done = std::move(done), entry] { done(entry->reply); });
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
