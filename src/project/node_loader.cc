// One workflow node: common fields, kind dispatch, and the tool, llm,
// parallel and map kinds (the kinds that run work; node_kinds.cc has the
// control-flow kinds).
#include <algorithm>

#include "project/internal/node_readers.h"

namespace keel::project_internal {

namespace {

struct KindEntry {
  std::string_view name;
  NodeKind kind;
  const char* what;                   // for messages
  void (*read)(const NodeInput& in);  // reads the kind's own fields
};

constexpr KindEntry kKinds[] = {
    {"tool", NodeKind::kTool, "a tool node", ReadToolFields},
    {"llm", NodeKind::kLlm, "an llm node", ReadLlmFields},
    {"agent", NodeKind::kAgent, "an agent node", ReadAgentFields},
    {"parallel", NodeKind::kParallel, "a parallel node", ReadParallelFields},
    {"map", NodeKind::kMap, "a map node", ReadMapFields},
    {"route", NodeKind::kRoute, "a route node", ReadRouteFields},
    {"optimize", NodeKind::kOptimize, "an optimize node", ReadOptimizeFields},
    {"approval", NodeKind::kApproval, "an approval node", ReadApprovalFields},
    {"verify", NodeKind::kVerify, "a verify node", ReadVerifyFields},
    {"escalate", NodeKind::kEscalate, "an escalate node", ReadEscalateFields},
    {"finalize", NodeKind::kFinalize, "a finalize node", ReadFinalizeFields},
};

const KindEntry* FindKind(std::string_view name) {
  for (const KindEntry& entry : kKinds) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

void ReportUnknownKind(const FieldReader& reader, const Field& field) {
  std::vector<std::string_view> names;
  for (const KindEntry& entry : kKinds) names.push_back(entry.name);
  std::string suggestion = Suggest(field.value.Scalar(), names);
  std::string message = "unknown node kind '" + field.value.Scalar() + "'";
  message += suggestion.empty()
                 ? " (expected tool, llm, agent, parallel, map, route, optimize, approval, "
                   "verify, escalate or finalize)"
                 : " (did you mean '" + suggestion + "'?)";
  reader.Error(field, std::move(message));
}

// Kinds outside tool/llm and `next` are not allowed inside a parallel or map.
void CheckPlace(const FieldReader& reader, NodePlace place, const KindEntry& entry) {
  if (place == NodePlace::kTop) {
    const Field* next = reader.Find("next");
    bool ends_path = entry.kind == NodeKind::kFinalize || entry.kind == NodeKind::kEscalate;
    if (next != nullptr && (ends_path || entry.kind == NodeKind::kRoute)) {
      reader.diags()->Add(
          reader.file().At(next->key),
          ends_path ? "'next' is not allowed on " + std::string(entry.what) + " (it ends the run)"
                    : std::string("'next' is not allowed on a route node "
                                  "(use 'default')"));
    }
    return;
  }
  const char* where = place == NodePlace::kBranch ? "a parallel branch" : "a map body ('do')";
  if (entry.kind != NodeKind::kTool && entry.kind != NodeKind::kLlm) {
    reader.Error(*reader.Find("kind"), std::string(where) + " must be a tool or llm node, not " +
                                           std::string(entry.name));
  }
  if (const Field* next = reader.Find("next")) {
    reader.diags()->Add(reader.file().At(next->key),
                        "'next' is not allowed in " + std::string(where));
  }
}

std::vector<std::string_view> AllowedFields(const KindEntry* entry) {
  std::vector<std::string_view> allowed = {"id", "kind", "next"};
  for (const KindEntry& candidate : kKinds) {
    if (entry != nullptr && entry != &candidate) continue;
    for (std::string_view field : KindFields(candidate.kind)) {
      if (std::find(allowed.begin(), allowed.end(), field) == allowed.end()) {
        allowed.push_back(field);
      }
    }
  }
  return allowed;
}

// The value of key `key` in `map` (an undefined node when absent).
YAML::Node FindKey(const YAML::Node& map, std::string_view key) {
  for (const auto& pair : map) {
    if (pair.first.Scalar() == key) return pair.second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

}  // namespace

const std::vector<std::string_view>& KindFields(NodeKind kind) {
  // Built once; never destroyed (static storage must be trivially destructible).
  static const auto* const kFields = new std::map<NodeKind, std::vector<std::string_view>>{
      {NodeKind::kTool, {"tool", "args"}},
      {NodeKind::kLlm, {"agent", "inputs"}},
      {NodeKind::kAgent, {"agent", "inputs", "max_turns"}},
      {NodeKind::kParallel, {"branches"}},
      {NodeKind::kMap, {"over", "as", "max_concurrency", "do"}},
      {NodeKind::kRoute, {"routes", "classify", "default"}},
      {NodeKind::kOptimize,
       {"generator", "generator_inputs", "evaluator", "evaluator_inputs", "criteria", "threshold",
        "max_iterations"}},
      {NodeKind::kApproval,
       {"proposal", "proposal_schema", "expires_in_s", "on_reject", "on_expiry"}},
      {NodeKind::kVerify, {"checks", "on_fail"}},
      {NodeKind::kEscalate, {"reason", "evidence", "queue"}},
      {NodeKind::kFinalize, {"state", "output", "brief_template"}},
  };
  return kFields->at(kind);
}

bool ReadNode(LoadContext* ctx, const YamlFile& file, const YAML::Node& map, NodePlace place,
              NodeDef* def, NodeInfo* info) {
  if (!map.IsMap()) {
    ctx->diags.Add(file.At(map), "a node must be a map");
    return false;
  }
  YAML::Node kind_node = FindKey(map, "kind");
  const KindEntry* entry = kind_node.IsScalar() ? FindKind(kind_node.Scalar()) : nullptr;
  FieldReader reader(file, map, entry != nullptr ? entry->what : "a node", AllowedFields(entry),
                     &ctx->diags);
  def->location = reader.Where();
  bool has_id = reader.String("id", &def->id, /*required=*/true);
  if (has_id) {
    info->id_where = reader.Where(*reader.Find("id"));
    if (!IsIdentifier(def->id)) {
      ctx->diags.Add(info->id_where,
                     "node id '" + def->id + "' must be an identifier (letters, digits, _)");
    }
  }
  const Field* kind_field = reader.Require("kind");
  if (entry == nullptr) {
    if (kind_field != nullptr) ReportUnknownKind(reader, *kind_field);
    return has_id;
  }
  CheckPlace(reader, place, *entry);
  def->kind = entry->kind;
  NodeInput in{ctx, reader, def, info};
  bool may_jump = entry->kind != NodeKind::kRoute && entry->kind != NodeKind::kFinalize &&
                  entry->kind != NodeKind::kEscalate;
  if (place == NodePlace::kTop && may_jump) ReadTarget(in, "next", &def->next);
  entry->read(in);
  return has_id;
}

void ReadTarget(const NodeInput& in, std::string_view name, std::string* out) {
  if (!in.reader.String(name, out)) return;
  in.info->targets.push_back(
      Target{std::string(name), *out, in.reader.Where(*in.reader.Find(name))});
}

const AgentDef* ReadAgentRef(const NodeInput& in, std::string_view name, std::string* out) {
  if (!in.reader.String(name, out, /*required=*/true)) return nullptr;
  const AgentDef* agent = in.ctx->project.FindAgent(*out);
  if (agent == nullptr) {
    std::vector<std::string_view> names;
    for (const auto& [known, def] : in.ctx->project.agents) names.push_back(known);
    std::string suggestion = Suggest(*out, names);
    in.reader.Error(*in.reader.Find(name),
                    "unknown agent '" + *out + "'" +
                        (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)"));
  }
  return agent;
}

ValueExpression ReadAgentInputs(const NodeInput& in, std::string_view inputs_field,
                                const AgentDef* agent,
                                const std::vector<std::string_view>& provided) {
  ValueExpression inputs = ReadValueTemplateField(in.reader, inputs_field, /*required=*/false,
                                                  /*require_map=*/true, &in.info->reads);
  if (agent == nullptr) return inputs;
  const Field* field = in.reader.Find(inputs_field);
  if (field != nullptr && !field->value.IsMap()) return inputs;  // already reported
  std::vector<std::string> given;
  if (field != nullptr) {
    for (const auto& pair : field->value) {
      const std::string key = pair.first.Scalar();
      given.push_back(key);
      if (std::find(agent->inputs.begin(), agent->inputs.end(), key) == agent->inputs.end()) {
        in.ctx->diags.Add(in.reader.file().At(pair.first),
                          "input '" + key + "' is not declared by agent '" + agent->name +
                              "' (inputs: " + JoinNames(agent->inputs) + ")");
      }
    }
  }
  SourceLocation where = field != nullptr ? in.reader.Where(*field) : in.def->location;
  for (const std::string& name : agent->inputs) {
    bool engine_supplies = std::find(provided.begin(), provided.end(), name) != provided.end();
    if (engine_supplies || std::find(given.begin(), given.end(), name) != given.end()) continue;
    in.ctx->diags.Add(where, "missing input '" + name + "' for agent '" + agent->name + "' in '" +
                                 std::string(inputs_field) + "'");
  }
  return inputs;
}

void ReadToolFields(const NodeInput& in) {
  if (in.reader.String("tool", &in.def->tool, /*required=*/true) &&
      in.ctx->project.FindTool(in.def->tool) == nullptr) {
    std::vector<std::string_view> names;
    for (const auto& [known, def] : in.ctx->project.tools) names.push_back(known);
    std::string suggestion = Suggest(in.def->tool, names);
    in.reader.Error(*in.reader.Find("tool"),
                    "unknown tool '" + in.def->tool + "'" +
                        (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)"));
  }
  in.def->args = ReadValueTemplateField(in.reader, "args", /*required=*/false,
                                        /*require_map=*/true, &in.info->reads);
}

void ReadLlmFields(const NodeInput& in) {
  const AgentDef* agent = ReadAgentRef(in, "agent", &in.def->agent);
  in.def->inputs = ReadAgentInputs(in, "inputs", agent, {});
}

void ReadAgentFields(const NodeInput& in) {
  const AgentDef* agent = ReadAgentRef(in, "agent", &in.def->agent);
  in.def->inputs = ReadAgentInputs(in, "inputs", agent, {});
  if (agent != nullptr && agent->tools.empty()) {
    in.reader.Error(*in.reader.Find("agent"),
                    "agent '" + agent->name +
                        "' has no 'tools' allowlist: an agent node calls tools (use an llm node)");
  }
  int64_t max_turns = 0;
  if (in.reader.Int("max_turns", 1, &max_turns)) {
    if (max_turns > 50) {
      in.reader.Error(*in.reader.Find("max_turns"), "'max_turns' must be at most 50");
    }
    in.def->max_turns = static_cast<int>(max_turns);
  }
}

void ReadParallelFields(const NodeInput& in) {
  const Field* field = in.reader.Require("branches");
  if (field == nullptr) return;
  if (!field->value.IsSequence() || field->value.size() == 0) {
    in.reader.Error(*field, "'branches' must be a non-empty list of tool or llm nodes");
    return;
  }
  for (const YAML::Node& item : field->value) {
    NodeDef branch;
    NodeInfo branch_info;
    if (!ReadNode(in.ctx, in.reader.file(), item, NodePlace::kBranch, &branch, &branch_info)) {
      continue;
    }
    in.def->branches.push_back(std::move(branch));
    in.info->children.push_back(std::move(branch_info));
  }
}

void ReadMapFields(const NodeInput& in) {
  in.def->over = ReadExpressionField(in.reader, "over", /*required=*/true, &in.info->reads);
  if (in.reader.String("as", &in.def->as) && !IsIdentifier(in.def->as)) {
    in.reader.Error(*in.reader.Find("as"),
                    "'as' must be an identifier (letters, digits, _), not '" + in.def->as + "'");
  }
  int64_t max_concurrency = 0;
  if (in.reader.Int("max_concurrency", 1, &max_concurrency)) {
    in.def->max_concurrency = static_cast<int>(max_concurrency);
  }
  const Field* field = in.reader.Require("do");
  if (field == nullptr) return;
  YAML::Node body = field->value;
  if (body.IsSequence() && body.size() == 1) body = body[0];
  if (!body.IsMap()) {
    in.reader.Error(*field, "'do' must be exactly one tool or llm node");
    return;
  }
  NodeDef node;
  NodeInfo node_info;
  if (ReadNode(in.ctx, in.reader.file(), body, NodePlace::kBody, &node, &node_info)) {
    in.def->body.push_back(std::move(node));
    in.info->children.push_back(std::move(node_info));
  }
}

}  // namespace keel::project_internal
