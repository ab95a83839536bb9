// The Store conformance suite's fixture and helpers. The suite is written
// against the Store interface only; every backend instantiates it (see
// store_conformance_backends.cc) and must pass all of it. Test-only.
#ifndef KEEL_STORE_STORE_CONFORMANCE_H_
#define KEEL_STORE_STORE_CONFORMANCE_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <future>
#include <memory>
#include <string>

#include "store/store.h"

namespace keel::testing {

inline constexpr int64_t kT0 = 1'700'000'000'000'000;  // 2023-11-14T22:13:20Z
inline constexpr int64_t kSecond = 1'000'000;

// How to open one backend. `open(dir)` opens the store kept in the empty
// scratch folder `dir`; calling it again with the same folder reopens it.
struct StoreBackend {
  std::string name;
  std::function<Result<std::unique_ptr<Store>>(const std::string& dir)> open;
};

// Builders for the write structs, naming what each test sets.
inline RunUpdate Update(std::string run_id, RunStatus status, std::string parked_on = "",
                        int64_t wake_us = 0) {
  RunUpdate update;
  update.run_id = std::move(run_id);
  update.status = status;
  update.parked_on = std::move(parked_on);
  update.wake_us = wake_us;
  return update;
}
inline ApprovalWrite InsertApproval(Approval approval) {
  ApprovalWrite write;
  write.approval = std::move(approval);
  write.insert = true;
  return write;
}
inline ApprovalWrite ChangeApproval(Approval approval, ApprovalStatus expected) {
  ApprovalWrite write;
  write.approval = std::move(approval);
  write.expected = expected;
  return write;
}
inline RunFilter Filter(std::optional<RunStatus> status, std::string workflow = "",
                        int limit = 100) {
  RunFilter filter;
  filter.status = status;
  filter.workflow = std::move(workflow);
  filter.limit = limit;
  return filter;
}

// Names the backend in failure messages instead of dumping its bytes.
inline void PrintTo(const StoreBackend& backend, std::ostream* os) { *os << backend.name; }

inline std::string BackendName(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param.name;
}

// Holds the store's commit thread inside the callback of one batch, so every
// batch submitted meanwhile is queued and written as one group. This breaks
// the "callbacks must not block" rule on purpose, briefly, to make grouping
// deterministic without sleeping.
class CommitGate {
 public:
  // Submits `first` and returns once the commit thread is inside its callback.
  void Hold(Store& store, WriteBatch first);
  // Lets the commit thread go on. Idempotent.
  void Release();
  ~CommitGate() { Release(); }

 private:
  std::promise<void> release_;
  bool released_ = false;
};

class StoreConformanceTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Closes the store and opens it again on the same data.
  void Reopen();

  static RunRecord MakeRun(const std::string& run_id, int64_t created_us = kT0,
                           RunStatus status = RunStatus::kPending);
  static Event MakeEvent(const std::string& run_id, int64_t seq, EventType type,
                         const std::string& node, const std::string& key, Json payload);
  static Approval MakeApproval(const std::string& approval_id, const std::string& run_id,
                               int64_t expires_us);
  static Span MakeSpan(const std::string& run_id, const std::string& span_id, int64_t start_us);

  // Writes a new run (and nothing else) and expects success.
  void AddRun(const RunRecord& run);
  void AddRun(const std::string& run_id, int64_t created_us = kT0,
              RunStatus status = RunStatus::kPending) {
    AddRun(MakeRun(run_id, created_us, status));
  }
  // Parks `run_id` on `approval_id` (with that approval) until `wake_us`.
  void Park(const std::string& run_id, const std::string& approval_id, int64_t wake_us);
  // Finishes `run_id` with `status` at `updated_us`, releasing its lease.
  void Finish(const std::string& run_id, RunStatus status, int64_t updated_us = kT0);

  RunStatus StatusOf(const std::string& run_id);

  std::unique_ptr<Store> store_;
  std::string dir_;
};

}  // namespace keel::testing

#endif  // KEEL_STORE_STORE_CONFORMANCE_H_
