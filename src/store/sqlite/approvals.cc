// Human decisions on approvals. These come from other processes too (the
// CLI, the HTTP inbox), so they are direct transactions, not queued batches:
// the decision is durable when DecideApproval returns.
#include <ctime>
#include <string>

#include "store/sqlite/encoded_batch.h"
#include "store/sqlite/sqlite_store.h"

namespace keel::sqlite {
namespace {

constexpr const char* kApprovalForDecision =
    "SELECT status, expires_us, run_id FROM approvals WHERE approval_id = ?1";
constexpr const char* kRecordDecision =
    "UPDATE approvals SET status = ?2, edited = ?3, reason = ?4, decided_by = ?5, "
    "decided_us = ?6 WHERE approval_id = ?1";
// Only a run still parked on this approval is woken: a run that already
// moved on (say, it expired and escalated) is left alone.
constexpr const char* kWakeRun =
    "UPDATE runs SET status = 'pending', parked_on = '', wake_us = 0, updated_us = ?3 "
    "WHERE run_id = ?1 AND status = 'parked' AND parked_on = ?2";

// "2023-11-14T22:13:20Z" for messages people read.
std::string FormatUtc(int64_t micros) {
  std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf, n);
}

}  // namespace

Status SqliteStore::DecideApproval(const std::string& approval_id, ApprovalStatus decision,
                                   const Json& edited, const std::string& reason,
                                   const std::string& by, int64_t now_us) {
  if (decision != ApprovalStatus::kApproved && decision != ApprovalStatus::kRejected) {
    return InvalidArgument(std::string("a decision must be approved or rejected, not ") +
                           ApprovalStatusName(decision));
  }
  const std::string edited_text = EncodeJson(edited);
  return InWriteTransaction([&](Connection& conn) {
    Stmt current = conn.Prepare(kApprovalForDecision);
    current.Bind(1, approval_id);
    if (!current.Next()) {
      KEEL_RETURN_IF_ERROR(current.status());
      return NotFound("approval " + approval_id + " not found");
    }
    if (current.Text(0) != ApprovalStatusName(ApprovalStatus::kPending)) {
      return FailedPrecondition("approval " + approval_id + " is " + current.Str(0));
    }
    int64_t expires_us = current.Int(1);
    // expires_us == 0: the approval was requested without a deadline.
    if (expires_us > 0 && now_us >= expires_us) {
      return FailedPrecondition("approval " + approval_id + " expired at " + FormatUtc(expires_us));
    }
    const std::string run_id = current.Str(2);
    Stmt record = conn.Prepare(kRecordDecision);
    record.Bind(1, approval_id).Bind(2, ApprovalStatusName(decision));
    record.BindTextOrNull(3, edited_text).Bind(4, reason).Bind(5, by).Bind(6, now_us);
    KEEL_RETURN_IF_ERROR(record.Run());
    return conn.Prepare(kWakeRun).Bind(1, run_id).Bind(2, approval_id).Bind(3, now_us).Run();
  });
}

}  // namespace keel::sqlite
