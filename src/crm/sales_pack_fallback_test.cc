// The sales pack on the offline path: every agent's fallback, evaluated with
// the expression language over real tool outputs from the seeded CRM, must
// give valid, sensible and *different* answers for different accounts.
#include <gtest/gtest.h>

#include <map>

#include "crm/crm_test_util.h"
#include "crm/sales_desk.h"
#include "crm/demo_crm.h"
#include "crm/sales_pack_runner.h"
#include "tools/tool.h"

namespace keel {
namespace {

using crm_test::SalesPackRunner;

constexpr char kPack[] = "examples/sales";

struct Picks {
  std::string healthy, at_risk, critical;
};

class SalesPackTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto crm = DemoCrm::Open(crm_test::FreshSeeded("sales_pack.db"));
    ASSERT_TRUE(crm.ok()) << crm.status().ToString();
    crm_ = std::move(*crm).release();
    tools_ = new ToolRegistry();
    RegisterCrmTools(*tools_, std::shared_ptr<DemoCrm>(crm_, [](DemoCrm*) {}));
    // The desk's tools (log_activity and the rest) on the same database.
    auto desk = SalesDesk::Open(crm_->path());
    ASSERT_TRUE(desk.ok()) << desk.status().ToString();
    RegisterSalesDeskTools(*tools_, std::shared_ptr<SalesDesk>(std::move(*desk)));
    auto runner = SalesPackRunner::Load(kPack, tools_);
    ASSERT_TRUE(runner.ok()) << runner.status().ToString();
    runner_ = std::move(*runner).release();
    picks_ = PickAccounts();
  }
  static void TearDownTestSuite() {
    delete runner_;
    delete tools_;
    delete crm_;
  }

  // A clearly healthy small account with time to renew, a clearly at-risk
  // one that is not collapsing, and a collapsing one.
  static Picks PickAccounts() {
    Picks p;
    for (int i = 1000; i < 2000; ++i) {
      std::string id = "A-" + std::to_string(i);
      auto a = crm_->GetAccount(id);
      auto u = crm_->GetUsageTrend(id, 90);
      auto c = crm_->GetContract(id);
      if (!a.ok() || !u.ok() || !c.ok()) continue;
      bool time = c->days_to_renewal >= 60;
      if (p.healthy.empty() && u->direction == "growing" && a->health_score >= 75 && time &&
          a->segment == "SMB") {
        p.healthy = id;
      }
      if (p.at_risk.empty() && u->direction == "shrinking" && a->health_score >= 30 &&
          a->health_score < 50 && u->trend_pct > -30 && time) {
        p.at_risk = id;
      }
      if (p.critical.empty() && a->health_score < 30 && u->trend_pct <= -30) p.critical = id;
    }
    return p;
  }

  static SalesPackRunner::Outcome RunOrFail(const std::string& workflow, const Json& input,
                                            const std::string& run_id) {
    auto out = runner_->Run(workflow, input, run_id);
    EXPECT_TRUE(out.ok()) << workflow << " " << input.dump() << ": " << out.status().ToString();
    return out.ok() ? *out : SalesPackRunner::Outcome{};
  }

  static DemoCrm* crm_;
  static ToolRegistry* tools_;
  static SalesPackRunner* runner_;
  static Picks picks_;
};

DemoCrm* SalesPackTest::crm_ = nullptr;
ToolRegistry* SalesPackTest::tools_ = nullptr;
SalesPackRunner* SalesPackTest::runner_ = nullptr;
Picks SalesPackTest::picks_;

