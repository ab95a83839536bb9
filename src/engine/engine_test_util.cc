#include "engine/engine_test_util.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

#include "core/ids.h"
#include "models/offline_model.h"
#include "project/project_loader.h"
#include "tools/testing_tools.h"

namespace keel::engine_test {
namespace fs = std::filesystem;

TempDir::TempDir() {
  std::string templ = (fs::temp_directory_path() / "keel_engine_XXXXXX").string();
  char* made = mkdtemp(templ.data());
  path_ = made ? made : templ;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

Result<std::unique_ptr<EngineHarness>> EngineHarness::Open(HarnessOptions options) {
  std::unique_ptr<EngineHarness> h(new EngineHarness());
  std::vector<Diagnostic> diagnostics;
  Result<Project> project = LoadProject(options.project, LoadOptions{}, &diagnostics);
  if (!project.ok()) return project.status();
  h->project_ = std::move(project).value();
  h->clock_ = options.clock ? options.clock : Clock::Real();

  h->store_path_ = options.store_path.empty() ? h->dir_.File("keel.db") : options.store_path;
  SqliteStoreOptions store_options;
  store_options.path = h->store_path_;
  // Crash safety of the test's own file is not under test; speed is welcome.
  store_options.synchronous_full = false;
  store_options.clock = h->clock_;
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(store_options);
  if (!store.ok()) return store.status();
  h->store_ = std::move(store).value();

  h->effects_db_ = options.effects_db.empty() ? h->dir_.File("effects.db") : options.effects_db;
  RegisterTestingTools(h->tools_, h->effects_db_);
  if (options.crm) {
    std::string crm_path = h->dir_.File("crm.db");
    KEEL_RETURN_IF_ERROR(SeedDemoCrm(crm_path));
    Result<std::unique_ptr<DemoCrm>> crm = DemoCrm::Open(crm_path);
    if (!crm.ok()) return crm.status();
    h->crm_ = std::move(crm).value();
    RegisterCrmTools(h->tools_, h->crm_);
  }
  if (options.register_tools) options.register_tools(h->tools_);
  h->models_.SetDefault(options.model ? options.model : std::make_shared<OfflineModel>(h->clock_));

  EngineOptions engine_options;
  engine_options.threads = options.threads;
  engine_options.claim = options.claim;
  engine_options.claim_interval_us = options.claim_interval_us;
  engine_options.max_runs_in_flight = options.max_runs_in_flight;
  engine_options.max_model_calls_in_flight = options.max_model_calls_in_flight;
  h->engine_ = std::make_unique<Engine>(h->project_, h->store_.get(), &h->tools_, &h->models_,
                                        h->clock_, engine_options);
  EngineHarness* raw = h.get();
  h->engine_->SetListener([raw](const RunOutcome& outcome) { raw->OnOutcome(outcome); });
  return h;
}

EngineHarness::~EngineHarness() {
  if (engine_) engine_->Stop();
  engine_.reset();
}

void EngineHarness::OnOutcome(const RunOutcome& outcome) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    outcomes_.push_back(outcome);
  }
  cv_.notify_all();
}

std::optional<RunOutcome> EngineHarness::ResumeToRest(const RunRecord& record,
                                                      std::vector<Event> events) {
  Status written = WriteRun(*store_, record, std::move(events));
  EXPECT_TRUE(written.ok()) << written.ToString();
  if (!written.ok()) return std::nullopt;
  engine_->Start();
  engine_->Poke();
  std::optional<RunOutcome> outcome = Wait(record.run_id);
  EXPECT_TRUE(outcome.has_value()) << "run " << record.run_id << " was not resumed";
  return outcome;
}

std::optional<RunOutcome> EngineHarness::Wait(const std::string& run_id, int nth,
                                              std::chrono::milliseconds limit) {
  std::unique_lock<std::mutex> lock(mu_);
  std::optional<RunOutcome> found;
  auto seen = [&] {
    int count = 0;
    for (const RunOutcome& o : outcomes_) {
      if (o.run_id == run_id && ++count == nth) {
        found = o;
        return true;
      }
    }
    return false;
  };
  cv_.wait_for(lock, limit, seen);
  return found;
}

std::vector<RunOutcome> EngineHarness::Outcomes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return outcomes_;
}

