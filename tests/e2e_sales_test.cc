// The sales pack end to end through the real keel binary, as an account
// manager would use it: renewal prep parks at the approval, the approval
// resumes it to a brief and a state vector, and every step is visible in
// `keel trace` and `keel runs show`.
#include <gtest/gtest.h>

#include <set>

#include "cli_test_util.h"
#include "crm/demo_crm.h"

namespace keel::testing {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitParked = 4;  // parked or escalated: a human is needed

class E2eSalesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (KeelBinary().empty()) GTEST_SKIP() << "KEEL_BINARY is not set (run through ctest)";
    project_ = std::make_unique<TempProject>("examples/sales");
  }

  // Runs keel with --project and --json; returns the parsed stdout.
  Json Keel(std::vector<std::string> args, int expected_exit) {
    args.insert(args.end(), {"--project", project_->path(), "--json"});
    ProcessResult r = RunKeel(args);
    std::string cmd;
    for (const std::string& a : args) cmd += a + " ";
    EXPECT_EQ(r.exit_code, expected_exit) << cmd << "\nstdout: " << r.out << "\nstderr: " << r.err;
    Json out = ParseJsonOutput(r.out);
    EXPECT_FALSE(out.is_discarded()) << cmd << " printed no JSON: " << r.out << r.err;
    return out.is_discarded() ? Json::object() : out;
  }

  // Starts renewal prep for `account` and expects it to park at the approval.
  Json RunToApproval(const std::string& account) {
    Json parked =
        Keel({"run", "renewal_prep", "--input", Json{{"account_id", account}}.dump()}, kExitParked);
    EXPECT_EQ(parked.value("status", ""), "parked") << parked.dump();
    EXPECT_FALSE(parked.value("run_id", "").empty());
    EXPECT_FALSE(parked.value("approval_id", "").empty());
    return parked;
  }

  Json Approve(const Json& parked) {
    return Keel({"approve", parked.value("approval_id", ""), "--reason", "ok", "--by", "am"},
                kExitOk);
  }

  std::unique_ptr<TempProject> project_;
};

TEST_F(E2eSalesTest, RenewalPrepParksAndTheApprovalFinishesIt) {
  Json parked = RunToApproval("A-1042");
  std::string run_id = parked["run_id"], approval_id = parked["approval_id"];

  Json pending = Keel({"approvals", "ls"}, kExitOk);
  ASSERT_EQ(pending.size(), 1u) << pending.dump();
  EXPECT_EQ(pending[0]["approval_id"], approval_id);
  EXPECT_EQ(pending[0]["run_id"], run_id);
  EXPECT_EQ(pending[0]["entity_key"], "A-1042");
  EXPECT_EQ(pending[0]["status"], "pending");
  const Json& proposal = pending[0]["proposal"];
  std::string account_name = proposal.value("account_name", "");
  ASSERT_FALSE(account_name.empty()) << proposal.dump();
  EXPECT_TRUE(proposal.contains("discount_pct") && proposal.contains("email_body"));

  Json done = Approve(parked);
  EXPECT_EQ(done["status"], "succeeded") << done.dump();
  EXPECT_EQ(done["run_id"], run_id);
  std::string markdown = done["result"].value("markdown", "");
  EXPECT_NE(markdown.find(account_name), std::string::npos) << markdown;
  EXPECT_EQ(done["result"]["output"]["account_name"], account_name);
  EXPECT_TRUE(Keel({"approvals", "ls"}, kExitOk).empty()) << "nothing is waiting any more";

  Json state = Keel({"state", "show", "A-1042"}, kExitOk);
  EXPECT_EQ(state["version"], 1);
  EXPECT_EQ(state["run_id"], run_id);
  EXPECT_EQ(state["state"]["stage"], "renewal_prepared");
  ASSERT_TRUE(state["state"]["decisions"].is_array());
  EXPECT_EQ(state["state"]["decisions"][0]["approved_by"], "am");
  EXPECT_FALSE(state["state"].value("next_action", "").empty());

  Json spans = Keel({"trace", run_id}, kExitOk);
  std::set<std::string> kinds, tools;
  for (const Json& s : spans) {
    kinds.insert(s.value("kind", ""));
    if (s.value("kind", "") == "tool") tools.insert(s.value("name", ""));
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"run", "node", "model", "tool"}));
  EXPECT_TRUE(tools.count("tool crm.get_account")) << spans.dump();
  EXPECT_TRUE(tools.count("tool draft_renewal_email")) << "a step after the approval is traced";

  Json shown = Keel({"runs", "show", run_id}, kExitOk);
  EXPECT_EQ(shown["status"], "succeeded");
  const Json& events = shown["events"];
  ASSERT_GT(events.size(), 5u);
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i]["seq"], int(i) + 1);
  EXPECT_EQ(events.front()["type"], "run_started");
  EXPECT_EQ(events.back()["type"], "run_finished");
  std::vector<std::string> approval_events;
  for (const Json& e : events) {
    if (e["node"] == "approve") approval_events.push_back(e["type"]);
  }
  EXPECT_EQ(approval_events,
            (std::vector<std::string>{"approval_requested", "approval_decided", "node_completed"}));

  // The next run of the same account starts from the stored state vector.
  Json again = RunToApproval("A-1042");
  Json again_done = Approve(again);
  EXPECT_EQ(again_done["status"], "succeeded");
  EXPECT_EQ(again_done["result"]["state_version"], 2);
  EXPECT_EQ(Keel({"state", "show", "A-1042"}, kExitOk)["version"], 2);
  Json again_events = Keel({"runs", "show", again.value("run_id", "")}, kExitOk)["events"];
  ASSERT_FALSE(again_events.empty());
  EXPECT_EQ(again_events[0]["payload"]["state_version"], 1);
  EXPECT_EQ(again_events[0]["payload"]["state"]["stage"], "renewal_prepared");
}

