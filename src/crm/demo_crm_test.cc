#include "crm/demo_crm.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "crm/crm_test_util.h"
#include "crm/internal/crm_impl.h"
#include "crm/iso_date.h"

namespace keel {
namespace {

using crm_test::FreshSeeded;
using crm_test::SeededPath;
using crm_test::TempPath;

std::unique_ptr<DemoCrm> OpenOrDie(const std::string& path, Clock* clock = Clock::Real()) {
  auto crm = DemoCrm::Open(path, clock);
  EXPECT_TRUE(crm.ok()) << crm.status().ToString();
  return crm.ok() ? std::move(*crm) : nullptr;
}

TEST(DemoCrmOpenTest, MissingFileIsNotFoundNamingThePath) {
  std::string path = TempPath("missing.db");
  auto crm = DemoCrm::Open(path);
  ASSERT_FALSE(crm.ok());
  EXPECT_EQ(crm.status().code(), StatusCode::kNotFound);
  EXPECT_NE(crm.status().message().find(path), std::string::npos);
}

TEST(DemoCrmOpenTest, GarbageTruncatedOrForeignFilesAreDataLoss) {
  std::string garbage = TempPath("garbage.db");
  { std::ofstream(garbage) << std::string(8192, 'x'); }

  std::string truncated = FreshSeeded("truncated.db");
  std::filesystem::resize_file(truncated, std::filesystem::file_size(truncated) / 2);

  // A valid SQLite file that is not a demo CRM.
  std::string foreign = TempPath("foreign.db");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(foreign.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE t (x)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);

  for (const std::string& path : {garbage, truncated, foreign}) {
    auto crm = DemoCrm::Open(path);
    ASSERT_FALSE(crm.ok()) << path;
    EXPECT_EQ(crm.status().code(), StatusCode::kDataLoss) << crm.status().ToString();
    EXPECT_NE(crm.status().message().find(path), std::string::npos);
  }
}

TEST(DemoCrmReadTest, GetAccountReturnsContactsByRoleAndOpenDealsBySoonest) {
  auto crm = OpenOrDie(SeededPath());
  ASSERT_TRUE(crm);
  const std::set<std::string> segments = {"SMB", "Mid-Market", "Enterprise"};
  const std::set<std::string> open_stages = {"prospecting", "discovery", "proposal", "negotiation"};
  for (const char* id : {"A-1000", "A-1500", "A-1999"}) {
    auto a = crm->GetAccount(id);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    EXPECT_EQ(a->account_id, id);
    EXPECT_FALSE(a->name.empty());
    EXPECT_TRUE(segments.count(a->segment)) << a->segment;
    EXPECT_GT(a->arr, 0);
    EXPECT_GE(a->health_score, 0);
    EXPECT_LE(a->health_score, 100);
    EXPECT_FALSE(a->owner.empty());
    ASSERT_GE(a->contacts.size(), 2u);
    ASSERT_LE(a->contacts.size(), 6u);
    EXPECT_EQ(a->contacts[0].role, "economic_buyer");
    for (const auto& c : a->contacts) EXPECT_NE(c.email.find('@'), std::string::npos);
    for (size_t i = 0; i < a->open_deals.size(); ++i) {
      EXPECT_TRUE(open_stages.count(a->open_deals[i].stage));
      EXPECT_GT(a->open_deals[i].close_date, kCrmReferenceDate);
      if (i > 0) {
        EXPECT_GE(a->open_deals[i].close_date, a->open_deals[i - 1].close_date);
      }
    }
  }
}

TEST(DemoCrmReadTest, UsageTrendSummarizesTheWindowItReturns) {
  auto crm = OpenOrDie(SeededPath());
  ASSERT_TRUE(crm);
  for (int days : {1, 7, 30, 90}) {
    auto u = crm->GetUsageTrend("A-1042", days);
    ASSERT_TRUE(u.ok()) << u.status().ToString();
    ASSERT_EQ(u->days, days);
    ASSERT_EQ(static_cast<int>(u->active_users.size()), days);
    int week = std::min(7, days);
    double first = 0, last = 0;
    for (int i = 0; i < week; ++i) {
      first += u->active_users[i];
      last += u->active_users[days - week + i];
    }
    EXPECT_NEAR(u->first_week_avg, first / week, 0.05);
    EXPECT_NEAR(u->last_week_avg, last / week, 0.05);
    if (first > 0) {
      EXPECT_NEAR(u->trend_pct, (last - first) / first * 100, 0.05);
    }
    const char* expected =
        u->trend_pct >= 5 ? "growing" : (u->trend_pct <= -5 ? "shrinking" : "flat");
    EXPECT_EQ(u->direction, expected);
    EXPECT_GT(u->seats_used_pct, 0);
    EXPECT_LE(u->seats_used_pct, 100);
  }
  // The 7-day window is the newest week of the 90-day one.
  auto all = crm->GetUsageTrend("A-1042", 90);
  auto week = crm->GetUsageTrend("A-1042", 7);
  ASSERT_TRUE(all.ok() && week.ok());
  EXPECT_TRUE(std::equal(week->active_users.begin(), week->active_users.end(),
                         all->active_users.end() - 7));
  for (int bad : {0, -1, 91}) {
    EXPECT_EQ(crm->GetUsageTrend("A-1042", bad).status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(DemoCrmReadTest, ContractCountsDaysFromTheReferenceDate) {
  auto crm = OpenOrDie(SeededPath());
  ASSERT_TRUE(crm);
  const std::set<std::string> tiers = {"standard", "premium", "platinum"};
  for (const char* id : {"A-1000", "A-1333", "A-1999"}) {
    auto c = crm->GetContract(id);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(FormatIsoDate(*ParseIsoDate(kCrmReferenceDate) + c->days_to_renewal),
              c->renewal_date);
    EXPECT_GE(c->days_to_renewal, 15);
    EXPECT_LE(c->days_to_renewal, 180);
    EXPECT_TRUE(c->term_months == 12 || c->term_months == 24 || c->term_months == 36);
    EXPECT_GT(c->annual_price, 0);
    EXPECT_GT(c->seats, 0);
    EXPECT_TRUE(tiers.count(c->sla_tier));
    EXPECT_GT(c->price_cap_pct, 0);
    EXPECT_GT(c->termination_notice_days, 0);
    EXPECT_LE(c->past_discounts.size(), 3u);
    for (size_t i = 1; i < c->past_discounts.size(); ++i) {
      EXPECT_LT(c->past_discounts[i - 1].year, c->past_discounts[i].year);
    }
  }
}

TEST(DemoCrmReadTest, UnknownAccountsAreNotFound) {
  auto crm = OpenOrDie(SeededPath());
  ASSERT_TRUE(crm);
  for (const Status& s :
       {crm->GetAccount("A-9999").status(), crm->GetUsageTrend("A-9999", 30).status(),
        crm->GetContract("A-9999").status()}) {
    EXPECT_EQ(s.code(), StatusCode::kNotFound);
    EXPECT_EQ(s.type(), "not_found");
    EXPECT_EQ(s.message(), "account A-9999 not found");
  }
  // Odd ids are just unknown ids, never a crash or an SQL error.
  for (const char* odd : {"", "' OR 1=1 --", "A-1000\n", "\xff\xfe"}) {
    EXPECT_EQ(crm->GetAccount(odd).status().code(), StatusCode::kNotFound) << odd;
  }
}

TEST(DemoCrmWriteTest, SameIdempotencyKeyWritesOnceAndReturnsTheFirstResult) {
  FakeClock clock;
  auto crm = OpenOrDie(FreshSeeded("idem.db"), &clock);
  ASSERT_TRUE(crm);
  auto first = crm->BookFollowup("A-1001", "2026-11-10", "renewal call", "run1/followup/0");
  auto again = crm->BookFollowup("A-1001", "2026-12-24", "other topic", "run1/followup/0");
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ(again->followup_id, first->followup_id);
  EXPECT_EQ(again->when, "2026-11-10");
  EXPECT_EQ(*crm->CountSideEffects("followups"), 1);

  auto other = crm->BookFollowup("A-1001", "2026-11-11", "renewal call", "run2/followup/0");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->followup_id, first->followup_id);
  EXPECT_EQ(*crm->CountSideEffects("followups"), 2);

  // Without a key every call is a new write.
  ASSERT_TRUE(crm->EscalateToEngineering("A-1001", "sync broken", "high", "").ok());
  ASSERT_TRUE(crm->EscalateToEngineering("A-1001", "sync broken", "high", "").ok());
  EXPECT_EQ(*crm->CountSideEffects("escalations"), 2);

  auto d1 = crm->RequestDiscountApproval("A-1001", 8, "multi-year", "k");
  auto d2 = crm->RequestDiscountApproval("A-1001", 8, "multi-year", "k");
  auto e1 = crm->DraftRenewalEmail("A-1001", "a@b.com", "Renewal", "Hello", "k");
  auto e2 = crm->DraftRenewalEmail("A-1001", "a@b.com", "Renewal", "Hello", "k");
  ASSERT_TRUE(d1.ok() && d2.ok() && e1.ok() && e2.ok());
  EXPECT_EQ(*d1, *d2);
  EXPECT_EQ(*e1, *e2);
  EXPECT_EQ(*crm->CountSideEffects("discount_requests"), 1);
  EXPECT_EQ(*crm->CountSideEffects("email_drafts"), 1);

  // The rows survive reopening, and the key still deduplicates.
  std::string path = crm->path();
  crm.reset();
  auto reopened = OpenOrDie(path, &clock);
  ASSERT_TRUE(reopened);
  auto replay = reopened->DraftRenewalEmail("A-1001", "a@b.com", "Renewal", "Hello", "k");
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(*replay, *e1);
  EXPECT_EQ(*reopened->CountSideEffects("email_drafts"), 1);
}

TEST(DemoCrmWriteTest, RejectsBadValuesAndUnknownAccountsWithoutWriting) {
  auto crm = OpenOrDie(FreshSeeded("reject.db"));
  ASSERT_TRUE(crm);
  EXPECT_EQ(crm->BookFollowup("A-1001", "next tuesday", "call", "k1").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(crm->RequestDiscountApproval("A-1001", 120, "why", "k2").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(crm->RequestDiscountApproval("A-1001", std::nan(""), "why", "k2").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(crm->EscalateToEngineering("A-1001", "x", "urgent", "k3").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(crm->DraftRenewalEmail("A-1001", "nobody", "s", "b", "k4").status().code(),
            StatusCode::kInvalidArgument);
  Status missing = crm->DraftRenewalEmail("A-9999", "a@b.com", "s", "b", "k5").status();
  EXPECT_EQ(missing.type(), "not_found");
  for (const char* table : {"discount_requests", "followups", "escalations", "email_drafts"}) {
    EXPECT_EQ(*crm->CountSideEffects(table), 0) << table;
  }
  EXPECT_EQ(crm->CountSideEffects("accounts; DROP TABLE accounts").status().code(),
            StatusCode::kInvalidArgument);
  // The refused write's transaction was rolled back: the next one goes through.
  Result<std::string> draft = crm->DraftRenewalEmail("A-1001", "a@b.com", "s", "b", "k5");
  ASSERT_TRUE(draft.ok()) << draft.status().ToString();
  EXPECT_EQ(*crm->CountSideEffects("email_drafts"), 1);
}

// Two DemoCrm instances on one file stand for two processes: each write is
// one transaction holding SQLite's write lock, so a key is written once.
TEST(DemoCrmWriteTest, WritersOfTwoInstancesShareOneRowPerKey) {
  std::string path = FreshSeeded("two_writers.db");
  auto first = OpenOrDie(path);
  auto second = OpenOrDie(path);
  ASSERT_TRUE(first && second);
  constexpr int kCalls = 100;
  std::vector<std::string> ids[2];
  std::thread a([&] {
    for (int i = 0; i < kCalls; ++i) {
      auto id = first->BookFollowup("A-1001", "2026-12-01", "call", "key-" + std::to_string(i));
      ids[0].push_back(id.ok() ? id->followup_id : id.status().ToString());
    }
  });
  std::thread b([&] {
    for (int i = 0; i < kCalls; ++i) {
      auto id = second->BookFollowup("A-1001", "2026-12-01", "call", "key-" + std::to_string(i));
      ids[1].push_back(id.ok() ? id->followup_id : id.status().ToString());
    }
  });
  a.join();
  b.join();
  EXPECT_EQ(ids[0], ids[1]);
  EXPECT_EQ(*first->CountSideEffects("followups"), kCalls);
}

// A connection left inside a transaction is closed, not pooled: its next
// borrower would hold the write lock without knowing it.
TEST(DemoCrmPoolTest, AConnectionInsideATransactionIsNotReused) {
  DemoCrm::Impl impl(FreshSeeded("pool.db"));
  impl.clock = Clock::Real();
  {
    Result<DemoCrm::Impl::Lease> lease = impl.Acquire();
    ASSERT_TRUE(lease.ok()) << lease.status().ToString();
    ASSERT_TRUE(lease->Exec("BEGIN IMMEDIATE").ok());
  }  // returned while the transaction is open
  auto other = OpenOrDie(impl.path);
  ASSERT_TRUE(other);
  Result<std::string> written = other->RequestDiscountApproval("A-1001", 5, "pilot", "k-pool");
  EXPECT_TRUE(written.ok()) << "the write lock was left held: " << written.status().ToString();
  Result<DemoCrm::Impl::Lease> next = impl.Acquire();
  ASSERT_TRUE(next.ok());
  EXPECT_TRUE(next->Exec("BEGIN IMMEDIATE").ok()) << "a fresh connection, in no transaction";
  EXPECT_TRUE(next->Exec("ROLLBACK").ok());
}

// Commits only report the WAL's size; once it passes WalCheckpointer::kDefaultFrames
// the checkpointer's own thread copies it back into the database.
TEST(DemoCrmPoolTest, ALargeWalIsCheckpointedByTheCheckpointer) {
  DemoCrm::Impl impl(FreshSeeded("checkpoint.db"));
  impl.clock = Clock::Real();
  EXPECT_EQ(impl.checkpointer.checkpoints(), 0);
  {
    Result<DemoCrm::Impl::Lease> lease = impl.Acquire();
    ASSERT_TRUE(lease.ok()) << lease.status().ToString();
    // 1,000 rows of 6 KB: past the threshold in one commit.
    Status inserted = lease->Exec(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) "
        "INSERT INTO followups SELECT 'FU-' || i, NULL, 'A-1001', '2026-12-01', "
        "hex(zeroblob(3000)), 0 FROM n");
    ASSERT_TRUE(inserted.ok()) << inserted.ToString();
  }
  for (int i = 0; i < 1000 && impl.checkpointer.checkpoints() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(impl.checkpointer.checkpoints(), 1);
}

TEST(DemoCrmWriteTest, ConcurrentCallersShareOneRowPerKey) {
  auto crm = OpenOrDie(FreshSeeded("concurrent.db"));
  ASSERT_TRUE(crm);
  constexpr int kThreads = 4, kCalls = 50;
  std::vector<std::thread> threads;
  std::vector<std::vector<std::string>> ids(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        std::string account = "A-" + std::to_string(1000 + i);
        if (!crm->GetAccount(account).ok() || !crm->GetUsageTrend(account, 90).ok()) {
          ids[t].push_back("read failed");
          continue;
        }
        auto id = crm->RequestDiscountApproval(account, 5, "pilot", "key-" + std::to_string(i));
        ids[t].push_back(id.ok() ? *id : id.status().ToString());
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 1; t < kThreads; ++t) EXPECT_EQ(ids[t], ids[0]);
  EXPECT_EQ(*crm->CountSideEffects("discount_requests"), kCalls);
}

}  // namespace
}  // namespace keel
