#include "tools/testing_tools.h"

#include <sqlite3.h>

#include "core/clock.h"

#include <chrono>
#include <thread>

namespace keel {
namespace {

// Runs `sql` with the given text parameters on a fresh connection. Returns
// sqlite3_changes() of the last statement.
Result<int> Exec(const std::string& db_path, const char* sql,
                 const std::vector<std::string>& params) {
  sqlite3* db = nullptr;
  if (sqlite3_open(db_path.c_str(), &db) != SQLITE_OK) {
    sqlite3_close(db);
    return Unavailable(db_path + ": cannot open testing tools database");
  }
  sqlite3_busy_timeout(db, 10000);
  sqlite3_exec(db,
               "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
               "CREATE TABLE IF NOT EXISTS invocations(id INTEGER PRIMARY KEY, tool TEXT, "
               "  idempotency_key TEXT, label TEXT, at_us INTEGER);"
               "CREATE TABLE IF NOT EXISTS effects(idempotency_key TEXT PRIMARY KEY, label TEXT);",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
  for (size_t i = 0; rc == SQLITE_OK && i < params.size(); ++i) {
    sqlite3_bind_text(stmt, static_cast<int>(i + 1), params[i].c_str(), -1, SQLITE_TRANSIENT);
  }
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  int changes = sqlite3_changes(db);
  sqlite3_close(db);
  if (rc != SQLITE_DONE) return Unavailable(db_path + ": testing tools write failed");
  return changes;
}

// Wall-clock microseconds, comparable with the store's event timestamps.
std::string NowMicrosText() { return std::to_string(Clock::Real()->NowMicros()); }

Result<Json> RecordEffect(const std::string& db, const Json& args, const ToolCallContext& ctx) {
  std::string label = args.value("label", "");
  int sleep_ms = args.value("sleep_ms", 0);
  auto logged = Exec(db, "INSERT INTO invocations(tool, idempotency_key, label, at_us) VALUES "
                         "('testing.record_effect', ?, ?, ?)",
                     {ctx.idempotency_key, label, NowMicrosText()});
  if (!logged.ok()) return logged.status();
  if (sleep_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
  auto applied = Exec(db, "INSERT OR IGNORE INTO effects(idempotency_key, label) VALUES (?, ?)",
                      {ctx.idempotency_key, label});
  if (!applied.ok()) return applied.status();
  return Json{{"label", label}, {"applied", *applied == 1}};
}

Result<Json> FireOnce(const std::string& db, const Json& args, const ToolCallContext& ctx) {
  std::string label = args.value("label", "");
  auto logged = Exec(db, "INSERT INTO invocations(tool, idempotency_key, label, at_us) VALUES "
                         "('testing.fire_once', ?, ?, ?)",
                     {ctx.idempotency_key, label, NowMicrosText()});
  if (!logged.ok()) return logged.status();
  int sleep_ms = args.value("sleep_ms", 0);
  if (sleep_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
  return Json{{"label", label}, {"fired", true}};
}

}  // namespace

void RegisterTestingTools(ToolRegistry& registry, const std::string& db_path) {
  registry.Register("testing.record_effect",
                    std::make_shared<FunctionTool>([db_path](const Json& a, const ToolCallContext& c) {
                      return RecordEffect(db_path, a, c);
                    }));
  registry.Register("testing.fire_once",
                    std::make_shared<FunctionTool>([db_path](const Json& a, const ToolCallContext& c) {
                      return FireOnce(db_path, a, c);
                    }));
}

}  // namespace keel
