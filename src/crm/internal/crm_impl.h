// DemoCrm's private state: a pool of SQLite connections, each with its own
// cache of prepared statements, shared by demo_crm.cc (open, reads) and
// demo_crm_writes.cc (side effects). Private to src/crm.
//
// Thread-safety: the pool is guarded by a mutex; a borrowed Connection is used
// by one thread until its Lease ends. Writers additionally take write_mu so
// that in-process writers never contend for SQLite's write lock.
#ifndef KEEL_CRM_INTERNAL_CRM_IMPL_H_
#define KEEL_CRM_INTERNAL_CRM_IMPL_H_

#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "crm/demo_crm.h"
#include "crm/internal/sqlite_db.h"
#include "sqlite_wal/wal_checkpointer.h"

// Declares `var` from `expr` (a Result<T>), returning its error early.
#define KEEL_CRM_ASSIGN_OR_RETURN(var, expr)            \
  auto var##_result = (expr);                           \
  if (!var##_result.ok()) return var##_result.status(); \
  auto var = std::move(*var##_result)

namespace keel::crm_internal {

// Every statement DemoCrm runs; each connection prepares one lazily.
enum StmtId : int {
  kSelectAccount,
  kSelectContacts,
  kSelectOpenDeals,
  kSelectUsage,
  kSelectContract,
  kAccountExists,
  kFindDiscount,
  kInsertDiscount,
  kFindFollowup,
  kInsertFollowup,
  kFindEscalation,
  kInsertEscalation,
  kFindDraft,
  kInsertDraft,
  kCountDiscounts,
  kCountFollowups,
  kCountEscalations,
  kCountDrafts,
  kStmtCount,
};

// A prepared statement borrowed for one use; reset on destruction so no read
// transaction (and WAL snapshot) outlives the call that opened it.
class BorrowedStmt {
 public:
  explicit BorrowedStmt(SqliteStmt* stmt) : stmt_(stmt) {}
  BorrowedStmt(BorrowedStmt&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  BorrowedStmt& operator=(BorrowedStmt&&) = delete;
  ~BorrowedStmt() {
    if (stmt_) stmt_->Reset();
  }
  SqliteStmt* operator->() const { return stmt_; }
  SqliteStmt& operator*() const { return *stmt_; }

 private:
  SqliteStmt* stmt_;
};

struct Connection {
  std::unique_ptr<SqliteDb> db;
  std::array<std::unique_ptr<SqliteStmt>, kStmtCount> stmts;

  // The statement `id`, prepared on first use.
  Result<BorrowedStmt> Get(StmtId id);
};

}  // namespace keel::crm_internal

namespace keel {

struct DemoCrm::Impl {
  explicit Impl(std::string p) : path(std::move(p)), checkpointer(path) {}

  std::string path;
  Clock* clock = nullptr;
  std::mutex write_mu;  // serializes this process's writers
  // Before the pool below, so it outlives every pooled connection.
  WalCheckpointer checkpointer;

  // A connection borrowed from the pool; returned when the lease ends.
  class Lease {
   public:
    Lease(Impl* owner, std::unique_ptr<crm_internal::Connection> conn)
        : owner_(owner), conn_(std::move(conn)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (conn_) owner_->Return(std::move(conn_));
    }
    Result<crm_internal::BorrowedStmt> Get(crm_internal::StmtId id) { return conn_->Get(id); }
    Status Exec(const char* sql) { return conn_->db->Exec(sql); }

   private:
    Impl* owner_;
    std::unique_ptr<crm_internal::Connection> conn_;
  };

  // Borrows an idle connection or opens a new one. Fails only when a new
  // connection cannot be opened.
  Result<Lease> Acquire();
  void Return(std::unique_ptr<crm_internal::Connection> conn);
  Result<std::unique_ptr<crm_internal::Connection>> Connect();

  // OK when the account exists, else kNotFound "account <id> not found".
  Status CheckAccount(Lease& lease, std::string_view account_id) const;

 private:
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<crm_internal::Connection>> idle_;
};

// kNotFound with type "not_found": "account <id> not found".
Status AccountNotFound(std::string_view account_id);

}  // namespace keel

#endif  // KEEL_CRM_INTERNAL_CRM_IMPL_H_
