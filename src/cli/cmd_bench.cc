// keel bench engine | waiting: the figures recorded in bench/README.md.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "cli/bench_harness.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
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
                                          const std::string& scripted_file, int latency_ms) {
  AppOptions options;
  options.engine.claim = false;  // the harness resumes runs itself, right after each approval
  options.store_override = (dir / "keel.db").string();
  options.engine.max_runs_in_flight = 20000;
  options.model_provider = scripted_file.empty() ? "offline" : "scripted";
  options.scripted_file = scripted_file;
  options.scripted_latency_ms = latency_ms;
  auto app = OpenApp(flags.common.project, options);
  if (app.ok()) (*app)->engine->Start();
  return app;
}

// One recording per agent, taken from a real offline run's event log, so the
// scripted model answers every call of the benchmark with realistic outputs.
Result<std::string> RecordAgents(App& app, const fs::path& dir) {
  BenchHarness harness(app);
  BatchResult one = harness.RunBatch(1);
  if (one.succeeded != 1) return Internal("the recording run did not succeed");
  auto runs = app.store->ListRuns(RunFilter{RunStatus::kSucceeded, "renewal_prep", 1});
  if (!runs.ok() || runs->empty()) return Internal("no finished run to record from");
  auto events = app.store->LoadEvents((*runs)[0].run_id);
  if (!events.ok()) return events.status();
  const WorkflowDef* wf = app.project.FindWorkflow("renewal_prep");
  std::map<std::string, std::string> agent_of;  // node id or "node/key" -> agent
  std::function<void(const NodeDef&)> index = [&](const NodeDef& n) {
    if (n.kind == NodeKind::kLlm) agent_of[n.id] = n.agent;
    if (n.kind == NodeKind::kOptimize) {
      agent_of[n.id + "/gen"] = n.generator;
      agent_of[n.id + "/eval"] = n.evaluator;
    }
    for (const NodeDef& b : n.branches) index(b);
  };
  for (const NodeDef& n : wf->nodes) index(n);
  fs::path file = dir / "recordings.jsonl";
  std::ofstream out(file);
  std::set<std::string> seen;
  for (const Event& e : *events) {
    if (e.type != EventType::kNodeCompleted) continue;
    auto it = agent_of.find(e.key.empty() ? e.node : e.node + "/" + e.key);
    if (it == agent_of.end() || !seen.insert(it->second).second) continue;
    out << Json({{"agent", it->second}, {"input_hash", "*"}, {"output", e.payload["output"]},
                 {"usage", {{"input_tokens", 900}, {"output_tokens", 120}}}})
               .dump()
        << "\n";
  }
  return file.string();
}

int BenchEngine(const BenchFlags& flags) {
  fs::path dir = FreshDir("engine");
  auto app = OpenBenchApp(flags, dir, "", 0);
  if (!app.ok()) return ReportError(app.status());
  BenchHarness harness(**app);
  harness.RunBatch(200);  // warm-up: caches, prepared statements, page cache

  int runs = flags.runs > 0 ? flags.runs : 5000;
  int64_t steps0 = (*app)->engine->StepsCompleted();
  BatchResult many = harness.RunBatch(runs);
  int64_t steps = (*app)->engine->StepsCompleted() - steps0;

  std::vector<double> sequential;
  for (int i = 0; i < 30; ++i) {
    BatchResult one = harness.RunBatch(1);
    if (!one.run_ms.empty()) sequential.push_back(one.run_ms[0]);
  }
  Json out = {{"benchmark", "engine"},
              {"runs", runs},
              {"succeeded", many.succeeded},
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
  std::string recordings;
  {
    auto offline = OpenBenchApp(flags, dir / "record", "", 0);
    if (!offline.ok()) return ReportError(offline.status());
    Result<std::string> file = RecordAgents(**offline, dir);
    if (!file.ok()) return ReportError(file.status());
    recordings = *file;
  }
  auto app = OpenBenchApp(flags, dir, recordings, flags.latency_ms);
  if (!app.ok()) return ReportError(app.status());
  BenchHarness harness(**app);
  BatchResult one = harness.RunBatch(1);  // the critical path of one run
  int runs = flags.runs > 0 ? flags.runs : 10000;
  BatchResult all = harness.RunBatch(runs);
  Json out = {{"benchmark", "waiting"},
              {"runs", runs},
              {"succeeded", all.succeeded},
              {"model_latency_ms", flags.latency_ms},
              {"critical_path_s", one.wall_s},
              {"wall_s", all.wall_s},
              {"ratio", all.wall_s / one.wall_s},
              {"peak_rss_mb", PeakRssMb()},
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
  return ReportError(InvalidArgument("unknown benchmark '" + flags.which +
                                     "' (engine, waiting)"));
}

}  // namespace keel
