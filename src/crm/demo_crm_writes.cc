// DemoCrm's side-effect tools. Each writes one row under the caller's
// idempotency key, in one write transaction (BEGIN IMMEDIATE: the write
// lock is taken first, so no other process writes between the steps):
//   1. with a key, a row already written under it is returned as is;
//   2. the account must exist;
//   3. INSERT ... ON CONFLICT (idempotency_key) DO NOTHING;
//   4. the row under the key is read back: the answer is what was stored.
// One transaction for the four steps, not one each, is also what keeps a
// side effect cheap when thousands of runs make one every second.
// Row ids derive from the key (so a retried run sees the same id) or are
// random when the caller gave no key.
#include <cmath>
#include <functional>

#include "core/ids.h"
#include "crm/demo_crm.h"
#include "crm/internal/crm_impl.h"
#include "crm/iso_date.h"

namespace keel {
namespace {

using crm_internal::SqliteStmt;
using crm_internal::StmtId;

struct Written {
  std::string id;
  std::string extra;  // the table's second returned column (when_date for follow-ups)
};

std::string RowId(std::string_view prefix, std::string_view key) {
  if (key.empty()) return NewId(prefix);
  return std::string(prefix) + Sha256Hex(key).substr(0, 16);
}

// The row written under `key`, or a Written with an empty id when there is none.
Result<Written> FindByKey(DemoCrm::Impl::Lease& lease, StmtId find, std::string_view key) {
  KEEL_CRM_ASSIGN_OR_RETURN(stmt, lease.Get(find));
  stmt->BindStatic(1, key);
  KEEL_CRM_ASSIGN_OR_RETURN(row, stmt->Step());
  if (!row) return Written{};
  return Written{stmt->String(0), stmt->String(1)};
}

// Steps 1-4 above, inside the transaction. `bind` binds the table's own
// columns, which start at parameter 4 (1: id, 2: key, 3: account_id).
Result<Written> WriteInTransaction(DemoCrm::Impl& impl, DemoCrm::Impl::Lease& lease, StmtId find,
                                   StmtId insert, std::string_view id_prefix,
                                   std::string_view account_id, std::string_view key,
                                   const std::function<void(SqliteStmt&)>& bind) {
  if (!key.empty()) {
    KEEL_CRM_ASSIGN_OR_RETURN(existing, FindByKey(lease, find, key));
    if (!existing.id.empty()) return existing;
  }
  KEEL_RETURN_IF_ERROR(impl.CheckAccount(lease, account_id));
  std::string id = RowId(id_prefix, key);
  {
    KEEL_CRM_ASSIGN_OR_RETURN(stmt, lease.Get(insert));
    stmt->BindStatic(1, id);
    if (key.empty()) {
      stmt->BindNull(2);
    } else {
      stmt->BindStatic(2, key);
    }
    stmt->BindStatic(3, account_id);
    bind(*stmt);
    KEEL_RETURN_IF_ERROR(stmt->Run());
  }
  if (key.empty()) return Written{id, ""};
  KEEL_CRM_ASSIGN_OR_RETURN(stored, FindByKey(lease, find, key));
  if (stored.id.empty()) return Internal("row for idempotency key vanished after insert");
  return stored;
}

// Runs the protocol above in one transaction, committed only when it succeeded.
Result<Written> WriteOnce(DemoCrm::Impl& impl, StmtId find, StmtId insert,
                          std::string_view id_prefix, std::string_view account_id,
                          std::string_view key, const std::function<void(SqliteStmt&)>& bind) {
  std::lock_guard<std::mutex> lock(impl.write_mu);
  KEEL_CRM_ASSIGN_OR_RETURN(lease, impl.Acquire());
  KEEL_RETURN_IF_ERROR(lease.Exec("BEGIN IMMEDIATE"));
  Result<Written> written =
      WriteInTransaction(impl, lease, find, insert, id_prefix, account_id, key, bind);
  if (written.ok()) {
    Status committed = lease.Exec("COMMIT");
    if (committed.ok()) return written;
    written = committed;
  }
  // Should this fail too, the pool closes the connection (Impl::Return).
  (void)lease.Exec("ROLLBACK");
  return written;
}

Status RequireText(std::string_view value, const char* field) {
  if (value.empty()) return InvalidArgument(std::string(field) + " must not be empty");
  return Status::Ok();
}

}  // namespace

Result<std::string> DemoCrm::RequestDiscountApproval(std::string_view account_id,
                                                     double discount_pct,
                                                     std::string_view justification,
                                                     std::string_view idempotency_key) {
  if (!std::isfinite(discount_pct) || discount_pct < 0 || discount_pct > 100) {
    return InvalidArgument("discount_pct must be 0..100");
  }
  KEEL_RETURN_IF_ERROR(RequireText(justification, "justification"));
  int64_t now = impl_->clock->NowMicros();
  auto written = WriteOnce(*impl_, crm_internal::kFindDiscount, crm_internal::kInsertDiscount,
                           "DR-", account_id, idempotency_key, [&](SqliteStmt& s) {
                             s.Bind(4, discount_pct);
                             s.BindStatic(5, justification);
                             s.Bind(6, now);
                           });
  if (!written.ok()) return written.status();
  return std::move(written->id);
}

Result<CrmFollowup> DemoCrm::BookFollowup(std::string_view account_id, std::string_view when,
                                          std::string_view topic,
                                          std::string_view idempotency_key) {
  if (!ParseIsoDate(when)) {
    return InvalidArgument("when must be an ISO date YYYY-MM-DD, got '" + std::string(when) + "'");
  }
  KEEL_RETURN_IF_ERROR(RequireText(topic, "topic"));
  int64_t now = impl_->clock->NowMicros();
  auto written = WriteOnce(*impl_, crm_internal::kFindFollowup, crm_internal::kInsertFollowup,
                           "FU-", account_id, idempotency_key, [&](SqliteStmt& s) {
                             s.BindStatic(4, when);
                             s.BindStatic(5, topic);
                             s.Bind(6, now);
                           });
  if (!written.ok()) return written.status();
  CrmFollowup out;
  out.followup_id = std::move(written->id);
  out.when = idempotency_key.empty() ? std::string(when) : std::move(written->extra);
  return out;
}

Result<std::string> DemoCrm::EscalateToEngineering(std::string_view account_id,
                                                   std::string_view summary,
                                                   std::string_view severity,
                                                   std::string_view idempotency_key) {
  if (severity != "low" && severity != "medium" && severity != "high") {
    return InvalidArgument("severity must be low, medium or high");
  }
  KEEL_RETURN_IF_ERROR(RequireText(summary, "summary"));
  int64_t now = impl_->clock->NowMicros();
  auto written = WriteOnce(*impl_, crm_internal::kFindEscalation, crm_internal::kInsertEscalation,
                           "ENG-", account_id, idempotency_key, [&](SqliteStmt& s) {
                             s.BindStatic(4, summary);
                             s.BindStatic(5, severity);
                             s.Bind(6, now);
                           });
  if (!written.ok()) return written.status();
  return std::move(written->id);
}

Result<std::string> DemoCrm::DraftRenewalEmail(std::string_view account_id, std::string_view to,
                                               std::string_view subject, std::string_view body,
                                               std::string_view idempotency_key) {
  if (to.find('@') == std::string_view::npos) {
    return InvalidArgument("to must be an e-mail address");
  }
  KEEL_RETURN_IF_ERROR(RequireText(subject, "subject"));
  KEEL_RETURN_IF_ERROR(RequireText(body, "body"));
  int64_t now = impl_->clock->NowMicros();
  auto written = WriteOnce(*impl_, crm_internal::kFindDraft, crm_internal::kInsertDraft, "DRAFT-",
                           account_id, idempotency_key, [&](SqliteStmt& s) {
                             s.BindStatic(4, to);
                             s.BindStatic(5, subject);
                             s.BindStatic(6, body);
                             s.Bind(7, now);
                           });
  if (!written.ok()) return written.status();
  return std::move(written->id);
}

}  // namespace keel
