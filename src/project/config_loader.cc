// keel.yaml -> ProjectConfig.
#include <filesystem>

#include "connectors/http_tool.h"  // UrlHost, EgressAllowed
#include "mcp/mcp_server_config.h"
#include "project/internal/load_context.h"
#include "project/internal/model_config_reader.h"
#include "project/internal/policies_reader.h"

namespace keel::project_internal {

namespace {

constexpr std::string_view kProviders[] = {"offline", "scripted", "openai", "anthropic"};

bool CheckProvider(const FieldReader& reader, const std::string& provider) {
  for (std::string_view known : kProviders) {
    if (provider == known) return true;
  }
  reader.Error(*reader.Find("provider"), "unknown model provider '" + provider +
                                             "' (expected offline, scripted, openai or anthropic)");
  return false;
}

void ReadModel(const FieldReader& top, const Field& field, ProjectConfig* config) {
  FieldReader model(top.file(), field.value, "model", {"provider", "scripted_file", "latency_ms"},
                    top.diags());
  if (!model.is_map()) return;
  std::string provider;
  if (model.String("provider", &provider) && CheckProvider(model, provider)) {
    config->model_provider = provider;
  }
  model.String("scripted_file", &config->scripted_file);
  model.Int("latency_ms", 0, &config->scripted_latency_ms);
  if (config->model_provider == "scripted" && config->scripted_file.empty()) {
    top.diags()->Add(model.Where(), "the scripted provider needs 'scripted_file'");
  }
}

void ReadTiers(const FieldReader& top, const Field& field, ProjectConfig* config) {
  if (!field.value.IsMap()) {
    top.Error(field, "'tiers' must be a map of tier name to a list of {provider, model}");
    return;
  }
  for (const auto& pair : field.value) {
    const std::string tier = pair.first.Scalar();
    const YAML::Node& list = pair.second;
    if (!list.IsSequence() || list.size() == 0) {
      top.diags()->Add(list.IsNull() ? top.file().At(pair.first) : top.file().At(list),
                       "tier '" + tier + "' must be a non-empty list of {provider, model}");
      continue;
    }
    std::vector<TierTarget>& targets = config->tiers[tier];
    for (const YAML::Node& item : list) {
      FieldReader entry(top.file(), item, "a tier entry", {"provider", "model"}, top.diags());
      if (!entry.is_map()) continue;
      TierTarget target;
      if (entry.String("provider", &target.provider, /*required=*/true)) {
        CheckProvider(entry, target.provider);
      }
      entry.String("model", &target.model);
      targets.push_back(std::move(target));
    }
  }
}

void ReadDefaults(const FieldReader& top, const Field& field, ProjectConfig* config) {
  FieldReader defaults(top.file(), field.value, "defaults",
                       {"lease_s", "worker_threads", "max_runs_in_flight",
                        "max_model_calls_in_flight", "tool_policies"},
                       top.diags());
  if (!defaults.is_map()) return;
  defaults.Int("lease_s", 1, &config->lease_s);
  int64_t value = 0;
  if (defaults.Int("worker_threads", 0, &value)) config->worker_threads = static_cast<int>(value);
  if (defaults.Int("max_runs_in_flight", 1, &value)) {
    config->max_runs_in_flight = static_cast<int>(value);
  }
  if (defaults.Int("max_model_calls_in_flight", 0, &value)) {
    config->max_model_calls_in_flight = static_cast<int>(value);
  }
  if (const Field* policies = defaults.Find("tool_policies")) {
    ReadToolPolicyDefaults(defaults, *policies, &config->tool_policies,
                           &config->workspace_rate_limit);
  }
}

void ReadEgress(const FieldReader& top, const Field& field, ProjectConfig* config) {
  FieldReader egress(top.file(), field.value, "egress", {"allow"}, top.diags());
  if (!egress.is_map()) return;
  egress.StringList("allow", &config->egress_allow, nullptr, /*required=*/true);
}

// Each server is validated by the MCP module's own parser; its messages
// ("mcp_servers.crm.command: ...") name the field, which is where they are reported.
void ReadMcpServers(const FieldReader& top, const Field& field, ProjectConfig* config) {
  if (!field.value.IsMap()) {
    top.Error(field, "'mcp_servers' must be a map of server name to its settings");
    return;
  }
  for (const auto& pair : field.value) {
    const std::string name = pair.first.Scalar();
    Json entry = YamlToJson(pair.second);
    Result<McpServerConfig> parsed = ParseMcpServerConfig(name, entry);
    if (!parsed.ok()) {
      const std::string message = parsed.status().message();
      std::string prefix = "mcp_servers." + name;
      size_t colon = message.find(": ");
      SourceLocation where = top.file().At(pair.first);
      if (colon != std::string::npos && colon > prefix.size() &&
          message.compare(0, prefix.size() + 1, prefix + ".") == 0) {
        where = WhereInYaml(
            top.file(), pair.second,
            std::string_view(message).substr(prefix.size() + 1, colon - prefix.size() - 1));
      }
      top.diags()->Add(where, message);
      continue;
    }
    // Checked here too, so `keel validate` reports it before a run does.
    if (!parsed->url.empty() && !EgressAllowed(config->egress_allow, UrlHost(parsed->url))) {
      top.diags()->Add(WhereInYaml(top.file(), pair.second, "url"),
                       "mcp_servers." + name + ".url: host '" + UrlHost(parsed->url) +
                           "' is not on the egress allowlist (keel.yaml egress.allow)");
      continue;
    }
    config->mcp_servers[name] = std::move(entry);
  }
}

}  // namespace

void LoadConfig(LoadContext* ctx) {
  if (!std::filesystem::is_regular_file(std::filesystem::path(ctx->root) / "keel.yaml")) {
    ctx->diags.Add(SourceLocation{"keel.yaml", 0, 0},
                   "file not found; every project folder needs one");
    return;
  }
  std::optional<YamlFile> file = ReadYamlFile(ctx->root, "keel.yaml", &ctx->diags);
  if (!file) return;
  FieldReader reader(*file, file->root, "keel.yaml",
                     {"name", "store", "crm", "model", "tiers", "providers", "prices",
                      "model_breaker", "defaults", "egress", "mcp_servers"},
                     &ctx->diags);
  if (!reader.is_map()) return;
  ProjectConfig& config = ctx->project.config;
  reader.String("name", &config.name, /*required=*/true);
  reader.String("store", &config.store_path);
  reader.String("crm", &config.crm_path);
  if (const Field* model = reader.Find("model")) ReadModel(reader, *model, &config);
  if (const Field* tiers = reader.Find("tiers")) ReadTiers(reader, *tiers, &config);
  if (const Field* f = reader.Find("providers")) ReadProviders(reader, *f, &config.models);
  if (const Field* f = reader.Find("prices")) ReadPrices(reader, *f, &config.models);
  if (const Field* f = reader.Find("model_breaker")) ReadModelBreaker(reader, *f, &config.models);
  if (const Field* defaults = reader.Find("defaults")) ReadDefaults(reader, *defaults, &config);
  if (const Field* egress = reader.Find("egress")) ReadEgress(reader, *egress, &config);
  if (const Field* servers = reader.Find("mcp_servers")) ReadMcpServers(reader, *servers, &config);
}

}  // namespace keel::project_internal
