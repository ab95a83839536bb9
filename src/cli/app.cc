#include "cli/app.h"

#include <filesystem>

#include "cli/connector_tools.h"
#include "crm/sales_desk.h"
#include "io/event_loop.h"
#include "routing/model_setup.h"
#include "tools/testing_tools.h"

namespace keel {
namespace fs = std::filesystem;

App::~App() {
  if (engine) engine->Stop();
  // MCP sessions over HTTP post to the engine's event loop: closed while it exists.
  if (connectors) connectors->CloseMcpSessions();
  engine.reset();
  connectors.reset();  // after the event loop: its HTTP client outlives every request
  model_resources.reset();
}

namespace {

// Fault-test tools exist only when a test asks for them (README "Testing").
const char* TestingToolsDb() { return std::getenv("KEEL_TESTING_TOOLS_DB"); }

}  // namespace

std::vector<std::string> BuiltinToolNames() {
  ToolRegistry registry;
  RegisterCrmTools(registry, nullptr);
  RegisterSalesDeskTools(registry, nullptr);
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
  Result<std::unique_ptr<SalesDesk>> desk = SalesDesk::Open(path);
  if (!desk.ok()) return desk.status();
  RegisterSalesDeskTools(app.tools, std::move(desk).value());
  if (TestingToolsDb()) RegisterTestingTools(app.tools, TestingToolsDb());
  return Status();
}

// The tiers' fallback chains over the configured providers (routing/model_setup.h).
Status SetUpModels(App& app, const std::string& record_file) {
  ModelSetupDeps deps;
  deps.loop = app.engine->loop();
  deps.clock = Clock::Real();
  deps.project_root = app.project.root;
  deps.record_file = record_file;
  Result<std::unique_ptr<ModelResources>> resources =
      ModelResources::Create(app.project.config, deps);
  if (!resources.ok()) return resources.status();
  app.model_resources = std::move(resources).value();
  return SetUpModelRouter(app.project.config, app.model_resources.get(), deps, &app.models);
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

  if (options.adjust_models) options.adjust_models(&app->project.config);

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
  engine_options.max_model_calls_in_flight = app->project.config.max_model_calls_in_flight;
  app->engine = std::make_unique<Engine>(app->project, app->store.get(), &app->tools,
                                         &app->models, Clock::Real(), engine_options);
  KEEL_RETURN_IF_ERROR(SetUpModels(*app, options.record_file));
  // One HttpClient per loop: the tools use the models' when there is one.
  app->connectors = std::make_unique<ConnectorTools>();
  KEEL_RETURN_IF_ERROR(app->connectors->Register(app->project, app->engine->loop(), &app->tools,
                                                 app->model_resources->http()));
  return app;
}

}  // namespace keel
