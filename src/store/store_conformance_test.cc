// Store conformance, part 1: batches, group commit and reads.
#include "core/json_text.h"
#include "store/store_conformance.h"

#include <atomic>
#include <thread>
#include <vector>

namespace keel::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST_P(StoreConformanceTest, NewRunRoundTrips) {
  RunRecord run = MakeRun("r-1", kT0);
  run.parked_on = "";
  run.error = "";
  run.result = nullptr;
  AddRun(run);
  Result<RunRecord> got = store_->GetRun("r-1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->workflow, "renewal_prep");
  EXPECT_EQ(got->entity_key, "A-1042");
  EXPECT_EQ(got->input, Json({{"account_id", "A-1042"}}));
  EXPECT_EQ(got->status, RunStatus::kPending);
  EXPECT_EQ(got->created_us, kT0);
  EXPECT_EQ(got->trace_id, run.trace_id);
  EXPECT_TRUE(got->result.is_null());
  EXPECT_EQ(got->lease_owner, "");
  EXPECT_EQ(store_->GetRun("r-missing").status().code(), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, DuplicateRunIdIsAborted) {
  AddRun("r-1");
  WriteBatch again;
  again.new_run = MakeRun("r-1");
  Status status = store_->Write(std::move(again));
  EXPECT_EQ(status.code(), StatusCode::kAborted);
  EXPECT_THAT(status.message(), HasSubstr("r-1"));
}

TEST_P(StoreConformanceTest, EventsKeepSeqOrder) {
  WriteBatch first;
  first.new_run = MakeRun("r-1");
  first.events.push_back(MakeEvent("r-1", 1, EventType::kRunStarted, "", "", {{"input", 1}}));
  first.events.push_back(MakeEvent("r-1", 2, EventType::kNodeCompleted, "fetch", "", "ok"));
  ASSERT_TRUE(store_->Write(std::move(first)).ok());
  WriteBatch second;
  second.events.push_back(MakeEvent("r-1", 3, EventType::kNodeCompleted, "x", "", 3));
  ASSERT_TRUE(store_->Write(std::move(second)).ok());

  Result<std::vector<Event>> events = store_->LoadEvents("r-1");
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].seq, 1);
  EXPECT_EQ((*events)[0].type, EventType::kRunStarted);
  EXPECT_EQ((*events)[0].payload, Json({{"input", 1}}));
  EXPECT_EQ((*events)[1].node, "fetch");
  EXPECT_EQ((*events)[1].payload, "ok");
  EXPECT_EQ((*events)[1].ts_us, kT0 + 2);
  EXPECT_EQ((*events)[2].seq, 3);
}

// A worker that stalled past its lease while another took the run over must
// not write into the new holder's log: the whole batch is refused.
TEST_P(StoreConformanceTest, OnlyTheLeaseHolderAppendsEvents) {
  WriteBatch start;
  start.new_run = MakeRun("r-1", kT0, RunStatus::kRunning);
  start.new_run->lease_owner = "w-new";
  start.new_run->lease_expires_us = kT0 + 1'000'000;
  start.events.push_back(MakeEvent("r-1", 1, EventType::kRunStarted, "", "", {{"input", 1}}));
  start.writer = "w-new";
  ASSERT_TRUE(store_->Write(std::move(start)).ok());

  WriteBatch stale;
  stale.events.push_back(MakeEvent("r-1", 2, EventType::kNodeCompleted, "x", "", "stale"));
  stale.run_update = ReleaseRun("r-1", RunStatus::kSucceeded);
  stale.writer = "w-old";
  Status refused = store_->Write(std::move(stale));
  EXPECT_EQ(refused.code(), StatusCode::kAborted);
  EXPECT_THAT(refused.message(), HasSubstr("r-1 is not leased to w-old (w-new holds it)"));

  WriteBatch holder;
  holder.events.push_back(MakeEvent("r-1", 2, EventType::kNodeCompleted, "x", "", "fresh"));
  holder.run_update = ReleaseRun("r-1", RunStatus::kParked);
  holder.writer = "w-new";
  ASSERT_TRUE(store_->Write(std::move(holder)).ok());
  WriteBatch after_release;  // parking gave the lease up
  after_release.events.push_back(MakeEvent("r-1", 3, EventType::kNodeCompleted, "y", "", 3));
  after_release.writer = "w-new";
  EXPECT_THAT(store_->Write(std::move(after_release)).message(), HasSubstr("no one holds it"));

  // A claim in the same batch comes first: the claimer may append at once.
  WriteBatch claimed;
  claimed.claim_parked = ParkedRunClaim{"r-1", LeaseOwner{"w-next", "host", 1}, kT0 + 2'000'000};
  claimed.events.push_back(MakeEvent("r-1", 3, EventType::kNodeCompleted, "y", "", "claimed"));
  claimed.writer = "w-next";
  ASSERT_TRUE(store_->Write(std::move(claimed)).ok());

  Result<std::vector<Event>> events = store_->LoadEvents("r-1");
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[1].payload, "fresh");
  EXPECT_EQ((*events)[2].payload, "claimed");
  Result<RunRecord> run = store_->GetRun("r-1");
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->status, RunStatus::kRunning);
  EXPECT_EQ(run->lease_owner, "w-next");
}

