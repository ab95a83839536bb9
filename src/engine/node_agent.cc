// The agent node: a bounded tool-calling loop. Each model turn and each tool
// call it asks for is a step committed on its own ("turn-n", "turn-n/call-i"),
// so a resumed run rebuilds the conversation from its log and never repeats a
// turn or a call that finished. What the agent may do is decided here and in
// the policy chain, never by the model's text: a call outside the agent's
// allowlist, or with arguments that fail the tool's input schema, runs
// nothing and goes back to the model as an error (and counts as a turn's
// call). The final answer must match the agent's output schema; a rejected
// answer is sent back once per remaining turn. When the model fails or the
// turns run out, the agent's deterministic fallback answers, else the run
// escalates.
#include <cctype>
#include <optional>

#include "core/json_text.h"
#include "engine/engine.h"
#include "engine/run_executor.h"
#include "engine/run_internal.h"
#include "engine/thread_pool.h"
#include "models/model.h"
#include "observe/span_builder.h"
#include "tools/tool.h"

namespace keel {

std::string AgentTurnKey(int turn) { return "turn-" + std::to_string(turn); }

std::string AgentCallKey(int turn, size_t index) {
  return AgentTurnKey(turn) + "/call-" + std::to_string(index);
}

namespace {

// Providers accept tool names of letters, digits, '_' and '-' only.
std::string WireToolName(const std::string& name) {
  std::string wire = name;
  for (char& c : wire) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    if (!ok) c = '_';
  }
  return wire;
}

// The allowlisted tool a model's call names (by keel name or wire name); "" if none.
std::string ResolveAllowed(const AgentDef& agent, const std::string& called) {
  for (const std::string& name : agent.tools) {
    if (name == called || WireToolName(name) == called) return name;
  }
  return "";
}

Status InvalidArguments(const std::string& tool, const std::string& why) {
  return Status(StatusCode::kInvalidArgument, "arguments for tool '" + tool + "': " + why,
                "invalid_arguments");
}

bool AnyInflight(const Run& run, const std::string& node) {
  auto it = run.inflight.lower_bound({node, ""});
  return it != run.inflight.end() && it->node == node;
}

std::vector<ChatToolCall> CallsOf(const Json& reply) {
  std::vector<ChatToolCall> calls;
  for (const Json& call : reply.value("tool_calls", Json::array())) {
    calls.push_back(ToolCallFromJson(call));
  }
  return calls;
}

// The final answer in `text`, checked against the agent's output schema.
Result<Json> CheckAnswer(const AgentDef& agent, const std::string& text) {
  Json answer = ParseJsonTextOrDiscarded(text);
  if (answer.is_discarded()) return InvalidArgument("the final answer is not a JSON document");
  if (agent.output) {
    Status valid = agent.output->Validate(answer);
    if (!valid.ok()) return valid;
  }
  return answer;
}

// What the log says the loop has done so far.
struct AgentProgress {
  std::vector<ChatMessage> messages;  // the conversation after the prompt
  Json actions = Json::array();       // [{"tool", "arguments", "ok"}]
  int turns = 0;                      // committed model turns
  std::optional<Json> answer;         // a valid final answer, once given
  std::vector<ChatToolCall> pending;  // the last turn's calls with no result yet
  std::vector<size_t> pending_index;
};

AgentProgress ReadProgress(const Run& run, const NodeDef& node, const AgentDef& agent) {
  AgentProgress p;
  for (int n = 1;; ++n) {
    auto turn = run.completed.find({node.id, AgentTurnKey(n)});
    if (turn == run.completed.end()) break;
    p.turns = n;
    const Json& reply = turn->second["output"];
    std::vector<ChatToolCall> calls = CallsOf(reply);
    std::string text = reply.value("text", "");
    p.messages.push_back(ChatMessage::Assistant(text, calls));
    if (calls.empty()) {
      Result<Json> answer = CheckAnswer(agent, text);
      if (answer.ok()) {
        p.answer = std::move(answer).value();
        return p;
      }
      p.messages.push_back(ChatMessage::User(
          "Your final answer was rejected: " + answer.status().message() +
          "\nAnswer again with JSON that fixes this, or call a tool."));
      continue;
    }
    for (size_t i = 0; i < calls.size(); ++i) {
      auto result = run.completed.find({node.id, AgentCallKey(n, i)});
      if (result == run.completed.end()) {
        p.pending.push_back(calls[i]);
        p.pending_index.push_back(i);
        continue;
      }
      const Json& out = result->second["output"];
      bool ok = out.value("ok", false);
      const Json& body = ok ? out["result"] : out["error"];
      p.messages.push_back(ChatMessage::ToolResult(calls[i].id, body.dump(), !ok));
      std::string tool = ResolveAllowed(agent, calls[i].name);  // keel's name, not the wire's
      p.actions.push_back({{"tool", tool.empty() ? calls[i].name : tool},
                           {"arguments", calls[i].arguments},
                           {"ok", ok}});
    }
  }
  return p;
}

std::vector<ChatTool> AgentTools(const Project& project, const AgentDef& agent) {
  std::vector<ChatTool> tools;
  for (const std::string& name : agent.tools) {
    const ToolDef* def = project.FindTool(name);
    if (def == nullptr) continue;
    Json parameters = def->input_schema.is_object() ? def->input_schema : Json::object();
    tools.push_back({WireToolName(name), def->description, std::move(parameters)});
  }
  return tools;
}

}  // namespace

