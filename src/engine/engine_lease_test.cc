// Leases: two workers on one store file never both execute a run; a run
// whose lease holder is a dead process on this host is taken over at once;
// and pruning removes only finished history.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <sys/wait.h>
#include <unistd.h>

#include <mutex>
#include <set>

#include <sqlite3.h>

#include "engine/engine_test_util.h"

namespace keel {
namespace {

using engine_test::CountEffects;
using engine_test::CountInvocations;
using engine_test::EngineHarness;
using engine_test::EventsOf;
using engine_test::HarnessOptions;
using engine_test::HostName;
using engine_test::IdempotencyKey;
using engine_test::LogBuilder;
using engine_test::PendingRun;
using engine_test::TempDir;
using engine_test::WriteRun;

constexpr char kFlows[] = "tests/fixtures/engine/flows";
constexpr int64_t kHour = 3600LL * 1'000'000;

std::unique_ptr<EngineHarness> OpenOrDie(HarnessOptions options) {
  auto h = EngineHarness::Open(std::move(options));
  EXPECT_TRUE(h.ok()) << h.status().ToString();
  return h.ok() ? std::move(h).value() : nullptr;
}

// The pid of a child process that has already exited (and been reaped).
pid_t DeadPid() {
  pid_t child = fork();
  if (child == 0) _exit(0);
  int status = 0;
  waitpid(child, &status, 0);
  return child;
}

// Holds every call until the test releases it.
class GateTool : public Tool {
 public:
  void Start(const Json& args, const ToolCallContext& ctx, ToolCallback done) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++calls_;
    pending_.push_back(std::move(done));
  }
  int calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  void ReleaseAll(const Json& answer) {
    std::vector<ToolCallback> pending;
    {
      std::lock_guard<std::mutex> lock(mu_);
      pending.swap(pending_);
    }
    for (ToolCallback& done : pending) done(answer);
  }

 private:
  mutable std::mutex mu_;
  int calls_ = 0;
  std::vector<ToolCallback> pending_;
};

// Runs `sql` on the SQLite file at `path`; the first column of the first row.
int64_t Sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  int64_t value = -1;
  if (sqlite3_open(path.c_str(), &db) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
      if (sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return value;
}

// Waits (bounded) until `done` holds.
bool Eventually(const std::function<bool()>& done) {
  auto limit = std::chrono::steady_clock::now() + engine_test::kWaitLimit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > limit) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST(EngineLeaseTest, AWorkerThatMissedItsRenewalDoesNotRunItsOwnRunTwice) {
  auto gate = std::make_shared<GateTool>();
  HarnessOptions options;
  options.project = kFlows;
  options.claim = true;
  options.register_tools = [gate](ToolRegistry& r) { r.Register("testing.flaky", gate); };
  auto h = OpenOrDie(options);
  ASSERT_TRUE(h);
  h->engine().Start();
  Result<std::string> id = h->engine().StartRun("flaky_call", {{"n", 1}});
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  ASSERT_TRUE(Eventually([&] { return gate->calls() == 1; }));

  // As if the renewal came too late: the lease lapses while the call is out,
  // and this worker's own claim loop finds the run claimable.
  std::string where = " WHERE run_id = '" + *id + "'";
  ASSERT_EQ(Sql(h->store_path(), "UPDATE runs SET lease_expires_us = 1" + where + " RETURNING 1"),
            1);
  h->engine().Poke();
  ASSERT_TRUE(Eventually(
      [&] { return Sql(h->store_path(), "SELECT lease_expires_us FROM runs" + where) > 1; }))
      << "the claim loop never took the lapsed lease";

  gate->ReleaseAll({{"label", "call 1"}, {"applied", true}});
  std::optional<RunOutcome> outcome = h->Wait(*id);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->status, RunStatus::kSucceeded) << outcome->error;
  EXPECT_EQ(gate->calls(), 1) << "a second copy of the run called the tool again";
  EXPECT_EQ(EventsOf(h->store(), *id, EventType::kNodeCompleted).size(), 1u);
  EXPECT_EQ(EventsOf(h->store(), *id, EventType::kRunFinished).size(), 1u);
}

TEST(EngineLeaseTest, TwoWorkersOnOneStoreExecuteEachRunExactlyOnce) {
  TempDir dir;
  HarnessOptions options;
  options.store_path = dir.File("keel.db");
  options.effects_db = dir.File("effects.db");
  options.claim = true;
  options.max_runs_in_flight = 1;  // one run at a time each, so both get work
  auto a = OpenOrDie(options);
  auto b = OpenOrDie(options);
  ASSERT_TRUE(a && b);
  ASSERT_NE(a->engine().owner().owner_id, b->engine().owner().owner_id);

  constexpr int kRuns = 16;
  std::vector<std::string> ids;
  for (int n = 0; n < kRuns; ++n) {
    Result<std::string> id = a->engine().EnqueueRun("crash_flow", {{"n", 100 + n}});
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    ids.push_back(*id);
  }
  a->engine().Start();
  b->engine().Start();
  // Each run comes to rest in one worker or the other; wait (bounded) for all.
  auto rested = [&](const std::string& id) {
    return a->Wait(id, 1, std::chrono::milliseconds(0)) ||
           b->Wait(id, 1, std::chrono::milliseconds(0));
  };
  for (const std::string& id : ids) {
    auto deadline = std::chrono::steady_clock::now() + engine_test::kWaitLimit;
    while (!rested(id) && std::chrono::steady_clock::now() < deadline) {
      a->Wait(id, 1, std::chrono::milliseconds(20));
    }
    ASSERT_TRUE(rested(id)) << "run " << id << " never came to rest";
  }
  a->engine().Stop();
  b->engine().Stop();

  std::vector<RunOutcome> by_a = a->Outcomes(), by_b = b->Outcomes();
  EXPECT_EQ(by_a.size() + by_b.size(), size_t{kRuns}) << "each run came to rest in one worker";
  EXPECT_GT(by_a.size(), 0u);
  EXPECT_GT(by_b.size(), 0u);
  std::set<std::string> rested_in_a, rested_in_b;
  for (const RunOutcome& o : by_a) rested_in_a.insert(o.run_id);
  for (const RunOutcome& o : by_b) rested_in_b.insert(o.run_id);
  for (const std::string& id : ids) {
    EXPECT_NE(rested_in_a.count(id), rested_in_b.count(id)) << id;
    EXPECT_EQ(EventsOf(a->store(), id, EventType::kRunStarted).size(), 1u) << id;
    EXPECT_EQ(EventsOf(a->store(), id, EventType::kRunFinished).size(), 1u) << id;
    EXPECT_EQ(CountInvocations(options.effects_db, IdempotencyKey(id, "effect_a")), 1) << id;
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(CountInvocations(options.effects_db, IdempotencyKey(id, "each", std::to_string(i))),
                1);
    }
  }
  EXPECT_EQ(CountEffects(options.effects_db), kRuns * 7);
  EXPECT_EQ(*a->store().CountRuns(RunStatus::kSucceeded), kRuns);
}