// A decision that claims a parked run it has not loaded appends the
// approval's events after the run's last one, whatever seqs they carry.
TEST_P(StoreConformanceTest, ClaimThatContinuesTheLogNumbersItsEvents) {
  WriteBatch park;
  park.new_run = MakeRun("r-1", kT0, RunStatus::kParked);
  park.events.push_back(MakeEvent("r-1", 1, EventType::kRunStarted, "", "", {{"input", 1}}));
  park.events.push_back(MakeEvent("r-1", 2, EventType::kNodeCompleted, "fetch", "", "ok"));
  park.events.push_back(MakeEvent("r-1", 3, EventType::kApprovalRequested, "approve", "", 3));
  ASSERT_TRUE(store_->Write(std::move(park)).ok());
  AddRun("r-2");  // another run's log is not counted
  WriteBatch other;
  other.events.push_back(MakeEvent("r-2", 7, EventType::kRunStarted, "", "", 7));
  ASSERT_TRUE(store_->Write(std::move(other)).ok());

  WriteBatch decided;
  decided.claim_parked = ParkedRunClaim{"r-1", LeaseOwner{"w-1", "host", 1}, kT0 + 1'000'000};
  decided.claim_parked->continue_log = true;
  decided.events.push_back(MakeEvent("r-1", 0, EventType::kApprovalDecided, "approve", "", "d"));
  decided.events.push_back(MakeEvent("r-1", 0, EventType::kNodeCompleted, "approve", "", "c"));
  decided.writer = "w-1";
  ASSERT_TRUE(store_->Write(std::move(decided)).ok());

  Result<std::vector<Event>> events = store_->LoadEvents("r-1");
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 5u);
  EXPECT_EQ((*events)[3].seq, 4);
  EXPECT_EQ((*events)[3].payload, "d");
  EXPECT_EQ((*events)[4].seq, 5);
  EXPECT_EQ((*events)[4].payload, "c");

  // A run no longer parked is not claimed, and nothing is appended.
  WriteBatch again;
  again.claim_parked = ParkedRunClaim{"r-1", LeaseOwner{"w-2", "host", 1}, kT0 + 1'000'000};
  again.claim_parked->continue_log = true;
  again.events.push_back(MakeEvent("r-1", 0, EventType::kNodeCompleted, "approve", "", "late"));
  again.writer = "w-2";
  EXPECT_EQ(store_->Write(std::move(again)).code(), StatusCode::kAborted);
  EXPECT_EQ(store_->LoadEvents("r-1")->size(), 5u);
}

