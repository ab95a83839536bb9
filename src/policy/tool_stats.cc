#include "policy/tool_stats.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "policy/audit.h"

namespace keel::policy {
namespace {

// Nearest-rank percentile of sorted values.
double Percentile(const std::vector<int64_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(q * double(sorted.size())));
  return double(sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1]);
}

struct Accumulator {
  ToolStats stats;
  std::vector<int64_t> latencies_us;
  int64_t latest_us = INT64_MIN;
};

}  // namespace

std::vector<ToolStats> ComputeToolStats(const std::vector<Span>& spans) {
  std::map<std::string, Accumulator> by_tool;
  for (const Span& span : spans) {
    if (span.kind != "tool" || !span.attrs.is_object() || !span.attrs.contains(attr::kOutcome)) {
      continue;
    }
    ToolCallRecord r = ReadSpanAttributes(span.attrs);
    if (r.tool.empty()) continue;
    Accumulator& acc = by_tool[r.tool];
    ToolStats& s = acc.stats;
    ++s.calls;
    if (r.outcome == kOutcomeError) {
      ++s.error_types[r.error_type.empty() ? "unknown" : r.error_type];
    } else {
      ++s.succeeded;
      if (r.outcome == kOutcomeFallback) ++s.fallbacks;
    }
    if (r.cache_hit) ++s.cache_hits;
    acc.latencies_us.push_back(r.latency_us);
    if (span.end_us >= acc.latest_us) {
      acc.latest_us = span.end_us;
      s.breaker_state = r.breaker_state;
    }
  }
  std::vector<ToolStats> out;
  for (auto& [tool, acc] : by_tool) {
    ToolStats& s = acc.stats;
    s.tool = tool;
    s.success_rate = double(s.succeeded) / double(s.calls);
    s.cache_hit_rate = double(s.cache_hits) / double(s.calls);
    std::sort(acc.latencies_us.begin(), acc.latencies_us.end());
    s.p50_ms = Percentile(acc.latencies_us, 0.50) / 1000.0;
    s.p95_ms = Percentile(acc.latencies_us, 0.95) / 1000.0;
    s.p99_ms = Percentile(acc.latencies_us, 0.99) / 1000.0;
    out.push_back(std::move(s));
  }
  return out;
}

Json ToolStatsJson(const std::vector<ToolStats>& stats) {
  Json tools = Json::array();
  for (const ToolStats& s : stats) {
    tools.push_back({{"tool", s.tool},
                     {"calls", s.calls},
                     {"succeeded", s.succeeded},
                     {"success_rate", s.success_rate},
                     {"fallbacks", s.fallbacks},
                     {"cache_hits", s.cache_hits},
                     {"cache_hit_rate", s.cache_hit_rate},
                     {"p50_ms", s.p50_ms},
                     {"p95_ms", s.p95_ms},
                     {"p99_ms", s.p99_ms},
                     {"error_types", s.error_types},
                     {"breaker", s.breaker_state}});
  }
  return {{"tools", tools}};
}

std::string ToolStatsTable(const std::vector<ToolStats>& stats) {
  std::string out =
      fmt::format("{:<28} {:>7} {:>8} {:>8} {:>8} {:>8} {:>7} {:<9} {}\n", "TOOL", "CALLS",
                  "SUCCESS", "P50_MS", "P95_MS", "P99_MS", "CACHE", "BREAKER", "ERRORS");
  for (const ToolStats& s : stats) {
    std::string errors;
    for (const auto& [type, n] : s.error_types) {
      errors += (errors.empty() ? "" : ", ") + type + "=" + std::to_string(n);
    }
    out += fmt::format("{:<28} {:>7} {:>7.1f}% {:>8.2f} {:>8.2f} {:>8.2f} {:>6.1f}% {:<9} {}\n",
                       s.tool, s.calls, s.success_rate * 100, s.p50_ms, s.p95_ms, s.p99_ms,
                       s.cache_hit_rate * 100, s.breaker_state, errors.empty() ? "-" : errors);
  }
  return out;
}

}  // namespace keel::policy
