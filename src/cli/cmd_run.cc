// keel run, keel worker.
#include <csignal>
#include <cstdio>

#include "cli/cli_support.h"
#include "cli/commands.h"

namespace keel {
namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

void PrintOutcome(const RunOutcome& o, bool json) {
  if (json) {
    Json out = {{"run_id", o.run_id}, {"status", RunStatusName(o.status)}};
    if (!o.result.is_null()) out["result"] = o.result;
    if (!o.error.empty()) out["error"] = o.error;
    if (!o.approval_id.empty()) out["approval_id"] = o.approval_id;
    std::printf("%s\n", out.dump().c_str());
    return;
  }
  std::printf("run %s: %s\n", o.run_id.c_str(), RunStatusName(o.status));
  if (!o.approval_id.empty()) {
    std::printf("waiting for approval %s  (keel approve %s | keel reject %s --reason ...)\n",
                o.approval_id.c_str(), o.approval_id.c_str(), o.approval_id.c_str());
  }
  if (!o.error.empty()) std::printf("reason: %s\n", o.error.c_str());
  if (o.result.is_object() && o.result.contains("markdown")) {
    std::printf("\n%s\n", o.result["markdown"].get<std::string>().c_str());
  } else if (!o.result.is_null()) {
    std::printf("%s\n", o.result.dump(2).c_str());
  }
}

}  // namespace

int CmdRun(const RunFlags& flags) {
  Result<Json> input = ParseInputArgument(flags.input);
  if (!input.ok()) return ReportError(input.status());
  AppOptions options;
  options.engine.claim = false;  // this process runs only the run it starts
  options.record_file = flags.common.record;
  Result<std::unique_ptr<App>> app = OpenApp(flags.common.project, options);
  if (!app.ok()) return ReportError(app.status());
  Engine& engine = *(*app)->engine;
  if (flags.detach) {
    Result<std::string> id = engine.EnqueueRun(flags.workflow, *input);
    if (!id.ok()) return ReportError(id.status());
    PrintOutcome(RunOutcome{*id, RunStatus::kPending, Json(), "", ""}, flags.common.json);
    return kExitOk;
  }
  RunWaiter waiter(engine);
  engine.Start();
  Result<std::string> id = engine.StartRun(flags.workflow, *input);
  if (!id.ok()) return ReportError(id.status());
  RunOutcome outcome = waiter.Wait(*id);
  PrintOutcome(outcome, flags.common.json);
  return ExitCodeFor(outcome.status);
}

int CmdWorker(const WorkerFlags& flags) {
  AppOptions options;
  options.record_file = flags.common.record;
  Result<std::unique_ptr<App>> app = OpenApp(flags.common.project, options);
  if (!app.ok()) return ReportError(app.status());
  Engine& engine = *(*app)->engine;
  std::atomic<int64_t> rested{0};
  engine.SetListener([&](const RunOutcome& o) {
    ++rested;
    if (!flags.common.json) {
      std::printf("%s %s%s%s\n", o.run_id.c_str(), RunStatusName(o.status),
                  o.error.empty() ? "" : ": ", o.error.c_str());
      std::fflush(stdout);
    }
  });
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  engine.Start();
  if (flags.until_idle) {
    engine.WaitIdle();
  } else {
    while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  engine.Stop();
  if (flags.common.json) {
    std::printf("%s\n", Json({{"runs_rested", rested.load()}}).dump().c_str());
  } else {
    std::printf("worker done: %lld runs came to rest\n", static_cast<long long>(rested.load()));
  }
  return kExitOk;
}

}  // namespace keel