TEST_P(StoreConformanceTest, NullAndLargePayloadsRoundTrip) {
  Json large = {{"notes", std::string(5000, 'n')}, {"items", Json::array({1, 2, 3})}};
  WriteBatch batch;
  batch.new_run = MakeRun("r-1");
  batch.events.push_back(MakeEvent("r-1", 1, EventType::kRunStarted, "", "", nullptr));
  batch.events.push_back(MakeEvent("r-1", 2, EventType::kNodeCompleted, "a", "", large));
  batch.events.push_back(MakeEvent("r-1", 3, EventType::kNodeCompleted, "b", "", large));
  ASSERT_TRUE(store_->Write(std::move(batch)).ok());
  WriteBatch other;  // the same content from another run
  other.new_run = MakeRun("r-2");
  other.events.push_back(MakeEvent("r-2", 1, EventType::kNodeCompleted, "a", "", large));
  ASSERT_TRUE(store_->Write(std::move(other)).ok());

  Result<std::vector<Event>> events = store_->LoadEvents("r-1");
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 3u);
  EXPECT_TRUE((*events)[0].payload.is_null());
  EXPECT_EQ((*events)[1].payload, large);
  EXPECT_EQ((*events)[2].payload, large);
  Result<std::vector<Event>> other_events = store_->LoadEvents("r-2");
  ASSERT_TRUE(other_events.ok());
  ASSERT_EQ(other_events->size(), 1u);
  EXPECT_EQ((*other_events)[0].payload, large);
  // A resume reads the same payloads as text, the large one from its blob.
  Result<std::vector<Event>> latest = store_->LoadLatestEvents("r-1");
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  ASSERT_EQ(latest->size(), 3u);
  EXPECT_EQ((*latest)[0].payload_text, "");
  EXPECT_EQ((*latest)[2].payload_text, SerializePayload(large));
}

TEST_P(StoreConformanceTest, FailedBatchRollsBackAloneInsideItsGroup) {
  AddRun("r-1");
  CommitGate gate;
  WriteBatch hold;
  hold.spans.push_back(MakeSpan("r-1", "s-0", kT0));
  gate.Hold(*store_, std::move(hold));
  int64_t transactions_before = store_->Stats().transactions;

  auto batch_with_state = [&](int64_t seq, int64_t expected_version) {
    WriteBatch batch;
    batch.events.push_back(MakeEvent("r-1", seq, EventType::kNodeCompleted, "n", "", seq));
    batch.state = StateWrite{"A-1042", expected_version, {{"seq", seq}}, "r-1"};
    return batch;
  };
  std::vector<Status> results(3);
  store_->Submit(batch_with_state(1, 0), [&](const Status& s) { results[0] = s; });
  store_->Submit(batch_with_state(2, 0), [&](const Status& s) { results[1] = s; });  // conflicts
  WriteBatch plain;
  plain.events.push_back(MakeEvent("r-1", 3, EventType::kNodeCompleted, "m", "", 3));
  store_->Submit(std::move(plain), [&](const Status& s) { results[2] = s; });
  gate.Release();
  store_->Flush();

  EXPECT_TRUE(results[0].ok()) << results[0].ToString();
  EXPECT_EQ(results[1].code(), StatusCode::kAborted);
  EXPECT_EQ(results[1].message(), "state vector A-1042 changed: expected version 0, found 1");
  EXPECT_TRUE(results[2].ok()) << results[2].ToString();
  // The three batches were one group: the gate's group plus this one.
  EXPECT_EQ(store_->Stats().transactions, transactions_before + 1);

  Result<std::vector<Event>> events = store_->LoadEvents("r-1");
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].seq, 1);
  EXPECT_EQ((*events)[1].seq, 3);
  Result<std::optional<StateVector>> state = store_->GetState("A-1042");
  ASSERT_TRUE(state.ok() && state->has_value());
  EXPECT_EQ((*state)->version, 1);
  EXPECT_EQ((*state)->data, Json({{"seq", 1}}));
}

