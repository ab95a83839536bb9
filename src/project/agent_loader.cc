// agents/*.yaml -> AgentDef, and the scope checks of agents' prompts and
// fallbacks once every workflow has said how each agent is used.
#include <algorithm>

#include "project/internal/load_context.h"

namespace keel::project_internal {

namespace {

constexpr std::string_view kDefaultTiers[] = {"small", "medium", "large"};

void CheckTier(const LoadContext& ctx, const FieldReader& reader, const std::string& tier) {
  const auto& tiers = ctx.project.config.tiers;
  if (tiers.empty()) {
    for (std::string_view known : kDefaultTiers) {
      if (tier == known) return;
    }
    reader.Error(*reader.Find("tier"),
                 "unknown tier '" + tier + "' (expected small, medium or large)");
    return;
  }
  if (tiers.count(tier) != 0) return;
  std::vector<std::string> names;
  for (const auto& [name, targets] : tiers) names.push_back(name);
  reader.Error(*reader.Find("tier"),
               "unknown tier '" + tier + "' (keel.yaml configures " + JoinNames(names) + ")");
}

void ReadInputs(const FieldReader& reader, AgentDef* agent) {
  std::vector<SourceLocation> where;
  if (!reader.StringList("inputs", &agent->inputs, &where)) return;
  for (size_t i = 0; i < agent->inputs.size(); ++i) {
    if (!IsIdentifier(agent->inputs[i])) {
      reader.diags()->Add(where[i], "input name '" + agent->inputs[i] +
                                        "' must be an identifier (letters, digits, _)");
    }
  }
}

void CheckAllowlist(const LoadContext& ctx, const FieldReader& reader, AgentDef* agent) {
  std::vector<SourceLocation> where;
  if (!reader.StringList("tools", &agent->tools, &where)) return;
  for (size_t i = 0; i < agent->tools.size(); ++i) {
    auto tool = ctx.project.tools.find(agent->tools[i]);
    if (tool == ctx.project.tools.end()) {
      reader.diags()->Add(where[i], "unknown tool '" + agent->tools[i] + "' in the allowlist");
      continue;
    }
    const ToolPolicies& policies = tool->second.policies;
    bool listed = std::find(policies.agents.begin(), policies.agents.end(), agent->name) !=
                  policies.agents.end();
    if (policies.restrict_agents && !listed) {
      reader.diags()->Add(where[i], "tool '" + agent->tools[i] +
                                        "' does not let agent '" + agent->name +
                                        "' call it (its policies.agents: " +
                                        (policies.agents.empty() ? "none, tool nodes only"
                                                                 : JoinNames(policies.agents)) +
                                        ")");
    }
  }
}

// The names an agent's prompt and fallback may read.
std::vector<std::string> AllowedNames(const AgentDef& agent, const AgentInfo& info) {
  std::vector<std::string> names = agent.inputs;
  auto add = [&names](const char* name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  };
  if (info.generator) {
    add("previous");
    add("feedback");
    add("iteration");
  }
  if (info.evaluator) add("candidate");
  return names;
}

void CheckReads(const std::vector<NameUse>& reads, const std::vector<std::string>& allowed,
                const AgentDef& agent, const char* reader, Diagnostics* diags) {
  for (const NameUse& use : reads) {
    if (std::find(allowed.begin(), allowed.end(), use.name) != allowed.end()) continue;
    diags->Add(use.where, std::string(reader) + " reads '" + use.name +
                              "', which is not among the inputs of agent '" + agent.name + "' (" +
                              (allowed.empty() ? "none" : JoinNames(allowed)) + ")");
  }
}

}  // namespace

void LoadAgent(LoadContext* ctx, const YamlFile& file) {
  FieldReader reader(
      file, file.root, "an agent",
      {"name", "description", "tier", "prompt", "inputs", "output_schema", "tools", "fallback"},
      &ctx->diags);
  if (!reader.is_map()) return;
  AgentDef agent;
  AgentInfo info;
  info.file = file.path;
  agent.location = reader.Where();
  reader.String("name", &agent.name, /*required=*/true);
  reader.String("description", &agent.description);
  if (reader.String("tier", &agent.tier)) {
    CheckTier(*ctx, reader, agent.tier);
  } else if (!ctx->project.config.tiers.empty() &&
             ctx->project.config.tiers.count(agent.tier) == 0) {
    ctx->diags.Add(agent.location,
                   "agent has no 'tier' and keel.yaml configures no '" + agent.tier + "' tier");
  }
  if (reader.String("prompt", &agent.prompt_file, /*required=*/true)) {
    agent.prompt =
        ctx->templates.Read(agent.prompt_file, reader.Where(*reader.Find("prompt")), "prompt file");
  }
  ReadInputs(reader, &agent);
  CompiledSchema output;
  if (ctx->schemas.ReadField(reader, "output_schema", /*required=*/true, &output)) {
    agent.output_schema = std::move(output.document);
    agent.output = std::move(output.schema);
  }
  CheckAllowlist(*ctx, reader, &agent);
  agent.fallback = ReadValueTemplateField(reader, "fallback", /*required=*/false,
                                          /*require_map=*/false, &info.fallback_reads);
  if (agent.name.empty()) return;
  auto [it, inserted] = ctx->project.agents.try_emplace(agent.name, agent);
  if (!inserted) {
    reader.Error(*reader.Find("name"), "duplicate agent name '" + agent.name + "' (also in " +
                                           it->second.location.file + ")");
    return;
  }
  ctx->agent_infos[agent.name] = std::move(info);
}

void CheckAgentScopes(LoadContext* ctx) {
  for (const auto& [name, agent] : ctx->project.agents) {
    const AgentInfo& info = ctx->agent_infos[name];
    std::vector<std::string> allowed = AllowedNames(agent, info);
    CheckReads(info.fallback_reads, allowed, agent, "fallback", &ctx->diags);
    if (agent.prompt) {
      CheckReads(ctx->templates.TopLevelReads(agent.prompt_file), allowed, agent, "prompt",
                 &ctx->diags);
    }
  }
}

}  // namespace keel::project_internal
