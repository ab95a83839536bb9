#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "crm/crm_test_util.h"
#include "crm/demo_crm.h"
#include "schema/json_schema.h"
#include "tools/tool.h"

namespace keel {
namespace {

// The sales pack's tool schemas, relative to the repository root (the tests'
// working directory).
constexpr char kToolSchemas[] = "examples/sales/schemas/tools/";

Json LoadJson(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  return Json::parse(in, nullptr, /*allow_exceptions=*/false);
}

// Checks `value` against the pack's schema `<stem>.<in|out>.json`.
void ExpectMatchesSchema(const std::string& stem, const char* dir, const Json& value) {
  auto schema = JsonSchema::Compile(LoadJson(kToolSchemas + stem + "." + dir + ".json"));
  ASSERT_TRUE(schema.ok()) << stem << ": " << schema.status().ToString();
  Status s = (*schema)->Validate(value);
  EXPECT_TRUE(s.ok()) << stem << "." << dir << ": " << s.ToString() << "\n" << value.dump();
}

std::set<std::string> Keys(const Json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.insert(key);
  return keys;
}

class CrmToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto crm = DemoCrm::Open(crm_test::FreshSeeded(
        std::string("tools_") + ::testing::UnitTest::GetInstance()->current_test_info()->name()));
    ASSERT_TRUE(crm.ok()) << crm.status().ToString();
    crm_ = std::move(*crm);
    RegisterCrmTools(registry_, crm_);
  }

  // Calls `tool` after checking `args` against its input schema; the result
  // is checked against the output schema when the call succeeds.
  Result<Json> Call(const std::string& tool, const std::string& stem, const Json& args,
                    const std::string& key = "") {
    ExpectMatchesSchema(stem, "in", args);
    Tool* t = registry_.Find(tool);
    EXPECT_NE(t, nullptr) << tool;
    if (!t) return NotFound(tool);
    ToolCallContext ctx;
    ctx.idempotency_key = key;
    Result<Json> out = t->Call(args, ctx);
    if (out.ok()) ExpectMatchesSchema(stem, "out", *out);
    return out;
  }

  std::shared_ptr<DemoCrm> crm_;
  ToolRegistry registry_;
};

TEST_F(CrmToolsTest, RegistersTheSevenTools) {
  EXPECT_EQ(registry_.Names(),
            (std::vector<std::string>{"analytics.get_usage_trend", "billing.get_contract",
                                      "book_followup", "crm.get_account", "draft_renewal_email",
                                      "escalate_to_engineering", "request_discount_approval"}));
}

TEST_F(CrmToolsTest, ReadToolsReturnTheDocumentedShapes) {
  auto account = Call("crm.get_account", "get_account", {{"account_id", "A-1042"}});
  ASSERT_TRUE(account.ok()) << account.status().ToString();
  EXPECT_EQ(Keys(*account),
            (std::set<std::string>{"account_id", "name", "segment", "arr", "health_score", "owner",
                                   "contacts", "open_deals"}));
  EXPECT_EQ(Keys((*account)["contacts"][0]),
            (std::set<std::string>{"name", "title", "email", "role"}));

  auto usage = Call("analytics.get_usage_trend", "get_usage_trend",
                    {{"account_id", "A-1042"}, {"days", 90}});
  ASSERT_TRUE(usage.ok()) << usage.status().ToString();
  EXPECT_EQ(Keys(*usage),
            (std::set<std::string>{"account_id", "days", "active_users", "first_week_avg",
                                   "last_week_avg", "trend_pct", "seats_used_pct", "direction"}));
  EXPECT_EQ((*usage)["active_users"].size(), 90u);
  // Compact: thousands of runs hold this at once.
  EXPECT_LT(usage->dump().size(), 700u);

  auto contract = Call("billing.get_contract", "get_contract", {{"account_id", "A-1042"}});
  ASSERT_TRUE(contract.ok()) << contract.status().ToString();
  EXPECT_EQ(Keys(*contract),
            (std::set<std::string>{"account_id", "renewal_date", "days_to_renewal", "term_months",
                                   "annual_price", "seats", "clauses", "past_discounts"}));
  EXPECT_EQ(Keys((*contract)["clauses"]),
            (std::set<std::string>{"auto_renew", "price_cap_pct", "termination_notice_days",
                                   "sla_tier"}));
}

