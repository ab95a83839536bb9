// Store conformance, part 2: leases, approval decisions and pruning.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "store/store_conformance.h"

namespace keel::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// The pid of a process that has exited and been reaped: it no longer exists.
int64_t DeadPid() {
  pid_t child = fork();
  if (child == 0) _exit(0);
  int status = 0;
  waitpid(child, &status, 0);
  return child;
}

std::vector<std::string> Claim(Store& store, const LeaseOwner& owner, int64_t now, int max = 10) {
  Result<std::vector<std::string>> claimed = store.ClaimRuns(owner, now, 30 * kSecond, max);
  EXPECT_TRUE(claimed.ok()) << claimed.status().ToString();
  return claimed.ok() ? *claimed : std::vector<std::string>{};
}

const LeaseOwner kWorkerA{"worker-a", "host-1", getpid()};
const LeaseOwner kWorkerB{"worker-b", "host-1", getpid()};

TEST_P(StoreConformanceTest, ClaimLeasesOldestPendingRunsFirst) {
  AddRun("r-late", kT0 + 30);
  AddRun("r-early", kT0 + 10);
  AddRun("r-mid", kT0 + 20);
  EXPECT_THAT(Claim(*store_, kWorkerA, kT0, 2), ElementsAre("r-early", "r-mid"));

  Result<RunRecord> run = store_->GetRun("r-early");
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->status, RunStatus::kRunning);
  EXPECT_EQ(run->lease_owner, "worker-a");
  EXPECT_EQ(run->lease_host, "host-1");
  EXPECT_EQ(run->lease_pid, getpid());
  EXPECT_EQ(run->lease_expires_us, kT0 + 30 * kSecond);

  EXPECT_THAT(Claim(*store_, kWorkerB, kT0), ElementsAre("r-late"));
  EXPECT_THAT(Claim(*store_, kWorkerB, kT0), IsEmpty());
  EXPECT_THAT(Claim(*store_, kWorkerA, kT0, 0), IsEmpty());
}

TEST_P(StoreConformanceTest, RenewedLeasesHoldAndExpiredLeasesAreTakenOver) {
  AddRun("r-1");
  ASSERT_THAT(Claim(*store_, kWorkerA, kT0), ElementsAre("r-1"));  // until kT0 + 30 s
  EXPECT_THAT(Claim(*store_, kWorkerB, kT0 + 20 * kSecond), IsEmpty());
  ASSERT_TRUE(store_->RenewLeases(kWorkerA, kT0 + 20 * kSecond, 30 * kSecond).ok());
  EXPECT_EQ(store_->GetRun("r-1")->lease_expires_us, kT0 + 50 * kSecond);
  EXPECT_THAT(Claim(*store_, kWorkerB, kT0 + 49 * kSecond), IsEmpty());
  EXPECT_THAT(Claim(*store_, kWorkerB, kT0 + 50 * kSecond), ElementsAre("r-1"));
  EXPECT_EQ(store_->GetRun("r-1")->lease_owner, "worker-b");
  // The old holder's renewal no longer touches a lease it lost.
  ASSERT_TRUE(store_->RenewLeases(kWorkerA, kT0 + 51 * kSecond, 30 * kSecond).ok());
  EXPECT_EQ(store_->GetRun("r-1")->lease_expires_us, kT0 + 80 * kSecond);
}

TEST_P(StoreConformanceTest, LeaseOfDeadProcessOnSameHostIsTakenOverAtOnce) {
  AddRun("r-live", kT0);
  AddRun("r-dead", kT0 + 1);
  ASSERT_THAT(Claim(*store_, kWorkerA, kT0, 1), ElementsAre("r-live"));
  LeaseOwner dead{"worker-dead", "host-1", DeadPid()};
  ASSERT_THAT(Claim(*store_, dead, kT0, 1), ElementsAre("r-dead"));

  LeaseOwner elsewhere{"worker-c", "host-2", getpid()};
  EXPECT_THAT(Claim(*store_, elsewhere, kT0 + kSecond), IsEmpty());  // cannot see host-1's pids
  EXPECT_THAT(Claim(*store_, kWorkerB, kT0 + kSecond), ElementsAre("r-dead"));
  EXPECT_EQ(store_->GetRun("r-dead")->lease_owner, "worker-b");
  EXPECT_EQ(store_->GetRun("r-live")->lease_owner, "worker-a");
}

TEST_P(StoreConformanceTest, ParkedRunWakesAtItsWakeTime) {
  AddRun("r-1");
  ASSERT_THAT(Claim(*store_, kWorkerA, kT0), ElementsAre("r-1"));
  Park("r-1", "ap-1", kT0 + 100 * kSecond);
  Result<std::optional<int64_t>> wake = store_->NextWake();
  ASSERT_TRUE(wake.ok() && wake->has_value());
  EXPECT_EQ(**wake, kT0 + 100 * kSecond);
  EXPECT_THAT(Claim(*store_, kWorkerA, kT0 + 99 * kSecond), IsEmpty());
  EXPECT_THAT(Claim(*store_, kWorkerA, kT0 + 100 * kSecond), ElementsAre("r-1"));
  EXPECT_FALSE(store_->NextWake()->has_value());
}

