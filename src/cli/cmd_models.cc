// keel models check: one tiny request to every entry of every tier's chain,
// reporting latency, tokens and cost or the provider's error type. Exits
// non-zero when a tier has no working entry.
#include <cstdio>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "io/event_loop.h"
#include "routing/model_check.h"

namespace keel {

int CmdModelsCheck(const CommonFlags& flags) {
  AppOptions options;
  options.need_engine = false;
  auto app = OpenApp(flags.project, options);
  if (!app.ok()) return ReportError(app.status());
  // A check reports each entry's own first answer: no retries.
  ProjectConfig config = (*app)->project.config;
  for (auto& [name, settings] : config.models.providers) settings.max_attempts = 1;

  EventLoop loop(Clock::Real());
  loop.Start();
  ModelSetupDeps deps;
  deps.loop = &loop;
  deps.clock = Clock::Real();
  deps.project_root = (*app)->project.root;
  Result<std::unique_ptr<ModelResources>> resources = ModelResources::Create(config, deps);
  if (!resources.ok()) {
    loop.Stop();
    return ReportError(resources.status());
  }
  std::vector<TierCheck> tiers = CheckModels(config, resources->get());
  loop.Stop();
  resources->reset();  // after the loop: its HTTP client outlives every request

  bool ok = true;
  for (const TierCheck& tier : tiers) ok = ok && tier.ok;
  if (flags.json) {
    std::printf("%s\n", ModelCheckJson(tiers).dump(2).c_str());
  } else {
    std::fputs(ModelCheckTable(tiers).c_str(), stdout);
  }
  return ok ? kExitOk : kExitRunFailed;
}

}  // namespace keel
