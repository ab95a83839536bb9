// keel approvals ls, keel approve, keel reject.
#include <cstdio>
#include <cstdlib>

#include "cli/cli_support.h"
#include "cli/commands.h"

namespace keel {
namespace {

std::string WhoDecides(const std::string& by) {
  if (!by.empty()) return by;
  const char* user = std::getenv("USER");
  return user ? user : "cli";
}

}  // namespace

int CmdApprovalsList(const ApprovalFlags& flags) {
  AppOptions options;
  options.need_engine = false;
  auto app = OpenApp(flags.common.project, options);
  if (!app.ok()) return ReportError(app.status());
  std::optional<ApprovalStatus> filter;
  if (!flags.all) filter = ApprovalStatus::kPending;
  auto approvals = (*app)->store->ListApprovals(filter);
  if (!approvals.ok()) return ReportError(approvals.status());
  int64_t now = Clock::Real()->NowMicros();
  if (flags.common.json) {
    Json out = Json::array();
    for (const Approval& a : *approvals) {
      out.push_back({{"approval_id", a.approval_id}, {"run_id", a.run_id}, {"node", a.node},
                     {"workflow", a.workflow}, {"entity_key", a.entity_key},
                     {"status", ApprovalStatusName(a.status)}, {"proposal", a.proposal},
                     {"requested", FormatTime(a.requested_us)},
                     {"expires", FormatTime(a.expires_us)},
                     {"expires_in_s", (a.expires_us - now) / 1'000'000}});
    }
    std::printf("%s\n", out.dump().c_str());
    return kExitOk;
  }
  if (approvals->empty()) {
    std::printf("no %sapprovals\n", flags.all ? "" : "pending ");
    return kExitOk;
  }
  for (const Approval& a : *approvals) {
    int64_t left = (a.expires_us - now) / 1'000'000;
    std::printf("%s  %s  %s/%s  run %s  %s\n", a.approval_id.c_str(), ApprovalStatusName(a.status),
                a.workflow.c_str(), a.node.c_str(), a.run_id.c_str(), a.entity_key.c_str());
    if (a.status == ApprovalStatus::kPending) {
      std::printf("    expires in %llds\n", static_cast<long long>(left > 0 ? left : 0));
    }
    std::printf("    proposal %s\n", a.proposal.dump().c_str());
  }
  return kExitOk;
}

int CmdDecide(const ApprovalFlags& flags, bool approve) {
  Json edited;
  if (!flags.edit.empty()) {
    Result<Json> parsed = ParseInputArgument(flags.edit);
    if (!parsed.ok()) return ReportError(parsed.status().WithContext("--edit: "));
    edited = std::move(parsed).value();
  }
  AppOptions options;
  options.need_engine = !flags.no_resume;
  options.engine.claim = false;
  auto app = OpenApp(flags.common.project, options);
  if (!app.ok()) return ReportError(app.status());
  Store& store = *(*app)->store;
  auto approval = store.GetApproval(flags.approval_id);
  if (!approval.ok()) return ReportError(approval.status());
  Status edit_ok =
      CheckApprovalEdit((*app)->project, approval->workflow, approval->node, edited);
  if (!edit_ok.ok()) return ReportError(edit_ok.WithContext("--edit: "));
  Status decided = store.DecideApproval(
      flags.approval_id, approve ? ApprovalStatus::kApproved : ApprovalStatus::kRejected, edited,
      flags.reason, WhoDecides(flags.by), Clock::Real()->NowMicros());
  if (!decided.ok()) return ReportError(decided);
  if (!flags.common.json) {
    std::printf("%s %s (run %s)\n", flags.approval_id.c_str(), approve ? "approved" : "rejected",
                approval->run_id.c_str());
  }
  if (flags.no_resume) {
    if (flags.common.json) {
      std::printf("%s\n", Json({{"approval_id", flags.approval_id},
                                {"run_id", approval->run_id},
                                {"decision", approve ? "approved" : "rejected"}})
                              .dump()
                              .c_str());
    }
    return kExitOk;
  }
  // Resume the run here and now; a worker would pick it up otherwise.
  Engine& engine = *(*app)->engine;
  RunWaiter waiter(engine);
  engine.Start();
  Status resumed = engine.ResumeRun(approval->run_id);
  if (!resumed.ok()) {
    std::printf("the run will resume in a worker: %s\n", resumed.message().c_str());
    return kExitOk;
  }
  RunOutcome outcome = waiter.Wait(approval->run_id);
  if (flags.common.json) {
    Json out = {{"approval_id", flags.approval_id}, {"run_id", outcome.run_id},
                {"status", RunStatusName(outcome.status)}};
    if (!outcome.result.is_null()) out["result"] = outcome.result;
    if (!outcome.error.empty()) out["error"] = outcome.error;
    std::printf("%s\n", out.dump().c_str());
  } else {
    std::printf("run %s: %s%s%s\n", outcome.run_id.c_str(), RunStatusName(outcome.status),
                outcome.error.empty() ? "" : ": ", outcome.error.c_str());
  }
  return ExitCodeFor(outcome.status);
}

}  // namespace keel
