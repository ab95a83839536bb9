#include "cli/app.h"

#include <filesystem>
#include <map>

#include "io/event_loop.h"
#include "models/offline_model.h"
#include "models/recording_model.h"
#include "models/scripted_model.h"
#include "tools/testing_tools.h"

namespace keel {
namespace fs = std::filesystem;

App::~App() {
  if (engine) engine->Stop();
  engine.reset();
}

namespace {

// Fault-test tools exist only when a test asks for them (README "Testing").
const char* TestingToolsDb() { return std::getenv("KEEL_TESTING_TOOLS_DB"); }

}  // namespace

std::vector<std::string> BuiltinToolNames() {
  ToolRegistry registry;
  RegisterCrmTools(registry, nullptr);
  if (TestingToolsDb()) RegisterTestingTools(registry, TestingToolsDb());
  return registry.Names();
}

std::string ProjectPath(const Project& project, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  return (fs::path(project.root) / path).lexically_normal().string();
}

namespace {

Status OpenCrm(App& app, bool seed) {
  std::string path = ProjectPath(app.project, app.project.config.crm_path);
  if (!fs::exists(path)) {
    if (!seed) return NotFound(path + ": demo CRM not found (run `keel demo` to seed it)");
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    KEEL_RETURN_IF_ERROR(SeedDemoCrm(path));
  }
  Result<std::unique_ptr<DemoCrm>> crm = DemoCrm::Open(path);
  if (!crm.ok()) return crm.status();
  app.crm = std::move(crm).value();
  RegisterCrmTools(app.tools, app.crm);
  if (TestingToolsDb()) RegisterTestingTools(app.tools, TestingToolsDb());
  return Status();
}

// One instance per provider, shared by every tier that names it.
Result<std::shared_ptr<Model>> ProviderModel(App& app, const std::string& provider,
                                             std::map<std::string, std::shared_ptr<Model>>* made) {
  if (auto it = made->find(provider); it != made->end()) return it->second;
  const ProjectConfig& config = app.project.config;
  std::shared_ptr<Model> model;
  if (provider == "scripted") {
    Result<std::unique_ptr<ScriptedModel>> scripted =
        ScriptedModel::Load(ProjectPath(app.project, config.scripted_file),
                            app.engine->loop(), config.scripted_latency_ms);
    if (!scripted.ok()) return scripted.status();
    model = std::move(scripted).value();
  } else if (provider == "offline") {
    model = std::make_shared<OfflineModel>(Clock::Real());
  } else {
    return InvalidArgument("keel.yaml: model provider '" + provider +
                           "' is not available in this build (offline, scripted)");
  }
  (*made)[provider] = model;
  return model;
}

// The default provider serves every tier; a tier listed in keel.yaml is
// served by the first provider of its list (later entries are the fallback
// chain, used once real providers can fail over).
Status SetUpModels(App& app, const std::string& record_file) {
  std::map<std::string, std::shared_ptr<Model>> made;
  auto wrap = [&](std::shared_ptr<Model> model) -> Result<std::shared_ptr<Model>> {
    if (record_file.empty()) return model;
    auto recording = RecordingModel::Open(record_file, std::move(model), Clock::Real());
    if (!recording.ok()) return recording.status();
    return std::shared_ptr<Model>(std::move(recording).value());
  };
  Result<std::shared_ptr<Model>> fallback =
      ProviderModel(app, app.project.config.model_provider, &made);
  if (!fallback.ok()) return fallback.status();
  Result<std::shared_ptr<Model>> wrapped = wrap(*fallback);
  if (!wrapped.ok()) return wrapped.status();
  app.models.SetDefault(*wrapped);
  for (const auto& [tier, targets] : app.project.config.tiers) {
    if (targets.empty()) continue;
    Result<std::shared_ptr<Model>> model = ProviderModel(app, targets.front().provider, &made);
    if (!model.ok()) return model.status();
    Result<std::shared_ptr<Model>> tier_model =
        *model == *fallback ? wrapped : wrap(*model);
    if (!tier_model.ok()) return tier_model.status();
    app.models.SetTier(tier, *tier_model);
  }
  return Status();
}

}  // namespace

Result<std::unique_ptr<App>> OpenApp(const std::string& dir, const AppOptions& options) {
  auto app = std::make_unique<App>();
  std::vector<Diagnostic> diagnostics;
  LoadOptions load;
  load.builtin_tools = BuiltinToolNames();
  Result<Project> project = LoadProject(dir, load, &diagnostics);
  if (!project.ok()) return project.status();
  app->project = std::move(project).value();
  if (!options.model_provider.empty()) {
    // The override serves every tier.
    app->project.config.tiers.clear();
    app->project.config.model_provider = options.model_provider;
    app->project.config.scripted_file = options.scripted_file;
    app->project.config.scripted_latency_ms = options.scripted_latency_ms;
  }

  SqliteStoreOptions store_options;
  store_options.path = options.store_override.empty()
                           ? ProjectPath(app->project, app->project.config.store_path)
                           : options.store_override;
  store_options.synchronous_full = options.store_synchronous_full;
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(store_options);
  if (!store.ok()) return store.status();
  app->store = std::move(store).value();
  if (!options.need_engine) return app;

  KEEL_RETURN_IF_ERROR(OpenCrm(*app, options.seed_crm));
  EngineOptions engine_options = options.engine;
  engine_options.lease_us = app->project.config.lease_s * 1'000'000;
  if (app->project.config.worker_threads > 0) {
    engine_options.threads = app->project.config.worker_threads;
  }
  engine_options.max_runs_in_flight = options.max_runs_in_flight > 0
                                          ? options.max_runs_in_flight
                                          : app->project.config.max_runs_in_flight;
  app->engine = std::make_unique<Engine>(app->project, app->store.get(), &app->tools,
                                         &app->models, Clock::Real(), engine_options);
  KEEL_RETURN_IF_ERROR(SetUpModels(*app, options.record_file));
  return app;
}

}  // namespace keel
