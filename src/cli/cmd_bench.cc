// keel bench engine | waiting (tools, models: beside): the figures recorded in bench/README.md.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "cli/bench_harness.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "core/json_text.h"
#include "models/scripted_model.h"

namespace keel {
namespace fs = std::filesystem;
namespace {

fs::path FreshDir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("keel-bench-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

Result<std::unique_ptr<App>> OpenBenchApp(const BenchFlags& flags, const fs::path& dir,
                                          const std::string& scripted_file, int latency_ms,
                                          const std::string& record_file = "") {
  AppOptions options;
  options.engine.claim = false;  // the harness resumes runs itself, right after each approval
  options.store_override = (dir / "keel.db").string();
  options.max_runs_in_flight = 20000;
  options.model_provider = scripted_file.empty() ? "offline" : "scripted";
  options.scripted_file = scripted_file;
  options.scripted_latency_ms = latency_ms;
  options.record_file = record_file;
  fs::create_directories(dir);
  auto app = OpenApp(flags.common.project, options);
  if (app.ok()) (*app)->engine->Start();
  return app;
}

// Records every model exchange of an offline run for each account the
// benchmark uses, so the scripted model replays realistic, per-account
// outputs (keyed by input hash) with the benchmark's latency.
struct Recording {
  std::string file;
  std::string longest_account;  // the account whose run makes the most sequential model calls
};

Result<Recording> RecordAgents(const BenchFlags& flags, const fs::path& dir, int accounts) {
  Recording recording{(dir / "recordings.jsonl").string(), ""};
  auto app = OpenBenchApp(flags, dir / "record", "", 0, recording.file);
  if (!app.ok()) return app.status();
  BenchHarness harness(**app);
  BatchResult recorded = harness.RunBatch(accounts);
  if (recorded.succeeded + recorded.escalated != accounts) {
    return Internal("the recording runs did not all finish");
  }
  // The critical path is set by the run with the most optimize passes.
  auto runs = (*app)->store->ListRuns(RunFilter{std::nullopt, "renewal_prep", accounts});
  if (!runs.ok()) return runs.status();
  int most = -1;
  for (const RunRecord& r : *runs) {
    auto events = (*app)->store->LoadLatestEvents(r.run_id);
    if (!events.ok()) return events.status();
    for (const Event& e : *events) {
      if (e.key != "gen") continue;
      int passes = ParseJsonText(e.payload_text).value("iteration", 0);
      if (passes > most) {
        most = passes;
        recording.longest_account = r.entity_key;
      }
    }
  }
  return recording;
}

int BenchEngine(const BenchFlags& flags) {
  fs::path dir = FreshDir("engine");
  auto app = OpenBenchApp(flags, dir, "", 0);
  if (!app.ok()) return ReportError(app.status());
  BenchHarness harness(**app);
  harness.RunBatch(200);  // warm-up: caches, prepared statements, page cache

  int runs = flags.runs > 0 ? flags.runs : 5000;
  int in_flight = flags.concurrency > 0 ? flags.concurrency : 200;
  int64_t steps0 = (*app)->engine->StepsCompleted();
  BatchResult many = harness.RunBatch(runs, in_flight);
  int64_t steps = (*app)->engine->StepsCompleted() - steps0;

  std::vector<double> sequential;
  for (int i = 0; i < 30; ++i) {
    BatchResult one = harness.RunBatch(1);
    if (!one.run_ms.empty()) sequential.push_back(one.run_ms[0]);
  }
  Json out = {{"benchmark", "engine"},
              {"runs", runs},
              {"in_flight", in_flight},
              {"succeeded", many.succeeded},
              {"escalated", many.escalated},
              {"wall_s", many.wall_s},
              {"runs_per_s", runs / many.wall_s},
              {"steps_per_run", double(steps) / runs},
              {"node_overhead_us", steps ? many.cpu_s * 1e6 / double(steps) : 0},
              {"p50_run_ms", Median(many.run_ms)},
              {"p99_run_ms", Percentile(many.run_ms, 0.99)},
              {"sequential_run_ms", Median(sequential)},
              {"store_transactions", (*app)->store->Stats().transactions},
              {"threads", ThreadCount()}};
  std::printf("%s\n", out.dump(2).c_str());
  app->reset();
  fs::remove_all(dir);
  return kExitOk;
}

int BenchWaiting(const BenchFlags& flags) {
  fs::path dir = FreshDir("waiting");
  int runs = flags.runs > 0 ? flags.runs : 10000;
  Result<Recording> recording = RecordAgents(flags, dir, std::min(runs, 1000));
  if (!recording.ok()) return ReportError(recording.status());
  auto app = OpenBenchApp(flags, dir, recording->file, flags.latency_ms);
  if (!app.ok()) return ReportError(app.status());
  BenchHarness harness(**app);
  // The critical path: one run alone, of the account with the longest chain
  // of model calls.
  BatchResult one = harness.RunAccounts({recording->longest_account});
  BatchResult all = harness.RunBatch(runs);
  Json out = {{"benchmark", "waiting"},
              {"runs", runs},
              {"succeeded", all.succeeded},
              {"escalated", all.escalated},
              {"model_latency_ms", flags.latency_ms},
              {"critical_path_s", one.wall_s},
              {"critical_path_account", recording->longest_account},
              {"wall_s", all.wall_s},
              {"ratio", all.wall_s / one.wall_s},
              {"cpu_s", all.cpu_s},
              {"start_s", all.start_s},
              {"p50_run_s", Median(all.run_ms) / 1000},
              {"max_run_s", Percentile(all.run_ms, 1.0) / 1000},
              {"peak_rss_mb", PeakRssMb()},
              {"store_batches", (*app)->store->Stats().batches_committed},
              {"store_transactions", (*app)->store->Stats().transactions},
              {"threads", ThreadCount()}};
  std::printf("%s\n", out.dump(2).c_str());
  app->reset();
  fs::remove_all(dir);
  return kExitOk;
}

}  // namespace

int CmdBench(const BenchFlags& flags) {
  if (flags.which == "engine") return BenchEngine(flags);
  if (flags.which == "waiting") return BenchWaiting(flags);
  if (flags.which == "tools") return BenchTools(flags);
  if (flags.which == "models") return BenchModels(flags);
  return ReportError(InvalidArgument("unknown benchmark '" + flags.which +
                                     "' (engine, waiting, tools, models)"));
}

}  // namespace keel