// A shrinking, unhealthy (but not collapsing) account and a growing, healthy
// one, found in the seeded demo CRM the same way the sales pack's own test
// picks them.
struct Accounts {
  std::string growing, shrinking;
};

Accounts PickAccounts(const std::string& crm_path) {
  Accounts picks;
  auto crm = DemoCrm::Open(crm_path);
  if (!crm.ok()) return picks;
  for (int i = 1000; i < 2000 && (picks.growing.empty() || picks.shrinking.empty()); ++i) {
    std::string id = "A-" + std::to_string(i);
    auto a = (*crm)->GetAccount(id);
    auto u = (*crm)->GetUsageTrend(id, 90);
    auto c = (*crm)->GetContract(id);
    if (!a.ok() || !u.ok() || !c.ok() || c->days_to_renewal < 60) continue;
    if (picks.growing.empty() && u->direction == "growing" && a->health_score >= 75 &&
        a->segment == "SMB") {
      picks.growing = id;
    }
    if (picks.shrinking.empty() && u->direction == "shrinking" && a->health_score >= 30 &&
        a->health_score < 50 && u->trend_pct > -30) {
      picks.shrinking = id;
    }
  }
  return picks;
}

TEST_F(E2eSalesTest, ShrinkingAndGrowingAccountsGetDifferentBriefs) {
  // Seed the CRM where keel.yaml puts it (keel would seed the same rows).
  std::filesystem::create_directories(project_->File(".keel"));
  ASSERT_TRUE(SeedDemoCrm(project_->File(".keel/crm.db")).ok());
  Accounts picks = PickAccounts(project_->File(".keel/crm.db"));
  ASSERT_FALSE(picks.growing.empty() || picks.shrinking.empty());

  Json growing = Approve(RunToApproval(picks.growing));
  Json shrinking = Approve(RunToApproval(picks.shrinking));
  ASSERT_EQ(growing["status"], "succeeded") << growing.dump();
  ASSERT_EQ(shrinking["status"], "succeeded") << shrinking.dump();
  const Json& g = growing["result"]["output"];
  const Json& s = shrinking["result"]["output"];
  EXPECT_EQ(g["risk"]["level"], "low");
  EXPECT_EQ(s["risk"]["level"], "high");
  EXPECT_LT(g["risk"]["score"].get<double>(), s["risk"]["score"].get<double>());
  EXPECT_NE(g["next_action"], s["next_action"]);
  EXPECT_NE(s.value("next_action", "").find("save call"), std::string::npos) << s.dump();
  EXPECT_NE(g.value("next_action", "").find("multi-year"), std::string::npos) << g.dump();
  EXPECT_EQ(s["offer"]["discount_pct"], 0) << "an at-risk account gets a plan, not a discount";
  EXPECT_GT(g["offer"]["discount_pct"].get<double>(), 0);
  EXPECT_NE(growing["result"].value("markdown", ""), shrinking["result"].value("markdown", ""));
}