std::string RunExecutor::WalkAgent(const RunPtr& run, const NodeDef& node) {
  if (run->completed.count({node.id, ""})) return Successor(*run->index, node);
  if (AnyInflight(*run, node.id)) return kWait;
  const AgentDef* agent = engine_->project_.FindAgent(node.agent);
  if (agent == nullptr) {
    FailRun(run, node.id, NotFound("unknown agent '" + node.agent + "'"));
    return kWait;
  }
  AgentProgress p = ReadProgress(*run, node, *agent);
  if (p.answer) {
    FinishAgent(run, node, {{"answer", std::move(*p.answer)},
                            {"actions", std::move(p.actions)},
                            {"turns", p.turns}});
    return kWait;
  }
  if (!p.pending.empty()) {
    for (size_t i = 0; i < p.pending.size() && !run->stopped; ++i) {
      LaunchAgentCall(run, node, *agent, p.turns, p.pending_index[i], p.pending[i]);
    }
    return kWait;
  }
  // Only a new turn or the fallback reads the inputs.
  Result<Json> inputs = Eval(*run, node.inputs);
  if (!inputs.ok()) {
    FailRun(run, node.id, inputs.status());
    return kWait;
  }
  if (p.turns >= node.max_turns) {
    GiveUpAgent(run, node, *inputs,
                "agent '" + agent->name + "' reached max_turns (" +
                    std::to_string(node.max_turns) + ") without a valid final answer",
                {{"actions", std::move(p.actions)}, {"turns", p.turns}});
    return kWait;
  }
  LaunchAgentTurn(run, node, *agent, *inputs, p.turns + 1, std::move(p.messages));
  return kWait;
}

void RunExecutor::LaunchAgentTurn(const RunPtr& run, const NodeDef& node, const AgentDef& agent,
                                  const Json& inputs, int turn,
                                  std::vector<ChatMessage> messages) {
  Result<std::string> prompt = RenderPrompt(agent, inputs, engine_->project_.partials);
  if (!prompt.ok()) return FailRun(run, node.id, prompt.status());
  Step step;
  step.key = {node.id, AgentTurnKey(turn)};
  step.node = &node;
  step.agent = &agent;
  step.input = inputs;
  step.set_scope = false;
  step.turn = turn;
  step.messages.reserve(messages.size() + 1);
  step.messages.push_back(ChatMessage::User(std::move(prompt).value()));
  for (ChatMessage& m : messages) step.messages.push_back(std::move(m));
  Plan(*run, node.id, turn - 1);  // turn n is the node's n-th model call
  step.parent_span_id = OpenContainer(*run, node, NowUs());
  Launch(run, std::move(step));
}

void RunExecutor::CallModelTurn(const RunPtr& run, std::shared_ptr<Step> step) {
  EnterModelGate(run, std::move(step), &RunExecutor::SendModelTurn);
}

void RunExecutor::SendModelTurn(const RunPtr& run, std::shared_ptr<Step> step) {
  TurnRequest request;
  request.agent = step->agent;
  request.inputs = step->input;
  request.turn = step->turn;
  request.messages = std::move(step->messages);
  request.tools = AgentTools(engine_->project_, *step->agent);
  step->call_span.attrs["turn"] = step->turn;
  Model* model = engine_->models_->ForTier(step->agent->tier);
  ThreadPool* pool = engine_->pool_.get();
  ModelGate* gate = engine_->model_gate_.get();
  int64_t sent_us = ThreadPool::NowUs();  // see CallModel
  model->Turn(request, [this, run, step, pool, gate, sent_us](Result<TurnReply> reply) {
    gate->Leave();
    engine_->NoteModelLatency(ThreadPool::NowUs() - sent_us);
    run->Post(pool, [this, run, step, reply = std::move(reply)]() mutable {
      if (!run->stopped) OnTurnReply(run, step, std::move(reply));
    });
  });
}

