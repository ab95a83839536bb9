// kill -9 at random points: 200 runs, a worker killed again and again while
// slow side-effecting tools are in flight (tool nodes, map items and an agent
// node's tool calls), then restarted. The event log and
// the side-effect counter must show that every run finished, no completed
// step ran twice, and every side effect was applied exactly once.
#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "keel_process.h"

namespace keel::testing {
namespace {

constexpr int kRuns = 200;
// Two parallel branches, five map items, and the agent's two tool calls.
constexpr int kEffectsPerRun = 2 + 5 + 2;

int64_t QueryInt(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  int64_t value = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    value = sqlite3_column_int64(stmt, 0);
  }
  sqlite3_finalize(stmt);
  return value;
}

TEST(CrashTest, KillNineAtRandomPointsLosesNothingAndRepeatsNothing) {
  if (KeelBinary().empty()) GTEST_SKIP() << "KEEL_BINARY is not set (run through ctest)";
  std::string project = CopyFixture("tests/fixtures/crash_project");
  std::string effects_db = project + "/effects.db";
  std::vector<std::string> env = {"KEEL_TESTING_TOOLS_DB=" + effects_db};

  for (int n = 0; n < kRuns; ++n) {
    ProcessResult r = RunKeel({"run", "crash_flow", "--project", project, "--detach", "--json",
                               "--input", "{\"n\": " + std::to_string(n) + "}"},
                              env);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  std::mt19937 rng(20261122);
  std::uniform_int_distribution<int> delay_ms(30, 400);
  int kills = 0;
  for (int attempt = 0; attempt < 400; ++attempt) {
    pid_t worker = SpawnKeel({"worker", "--project", project, "--until-idle"}, env);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    if (kill(worker, SIGKILL) == 0 && WaitFor(worker) == -1) {
      ++kills;
      continue;
    }
    break;  // the worker finished everything before the kill landed
  }
  ProcessResult last = RunKeel({"worker", "--project", project, "--until-idle"}, env);
  ASSERT_EQ(last.exit_code, 0) << last.err;
  std::printf("crash test: %d runs, worker killed with SIGKILL %d times\n", kRuns, kills);
  EXPECT_GE(kills, 10) << "too few kills landed mid-work to prove anything";

  sqlite3* store = nullptr;
  ASSERT_EQ(sqlite3_open((project + "/.keel/keel.db").c_str(), &store), SQLITE_OK);
  EXPECT_EQ(QueryInt(store, "SELECT count(*) FROM runs"), kRuns);
  EXPECT_EQ(QueryInt(store, "SELECT count(*) FROM runs WHERE status = 'succeeded'"), kRuns);
  // No step completed twice: one node_completed per (run, node, key) — the
  // optimize loop's "gen"/"eval" slots are recorded once per pass.
  EXPECT_EQ(QueryInt(store,
                     "SELECT count(*) FROM (SELECT run_id, node, key, "
                     "json_extract(payload, '$.iteration') AS it, count(*) AS c FROM events "
                     "WHERE type = 'node_completed' GROUP BY run_id, node, key, it "
                     "HAVING c > 1)"),
            0);
  EXPECT_EQ(QueryInt(store, "SELECT count(*) FROM events WHERE type = 'run_finished'"), kRuns);
  EXPECT_EQ(QueryInt(store, "SELECT count(*) FROM state_vectors"), kRuns);
  // Every agent finished on its model's answer, after both of its calls. (A
  // run's result is stored once, in the completion of the node its row names.)
  EXPECT_EQ(QueryInt(store,
                     "SELECT count(*) FROM runs r JOIN events e ON e.run_id = r.run_id "
                     "AND e.type = 'node_completed' AND e.node = r.result_of "
                     "LEFT JOIN blobs b ON b.hash = e.blob_hash WHERE json_extract("
                     "COALESCE(e.payload, b.data), '$.output.output.agent_answer') = "
                     "'recorded both'"),
            kRuns);
  sqlite3_close(store);

  sqlite3* effects = nullptr;
  ASSERT_EQ(sqlite3_open(effects_db.c_str(), &effects), SQLITE_OK);
  EXPECT_EQ(QueryInt(effects, "SELECT count(*) FROM effects"), kRuns * kEffectsPerRun);
  // The strongest form of "no completed step ran twice": no tool call
  // started after the store had recorded that step as completed.
  std::string store_path = project + "/.keel/keel.db";
  ASSERT_EQ(sqlite3_exec(effects, ("ATTACH DATABASE '" + store_path + "' AS store").c_str(),
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  EXPECT_EQ(QueryInt(effects,
                     "SELECT count(*) FROM invocations i JOIN store.events e "
                     "ON e.type = 'node_completed' AND i.idempotency_key = e.run_id || '/' || "
                     "e.node || '/' || (CASE e.key WHEN '' THEN '0' ELSE e.key END) "
                     "WHERE i.at_us > e.ts_us"),
            0);
  EXPECT_EQ(QueryInt(effects, "SELECT count(*) FROM invocations i JOIN store.events e "
                              "ON e.type = 'node_completed' AND i.idempotency_key = e.run_id || "
                              "'/' || e.node || '/' || (CASE e.key WHEN '' THEN '0' ELSE e.key END)"),
            QueryInt(effects, "SELECT count(*) FROM invocations"))
      << "every invocation belongs to a step the log knows";
  int64_t invocations = QueryInt(effects, "SELECT count(*) FROM invocations");
  int64_t repeated = QueryInt(effects,
                              "SELECT count(*) FROM (SELECT idempotency_key FROM invocations "
                              "GROUP BY idempotency_key HAVING count(*) > 1)");
  std::printf("crash test: %lld tool invocations for %d effects; %lld calls repeated after a "
              "kill (same idempotency key, applied once)\n",
              static_cast<long long>(invocations), kRuns * kEffectsPerRun,
              static_cast<long long>(repeated));
  sqlite3_close(effects);
}

}  // namespace
}  // namespace keel::testing
