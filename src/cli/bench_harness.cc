#include "cli/bench_harness.h"

#include <sys/resource.h>

#include <algorithm>
#include <filesystem>

namespace keel {
namespace {

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto secs = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return secs(usage.ru_utime) + secs(usage.ru_stime);
}

}  // namespace

double Median(std::vector<double> v) { return Percentile(std::move(v), 0.5); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * (v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

double PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;  // ru_maxrss is in KiB on Linux
}

int ThreadCount() {
  int n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

BenchHarness::BenchHarness(App& app) : app_(app) {
  app_.engine->SetListener([this](const RunOutcome& o) { OnRest(o); });
}

void BenchHarness::OnRest(const RunOutcome& outcome) {
  if (outcome.status == RunStatus::kParked) {
    // The human in the loop answers at once, through the same decision path
    // an in-process approver uses; the run then resumes from the store.
    app_.engine->Decide(outcome.approval_id, ApprovalStatus::kApproved, Json(), "bench", "bench",
                        [this, outcome](Status s) {
                          if (!s.ok()) Finish(outcome.run_id, false);
                        });
    return;
  }
  Finish(outcome.run_id, outcome.status == RunStatus::kSucceeded,
         outcome.status == RunStatus::kEscalated);
}

void BenchHarness::Finish(const std::string& run_id, bool succeeded, bool escalated) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = started_us_.find(run_id);
  if (it != started_us_.end()) {
    run_ms_.push_back((Clock::Real()->MonotonicMicros() - it->second) / 1000.0);
  }
  ++finished_;
  if (succeeded) ++succeeded_;
  if (escalated) ++escalated_;
  StartNextLocked();  // keeps the number of runs in flight constant
  cv_.notify_all();
}

BatchResult BenchHarness::RunBatch(int runs, int concurrency) {
  std::vector<std::string> accounts;
  for (int i = 0; i < runs; ++i) {
    char account[16];
    std::snprintf(account, sizeof(account), "A-%04d", 1000 + i % 1000);
    accounts.push_back(account);
  }
  return RunAccounts(accounts, concurrency);
}

void BenchHarness::StartNextLocked() {
  if (next_ >= accounts_.size()) return;
  const std::string& account = accounts_[next_++];
  int64_t now = Clock::Real()->MonotonicMicros();
  // mu_ is held, so a fast run cannot finish before its start time is recorded.
  Result<std::string> id = app_.engine->StartRun("renewal_prep", Json{{"account_id", account}});
  if (!id.ok()) {
    ++finished_;
    return;
  }
  started_us_[*id] = now;
}

BatchResult BenchHarness::RunAccounts(const std::vector<std::string>& accounts, int concurrency) {
  int runs = static_cast<int>(accounts.size());
  if (concurrency <= 0) concurrency = runs;
  BatchResult result;
  result.runs = runs;
  double cpu0 = CpuSeconds();
  int64_t t0 = Clock::Real()->MonotonicMicros();
  std::unique_lock<std::mutex> lock(mu_);
  finished_ = succeeded_ = escalated_ = 0;
  run_ms_.clear();
  started_us_.clear();
  accounts_ = accounts;
  next_ = 0;
  for (int i = 0; i < concurrency; ++i) StartNextLocked();
  result.start_s = (Clock::Real()->MonotonicMicros() - t0) / 1e6;
  cv_.wait(lock, [&] { return finished_ >= runs; });
  result.wall_s = (Clock::Real()->MonotonicMicros() - t0) / 1e6;
  result.cpu_s = CpuSeconds() - cpu0;
  result.succeeded = succeeded_;
  result.escalated = escalated_;
  result.run_ms = run_ms_;
  return result;
}

}  // namespace keel
