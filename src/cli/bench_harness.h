// The harness behind `keel bench`: drives many renewal-prep runs through a
// real engine and store (fresh SQLite file, full durability), decides every
// approval as soon as it is requested, and measures. Not thread-safe itself.
#ifndef KEEL_CLI_BENCH_HARNESS_H_
#define KEEL_CLI_BENCH_HARNESS_H_

#include <string>
#include <vector>

#include "cli/app.h"

namespace keel {

struct BatchResult {
  int runs = 0;
  int succeeded = 0;
  int escalated = 0;  // finished by the workflow's own escalation path (at-risk accounts)
  double wall_s = 0;
  double cpu_s = 0;       // user + system time of the process during the batch
  int64_t steps = 0;      // node steps committed (events of type node_completed)
  std::vector<double> run_ms;  // per-run latency, start to finish
};

class BenchHarness {
 public:
  explicit BenchHarness(App& app);
  // Starts `runs` runs of renewal_prep at once over distinct accounts and
  // waits until every one has finished. Approvals are approved on request.
  BatchResult RunBatch(int runs);
  // The same for an explicit list of accounts (one run each).
  BatchResult RunAccounts(const std::vector<std::string>& accounts);

 private:
  void OnRest(const RunOutcome& outcome);
  void Finish(const std::string& run_id, bool succeeded, bool escalated = false);

  App& app_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int64_t> started_us_;
  std::vector<double> run_ms_;
  int finished_ = 0;
  int succeeded_ = 0;
  int escalated_ = 0;
};

double Median(std::vector<double> v);
double Percentile(std::vector<double> v, double p);
double PeakRssMb();
int ThreadCount();

}  // namespace keel

#endif  // KEEL_CLI_BENCH_HARNESS_H_