TEST(EngineLeaseTest, TwoWorkersFinalizingOneEntityLoseNoUpdate) {
  // Within a worker, runs of one entity finalize one after another, each
  // over the state its predecessor submitted, before that is committed; the
  // other worker's writes land in between and reject some of them. Every
  // run must still end with one write of its own, counted over all before it.
  // (That a write built on a rejected one is rejected too, even when another
  // writer's state took its version number, is StoreConformanceTest's
  // StateWritesCanNameTheWriterTheyBuildOn.)
  TempDir dir;
  HarnessOptions options;
  options.store_path = dir.File("keel.db");
  options.effects_db = dir.File("effects.db");
  auto a = OpenOrDie(options);
  auto b = OpenOrDie(options);
  ASSERT_TRUE(a && b);
  a->engine().Start();
  b->engine().Start();
  constexpr int kRunsEach = 12;
  std::vector<std::pair<EngineHarness*, std::string>> runs;
  for (int i = 0; i < kRunsEach; ++i) {
    for (EngineHarness* h : {a.get(), b.get()}) {
      Result<std::string> id = h->engine().StartRun("crash_flow", {{"n", 5}});
      ASSERT_TRUE(id.ok()) << id.status().ToString();
      runs.emplace_back(h, *id);
    }
  }
  for (const auto& [h, id] : runs) {
    std::optional<RunOutcome> outcome = h->Wait(id);
    ASSERT_TRUE(outcome.has_value()) << id;
    EXPECT_EQ(outcome->status, RunStatus::kSucceeded) << outcome->error;
  }
  Result<std::vector<StateVector>> history = a->store().StateHistory("C-5");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), size_t{2 * kRunsEach});
  for (size_t i = 0; i < history->size(); ++i) {
    EXPECT_EQ((*history)[i].version, static_cast<int64_t>(i) + 1);
    // Each state counts the runs before it: none was written over.
    EXPECT_EQ((*history)[i].data["runs"], static_cast<int64_t>(i) + 1) << "version " << i + 1;
  }
}

