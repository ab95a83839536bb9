// Internal to the SQLite store: one sqlite3 connection with its cache of
// prepared statements, a cursor over a cached statement, and the mapping of
// SQLite result codes to keel Status values.
//
// Thread-compatible: a Connection (and every Stmt taken from it) is used by
// one thread at a time; callers serialize access (the writer mutex, the
// reader pool).
#ifndef KEEL_STORE_SQLITE_CONNECTION_H_
#define KEEL_STORE_SQLITE_CONNECTION_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/status.h"

namespace keel::sqlite {

// Maps a SQLite result code to a Status whose message names the file:
// busy/locked and I/O failures -> kUnavailable (retryable), a file that is not
// a database or is corrupt -> kDataLoss, constraint violations -> kAborted.
Status ErrorStatus(int rc, const std::string& path, std::string_view detail);

// A statement taken from a connection's cache for one use. Binding and
// stepping record the first error in status() (like leveldb's Iterator), so
// call sites read straight through and check once. The statement is reset
// when the Stmt goes away; never hold two Stmts for the same SQL at once.
class Stmt {
 public:
  Stmt(sqlite3_stmt* stmt, const std::string* path, Status prepare_error);
  Stmt(Stmt&& other) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt& operator=(Stmt&&) = delete;
  ~Stmt();

  // Parameters are 1-based, as in SQL. Text is bound without a copy: it must
  // outlive the step.
  Stmt& Bind(int index, std::string_view text);
  Stmt& Bind(int index, int64_t value);
  Stmt& BindNull(int index);
  // Binds NULL when `text` is empty (nullable JSON columns).
  Stmt& BindTextOrNull(int index, std::string_view text);

  // Steps once: true when a row is available; false when done or failed
  // (then status() says which).
  bool Next();
  // Steps until done, for statements that return no rows.
  Status Run();

  int64_t Int(int col) const;
  std::string_view Text(int col) const;  // valid until the next step
  std::string Str(int col) const { return std::string(Text(col)); }
  bool IsNull(int col) const;

  const Status& status() const { return status_; }
  // The extended result code of the last failed step (0 when none).
  int error_code() const { return error_code_; }
  bool IsConstraintViolation() const { return (error_code_ & 0xff) == SQLITE_CONSTRAINT; }

 private:
  void Fail(int rc);

  sqlite3_stmt* stmt_;
  const std::string* path_;
  Status status_;
  int error_code_ = 0;
};

class Connection {
 public:
  // Opens `path` (creating the file when `create`), with extended result
  // codes and the busy timeout set. Statements are prepared lazily and kept.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, bool create,
                                                  int busy_timeout_ms);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements that return no rows we need (DDL, pragmas).
  Status Exec(const char* sql);
  // The cached statement for `sql`. `sql` must be a string with static
  // storage: the cache is keyed by its address so a lookup never hashes text.
  Stmt Prepare(const char* sql);
  // The value of a single-row, single-column query such as a pragma.
  Result<std::string> QueryText(const char* sql);

  // BEGIN IMMEDIATE / COMMIT / ROLLBACK through cached statements.
  Status Begin();
  Status Commit();
  void Rollback();
  // False once SQLite has rolled the transaction back by itself (I/O error).
  bool InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }
  int64_t Changes() const { return sqlite3_changes64(db_); }

  sqlite3* db() const { return db_; }
  const std::string& path() const { return path_; }
  Status Error(int rc, std::string_view detail) const { return ErrorStatus(rc, path_, detail); }

 private:
  Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_;
  std::string path_;
  std::unordered_map<const char*, sqlite3_stmt*> statements_;
};

}  // namespace keel::sqlite

#endif  // KEEL_STORE_SQLITE_CONNECTION_H_
