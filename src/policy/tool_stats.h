// Tool statistics for `keel tools stats`: per tool, computed from the audit
// records the engine writes into tool-call spans (policy/audit.h).
// Pure functions over values; thread-safe.
#ifndef KEEL_POLICY_TOOL_STATS_H_
#define KEEL_POLICY_TOOL_STATS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/json.h"
// Only the plain Span struct is used (no store calls), so keel_policy does
// not link the store.
#include "store/records.h"

namespace keel::policy {

struct ToolStats {
  std::string tool;
  int64_t calls = 0;
  int64_t succeeded = 0;  // answered, by the tool, its cache or a fallback
  int64_t fallbacks = 0;  // of which by a fallback tool or a stale value
  int64_t cache_hits = 0;
  double success_rate = 0;    // succeeded / calls
  double cache_hit_rate = 0;  // cache_hits / calls
  double p50_ms = 0;
  double p95_ms = 0;
  double p99_ms = 0;
  std::map<std::string, int64_t> error_types;  // final errors by type
  std::string breaker_state = "closed";        // as the latest call saw it
};

// One entry per tool with at least one audited call, by tool name. Spans of
// other kinds, and tool spans without an audit outcome, are skipped.
std::vector<ToolStats> ComputeToolStats(const std::vector<Span>& spans);

Json ToolStatsJson(const std::vector<ToolStats>& stats);
// A fixed-width table, one line per tool.
std::string ToolStatsTable(const std::vector<ToolStats>& stats);

}  // namespace keel::policy

#endif  // KEEL_POLICY_TOOL_STATS_H_
