// keel tools stats: per-tool calls, success rate, latency percentiles, error
// types, cache hit rate and breaker state, from the audit records in the
// tool-call spans of recent runs.
#include <cstdio>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "policy/tool_stats.h"

namespace keel {

int CmdToolsStats(const ToolsFlags& flags) {
  Result<int64_t> window = ParseDuration(flags.since);
  if (!window.ok()) return ReportError(window.status());
  AppOptions options;
  options.need_engine = false;
  auto app = OpenApp(flags.common.project, options);
  if (!app.ok()) return ReportError(app.status());
  auto spans = (*app)->store->LoadSpansSince(Clock::Real()->NowMicros() - *window);
  if (!spans.ok()) return ReportError(spans.status());
  std::vector<policy::ToolStats> stats = policy::ComputeToolStats(*spans);
  if (flags.common.json) {
    Json out = policy::ToolStatsJson(stats);
    out["since"] = flags.since;
    std::printf("%s\n", out.dump(2).c_str());
  } else if (stats.empty()) {
    std::printf("no audited tool calls in the last %s\n", flags.since.c_str());
  } else {
    std::fputs(policy::ToolStatsTable(stats).c_str(), stdout);
  }
  return kExitOk;
}

}  // namespace keel