TEST_P(StoreConformanceTest, GroupCommitWritesManyBatchesPerTransaction) {
  // 240 batches: under the SQLite store's commit queue bound (256), past
  // which Submit() waits for the held commit thread.
  constexpr int kThreads = 4;
  constexpr int kPerThread = 60;
  CommitGate gate;
  WriteBatch hold;
  hold.new_run = MakeRun("r-gate");
  gate.Hold(*store_, std::move(hold));

  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string id = "r-" + std::to_string(t) + "-" + std::to_string(i);
        WriteBatch batch;
        batch.new_run = MakeRun(id, kT0 + i);
        batch.events.push_back(MakeEvent(id, 1, EventType::kRunStarted, "", "", {{"i", i}}));
        store_->Submit(std::move(batch), [&ok](const Status& s) { ok += s.ok() ? 1 : 0; });
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  gate.Release();
  store_->Flush();

  EXPECT_EQ(ok.load(), kThreads * kPerThread);
  StoreStats stats = store_->Stats();
  EXPECT_EQ(stats.batches_committed, kThreads * kPerThread + 1);
  EXPECT_LT(stats.transactions, stats.batches_committed);
  EXPECT_LE(stats.transactions, 3);
  Result<int64_t> count = store_->CountRuns(std::nullopt);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, kThreads * kPerThread + 1);
}

TEST_P(StoreConformanceTest, FlushWaitsForCallbacks) {
  std::atomic<int> done{0};
  for (int i = 0; i < 20; ++i) {
    WriteBatch batch;
    batch.new_run = MakeRun("r-" + std::to_string(i));
    store_->Submit(std::move(batch), [&done](const Status& s) { done += s.ok() ? 1 : 0; });
  }
  store_->Flush();
  EXPECT_EQ(done.load(), 20);
}

TEST_P(StoreConformanceTest, RunUpdateSetsFieldsAndReleasesLease) {
  AddRun("r-1");
  LeaseOwner owner{"w-1", "host-a", 4242};
  ASSERT_TRUE(store_->ClaimRuns(owner, kT0, 30 * kSecond, 10).ok());

  WriteBatch park;
  park.run_update = Update("r-1", RunStatus::kParked, "ap-1", kT0 + 60 * kSecond);
  park.run_update->release_lease = true;
  park.run_update->updated_us = kT0 + 5;
  ASSERT_TRUE(store_->Write(std::move(park)).ok());
  Result<RunRecord> parked = store_->GetRun("r-1");
  ASSERT_TRUE(parked.ok());
  EXPECT_EQ(parked->status, RunStatus::kParked);
  EXPECT_EQ(parked->parked_on, "ap-1");
  EXPECT_EQ(parked->wake_us, kT0 + 60 * kSecond);
  EXPECT_EQ(parked->updated_us, kT0 + 5);
  EXPECT_EQ(parked->lease_owner, "");
  EXPECT_EQ(parked->lease_expires_us, 0);

  Finish("r-1", RunStatus::kSucceeded);
  WriteBatch keep_result;  // a null result leaves the stored one alone
  keep_result.run_update = Update("r-1", RunStatus::kFailed);
  keep_result.run_update->error = "late failure";
  ASSERT_TRUE(store_->Write(std::move(keep_result)).ok());
  Result<RunRecord> finished = store_->GetRun("r-1");
  ASSERT_TRUE(finished.ok());
  EXPECT_EQ(finished->status, RunStatus::kFailed);
  EXPECT_EQ(finished->result, Json({{"brief", "done"}}));
  EXPECT_EQ(finished->error, "late failure");
  EXPECT_EQ(finished->parked_on, "");

  WriteBatch missing;  // updates of unknown runs change nothing and do not fail
  missing.run_update = Update("r-none", RunStatus::kFailed);
  EXPECT_TRUE(store_->Write(std::move(missing)).ok());
  EXPECT_EQ(store_->GetRun("r-none").status().code(), StatusCode::kNotFound);
}

// A run a finalize node ended keeps its result once, in the node's newest
// completion (here large enough for the blob table); reads resolve it.
TEST_P(StoreConformanceTest, ResultOfNamesTheCompletionHoldingTheResult) {
  AddRun("r-1");
  const Json brief = {{"markdown", std::string(400, 'b')}, {"state_version", 3}};
  WriteBatch finish;
  finish.events.push_back(
      MakeEvent("r-1", 1, EventType::kNodeCompleted, "done", "", {{"output", "superseded"}}));
  finish.events.push_back(
      MakeEvent("r-1", 2, EventType::kNodeCompleted, "done", "", {{"output", brief}}));
  finish.run_update = Update("r-1", RunStatus::kSucceeded);
  finish.run_update->result_of = "done";
  ASSERT_TRUE(store_->Write(std::move(finish)).ok());
  EXPECT_EQ(store_->GetRun("r-1")->result, brief);
  Result<std::vector<RunRecord>> listed = store_->ListRuns(RunFilter{});
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].result, brief);

  WriteBatch later;  // an update naming no node keeps the reference
  later.run_update = Update("r-1", RunStatus::kSucceeded);
  later.run_update->error = "note";
  ASSERT_TRUE(store_->Write(std::move(later)).ok());
  EXPECT_EQ(store_->GetRun("r-1")->result, brief);
}

