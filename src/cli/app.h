// App: the composition root. Opens a project folder and wires its parts
// together explicitly: the store, the demo CRM and its tools, the model
// provider, and the engine. Every command builds one App and uses what it
// needs. Not thread-safe itself; the engine it holds is.
#ifndef KEEL_CLI_APP_H_
#define KEEL_CLI_APP_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "crm/demo_crm.h"
#include "engine/engine.h"
#include "models/model_router.h"
#include "project/definitions.h"
#include "project/project_loader.h"
#include "routing/model_setup.h"
#include "store/store.h"
#include "tools/tool.h"

namespace keel {

class ConnectorTools;

// Exit codes, documented in README.md.
enum ExitCode {
  kExitOk = 0,
  kExitRunFailed = 1,
  kExitUsage = 2,
  kExitInvalid = 3,
  kExitParked = 4,
};

struct AppOptions {
  bool need_engine = true;   // false: project + store only (read-only commands)
  bool seed_crm = true;      // create the demo CRM when missing
  EngineOptions engine;     // lease, threads and capacity come from keel.yaml
  int max_runs_in_flight = 0;  // overrides keel.yaml's when > 0 (benchmarks)
  std::string store_override;  // e.g. for benchmarks
  // Model settings that replace keel.yaml's, tiers included (benchmarks); "" = keep.
  std::string model_provider;
  std::string scripted_file;
  int64_t scripted_latency_ms = 0;
  // Append every model exchange to this JSONL cassette (replayable by the
  // scripted provider); "" = no recording.
  std::string record_file;
  // Edits keel.yaml's model settings (tiers, providers) after loading, e.g.
  // to point the tiers at a local server (benchmarks); null = keep them.
  std::function<void(ProjectConfig*)> adjust_models;
  bool store_synchronous_full = true;
};

struct App {
  Project project;
  std::unique_ptr<Store> store;
  std::shared_ptr<DemoCrm> crm;
  ToolRegistry tools;
  // What the models run on (the HTTP client); outlives `models` and the loop.
  std::unique_ptr<ModelResources> model_resources;
  ModelRouter models;
  std::unique_ptr<Engine> engine;
  // The subprocess, HTTP and MCP tools' shared parts (HTTP client, MCP sessions).
  std::unique_ptr<ConnectorTools> connectors;

  ~App();  // stops the engine before the store closes and the connectors shut down
};

// The names of the built-in tool implementations (for validation).
std::vector<std::string> BuiltinToolNames();

// Loads the project at `dir` and opens what `options` asks for. Errors:
// kInvalidArgument with every diagnostic (exit 3), kDataLoss / kUnavailable
// for a corrupt or locked store (exit 3).
Result<std::unique_ptr<App>> OpenApp(const std::string& dir, const AppOptions& options);

// Absolute path of `path` relative to the project root (unchanged if absolute).
std::string ProjectPath(const Project& project, const std::string& path);

}  // namespace keel

#endif  // KEEL_CLI_APP_H_
