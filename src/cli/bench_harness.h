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
  double start_s = 0;     // time taken to start the first `concurrency` runs
  int64_t steps = 0;      // node steps committed (events of type node_completed)
  std::vector<double> run_ms;  // per-run latency, start to finish
};

class BenchHarness {
 public:
  explicit BenchHarness(App& app);
  // Runs renewal_prep `runs` times over the CRM's accounts and waits until
  // every run has finished; approvals are approved on request. At most
  // `concurrency` runs are in flight (0 = all started at once); a finished
  // run's place is taken by the next.
  BatchResult RunBatch(int runs, int concurrency = 0);
  // The same for an explicit list of accounts (one run each).
  BatchResult RunAccounts(const std::vector<std::string>& accounts, int concurrency = 0);

 private:
  void OnRest(const RunOutcome& outcome);
  void Finish(const std::string& run_id, bool succeeded, bool escalated = false);
  void StartNextLocked();  // starts the next account's run; mu_ held

  App& app_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int64_t> started_us_;
  std::vector<double> run_ms_;
  int finished_ = 0;
  int succeeded_ = 0;
  int escalated_ = 0;
  std::vector<std::string> accounts_;
  size_t next_ = 0;
};

double Median(std::vector<double> v);
double Percentile(std::vector<double> v, double p);
double PeakRssMb();
int ThreadCount();

}  // namespace keel

#endif  // KEEL_CLI_BENCH_HARNESS_H_