TEST_P(StoreConformanceTest, StateVectorsUseOptimisticVersions) {
  Result<std::optional<StateVector>> none = store_->GetState("A-1042");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  auto write = [&](int64_t expected, Json data) {
    WriteBatch batch;
    batch.state = StateWrite{"A-1042", expected, std::move(data), "r-1"};
    return store_->Write(std::move(batch));
  };
  ASSERT_TRUE(write(0, {{"arr", 100}}).ok());
  ASSERT_TRUE(write(1, {{"arr", 120}}).ok());
  Status stale = write(1, {{"arr", 999}});
  EXPECT_EQ(stale.code(), StatusCode::kAborted);
  EXPECT_EQ(stale.message(), "state vector A-1042 changed: expected version 1, found 2");

  Result<std::optional<StateVector>> latest = store_->GetState("A-1042");
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->version, 2);
  EXPECT_EQ((*latest)->data, Json({{"arr", 120}}));
  EXPECT_EQ((*latest)->run_id, "r-1");
  Result<std::vector<StateVector>> history = store_->StateHistory("A-1042");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].version, 1);
  EXPECT_EQ((*history)[0].data, Json({{"arr", 100}}));
  EXPECT_TRUE(store_->StateHistory("B-7")->empty());
}

TEST_P(StoreConformanceTest, StateWritesCanNameTheWriterTheyBuildOn) {
  auto write = [&](int64_t expected, std::string by, std::string expected_writer) {
    WriteBatch batch;
    batch.state = StateWrite{"A-1042", expected, {{"by", by}}, by, expected_writer};
    return store_->Write(std::move(batch));
  };
  ASSERT_TRUE(write(0, "r-1", "").ok());
  // Version 1 is there, but another run wrote it: rejected.
  Status other = write(1, "r-3", "r-2");
  EXPECT_EQ(other.code(), StatusCode::kAborted);
  EXPECT_EQ(other.message(),
            "state vector A-1042 changed: expected version 1 by run r-2, found it by run r-1");
  EXPECT_TRUE(write(1, "r-3", "r-1").ok());
  EXPECT_EQ((*store_->GetState("A-1042"))->version, 2);
}

TEST_P(StoreConformanceTest, BatchesApplyInSubmitOrder) {
  // Each write expects the version the one submitted before it makes: they
  // all land only if the store applies them in the order they were submitted.
  constexpr int kWrites = 300;
  std::atomic<int> ok{0};
  for (int v = 0; v < kWrites; ++v) {
    WriteBatch batch;
    batch.state = StateWrite{"A-1042", v, {{"v", v + 1}}, "r-1"};
    store_->Submit(std::move(batch), [&ok](Status s) { ok += s.ok() ? 1 : 0; });
  }
  // A stale write in between fails alone; the next one still sees the last.
  WriteBatch stale;
  stale.state = StateWrite{"A-1042", 0, {{"v", -1}}, "r-2"};
  Status stale_status;
  store_->Submit(std::move(stale), [&stale_status](Status s) { stale_status = s; });
  WriteBatch last;
  last.state = StateWrite{"A-1042", kWrites, {{"v", kWrites + 1}}, "r-2", "r-1"};
  Status last_status;
  store_->Submit(std::move(last), [&last_status](Status s) { last_status = s; });
  store_->Flush();

  EXPECT_EQ(ok.load(), kWrites);
  EXPECT_EQ(stale_status.code(), StatusCode::kAborted);
  EXPECT_TRUE(last_status.ok()) << last_status.ToString();
  Result<std::optional<StateVector>> latest = store_->GetState("A-1042");
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->version, kWrites + 1);
  EXPECT_EQ((*latest)->data, Json({{"v", kWrites + 1}}));
}