TEST_F(E2eSalesTest, RejectionEscalatesTheRun) {
  Json parked = RunToApproval("A-1042");
  Json rejected =
      Keel({"reject", parked.value("approval_id", ""), "--reason", "too deep"}, kExitParked);
  EXPECT_EQ(rejected["status"], "escalated") << rejected.dump();
  EXPECT_NE(rejected.value("error", "").find("too deep"), std::string::npos) << rejected.dump();
  Json shown = Keel({"runs", "show", parked.value("run_id", "")}, kExitOk);
  EXPECT_EQ(shown["status"], "escalated");
  for (const Json& e : shown["events"]) {
    EXPECT_NE(e["node"], "draft_email") << "nothing after a rejected approval runs";
  }
  // The decision is final: approving now is refused.
  ProcessResult late =
      RunKeel({"approve", parked.value("approval_id", ""), "--project", project_->path()});
  EXPECT_EQ(late.exit_code, 3) << late.out << late.err;
  ProcessResult state = RunKeel({"state", "show", "A-1042", "--project", project_->path()});
  EXPECT_EQ(state.exit_code, 3) << "no state vector was written: " << state.out;
}

TEST_F(E2eSalesTest, PruneDeletesFinishedRunsAndKeepsParkedOnes) {
  Json finished = Approve(RunToApproval("A-1042"));
  ASSERT_EQ(finished["status"], "succeeded");
  Json parked = RunToApproval("A-1042");
  Json pruned = Keel({"runs", "prune", "--older-than", "0s"}, kExitOk);
  EXPECT_EQ(pruned["pruned"], 1);
  Json runs = Keel({"runs", "ls"}, kExitOk);
  ASSERT_EQ(runs.size(), 1u) << runs.dump();
  EXPECT_EQ(runs[0]["run_id"], parked["run_id"]);
  EXPECT_EQ(runs[0]["status"], "parked");
  ProcessResult gone =
      RunKeel({"runs", "show", finished.value("run_id", ""), "--project", project_->path()});
  EXPECT_EQ(gone.exit_code, 3) << gone.out << gone.err;
  // The parked run can still be approved, and the state vector outlives the prune.
  EXPECT_EQ(Approve(parked)["status"], "succeeded");
  EXPECT_EQ(Keel({"state", "show", "A-1042"}, kExitOk)["version"], 2);
}

TEST_F(E2eSalesTest, AnEditThatBreaksPolicyIsCaughtAfterTheApproval) {
  Json parked = RunToApproval("A-1042");
  Json pending = Keel({"approvals", "ls"}, kExitOk);
  ASSERT_EQ(pending.size(), 1u);
  Json edit = pending[0]["proposal"];
  edit["discount_pct"] = 50;  // far above every segment cap
  Json done = Keel({"approve", parked.value("approval_id", ""), "--edit", edit.dump(), "--reason",
                    "they asked nicely"},
                   kExitParked);
  EXPECT_EQ(done["status"], "escalated") << done.dump();
  EXPECT_NE(done.value("error", "").find("breaks discount policy"), std::string::npos)
      << done.dump();
  Json shown = Keel({"runs", "show", parked.value("run_id", "")}, kExitOk);
  bool override_recorded = false;
  for (const Json& e : shown["events"]) {
    EXPECT_NE(e["node"], "file_discount") << "no discount request may follow a failed check";
    if (e["type"] == "node_completed" && e["node"] == "approve") {
      const Json& output = e["payload"]["output"];
      override_recorded = output["edited"] == true && output["proposal"]["discount_pct"] == 50 &&
                          output["original"]["discount_pct"] != 50;
    }
  }
  EXPECT_TRUE(override_recorded) << shown.dump();
}

TEST_F(E2eSalesTest, AnEditThatBreaksTheProposalSchemaIsRefusedAndTheApprovalStaysPending) {
  Json parked = RunToApproval("A-1042");
  Json edit = Keel({"approvals", "ls"}, kExitOk)[0]["proposal"];
  edit["discount_pct"] = -10;
  ProcessResult refused = RunKeel({"approve", parked.value("approval_id", ""), "--edit",
                                   edit.dump(), "--project", project_->path()});
  EXPECT_EQ(refused.exit_code, 3) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("approval node 'approve'"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("/discount_pct"), std::string::npos) << refused.err;
  Json pending = Keel({"approvals", "ls"}, kExitOk);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0]["status"], "pending");
}

}  // namespace
}  // namespace keel::testing
