// The lead desk over a freshly seeded demo CRM, and its tools' JSON edge.
#include "crm/sales_desk.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crm/crm_test_util.h"
#include "tools/tool.h"

namespace keel {
namespace {

using ::testing::HasSubstr;

class SalesDeskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = crm_test::TempPath("desk_" + std::to_string(++count_) + ".db");
    ASSERT_TRUE(SeedDemoCrm(path_, 42, 50).ok());
    auto desk = SalesDesk::Open(path_, &clock_);
    ASSERT_TRUE(desk.ok()) << desk.status().ToString();
    desk_ = std::move(desk).value();
  }

  static inline int count_ = 0;
  FakeClock clock_{1'795'000'000'000'000};  // 2026-11-18T11:06:40Z, a Wednesday
  std::string path_;
  std::shared_ptr<SalesDesk> desk_;
};

TEST_F(SalesDeskTest, LeadsAreSeededOncePerAccountAndReadByLogicalNames) {
  Result<Json> lead = desk_->ReadLead("L-1000");
  ASSERT_TRUE(lead.ok()) << lead.status().ToString();
  EXPECT_EQ((*lead)["version"], 1);
  const Json& fields = (*lead)["fields"];
  EXPECT_EQ(fields["account_id"], "A-1000");
  EXPECT_EQ(fields["status"], "new");
  EXPECT_TRUE(fields["score"].is_null());
  std::string email = fields["contact_email"];
  EXPECT_EQ(email.substr(email.find('@') + 1), fields["domain"]);
  // Opening again seeds nothing twice.
  ASSERT_TRUE(SalesDesk::Open(path_, &clock_).ok());
  EXPECT_EQ(desk_->ReadLead("L-1049")->at("version"), 1);
  EXPECT_EQ(desk_->ReadLead("L-1050").status().type(), "not_found");
}

TEST_F(SalesDeskTest, UpdatesNeedTheCurrentVersion) {
  Result<Json> updated =
      desk_->UpdateLead("L-1001", 1, {{"status", "researched"}, {"score", 72}}, "");
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ((*updated)["version"], 2);
  EXPECT_EQ((*updated)["fields"]["score"], 72);
  EXPECT_EQ((*updated)["fields"]["status"], "researched");

  Result<Json> stale = desk_->UpdateLead("L-1001", 1, {{"status", "lost"}}, "");
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().type(), "conflict");
  EXPECT_EQ(stale.status().message(),
            "lead L-1001 changed since version 1 (it is at version 2): read it again and reapply");
  EXPECT_EQ(desk_->ReadLead("L-1001")->at("fields")["status"], "researched");
}

TEST_F(SalesDeskTest, UpdatesCheckFieldsAndRepeatNothingUnderOneKey) {
  EXPECT_THAT(desk_->UpdateLead("L-1002", 1, {{"colour", "red"}}, "").status().message(),
              HasSubstr("unknown lead field 'colour'"));
  EXPECT_THAT(desk_->UpdateLead("L-1002", 1, {{"company", "X"}}, "").status().message(),
              HasSubstr("read-only"));
  EXPECT_THAT(desk_->UpdateLead("L-1002", 1, {{"score", 101}}, "").status().message(),
              HasSubstr("0..100"));
  EXPECT_EQ(desk_->UpdateLead("L-9999", 1, {{"status", "x"}}, "").status().type(), "not_found");
  ASSERT_TRUE(desk_->UpdateLead("L-1002", 1, {{"status", "working"}}, "run/update/1").ok());
  // The retry of a step that already wrote: no conflict, no second write.
  Result<Json> again = desk_->UpdateLead("L-1002", 1, {{"status", "working"}}, "run/update/1");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)["version"], 2);
}