TEST_P(StoreConformanceTest, ApprovalWritesAreConditional) {
  AddRun("r-1");
  auto write = [&](Approval a, bool insert, ApprovalStatus expected) {
    WriteBatch batch;
    batch.approval = insert ? InsertApproval(std::move(a)) : ChangeApproval(std::move(a), expected);
    return store_->Write(std::move(batch));
  };
  Approval a = MakeApproval("ap-1", "r-1", kT0 + 3600 * kSecond);
  ASSERT_TRUE(write(a, true, ApprovalStatus::kPending).ok());
  EXPECT_EQ(write(a, true, ApprovalStatus::kPending).code(), StatusCode::kAborted);

  Approval expired = a;
  expired.status = ApprovalStatus::kExpired;
  expired.decided_us = kT0 + 3600 * kSecond;
  ASSERT_TRUE(write(expired, false, ApprovalStatus::kPending).ok());
  Status again = write(expired, false, ApprovalStatus::kPending);
  EXPECT_EQ(again.code(), StatusCode::kAborted);
  EXPECT_THAT(again.message(), HasSubstr("ap-1"));
  EXPECT_THAT(again.message(), HasSubstr("expired"));

  Result<Approval> got = store_->GetApproval("ap-1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->status, ApprovalStatus::kExpired);
  EXPECT_EQ(got->proposal, Json({{"discount_pct", 12}}));
  EXPECT_EQ(got->expires_us, kT0 + 3600 * kSecond);
  EXPECT_EQ(store_->GetApproval("ap-missing").status().code(), StatusCode::kNotFound);

  ASSERT_TRUE(write(MakeApproval("ap-2", "r-1", kT0 + kSecond), true, {}).ok());
  Result<std::vector<Approval>> pending = store_->ListApprovals(ApprovalStatus::kPending);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].approval_id, "ap-2");
  EXPECT_EQ(store_->ListApprovals(std::nullopt)->size(), 2u);
}

TEST_P(StoreConformanceTest, LatestEventsSkipSupersededPayloads) {
  constexpr int kPasses = 40;
  Json big = {{"draft", std::string(1000, 'd')}};
  WriteBatch batch;
  batch.new_run = MakeRun("r-1");
  int64_t seq = 0;
  batch.events.push_back(MakeEvent("r-1", ++seq, EventType::kRunStarted, "", "", {{"in", 1}}));
  for (int pass = 0; pass < kPasses; ++pass) {
    Json gen = big;
    gen["pass"] = pass;
    batch.events.push_back(MakeEvent("r-1", ++seq, EventType::kNodeCompleted, "opt", "gen", gen));
    batch.events.push_back(
        MakeEvent("r-1", ++seq, EventType::kNodeCompleted, "opt", "eval", {{"pass", pass}}));
  }
  batch.events.push_back(
      MakeEvent("r-1", ++seq, EventType::kNodeCompleted, "verify", "", {{"ok", true}}));
  ASSERT_TRUE(store_->Write(std::move(batch)).ok());

  int64_t read_before = store_->Stats().payloads_read;
  Result<std::vector<Event>> latest = store_->LoadLatestEvents("r-1");
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  ASSERT_EQ(latest->size(), 4u);
  // Payloads come as their stored text, left for the resumer to parse.
  auto payload = [&](size_t i) {
    EXPECT_TRUE((*latest)[i].payload.is_null()) << i;
    return ParseJsonText((*latest)[i].payload_text);
  };
  EXPECT_EQ((*latest)[0].type, EventType::kRunStarted);
  EXPECT_EQ(payload(0), Json({{"in", 1}}));
  EXPECT_EQ((*latest)[1].key, "gen");
  EXPECT_EQ(payload(1)["pass"], kPasses - 1);
  EXPECT_EQ(payload(1)["draft"], big["draft"]);
  EXPECT_EQ((*latest)[2].key, "eval");
  EXPECT_EQ(payload(2)["pass"], kPasses - 1);
  EXPECT_EQ((*latest)[3].node, "verify");
  EXPECT_EQ((*latest)[3].payload_text, R"({"ok":true})");
  EXPECT_LT((*latest)[1].seq, (*latest)[2].seq);
  // Resume cost: only the four surviving payloads were read.
  EXPECT_EQ(store_->Stats().payloads_read - read_before, 4);

  Result<std::vector<Event>> all = store_->LoadEvents("r-1");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), static_cast<size_t>(seq));
  EXPECT_EQ(store_->Stats().payloads_read - read_before, 4 + seq);
}