TEST_F(SalesPackTest, HealthyAndAtRiskAccountsGetDifferentPlans) {
  ASSERT_FALSE(picks_.healthy.empty());
  ASSERT_FALSE(picks_.at_risk.empty());
  auto healthy = RunOrFail("renewal_prep", {{"account_id", picks_.healthy}}, "run-healthy");
  auto risky = RunOrFail("renewal_prep", {{"account_id", picks_.at_risk}}, "run-risky");
  ASSERT_EQ(healthy.end_node, "done") << healthy.result.dump();
  ASSERT_EQ(risky.end_node, "done") << risky.result.dump();
  const Json& h = healthy.scope;
  const Json& r = risky.scope;

  EXPECT_EQ(h["risk"]["level"], "low");
  EXPECT_EQ(r["risk"]["level"], "high");
  EXPECT_LT(h["risk"]["score"].get<int>(), r["risk"]["score"].get<int>());
  EXPECT_EQ(h["talking_points"]["tone"], "expansion");
  EXPECT_EQ(r["talking_points"]["tone"], "defensive");
  EXPECT_EQ(h["usage_summary"]["direction"], "growing");
  EXPECT_NE(r["usage_summary"]["headline"].get<std::string>().find("down"), std::string::npos);

  // Healthy: price only for commitment. At risk: no discount, a success plan.
  const Json& hp = h["approve"]["proposal"];
  const Json& rp = r["approve"]["proposal"];
  EXPECT_EQ(hp["tier"], "commitment");
  EXPECT_GT(hp["discount_pct"].get<double>(), 0);
  EXPECT_EQ(hp["term_months"], 24);
  EXPECT_EQ(rp["tier"], "value_plan");
  EXPECT_EQ(rp["discount_pct"], 0);
  EXPECT_EQ(rp["success_plan"], true);
  EXPECT_NE(hp["email_body"].get<std::string>().find("% off the list price"), std::string::npos);
  EXPECT_NE(rp["email_body"].get<std::string>().find("success plan"), std::string::npos);
  EXPECT_EQ(rp["email_body"].get<std::string>().find("% off"), std::string::npos);

  // The state vectors record the approved discount and different next actions.
  const Json& hs = healthy.result["state"];
  const Json& rs = risky.result["state"];
  EXPECT_EQ(hs["decisions"][0]["kind"], "discount");
  EXPECT_EQ(hs["decisions"][0]["discount_pct"], hp["discount_pct"]);
  EXPECT_EQ(rs["decisions"][0]["discount_pct"], 0);
  EXPECT_NE(hs["next_action"], rs["next_action"]);
  EXPECT_NE(rs["next_action"].get<std::string>().find("save call"), std::string::npos);
  EXPECT_NE(hs["next_action"].get<std::string>().find("multi-year"), std::string::npos);

  // Only the real discount went to the deal desk; both drafts were stored.
  EXPECT_TRUE(h.contains("file_discount"));
  EXPECT_FALSE(r.contains("file_discount"));
  EXPECT_TRUE(h.contains("draft_email") && r.contains("draft_email"));
  EXPECT_NE(
      healthy.result["markdown"].get<std::string>().find(h["account"]["name"].get<std::string>()),
      std::string::npos);
}

TEST_F(SalesPackTest, CollapsingAccountsGoToEngineeringNotToPricing) {
  ASSERT_FALSE(picks_.critical.empty());
  int64_t drafts_before = *crm_->CountSideEffects("email_drafts");
  auto out = RunOrFail("renewal_prep", {{"account_id", picks_.critical}}, "run-critical");
  EXPECT_EQ(out.scope["risk"]["level"], "critical");
  EXPECT_EQ(out.end_node, "critical_escalation");
  EXPECT_EQ(out.path, (std::vector<std::string>{"prep", "workers", "triage", "file_ticket",
                                                "critical_escalation"}));
  EXPECT_NE(out.result["reason"].get<std::string>().find(
                out.scope["file_ticket"]["ticket_id"].get<std::string>()),
            std::string::npos);
  EXPECT_EQ(*crm_->CountSideEffects("email_drafts"), drafts_before);
}

TEST_F(SalesPackTest, EveryAccountRunsToAnEndAndTheReviewLoopVaries) {
  std::map<std::string, int> ends, levels, tones;
  std::map<int, int> passes;
  for (int i = 1000; i < 2000; i += 4) {
    std::string id = "A-" + std::to_string(i);
    auto out = RunOrFail("renewal_prep", {{"account_id", id}}, "sweep-" + id);
    if (out.end.empty()) return;  // already reported
    ++ends[out.end_node];
    ++levels[out.scope["risk"]["level"].get<std::string>()];
    ++tones[out.scope["talking_points"]["tone"].get<std::string>()];
    if (out.scope.contains("offer")) {
      const Json& offer = out.scope["offer"];
      ++passes[offer["iterations"].get<int>()];
      // The policy check only trips when the review loop gave up.
      if (out.end_node == "policy_escalation") {
        EXPECT_FALSE(offer["passed"].get<bool>()) << id;
      }
    }
  }
  EXPECT_EQ(ends["done"] + ends["critical_escalation"] + ends["policy_escalation"], 250);
  EXPECT_GT(ends["done"], 150);
  EXPECT_GT(ends["critical_escalation"], 5);
  for (const char* level : {"low", "medium", "high", "critical"}) {
    EXPECT_GT(levels[level], 10) << level;
  }
  for (const char* tone : {"defensive", "balanced", "expansion"}) EXPECT_GT(tones[tone], 10);
  // Some offers pass review at once, others need one or two revisions.
  EXPECT_GT(passes[1], 20);
  EXPECT_GT(passes[2], 10);
  EXPECT_GT(passes[3], 3);
}