TEST_F(SalesDeskTest, SideEffectsWriteOnceUnderAKey) {
  Result<std::string> task = desk_->CreateTask("Call back", "2026-11-20", "L-1000", "k1");
  ASSERT_TRUE(task.ok()) << task.status().ToString();
  EXPECT_EQ(*desk_->CreateTask("Call back", "2026-11-20", "L-1000", "k1"), *task);
  EXPECT_EQ(*desk_->Count("tasks"), 1);
  EXPECT_FALSE(desk_->CreateTask("Call", "next week", "L-1000", "").ok());
  ASSERT_TRUE(desk_->LogActivity("L-1000", "call", "Left a voicemail", "").ok());
  EXPECT_FALSE(desk_->LogActivity("L-1000", "fax", "x", "").ok());
  EXPECT_EQ(*desk_->Count("activities"), 1);
  ASSERT_TRUE(desk_->SendEmail("ada@granitehealth.com", "Hello", "Body", "m1").ok());
  ASSERT_TRUE(desk_->SendEmail("ada@granitehealth.com", "Hello", "Body", "m1").ok());
  EXPECT_EQ(desk_->SendEmail("not-an-address", "Hello", "Body", "").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(*desk_->Count("outbox"), 1);  // queued once, never sent
}

TEST_F(SalesDeskTest, SearchAndDealHistory) {
  Result<Json> account = desk_->ReadLead("L-1003");
  ASSERT_TRUE(account.ok());
  std::string name = (*account)["fields"]["contact_name"];
  Result<Json> found = desk_->SearchContacts(name.substr(0, name.find(' ')), 5);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_FALSE((*found)["contacts"].empty());
  EXPECT_LE((*found)["contacts"].size(), 5u);
  EXPECT_EQ(desk_->SearchContacts("a", 5).status().code(), StatusCode::kInvalidArgument);

  Result<Json> deals = desk_->DealHistory("A-1003");
  ASSERT_TRUE(deals.ok()) << deals.status().ToString();
  EXPECT_EQ((*deals)["open_count"].get<int64_t>() + (*deals)["closed_count"].get<int64_t>(),
            static_cast<int64_t>((*deals)["deals"].size()));
  EXPECT_EQ(desk_->DealHistory("A-9999").status().type(), "not_found");
}

TEST_F(SalesDeskTest, ToolsSpeakJsonAndTellTheTime) {
  ToolRegistry registry;
  RegisterSalesDeskTools(registry, desk_, &clock_);
  ToolCallContext ctx;
  ctx.idempotency_key = "r/t/1";
  Result<Json> task =
      registry.Find("create_task")
          ->Call({{"subject", "Intro call"}, {"due_date", "2026-11-25"}, {"lead_id", "L-1000"}},
                 ctx);
  ASSERT_TRUE(task.ok()) << task.status().ToString();
  EXPECT_EQ((*task)["due_date"], "2026-11-25");
  Result<Json> soon =
      registry.Find("create_task")
          ->Call({{"subject", "Follow up"}, {"due_in_days", 2}, {"account_id", "A-1000"}},
                 ToolCallContext{});
  ASSERT_TRUE(soon.ok()) << soon.status().ToString();
  EXPECT_EQ((*soon)["due_date"], "2026-11-20");
  Result<Json> now = registry.Find("get_current_time")->Call(Json::object(), ctx);
  ASSERT_TRUE(now.ok());
  EXPECT_EQ((*now)["unix_s"], 1'795'000'000);
  EXPECT_EQ((*now)["iso"], "2026-11-18T11:06:40Z");
  EXPECT_EQ((*now)["weekday"], "Wednesday");
  EXPECT_EQ(registry.Find("update_lead_record")
                ->Call({{"lead_id", "L-1000"}, {"fields", {{"status", "x"}}}}, ctx)
                .status()
                .message(),
            "argument 'version' is required");
}

TEST(CheckDomainTest, SyntaxAndTheLocalLists) {
  EXPECT_EQ(CheckDomain("Granitehealth.COM")["category"], "company");
  EXPECT_EQ(CheckDomain("ada@gmail.com")["category"], "free_email");
  EXPECT_EQ(CheckDomain("mailinator.com")["valid"], false);
  EXPECT_EQ(CheckDomain("acme.example")["category"], "reserved");
  EXPECT_EQ(CheckDomain("example.com")["category"], "reserved");
  EXPECT_EQ(CheckDomain("localhost")["category"], "invalid");
  EXPECT_EQ(CheckDomain("-acme.com")["category"], "invalid");
  EXPECT_EQ(CheckDomain("acme..com")["category"], "invalid");
  EXPECT_EQ(CheckDomain("acme.c0m")["category"], "invalid");
  EXPECT_EQ(CheckDomain("acme_corp.com")["reason"], "'_' is not allowed in a domain");
  EXPECT_EQ(CheckDomain("sub.acme.co.uk.")["domain"], "sub.acme.co.uk");
}

}  // namespace
}  // namespace keel