TEST_P(StoreConformanceTest, SpansByRunAndByStartTime) {
  WriteBatch batch;
  batch.new_run = MakeRun("r-1");
  batch.spans.push_back(MakeSpan("r-1", "s-2", kT0 + 20));
  batch.spans.push_back(MakeSpan("r-1", "s-1", kT0 + 10));
  batch.spans.push_back(MakeSpan("r-2", "s-3", kT0 + 30));
  batch.spans[1].parent_span_id = "s-2";
  ASSERT_TRUE(store_->Write(std::move(batch)).ok());

  Result<std::vector<Span>> spans = store_->LoadSpans("r-1");
  ASSERT_TRUE(spans.ok());
  ASSERT_EQ(spans->size(), 2u);
  EXPECT_EQ((*spans)[0].span_id, "s-1");
  EXPECT_EQ((*spans)[0].parent_span_id, "s-2");
  EXPECT_EQ((*spans)[0].end_us, kT0 + 1010);
  EXPECT_EQ((*spans)[0].attrs, Json({{"tool", "crm.get_account"}}));
  Result<std::vector<Span>> since = store_->LoadSpansSince(kT0 + 20);
  ASSERT_TRUE(since.ok());
  ASSERT_EQ(since->size(), 2u);
  EXPECT_EQ((*since)[0].span_id, "s-2");
  EXPECT_EQ((*since)[1].span_id, "s-3");
  // Spans are not part of the run's history.
  EXPECT_THAT(*store_->LoadEvents("r-1"), IsEmpty());
  EXPECT_THAT(*store_->LoadLatestEvents("r-1"), IsEmpty());
}

TEST_P(StoreConformanceTest, ListRunsNewestFirstWithFilters) {
  AddRun("r-old", kT0);
  AddRun("r-mid", kT0 + 10);
  RunRecord other = MakeRun("r-new", kT0 + 20);
  other.workflow = "lead_research";
  AddRun(other);
  Finish("r-mid", RunStatus::kSucceeded);

  Result<std::vector<RunRecord>> all = store_->ListRuns(RunFilter{});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].run_id, "r-new");
  EXPECT_EQ((*all)[2].run_id, "r-old");
  Result<std::vector<RunRecord>> pending = store_->ListRuns(Filter(RunStatus::kPending));
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].run_id, "r-new");
  Result<std::vector<RunRecord>> renewal =
      store_->ListRuns(Filter(std::nullopt, "renewal_prep", 1));
  ASSERT_TRUE(renewal.ok());
  ASSERT_EQ(renewal->size(), 1u);
  EXPECT_EQ((*renewal)[0].run_id, "r-mid");

  EXPECT_EQ(*store_->CountRuns(std::nullopt), 3);
  EXPECT_EQ(*store_->CountRuns(RunStatus::kPending), 2);
  EXPECT_EQ(*store_->CountRuns(RunStatus::kSucceeded), 1);
  EXPECT_EQ(*store_->CountRuns(RunStatus::kParked), 0);
}

TEST_P(StoreConformanceTest, CommittedWritesSurviveReopen) {
  WriteBatch batch;
  batch.new_run = MakeRun("r-1");
  batch.events.push_back(MakeEvent("r-1", 1, EventType::kRunStarted, "", "", {{"x", 1}}));
  std::atomic<bool> done{false};
  store_->Submit(std::move(batch), [&done](const Status& s) { done = s.ok(); });
  Reopen();  // closing drains what was submitted
  EXPECT_TRUE(done.load());
  Result<std::vector<Event>> events = store_->LoadEvents("r-1");
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].payload, Json({{"x", 1}}));
}

}  // namespace
}  // namespace keel::testing