TEST_F(CrmToolsTest, SideEffectToolsAreIdempotentByKey) {
  Json discount = {{"account_id", "A-1042"}, {"discount_pct", 7.5}, {"justification", "2y term"}};
  auto r1 = Call("request_discount_approval", "request_discount_approval", discount, "run/a/0");
  auto r2 = Call("request_discount_approval", "request_discount_approval", discount, "run/a/0");
  ASSERT_TRUE(r1.ok() && r2.ok()) << r1.status().ToString();
  EXPECT_EQ(*r1, *r2);
  EXPECT_EQ((*r1)["status"], "submitted");

  Json followup = {{"account_id", "A-1042"}, {"when", "2026-11-20"}, {"topic", "QBR"}};
  auto f1 = Call("book_followup", "book_followup", followup, "run/b/0");
  ASSERT_TRUE(f1.ok()) << f1.status().ToString();
  EXPECT_EQ((*f1)["when"], "2026-11-20");

  Json ticket = {{"account_id", "A-1042"}, {"summary", "sync failing"}, {"severity", "high"}};
  auto t1 = Call("escalate_to_engineering", "escalate_to_engineering", ticket, "run/c/0");
  ASSERT_TRUE(t1.ok()) << t1.status().ToString();

  Json draft = {{"account_id", "A-1042"},
                {"to", "cfo@example.com"},
                {"subject", "Your renewal"},
                {"body", "Hi"}};
  auto d1 = Call("draft_renewal_email", "draft_renewal_email", draft, "run/d/0");
  auto d2 = Call("draft_renewal_email", "draft_renewal_email", draft, "run/d/0");
  auto d3 = Call("draft_renewal_email", "draft_renewal_email", draft, "run/d/1");
  ASSERT_TRUE(d1.ok() && d2.ok() && d3.ok());
  EXPECT_EQ(*d1, *d2);
  EXPECT_NE(*d1, *d3);

  EXPECT_EQ(*crm_->CountSideEffects("discount_requests"), 1);
  EXPECT_EQ(*crm_->CountSideEffects("followups"), 1);
  EXPECT_EQ(*crm_->CountSideEffects("escalations"), 1);
  EXPECT_EQ(*crm_->CountSideEffects("email_drafts"), 2);
}

TEST_F(CrmToolsTest, UnknownAccountIsAStructuredNotFound) {
  auto out = Call("billing.get_contract", "get_contract", {{"account_id", "A-9999"}});
  ASSERT_FALSE(out.ok());
  Json error = ToolErrorJson(out.status());
  EXPECT_EQ(error["error"], "not_found");
  EXPECT_EQ(error["message"], "account A-9999 not found");
  EXPECT_EQ(error["retryable"], false);
}

TEST_F(CrmToolsTest, OddArgumentsAreInvalidNeverACrash) {
  ToolCallContext ctx;
  // Arguments no tool accepts.
  const Json odd[] = {Json(), Json::array(), Json("A-1042"), Json{{"account_id", 1042}}};
  for (const std::string& name : registry_.Names()) {
    for (const Json& args : odd) {
      Result<Json> out = registry_.Find(name)->Call(args, ctx);
      ASSERT_FALSE(out.ok()) << name << " " << args.dump();
      EXPECT_EQ(out.status().type(), "invalid_argument") << name << " " << args.dump();
    }
  }
  Tool* usage = registry_.Find("analytics.get_usage_trend");
  for (const Json& days : {Json("ninety"), Json(2.5), Json(1e300), Json(-3), Json()}) {
    Result<Json> out = usage->Call({{"account_id", "A-1042"}, {"days", days}}, ctx);
    ASSERT_FALSE(out.ok()) << days.dump();
    EXPECT_EQ(out.status().type(), "invalid_argument") << days.dump();
  }
  Result<Json> out = registry_.Find("request_discount_approval")
                         ->Call({{"account_id", "A-1042"}, {"justification", "x"}}, ctx);
  EXPECT_EQ(out.status().type(), "invalid_argument");
}

}  // namespace
}  // namespace keel