TEST_F(SalesPackTest, ProposerRevisesFromTheEvaluatorsScores) {
  Json inputs = {
      {"account", {{"name", "Acme"}, {"segment", "Enterprise"}, {"arr", 900000}}},
      {"risk", {{"level", "low"}, {"score", 12}}},
      {"terms", {{"max_past_discount_pct", 0}, {"days_to_renewal", 120}, {"term_months", 12}}},
      {"iteration", 1},
      {"previous", nullptr},
      {"feedback", nullptr}};
  auto first = runner_->CallAgent("discount_proposer", inputs);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ((*first)["discount_pct"], 8);

  Json eval_in = {{"account", {{"segment", "Enterprise"}, {"arr", 900000}}},
                  {"risk", {{"level", "low"}}},
                  {"terms", {{"max_past_discount_pct", 0}, {"days_to_renewal", 120}}},
                  {"candidate", *first}};
  auto review = runner_->CallAgent("discount_evaluator", eval_in);
  ASSERT_TRUE(review.ok()) << review.status().ToString();
  EXPECT_LT((*review)["scores"]["margin_impact"].get<int>(), 4);  // $72,000 a year
  EXPECT_LT((*review)["scores"]["precedent_risk"].get<int>(), 4);
  EXPECT_NE((*review)["feedback"].get<std::string>().find("margin_impact"), std::string::npos);

  inputs["iteration"] = 2;
  inputs["previous"] = *first;
  inputs["feedback"] = *review;
  auto second = runner_->CallAgent("discount_proposer", inputs);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ((*second)["discount_pct"], 5);  // 8 - 3 for margin, capped at 0 + 5 for precedent
  EXPECT_NE((*second)["justification"].get<std::string>().find("pass 2"), std::string::npos);

  // A small account scores the same 8% as harmless to margin.
  eval_in["account"]["arr"] = 30000;
  auto small = runner_->CallAgent("discount_evaluator", eval_in);
  ASSERT_TRUE(small.ok());
  EXPECT_EQ((*small)["scores"]["margin_impact"], 5);
}

TEST_F(SalesPackTest, ContactOutreachWritesOneNotePerContactAndBooksOneFollowup) {
  auto account = crm_->GetAccount(picks_.at_risk);
  ASSERT_TRUE(account.ok());
  int64_t before = *crm_->CountSideEffects("followups");
  Json input = {{"account_id", picks_.at_risk}, {"followup_date", "2026-11-12"}};
  auto out = RunOrFail("contact_outreach", input, "outreach-1");
  ASSERT_EQ(out.end_node, "done");
  const Json& notes = out.scope["notes"];
  ASSERT_EQ(notes.size(), account->contacts.size());
  for (size_t i = 0; i < notes.size(); ++i) {
    EXPECT_EQ(notes[i]["contact_name"], account->contacts[i].name);
    const std::string& role = account->contacts[i].role;
    EXPECT_EQ(notes[i]["channel"],
              role == "economic_buyer" ? "meeting" : (role == "champion" ? "call" : "email"));
    // Health under 50: every note opens by acknowledging it.
    EXPECT_EQ(notes[i]["angle"].get<std::string>().rfind("Acknowledge", 0), 0u);
  }
  EXPECT_EQ(out.result["state"]["stage"], "outreach_planned");
  EXPECT_EQ(*crm_->CountSideEffects("followups"), before + 1);
  // A retried run (same run id, so the same idempotency keys) books nothing new.
  RunOrFail("contact_outreach", input, "outreach-1");
  EXPECT_EQ(*crm_->CountSideEffects("followups"), before + 1);
}

}  // namespace
}  // namespace keel
