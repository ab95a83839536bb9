#include "store/store_conformance.h"

#include <stdlib.h>

#include <filesystem>

namespace keel::testing {

void CommitGate::Hold(Store& store, WriteBatch first) {
  std::promise<void> entered;
  std::future<void> entered_future = entered.get_future();
  std::shared_future<void> release = release_.get_future().share();
  store.Submit(std::move(first), [&entered, release](const Status&) {
    entered.set_value();
    release.wait();
  });
  entered_future.wait();
}

void CommitGate::Release() {
  if (released_) return;
  released_ = true;
  release_.set_value();
}

void StoreConformanceTest::SetUp() {
  std::string templ = (std::filesystem::temp_directory_path() / "keel_store_XXXXXX").string();
  ASSERT_NE(mkdtemp(templ.data()), nullptr);
  dir_ = templ;
  Result<std::unique_ptr<Store>> store = GetParam().open(dir_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  store_ = std::move(store).value();
}

void StoreConformanceTest::TearDown() {
  store_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void StoreConformanceTest::Reopen() {
  store_.reset();
  Result<std::unique_ptr<Store>> store = GetParam().open(dir_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  store_ = std::move(store).value();
}

RunRecord StoreConformanceTest::MakeRun(const std::string& run_id, int64_t created_us,
                                        RunStatus status) {
  RunRecord run;
  run.run_id = run_id;
  run.workflow = "renewal_prep";
  run.entity_key = "A-1042";
  run.input = {{"account_id", "A-1042"}};
  run.status = status;
  run.created_us = created_us;
  run.updated_us = created_us;
  run.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  return run;
}

Event StoreConformanceTest::MakeEvent(const std::string& run_id, int64_t seq, EventType type,
                                      const std::string& node, const std::string& key,
                                      Json payload) {
  Event event;
  event.run_id = run_id;
  event.seq = seq;
  event.ts_us = kT0 + seq;
  event.type = type;
  event.node = node;
  event.key = key;
  event.payload = std::move(payload);
  return event;
}

Approval StoreConformanceTest::MakeApproval(const std::string& approval_id,
                                            const std::string& run_id, int64_t expires_us) {
  Approval a;
  a.approval_id = approval_id;
  a.run_id = run_id;
  a.node = "send_offer";
  a.workflow = "renewal_prep";
  a.entity_key = "A-1042";
  a.proposal = {{"discount_pct", 12}};
  a.requested_us = kT0;
  a.expires_us = expires_us;
  return a;
}

Span StoreConformanceTest::MakeSpan(const std::string& run_id, const std::string& span_id,
                                    int64_t start_us) {
  Span span;
  span.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  span.span_id = span_id;
  span.run_id = run_id;
  span.name = "tool crm.get_account";
  span.kind = "tool";
  span.start_us = start_us;
  span.end_us = start_us + 1000;
  span.status = "ok";
  span.attrs = {{"tool", "crm.get_account"}};
  return span;
}

void StoreConformanceTest::AddRun(const RunRecord& run) {
  WriteBatch batch;
  batch.new_run = run;
  Status status = store_->Write(std::move(batch));
  ASSERT_TRUE(status.ok()) << status.ToString();
}

void StoreConformanceTest::Park(const std::string& run_id, const std::string& approval_id,
                                int64_t wake_us) {
  WriteBatch batch;
  batch.approval = InsertApproval(MakeApproval(approval_id, run_id, wake_us));
  batch.run_update = Update(run_id, RunStatus::kParked, approval_id, wake_us);
  batch.run_update->release_lease = true;
  Status status = store_->Write(std::move(batch));
  ASSERT_TRUE(status.ok()) << status.ToString();
}

void StoreConformanceTest::Finish(const std::string& run_id, RunStatus status, int64_t updated_us) {
  WriteBatch batch;
  batch.run_update = Update(run_id, status);
  batch.run_update->result = {{"brief", "done"}};
  batch.run_update->release_lease = true;
  batch.run_update->updated_us = updated_us;
  Status written = store_->Write(std::move(batch));
  ASSERT_TRUE(written.ok()) << written.ToString();
}

RunStatus StoreConformanceTest::StatusOf(const std::string& run_id) {
  Result<RunRecord> run = store_->GetRun(run_id);
  EXPECT_TRUE(run.ok()) << run.status().ToString();
  return run.ok() ? run->status : RunStatus::kPending;
}

}  // namespace keel::testing
