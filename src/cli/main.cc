// keel's command line: the whole command tree on one screen. Parsing only;
// the commands live in cmd_*.cc.
#include <CLI/CLI.hpp>

#ifdef KEEL_WITH_TCMALLOC
#include <gperftools/malloc_extension.h>
#endif

#include "cli/app.h"
#include "cli/commands.h"

namespace {

void AddCommon(CLI::App* cmd, keel::CommonFlags& common) {
  cmd->add_option("--project,-p", common.project, "project folder")->capture_default_str();
  cmd->add_flag("--json", common.json, "machine-readable output");
}

// tcmalloc lets each thread cache up to 32 MB of freed memory in all; keel's
// few threads hand objects to each other (strand tasks, the commit thread)
// and gain little from large caches, while they raise the peak RSS: 4 MB
// took ~10 MB off `keel bench waiting` at the same speed (bench/README.md).
void TuneAllocator() {
#ifdef KEEL_WITH_TCMALLOC
  MallocExtension::instance()->SetNumericProperty("tcmalloc.max_total_thread_cache_bytes",
                                                  4 << 20);
#endif
}

}  // namespace

int main(int argc, char** argv) {
  using namespace keel;
  TuneAllocator();
  CLI::App app{"keel: a durable runtime for LLM agent workflows"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "help for every command");

  std::string dir;
  auto* init = app.add_subcommand("init", "scaffold a new project folder");
  init->add_option("dir", dir, "folder to create")->required();

  bool json = false;
  auto* validate = app.add_subcommand("validate", "check a project; exit 3 on problems");
  validate->add_option("dir", dir, "project folder")->required();
  validate->add_flag("--json", json, "machine-readable output");

  RunFlags run;
  auto* run_cmd = app.add_subcommand("run", "start a run and wait until it finishes or parks");
  run_cmd->add_option("workflow", run.workflow, "workflow name")->required();
  run_cmd->add_option("--input,-i", run.input, "input JSON, or @file.json")->capture_default_str();
  run_cmd->add_flag("--detach", run.detach, "only enqueue the run for a worker");
  run_cmd->add_option("--record", run.common.record,
                      "append every model exchange to this JSONL cassette (scripted replays it)");
  AddCommon(run_cmd, run.common);

  WorkerFlags worker;
  auto* worker_cmd = app.add_subcommand("worker", "execute runnable runs");
  worker_cmd->add_flag("--until-idle", worker.until_idle, "exit when nothing is runnable");
  worker_cmd->add_option("--record", worker.common.record,
                         "append every model exchange to this JSONL cassette");
  AddCommon(worker_cmd, worker.common);

  RunsFlags runs;
  auto* runs_cmd = app.add_subcommand("runs", "inspect and prune runs");
  runs_cmd->require_subcommand(1);
  auto* runs_ls = runs_cmd->add_subcommand("ls", "list runs, newest first");
  runs_ls->add_option("--status", runs.status, "pending|running|parked|succeeded|failed|escalated");
  runs_ls->add_option("--workflow", runs.workflow, "only this workflow");
  runs_ls->add_option("--limit", runs.limit, "at most this many")->capture_default_str();
  AddCommon(runs_ls, runs.common);
  auto* runs_show = runs_cmd->add_subcommand("show", "a run and its event log");
  runs_show->add_option("run_id", runs.run_id)->required();
  AddCommon(runs_show, runs.common);
  auto* runs_prune = runs_cmd->add_subcommand("prune", "delete finished runs' history");
  runs_prune->add_option("--older-than", runs.older_than, "age, e.g. 30d, 12h, 90m")
      ->capture_default_str();
  AddCommon(runs_prune, runs.common);

  ApprovalFlags approval;
  auto* approvals_cmd = app.add_subcommand("approvals", "approvals waiting for a human");
  approvals_cmd->require_subcommand(1);
  auto* approvals_ls = approvals_cmd->add_subcommand("ls", "list pending approvals");
  approvals_ls->add_flag("--all", approval.all, "include decided and expired ones");
  AddCommon(approvals_ls, approval.common);
  auto add_decide = [&](const char* name, const char* help) {
    auto* cmd = app.add_subcommand(name, help);
    cmd->add_option("approval_id", approval.approval_id)->required();
    cmd->add_option("--reason", approval.reason, "why");
    cmd->add_option("--by", approval.by, "who decides (default: $USER)");
    cmd->add_flag("--no-resume", approval.no_resume, "record the decision only");
    AddCommon(cmd, approval.common);
    return cmd;
  };
  auto* approve = add_decide("approve", "approve, optionally with an edited proposal");
  approve->add_option("--edit", approval.edit, "JSON: your version of the proposal");
  auto* reject = add_decide("reject", "reject (a reason is required)");
  reject->get_option("--reason")->required();

  std::string entity;
  bool history = false;
  CommonFlags state_flags;
  auto* state_cmd = app.add_subcommand("state", "state vectors");
  state_cmd->require_subcommand(1);
  auto* state_show = state_cmd->add_subcommand("show", "an entity's state vector");
  state_show->add_option("entity_key", entity, "e.g. A-1042")->required();
  state_show->add_flag("--history", history, "every version");
  AddCommon(state_show, state_flags);

  std::string trace_run;
  CommonFlags trace_flags;
  auto* trace = app.add_subcommand("trace", "draw a run's trace waterfall");
  trace->add_option("run_id", trace_run)->required();
  AddCommon(trace, trace_flags);

  DemoFlags demo;
  auto* demo_cmd = app.add_subcommand("demo", "the sales demo: renewal prep for five accounts");
  demo_cmd->add_option("--accounts", demo.accounts, "how many accounts")->capture_default_str();
  demo_cmd->add_option("--out", demo.out_dir, "where briefs are written")->capture_default_str();
  AddCommon(demo_cmd, demo.common);

  ToolsFlags tools_flags;
  auto* tools_cmd = app.add_subcommand("tools", "tool calls through the policy chain");
  tools_cmd->require_subcommand(1);
  auto* tools_stats =
      tools_cmd->add_subcommand("stats", "per-tool success, latency, cache hits, breakers");
  tools_stats->add_option("--since", tools_flags.since, "window, e.g. 24h, 7d")
      ->capture_default_str();
  AddCommon(tools_stats, tools_flags.common);

  CommonFlags models_flags;
  auto* models_cmd = app.add_subcommand("models", "the model tiers and their providers");
  models_cmd->require_subcommand(1);
  auto* models_check =
      models_cmd->add_subcommand("check", "one tiny request to every entry of every tier");
  AddCommon(models_check, models_flags);

  BenchFlags bench;
  auto* bench_cmd = app.add_subcommand("bench", "benchmarks (see bench/README.md)");
  bench_cmd->add_option("which", bench.which, "engine | waiting | tools | models")
      ->capture_default_str();
  bench_cmd->add_option("--runs", bench.runs, "runs to start (0 = default)");
  bench_cmd->add_option("--in-flight", bench.concurrency,
                        "engine: runs kept in flight at once (0 = 200)");
  bench_cmd->add_option("--latency-ms", bench.latency_ms, "scripted model latency (waiting)")
      ->capture_default_str();
  AddCommon(bench_cmd, bench.common);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }

  if (*init) return CmdInit(dir);
  if (*validate) return CmdValidate(dir, json);
  if (*run_cmd) return CmdRun(run);
  if (*worker_cmd) return CmdWorker(worker);
  if (*runs_ls) return CmdRunsList(runs);
  if (*runs_show) return CmdRunsShow(runs);
  if (*runs_prune) return CmdRunsPrune(runs);
  if (*approvals_ls) return CmdApprovalsList(approval);
  if (*approve) return CmdDecide(approval, true);
  if (*reject) return CmdDecide(approval, false);
  if (*state_show) return CmdStateShow(state_flags, entity, history);
  if (*trace) return CmdTrace(trace_flags, trace_run);
  if (*demo_cmd) return CmdDemo(demo);
  if (*tools_stats) return CmdToolsStats(tools_flags);
  if (*models_check) return CmdModelsCheck(models_flags);
  if (*bench_cmd) return CmdBench(bench);
  return kExitUsage;
}