TEST_P(StoreConformanceTest, HasRunnableCountsClaimableAndLiveLeasedRuns) {
  EXPECT_FALSE(*store_->HasRunnable(kT0));
  AddRun("r-1");
  EXPECT_TRUE(*store_->HasRunnable(kT0));
  ASSERT_THAT(Claim(*store_, kWorkerA, kT0), ElementsAre("r-1"));
  EXPECT_TRUE(*store_->HasRunnable(kT0));  // someone is still working on it
  Park("r-1", "ap-1", kT0 + 100 * kSecond);
  EXPECT_FALSE(*store_->HasRunnable(kT0 + 99 * kSecond));
  EXPECT_TRUE(*store_->HasRunnable(kT0 + 100 * kSecond));
  Finish("r-1", RunStatus::kSucceeded);
  EXPECT_FALSE(*store_->HasRunnable(kT0 + 100 * kSecond));
}

TEST_P(StoreConformanceTest, ConcurrentClaimsNeverShareARun) {
  constexpr int kRuns = 60;
  for (int i = 0; i < kRuns; ++i) AddRun("r-" + std::to_string(i), kT0 + i);
  std::mutex mu;
  std::vector<std::string> all;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      LeaseOwner owner{"worker-" + std::to_string(t), "host-1", getpid()};
      while (true) {
        Result<std::vector<std::string>> got = store_->ClaimRuns(owner, kT0, 30 * kSecond, 3);
        if (!got.ok() || got->empty()) return;
        std::lock_guard<std::mutex> lock(mu);
        all.insert(all.end(), got->begin(), got->end());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(all.size(), static_cast<size_t>(kRuns));
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), static_cast<size_t>(kRuns));
}

TEST_P(StoreConformanceTest, DecisionRecordsOverrideAndWakesParkedRun) {
  AddRun("r-1");
  Park("r-1", "ap-1", kT0 + 3600 * kSecond);
  Json edited = {{"discount_pct", 8}};
  Status status = store_->DecideApproval("ap-1", ApprovalStatus::kApproved, edited,
                                         "8% is our ceiling", "maria@example.com", kT0 + kSecond);
  ASSERT_TRUE(status.ok()) << status.ToString();

  Result<Approval> a = store_->GetApproval("ap-1");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->status, ApprovalStatus::kApproved);
  EXPECT_EQ(a->proposal, Json({{"discount_pct", 12}}));
  EXPECT_EQ(a->edited, edited);
  EXPECT_EQ(a->reason, "8% is our ceiling");
  EXPECT_EQ(a->decided_by, "maria@example.com");
  EXPECT_EQ(a->decided_us, kT0 + kSecond);
  Result<RunRecord> run = store_->GetRun("r-1");
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->status, RunStatus::kPending);
  EXPECT_EQ(run->parked_on, "");
  EXPECT_EQ(run->wake_us, 0);
  EXPECT_THAT(Claim(*store_, kWorkerA, kT0 + kSecond), ElementsAre("r-1"));
}

