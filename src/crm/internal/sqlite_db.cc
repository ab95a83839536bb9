#include "crm/internal/sqlite_db.h"

namespace keel::crm_internal {

Status SqliteStatus(int rc, sqlite3* db, std::string_view what, const std::string& path) {
  std::string msg =
      std::string(what) + " on " + path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {  // the primary code; extended codes keep it in the low byte
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status(StatusCode::kUnavailable, std::move(msg), "crm_busy", true);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status(StatusCode::kDataLoss, std::move(msg), "crm_corrupt");
    case SQLITE_CANTOPEN:
      return Status(StatusCode::kNotFound, std::move(msg), "not_found");
    default:
      return Status(StatusCode::kInternal, std::move(msg), "crm_error");
  }
}

Result<bool> SqliteStmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteStatus(rc, db_, "step", *path_);
}

Status SqliteStmt::Run() {
  for (;;) {
    Result<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
  }
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status status = SqliteStatus(rc, db, "open", path);
    sqlite3_close(db);  // sqlite3_open_v2 allocates a handle even on failure
    return status;
  }
  sqlite3_extended_result_codes(db, 1);
  // Other connections (a writer in another process, a seeding CLI) may hold
  // the write lock briefly; wait for it rather than failing the tool call.
  sqlite3_busy_timeout(db, 5000);
  return std::unique_ptr<SqliteDb>(new SqliteDb(db, path));
}

SqliteDb::~SqliteDb() { sqlite3_close(db_); }

Status SqliteDb::Exec(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  sqlite3_free(err);  // the message is also available from sqlite3_errmsg
  if (rc != SQLITE_OK) return SqliteStatus(rc, db_, "exec", path_);
  return Status::Ok();
}

Result<std::unique_ptr<SqliteStmt>> SqliteDb::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteStatus(rc, db_, "prepare", path_);
  return std::make_unique<SqliteStmt>(stmt, db_, &path_);
}

}  // namespace keel::crm_internal
