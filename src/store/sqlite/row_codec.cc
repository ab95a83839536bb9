#include "store/sqlite/row_codec.h"

#include <string>

#include "store/sqlite/encoded_batch.h"

namespace keel::sqlite {
namespace {

Status Damaged(std::string_view kind, std::string_view id, std::string_view value) {
  return Status(StatusCode::kDataLoss, std::string(kind) + " " + std::string(id) +
                                           ": unknown stored value '" + std::string(value) + "'");
}

}  // namespace

Result<RunRecord> DecodeRun(const Stmt& row) {
  RunRecord run;
  run.run_id = row.Str(0);
  run.workflow = row.Str(1);
  run.entity_key = row.Str(2);
  Result<Json> input = DecodeJson(row.Text(3), "run", run.run_id);
  if (!input.ok()) return input.status();
  run.input = std::move(input).value();
  std::optional<RunStatus> status = ParseRunStatus(row.Text(4));
  if (!status) return Damaged("run", run.run_id, row.Text(4));
  run.status = *status;
  run.parked_on = row.Str(5);
  run.wake_us = row.Int(6);
  run.created_us = row.Int(7);
  run.updated_us = row.Int(8);
  run.lease_owner = row.Str(9);
  run.lease_host = row.Str(10);
  run.lease_pid = row.Int(11);
  run.lease_expires_us = row.Int(12);
  Result<Json> result = DecodeJson(row.Text(13), "run", run.run_id);
  if (!result.ok()) return result.status();
  run.result = std::move(result).value();
  if (!row.Text(16).empty() && run.result.is_object()) {
    // The completion payload of the node named by result_of: {"output": ...}.
    Json output = std::move(run.result["output"]);
    run.result = std::move(output);
  }
  run.error = row.Str(14);
  run.trace_id = row.Str(15);
  return run;
}

Result<Approval> DecodeApproval(const Stmt& row) {
  Approval a;
  a.approval_id = row.Str(0);
  a.run_id = row.Str(1);
  a.node = row.Str(2);
  a.workflow = row.Str(3);
  a.entity_key = row.Str(4);
  std::optional<ApprovalStatus> status = ParseApprovalStatus(row.Text(5));
  if (!status) return Damaged("approval", a.approval_id, row.Text(5));
  a.status = *status;
  Result<Json> proposal = DecodeJson(row.Text(6), "approval", a.approval_id);
  if (!proposal.ok()) return proposal.status();
  a.proposal = std::move(proposal).value();
  Result<Json> edited = DecodeJson(row.Text(7), "approval", a.approval_id);
  if (!edited.ok()) return edited.status();
  a.edited = std::move(edited).value();
  a.reason = row.Str(8);
  a.decided_by = row.Str(9);
  a.requested_us = row.Int(10);
  a.expires_us = row.Int(11);
  a.decided_us = row.Int(12);
  return a;
}

Result<StateVector> DecodeState(const Stmt& row) {
  StateVector state;
  state.entity_key = row.Str(0);
  state.version = row.Int(1);
  Result<Json> data = DecodeJson(row.Text(2), "state vector", state.entity_key);
  if (!data.ok()) return data.status();
  state.data = std::move(data).value();
  state.run_id = row.Str(3);
  state.updated_us = row.Int(4);
  return state;
}


}  // namespace keel::sqlite