TEST_P(StoreConformanceTest, DecisionFailsOnDecidedExpiredOrUnknownApprovals) {
  AddRun("r-1");
  AddRun("r-2");
  Park("r-1", "ap-1", kT0 + 3600 * kSecond);
  Park("r-2", "ap-2", kT0 + 60 * kSecond);
  ASSERT_TRUE(
      store_->DecideApproval("ap-1", ApprovalStatus::kRejected, nullptr, "", "sam", kT0).ok());
  Status twice = store_->DecideApproval("ap-1", ApprovalStatus::kApproved, nullptr, "", "al", kT0);
  EXPECT_EQ(twice.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(twice.message(), "approval ap-1 is rejected");

  Status late = store_->DecideApproval("ap-2", ApprovalStatus::kApproved, nullptr, "", "al",
                                       kT0 + 60 * kSecond);
  EXPECT_EQ(late.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(late.message(), "approval ap-2 expired at 2023-11-14T22:14:20Z");
  EXPECT_EQ(StatusOf("r-2"), RunStatus::kParked);

  EXPECT_EQ(
      store_->DecideApproval("ap-9", ApprovalStatus::kApproved, nullptr, "", "al", kT0).code(),
      StatusCode::kNotFound);
  EXPECT_EQ(store_->DecideApproval("ap-2", ApprovalStatus::kExpired, nullptr, "", "al", kT0).code(),
            StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, ConcurrentDecisionsHaveOneWinner) {
  AddRun("r-1");
  Park("r-1", "ap-1", kT0 + 3600 * kSecond);
  std::atomic<int> ok{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      ApprovalStatus decision = t % 2 == 0 ? ApprovalStatus::kApproved : ApprovalStatus::kRejected;
      Status s = store_->DecideApproval("ap-1", decision, nullptr, "", "u" + std::to_string(t),
                                        kT0 + kSecond);
      if (s.ok()) ++ok;
      if (s.code() == StatusCode::kFailedPrecondition) ++refused;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(refused.load(), 5);
}

TEST_P(StoreConformanceTest, DecisionAndEngineExpiryExcludeEachOther) {
  auto expire = [&](const std::string& approval_id, const std::string& run_id) {
    Approval a = MakeApproval(approval_id, run_id, kT0 + 60 * kSecond);
    a.status = ApprovalStatus::kExpired;
    WriteBatch batch;
    batch.approval = ChangeApproval(a, ApprovalStatus::kPending);
    batch.run_update = Update(run_id, RunStatus::kEscalated);
    batch.run_update->error = "approval expired";
    return store_->Write(std::move(batch));
  };
  AddRun("r-1");
  Park("r-1", "ap-1", kT0 + 60 * kSecond);
  ASSERT_TRUE(
      store_->DecideApproval("ap-1", ApprovalStatus::kApproved, nullptr, "", "al", kT0).ok());
  Status expired_late = expire("ap-1", "r-1");
  EXPECT_EQ(expired_late.code(), StatusCode::kAborted);
  EXPECT_EQ(StatusOf("r-1"), RunStatus::kPending);  // the expiry batch wrote nothing

  AddRun("r-2");
  Park("r-2", "ap-2", kT0 + 60 * kSecond);
  ASSERT_TRUE(expire("ap-2", "r-2").ok());
  Status decided_late =
      store_->DecideApproval("ap-2", ApprovalStatus::kApproved, nullptr, "", "al", kT0);
  EXPECT_EQ(decided_late.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(decided_late.message(), HasSubstr("is expired"));
  EXPECT_EQ(StatusOf("r-2"), RunStatus::kEscalated);
}

TEST_P(StoreConformanceTest, PruneDeletesOnlyOldFinishedRuns) {
  int64_t created = kT0;  // claims below take the oldest first
  for (const char* id :
       {"r-ok", "r-failed", "r-escalated", "r-recent", "r-parked", "r-running", "r-pending"}) {
    WriteBatch batch;
    batch.new_run = MakeRun(id, created++);
    batch.events.push_back(MakeEvent(id, 1, EventType::kRunStarted, "", "", {{"id", id}}));
    batch.spans.push_back(MakeSpan(id, std::string("s-") + id, kT0));
    ASSERT_TRUE(store_->Write(std::move(batch)).ok());
  }
  Park("r-parked", "ap-parked", kT0 + 3600 * kSecond);
  WriteBatch ask;  // an approval that belongs to a run being pruned
  ask.approval = InsertApproval(MakeApproval("ap-ok", "r-ok", kT0 + kSecond));
  ASSERT_TRUE(store_->Write(std::move(ask)).ok());
  ASSERT_THAT(Claim(*store_, kWorkerA, kT0, 1), ElementsAre("r-ok"));
  Finish("r-ok", RunStatus::kSucceeded, kT0 + 10);
  Finish("r-failed", RunStatus::kFailed, kT0 + 10);
  Finish("r-escalated", RunStatus::kEscalated, kT0 + 10);
  Finish("r-recent", RunStatus::kSucceeded, kT0 + 1000);
  ASSERT_THAT(Claim(*store_, kWorkerA, kT0, 1), ElementsAre("r-running"));

  Result<int64_t> pruned = store_->PruneFinished(kT0 + 1000);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(*pruned, 3);
  for (const char* gone : {"r-ok", "r-failed", "r-escalated"}) {
    EXPECT_EQ(store_->GetRun(gone).status().code(), StatusCode::kNotFound) << gone;
    EXPECT_THAT(*store_->LoadEvents(gone), IsEmpty()) << gone;
    EXPECT_THAT(*store_->LoadSpans(gone), IsEmpty()) << gone;
  }
  EXPECT_EQ(store_->GetApproval("ap-ok").status().code(), StatusCode::kNotFound);
  for (const char* kept : {"r-recent", "r-parked", "r-running", "r-pending"}) {
    EXPECT_TRUE(store_->GetRun(kept).ok()) << kept;
    EXPECT_EQ(store_->LoadEvents(kept)->size(), 1u) << kept;
    EXPECT_EQ(store_->LoadSpans(kept)->size(), 1u) << kept;
  }
  EXPECT_TRUE(store_->GetApproval("ap-parked").ok());
  EXPECT_EQ(*store_->PruneFinished(kT0 + 1000), 0);
}

TEST_P(StoreConformanceTest, PruneKeepsPayloadsStillSharedByOtherRuns) {
  Json shared = {{"report", std::string(4000, 'r')}};
  for (const char* id : {"r-done", "r-parked"}) {
    WriteBatch batch;
    batch.new_run = MakeRun(id);
    batch.events.push_back(MakeEvent(id, 1, EventType::kNodeCompleted, "report", "", shared));
    ASSERT_TRUE(store_->Write(std::move(batch)).ok());
  }
  Finish("r-done", RunStatus::kSucceeded, kT0);
  Park("r-parked", "ap-1", kT0 + 3600 * kSecond);
  ASSERT_EQ(*store_->PruneFinished(kT0 + 1), 1);
  Result<std::vector<Event>> events = store_->LoadEvents("r-parked");
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].payload, shared);
}

}  // namespace
}  // namespace keel::testing
