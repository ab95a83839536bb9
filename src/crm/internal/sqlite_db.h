// A thin RAII layer over the SQLite C API for the demo CRM: one connection
// (SqliteDb) and its prepared statements (SqliteStmt), with every failure
// turned into a keel::Status that names the database path.
//
// Private to src/crm. Not thread-safe: a connection and its statements are
// used by one thread at a time (DemoCrm hands them out from a pool).
#ifndef KEEL_CRM_INTERNAL_SQLITE_DB_H_
#define KEEL_CRM_INTERNAL_SQLITE_DB_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace keel::crm_internal {

// Maps an SQLite result code to a Status: busy/locked are retryable
// (kUnavailable), corruption and "not a database" are kDataLoss, the rest
// kInternal. `what` says which operation failed.
Status SqliteStatus(int rc, sqlite3* db, std::string_view what, const std::string& path);

class SqliteStmt {
 public:
  SqliteStmt(sqlite3_stmt* stmt, sqlite3* db, const std::string* path)
      : stmt_(stmt), db_(db), path_(path) {}
  ~SqliteStmt() { sqlite3_finalize(stmt_); }
  SqliteStmt(const SqliteStmt&) = delete;
  SqliteStmt& operator=(const SqliteStmt&) = delete;

  // Clears the previous execution and its bindings so the statement can be reused.
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  // Binds are 1-based like SQLite's. Text is copied (SQLITE_TRANSIENT) unless
  // BindStatic is used, whose caller keeps the bytes alive until Reset().
  void Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void Bind(int i, double v) { sqlite3_bind_double(stmt_, i, v); }
  void Bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void BindStatic(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  void BindNull(int i) { sqlite3_bind_null(stmt_, i); }

  // Advances one row: true when a row is available, false when done.
  Result<bool> Step();
  // Runs a statement that returns no rows (INSERT/UPDATE/DDL) to completion.
  Status Run();

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Double(int col) const { return sqlite3_column_double(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string_view Text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string_view(p, sqlite3_column_bytes(stmt_, col)) : std::string_view();
  }
  std::string String(int col) const { return std::string(Text(col)); }

 private:
  sqlite3_stmt* stmt_;
  sqlite3* db_;
  const std::string* path_;  // owned by the SqliteDb, which outlives its statements
};

class SqliteDb {
 public:
  // Opens `path` with SQLite `flags` (SQLITE_OPEN_*). The connection is
  // opened with SQLITE_OPEN_NOMUTEX: callers guarantee single-thread use.
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path, int flags);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs one or more statements that return no rows.
  Status Exec(const char* sql);
  Result<std::unique_ptr<SqliteStmt>> Prepare(std::string_view sql);

  const std::string& path() const { return path_; }
  sqlite3* raw() const { return db_; }

 private:
  SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
};

}  // namespace keel::crm_internal

#endif  // KEEL_CRM_INTERNAL_SQLITE_DB_H_
