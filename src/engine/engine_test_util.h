// Test-only helpers for the engine tests: an Engine wired to a fixture
// project, a temporary SQLite store, the test-only tools (and optionally the
// demo CRM), with a listener a test can wait on (bounded) until a run comes
// to rest; builders for event logs written by hand, as a worker that died
// would have left them; and queries on the test-only tools' database.
//
// Thread-safety: EngineHarness's Wait/Outcomes may be called while the
// engine's threads deliver outcomes; everything else is for the test thread.
#ifndef KEEL_ENGINE_ENGINE_TEST_UTIL_H_
#define KEEL_ENGINE_ENGINE_TEST_UTIL_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/json.h"
#include "core/status.h"
#include "crm/demo_crm.h"
#include "engine/engine.h"
#include "models/model.h"
#include "models/model_router.h"
#include "project/definitions.h"
#include "store/store.h"
#include "tools/tool.h"

namespace keel::engine_test {

// How long a test waits for the engine before it gives up (a hang, not a
// slow machine: every fixture run finishes in well under a second).
inline constexpr std::chrono::seconds kWaitLimit{60};

// A fresh directory under the test temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct HarnessOptions {
  std::string project = "tests/fixtures/crash_project";  // relative to the repository root
  std::string store_path;        // "" = a new file in the harness's own temp dir
  std::string effects_db;        // the test-only tools' database; "" = in the temp dir
  Clock* clock = nullptr;        // for the engine and the store; nullptr = the real clock
  bool claim = false;            // a worker: polls the store for runnable runs
  bool crm = false;              // seed a demo CRM and register the sales pack's tools
  std::shared_ptr<Model> model;  // nullptr = OfflineModel (the agents' fallbacks)
  std::function<void(ToolRegistry&)> register_tools;  // the test's own tool fakes
  int threads = 2;
  int max_runs_in_flight = 10000;
  int max_model_calls_in_flight = 0;
  int64_t claim_interval_us = 10'000;
};

class EngineHarness {
 public:
  // Loads the project and opens the store, tools, models and engine (not
  // started). Fails with the loader's or store's error.
  static Result<std::unique_ptr<EngineHarness>> Open(HarnessOptions options);
  ~EngineHarness();  // stops the engine before the store closes

  Engine& engine() { return *engine_; }
  Store& store() { return *store_; }
  const Project& project() const { return project_; }
  const ToolRegistry& tools() const { return tools_; }
  DemoCrm* crm() const { return crm_.get(); }
  const std::string& store_path() const { return store_path_; }
  const std::string& effects_db() const { return effects_db_; }
  Clock* clock() const { return clock_; }

  // Blocks until `run_id` comes to rest (finished or parked) for the n-th
  // time (1-based), or `limit` passes; nullopt on timeout.
  std::optional<RunOutcome> Wait(const std::string& run_id, int nth = 1,
                                 std::chrono::milliseconds limit = kWaitLimit);
  // Writes a hand-made run and its log (WriteRun), starts the engine, lets
  // it claim the run and waits for the run to come to rest; nullopt (with a
  // test failure) when it was not written or not resumed in time.
  std::optional<RunOutcome> ResumeToRest(const RunRecord& record, std::vector<Event> events);
  // Every outcome this engine reported, in order.
  std::vector<RunOutcome> Outcomes() const;

 private:
  EngineHarness() = default;
  void OnOutcome(const RunOutcome& outcome);

  TempDir dir_;
  Project project_;
  Clock* clock_ = nullptr;
  std::string store_path_;
  std::string effects_db_;
  std::unique_ptr<Store> store_;
  std::shared_ptr<DemoCrm> crm_;
  ToolRegistry tools_;
  ModelRouter models_;
  std::unique_ptr<Engine> engine_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<RunOutcome> outcomes_;
};

// A run row as EnqueueRun writes it: pending, no lease.
RunRecord PendingRun(const std::string& workflow, const Json& input,
                     const std::string& entity_key = "");

// The event log a worker would have committed before it died. Seqs count
// from 1 in the order the events are added.
class LogBuilder {
 public:
  explicit LogBuilder(std::string run_id) : run_id_(std::move(run_id)) {}
  LogBuilder& RunStarted(const Json& input, const Json& state = Json::object(),
                         int64_t state_version = 0);
  // A side-effecting step that was started and never recorded as finished.
  LogBuilder& NodeStarted(const std::string& node, const std::string& key, const std::string& tool);
  LogBuilder& NodeCompleted(const std::string& node, const std::string& key, const Json& output,
                            const Json& extra = Json::object());
  std::vector<Event> Build() const { return events_; }

 private:
  LogBuilder& Add(EventType type, const std::string& node, const std::string& key, Json payload);
  std::string run_id_;
  std::vector<Event> events_;
};

// Writes `record` and `events` in one batch.
Status WriteRun(Store& store, const RunRecord& record, std::vector<Event> events);

// The idempotency key the engine gives a step: "run_id/node/key" ("0" for no key).
std::string IdempotencyKey(const std::string& run_id, const std::string& node,
                           const std::string& key = "");

// Invocations the test-only tools recorded in `db`: for one idempotency key,
// or for one tool when `key` is empty and `tool` is not.
int64_t CountInvocations(const std::string& db, const std::string& key,
                         const std::string& tool = "");
// Effects applied (one per idempotency key at most, by construction of the tool).
int64_t CountEffects(const std::string& db);

// The events of `run_id` of `type` (and `node`, when not empty), in seq order.
std::vector<Event> EventsOf(Store& store, const std::string& run_id, EventType type,
                            const std::string& node = "");

// This machine's host name, as the engine records it in leases.
std::string HostName();

}  // namespace keel::engine_test

#endif  // KEEL_ENGINE_ENGINE_TEST_UTIL_H_