TEST(EngineLeaseTest, RunLeasedByADeadProcessOnThisHostIsTakenOverAtOnce) {
  HarnessOptions options;
  options.project = kFlows;
  options.claim = true;
  auto h = OpenOrDie(options);
  ASSERT_TRUE(h);
  Json input = {{"n", 9}};
  int64_t now = Clock::Real()->NowMicros();
  RunRecord dead = PendingRun("retry_effect", input);
  dead.status = RunStatus::kRunning;
  dead.lease_owner = "worker_gone";
  dead.lease_host = HostName();
  dead.lease_pid = DeadPid();
  dead.lease_expires_us = now + kHour;  // would block everyone for an hour
  ASSERT_TRUE(WriteRun(h->store(), dead, LogBuilder(dead.run_id).RunStarted(input).Build()).ok());

  // The same lease held by a live process (this one) is respected.
  RunRecord alive = PendingRun("retry_effect", input);
  alive.status = RunStatus::kRunning;
  alive.lease_owner = "worker_busy";
  alive.lease_host = HostName();
  alive.lease_pid = getpid();
  alive.lease_expires_us = now + kHour;
  ASSERT_TRUE(WriteRun(h->store(), alive, LogBuilder(alive.run_id).RunStarted(input).Build()).ok());

  h->engine().Start();
  std::optional<RunOutcome> outcome = h->Wait(dead.run_id);
  ASSERT_TRUE(outcome.has_value()) << "the dead holder's run was not taken over";
  EXPECT_EQ(outcome->status, RunStatus::kSucceeded) << outcome->error;
  EXPECT_EQ(CountInvocations(h->effects_db(), IdempotencyKey(dead.run_id, "effect")), 1);

  Result<bool> claimed =
      h->store().ClaimRun(h->engine().owner(), alive.run_id, Clock::Real()->NowMicros(), kHour);
  ASSERT_TRUE(claimed.ok());
  EXPECT_FALSE(*claimed) << "a live holder's lease was taken";
  Result<RunRecord> row = h->store().GetRun(alive.run_id);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->lease_owner, "worker_busy");
  EXPECT_EQ(CountInvocations(h->effects_db(), IdempotencyKey(alive.run_id, "effect")), 0);
}

TEST(EngineLeaseTest, PruneDeletesOldFinishedRunsAndKeepsParkedOnes) {
  FakeClock clock;
  HarnessOptions options;
  options.project = kFlows;
  options.clock = &clock;
  auto h = OpenOrDie(options);
  ASSERT_TRUE(h);
  h->engine().Start();
  auto run_to_rest = [&](const std::string& workflow, int n) {
    Result<std::string> id = h->engine().StartRun(workflow, {{"n", n}});
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    std::optional<RunOutcome> o = id.ok() ? h->Wait(*id) : std::nullopt;
    EXPECT_TRUE(o.has_value());
    return o.value_or(RunOutcome{});
  };
  RunOutcome old_done = run_to_rest("retry_effect", 1);
  RunOutcome old_parked = run_to_rest("approval_flow", 2);
  ASSERT_EQ(old_done.status, RunStatus::kSucceeded);
  ASSERT_EQ(old_parked.status, RunStatus::kParked);
  clock.Advance(31 * 24 * kHour);
  RunOutcome recent_done = run_to_rest("retry_effect", 3);
  ASSERT_EQ(recent_done.status, RunStatus::kSucceeded);

  // keel runs prune --older-than 30d
  Result<int64_t> pruned = h->store().PruneFinished(clock.NowMicros() - 30 * 24 * kHour);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(*pruned, 1);
  EXPECT_EQ(h->store().GetRun(old_done.run_id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(h->store().LoadEvents(old_done.run_id)->empty());
  EXPECT_TRUE(h->store().LoadSpans(old_done.run_id)->empty());
  // The parked run is old too, but a human still owes it a decision.
  Result<RunRecord> parked = h->store().GetRun(old_parked.run_id);
  ASSERT_TRUE(parked.ok());
  EXPECT_EQ(parked->status, RunStatus::kParked);
  EXPECT_FALSE(h->store().LoadEvents(old_parked.run_id)->empty());
  EXPECT_TRUE(h->store().GetApproval(old_parked.approval_id).ok());
  EXPECT_TRUE(h->store().GetRun(recent_done.run_id).ok());
  // Pruning again finds nothing more.
  EXPECT_EQ(*h->store().PruneFinished(clock.NowMicros() - 30 * 24 * kHour), 0);
}

}  // namespace
}  // namespace keel

namespace keel {
namespace {

// A claimed run that cannot be resumed (here: its workflow left the project)
// is failed with the reason, instead of being claimed again after every lease.
TEST(EngineLeaseTest, ClaimedRunThatCannotResumeIsFailedNotReclaimedForever) {
  HarnessOptions options;
  options.claim = true;
  auto h = engine_test::EngineHarness::Open(options);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  Json input = {{"n", 7}};
  RunRecord orphan = engine_test::PendingRun("no_longer_here", input);
  ASSERT_TRUE(engine_test::WriteRun((*h)->store(), orphan,
                                    engine_test::LogBuilder(orphan.run_id).RunStarted(input).Build())
                  .ok());
  (*h)->engine().Start();
  Result<RunRecord> run = NotFound("not yet");
  for (int i = 0; i < 200; ++i) {  // bounded: the claim loop polls every 200 ms
    run = (*h)->store().GetRun(orphan.run_id);
    if (run.ok() && run->status == RunStatus::kFailed) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->status, RunStatus::kFailed);
  EXPECT_NE(run->error.find("cannot resume: workflow 'no_longer_here'"), std::string::npos)
      << run->error;
  EXPECT_TRUE(run->lease_owner.empty()) << "the failed run is released";
}

}  // namespace
}  // namespace keel