RunRecord PendingRun(const std::string& workflow, const Json& input,
                     const std::string& entity_key) {
  RunRecord r;
  r.run_id = NewId("run_");
  r.workflow = workflow;
  r.entity_key = entity_key;
  r.input = input;
  r.status = RunStatus::kPending;
  r.trace_id = RandomHex(16);
  r.created_us = r.updated_us = Clock::Real()->NowMicros();
  return r;
}

LogBuilder& LogBuilder::Add(EventType type, const std::string& node, const std::string& key,
                            Json payload) {
  Event e;
  e.run_id = run_id_;
  e.seq = static_cast<int64_t>(events_.size()) + 1;
  e.ts_us = Clock::Real()->NowMicros();
  e.type = type;
  e.node = node;
  e.key = key;
  e.payload = std::move(payload);
  events_.push_back(std::move(e));
  return *this;
}

LogBuilder& LogBuilder::RunStarted(const Json& input, const Json& state, int64_t state_version) {
  return Add(EventType::kRunStarted, "", "",
             {{"input", input},
              {"state", state},
              {"state_version", state_version},
              {"run_span_id", RandomHex(8)}});
}

LogBuilder& LogBuilder::NodeStarted(const std::string& node, const std::string& key,
                                    const std::string& tool) {
  return Add(EventType::kNodeStarted, node, key,
             {{"idempotency_key", IdempotencyKey(run_id_, node, key)}, {"tool", tool}});
}

LogBuilder& LogBuilder::NodeCompleted(const std::string& node, const std::string& key,
                                      const Json& output, const Json& extra) {
  Json payload = extra.is_object() ? extra : Json::object();
  payload["output"] = output;
  return Add(EventType::kNodeCompleted, node, key, std::move(payload));
}

Status WriteRun(Store& store, const RunRecord& record, std::vector<Event> events) {
  WriteBatch batch;
  batch.new_run = record;
  batch.events = std::move(events);
  return store.Write(std::move(batch));
}

std::string IdempotencyKey(const std::string& run_id, const std::string& node,
                           const std::string& key) {
  return run_id + "/" + node + "/" + (key.empty() ? "0" : key);
}

namespace {

// Runs a one-number query on the test-only tools' database. The tables are
// created the way the tools create them, so a database no tool has touched
// yet reads as zero rather than as an error.
int64_t QueryCount(const std::string& db_path, const std::string& sql,
                   const std::vector<std::string>& params) {
  sqlite3* db = nullptr;
  int64_t value = -1;
  if (sqlite3_open(db_path.c_str(), &db) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 10000);
    sqlite3_exec(db,
                 "CREATE TABLE IF NOT EXISTS invocations(id INTEGER PRIMARY KEY, tool TEXT, "
                 "  idempotency_key TEXT, label TEXT);"
                 "CREATE TABLE IF NOT EXISTS effects(idempotency_key TEXT PRIMARY KEY, "
                 "  label TEXT);",
                 nullptr, nullptr, nullptr);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
      for (size_t i = 0; i < params.size(); ++i) {
        sqlite3_bind_text(stmt, static_cast<int>(i + 1), params[i].c_str(), -1, SQLITE_TRANSIENT);
      }
      if (sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return value;
}

}  // namespace

int64_t CountInvocations(const std::string& db, const std::string& key, const std::string& tool) {
  if (key.empty()) {
    return QueryCount(db, "SELECT count(*) FROM invocations WHERE tool = ?", {tool});
  }
  return QueryCount(db, "SELECT count(*) FROM invocations WHERE idempotency_key = ?", {key});
}

int64_t CountEffects(const std::string& db) {
  return QueryCount(db, "SELECT count(*) FROM effects", {});
}

std::vector<Event> EventsOf(Store& store, const std::string& run_id, EventType type,
                            const std::string& node) {
  std::vector<Event> out;
  Result<std::vector<Event>> events = store.LoadEvents(run_id);
  if (!events.ok()) return out;
  for (Event& e : *events) {
    if (e.type == type && (node.empty() || e.node == node)) out.push_back(std::move(e));
  }
  return out;
}

std::string HostName() {
  char buf[256] = {0};
  gethostname(buf, sizeof(buf) - 1);
  return buf;
}

}  // namespace keel::engine_test
