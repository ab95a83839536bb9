#include "store/sqlite/connection.h"

#include <mutex>
#include <utility>

namespace keel::sqlite {

Status ErrorStatus(int rc, const std::string& path, std::string_view detail) {
  auto with_detail = [&](std::string text) {
    std::string message = path + ": " + std::move(text);
    if (!detail.empty()) message.append(": ").append(detail);
    return message;
  };
  switch (rc & 0xff) {
    case SQLITE_NOTADB:
      return Status(StatusCode::kDataLoss, path + ": not a keel store (file is not a database)");
    case SQLITE_CORRUPT:
      return Status(StatusCode::kDataLoss,
                    with_detail("store is corrupt (database disk image is malformed)"));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Unavailable(with_detail("store is locked by another connection (database is locked)"));
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
    case SQLITE_NOMEM:
      return Unavailable(with_detail(sqlite3_errstr(rc)));
    case SQLITE_CONSTRAINT:
      return Aborted(with_detail(sqlite3_errstr(rc)));
    default:
      return Internal(with_detail(sqlite3_errstr(rc)));
  }
}

Stmt::Stmt(sqlite3_stmt* stmt, const std::string* path, Status prepare_error)
    : stmt_(stmt), path_(path), status_(std::move(prepare_error)) {}

Stmt::Stmt(Stmt&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      path_(other.path_),
      status_(std::move(other.status_)),
      error_code_(other.error_code_) {}

Stmt::~Stmt() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Stmt::Fail(int rc) {
  if (!status_.ok()) return;
  error_code_ = rc;
  sqlite3* db = stmt_ != nullptr ? sqlite3_db_handle(stmt_) : nullptr;
  status_ = ErrorStatus(rc, *path_, db != nullptr ? sqlite3_errmsg(db) : "");
}

Stmt& Stmt::Bind(int index, std::string_view text) {
  if (!status_.ok()) return *this;
  int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (rc != SQLITE_OK) Fail(rc);
  return *this;
}

Stmt& Stmt::Bind(int index, int64_t value) {
  if (!status_.ok()) return *this;
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) Fail(rc);
  return *this;
}

Stmt& Stmt::BindNull(int index) {
  if (!status_.ok()) return *this;
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) Fail(rc);
  return *this;
}

Stmt& Stmt::BindTextOrNull(int index, std::string_view text) {
  return text.empty() ? BindNull(index) : Bind(index, text);
}

bool Stmt::Next() {
  if (!status_.ok()) return false;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) Fail(rc);
  return false;
}

Status Stmt::Run() {
  while (Next()) {
  }
  return status_;
}

int64_t Stmt::Int(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string_view Stmt::Text(int col) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (text == nullptr) return {};
  return std::string_view(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

bool Stmt::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, bool create,
                                                     int busy_timeout_ms) {
  // SQLite's memory statistics take a global mutex on every allocation it
  // makes; keel never reads them. Settable only before SQLite initializes
  // (the first open in the process), which is here unless another part of
  // the process opened a database first; then the call fails harmlessly.
  static std::once_flag no_memstatus;
  std::call_once(no_memstatus, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  sqlite3* db = nullptr;
  // NOMUTEX: every connection is confined to one thread at a time by its
  // owner, so SQLite's own per-call locking would be pure overhead.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status status = ErrorStatus(rc, path, db != nullptr ? sqlite3_errmsg(db) : "");
    sqlite3_close_v2(db);
    return status;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  return std::unique_ptr<Connection>(new Connection(db, path));
}

Connection::~Connection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Status Connection::Exec(const char* sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return Status();
  Status status = Error(rc, message != nullptr ? message : "");
  sqlite3_free(message);
  return status;
}

Stmt Connection::Prepare(const char* sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return Stmt(it->second, &path_, Status());
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    Status status = Error(rc, sqlite3_errmsg(db_));
    sqlite3_finalize(stmt);
    return Stmt(nullptr, &path_, std::move(status));
  }
  statements_.emplace(sql, stmt);
  return Stmt(stmt, &path_, Status());
}

Result<std::string> Connection::QueryText(const char* sql) {
  Stmt stmt = Prepare(sql);
  if (!stmt.Next()) {
    if (!stmt.status().ok()) return stmt.status();
    return Internal(path_ + ": no result for " + sql);
  }
  return stmt.Str(0);
}

Status Connection::Begin() { return Prepare("BEGIN IMMEDIATE").Run(); }

Status Connection::Commit() { return Prepare("COMMIT").Run(); }

void Connection::Rollback() {
  // Rolling back is best effort: after an I/O error SQLite may already have
  // rolled back, and there is nothing more to undo.
  if (InTransaction()) Prepare("ROLLBACK").Run();
}

}  // namespace keel::sqlite