void RunExecutor::OnTurnReply(const RunPtr& run, std::shared_ptr<Step> step,
                              Result<TurnReply> reply) {
  const NodeDef& node = *step->node;
  Json& attrs = step->call_span.attrs;
  if (!reply.ok()) {
    attrs["model_error"] = reply.status().ToString();
    step->failed = true;
    QueueFailedStepSpans(*run, *step);
    run->inflight.erase(step->key);
    AgentProgress p = ReadProgress(*run, node, *step->agent);
    GiveUpAgent(run, node, step->input,
                "agent '" + step->agent->name + "' got no answer from its model: " +
                    reply.status().message(),
                {{"actions", std::move(p.actions)}, {"turns", p.turns}});
    return;
  }
  attrs["provider"] = reply->provider;
  attrs["model"] = reply->model;
  AddUsageAttrs(reply->usage, attrs);
  if (!reply->failed_over.empty()) attrs["failed_over"] = reply->failed_over;
  if (reply->from_fallback) attrs["fallback"] = true;
  Json calls = Json::array();
  for (const ChatToolCall& call : reply->tool_calls) calls.push_back(ToolCallToJson(call));
  attrs["tool_calls"] = calls.size();
  Json output = {{"text", std::move(reply->text)},
                 {"tool_calls", std::move(calls)},
                 {"stop_reason", std::move(reply->stop_reason)}};
  step->input = Json();  // the turn's record is all a resume needs
  CompleteStep(run, step, std::move(output));
}

void RunExecutor::LaunchAgentCall(const RunPtr& run, const NodeDef& node, const AgentDef& agent,
                                  int turn, size_t index, const ChatToolCall& call) {
  Step step;
  step.key = {node.id, AgentCallKey(turn, index)};
  step.node = &node;
  step.agent = &agent;
  step.set_scope = false;
  step.agent_call = true;
  step.input = call.arguments;
  step.parent_span_id = OpenContainer(*run, node, NowUs());
  std::string name = ResolveAllowed(agent, call.name);
  const ToolDef* tool = name.empty() ? nullptr : engine_->project_.FindTool(name);
  Status refused;
  if (tool == nullptr) {
    refused = Status(StatusCode::kPermissionDenied,
                     "tool '" + call.name + "' is not in the allowlist of agent '" + agent.name +
                         "'",
                     "not_allowed");
  } else if (!call.arguments.is_object()) {
    refused = InvalidArguments(name, "must be a JSON object");
  } else if (tool->input) {
    Status valid = tool->input->Validate(call.arguments);
    if (!valid.ok()) refused = InvalidArguments(name, valid.message());
  }
  if (refused.ok()) {
    step.tool = tool;
    Launch(run, std::move(step));
    return;
  }
  // Nothing runs: the refusal is recorded like a failed call and goes back to the model.
  auto s = std::make_shared<Step>(std::move(step));
  run->inflight.insert(s->key);
  int64_t now = NowUs();
  s->span = StartSpan(run->record.trace_id, s->parent_span_id, run->record.run_id,
                      "node " + node.id + "[" + s->key.key + "]", "node", now);
  s->call_span = StartSpan(run->record.trace_id, s->span.span_id, run->record.run_id,
                           "tool " + call.name, "tool", now);
  s->call_span.attrs = {{"tool", call.name}, {"agent", agent.name}, {"refused", refused.type()},
                        {"error", refused.message()}};
  s->failed = true;
  CompleteStep(run, s, {{"ok", false}, {"error", ToolErrorJson(refused)}});
}

void RunExecutor::GiveUpAgent(const RunPtr& run, const NodeDef& node, const Json& inputs,
                              const std::string& why, Json so_far) {
  const AgentDef& agent = *engine_->project_.FindAgent(node.agent);
  Result<Json> fallback = CheckedFallback(agent, inputs, engine_->clock_->NowSeconds());
  if (!fallback.ok()) {
    CloseContainer(*run, node, NowUs());
    so_far["agent"] = agent.name;
    so_far["fallback_error"] = fallback.status().message();
    EscalateRun(run, node.id, why, std::move(so_far));
    return;
  }
  so_far["answer"] = std::move(fallback).value();
  so_far["fallback"] = true;
  so_far["why"] = why;
  FinishAgent(run, node, std::move(so_far));
}

void RunExecutor::FinishAgent(const RunPtr& run, const NodeDef& node, Json output) {
  CloseContainer(*run, node, NowUs());
  WriteBatch batch;
  Json payload = {{"output", std::move(output)}};
  batch.events.push_back(Event{{}, 0, 0, EventType::kNodeCompleted, node.id, "", payload});
  Commit(run, std::move(batch), [this, run, &node, payload = std::move(payload)]() mutable {
    RecordCompletion(*run, {node.id, ""}, std::move(payload), true);
    WalkFrom(run, Successor(*run->index, node));
  });
}

}  // namespace keel
