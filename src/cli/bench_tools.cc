// keel bench tools: the policy chain's own cost per call, on a no-op built-in
// tool, for the cache-hit path and the miss path (every stage runs: allowlist,
// input validation, both rate-limit buckets, cache lookup and store, breaker,
// timeout bookkeeping, output validation, audit), and calls/s through the
// chain on two threads. Prints JSON.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "cli/bench_harness.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "policy/tool_invoker.h"

namespace keel {
namespace {

using SteadyClock = std::chrono::steady_clock;

// The no-op tool answers inline, never retries and never waits for a token,
// so the chain arms no timer; this one counts any that would be, to prove it.
class CountingTimers : public TimerService {
 public:
  void After(int64_t, std::function<void()> fn) override {
    ++armed;
    fn();
  }
  std::atomic<int64_t> armed{0};
};

class CountingObserver : public policy::AuditObserver {
 public:
  void OnToolCall(const policy::ToolCallRecord&) override {
    records.fetch_add(1, std::memory_order_relaxed);
  }
  std::atomic<int64_t> records{0};
};

ToolDef NoopDef(int64_t cache_ttl_s) {
  ToolDef def;
  def.name = "bench.noop";
  def.input_schema = Json::parse(R"({"type": "object", "required": ["account_id"],
      "properties": {"account_id": {"type": "string"}, "days": {"type": "integer"}}})");
  def.output_schema = Json::parse(R"({"type": "object", "required": ["ok"]})");
  def.input = JsonSchema::Compile(def.input_schema).value();
  def.output = JsonSchema::Compile(def.output_schema).value();
  def.policies.restrict_agents = true;
  def.policies.agents = {"bench_agent"};
  def.policies.rate_limit = RateLimit{1e9, 1e9, 0};  // always a token, but counted
  def.policies.cache_ttl_s = cache_ttl_s;
  return def;
}

struct Timing {
  std::vector<double> us;
  int64_t failures = 0;
};

// Times `calls` sequential calls; `key(i)` picks the account id.
template <typename KeyFn>
Timing TimeCalls(policy::ToolInvoker& invoker, const ToolDef& def, int calls, KeyFn key) {
  Timing timing;
  timing.us.reserve(calls);
  ToolCallContext ctx;
  ctx.run_id = "bench";
  ctx.node = "n";
  ctx.agent = "bench_agent";
  for (int i = 0; i < calls; ++i) {
    Json args = {{"account_id", key(i)}, {"days", 30}};
    bool ok = false;
    auto start = SteadyClock::now();
    invoker.Invoke(def, std::move(args), ctx, [&ok](Result<Json> r) { ok = r.ok(); });
    auto end = SteadyClock::now();
    timing.us.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    if (!ok) ++timing.failures;
  }
  return timing;
}

Json Summary(const Timing& t) {
  return {{"calls", t.us.size()},
          {"failures", t.failures},
          {"p50_us", Median(t.us)},
          {"p99_us", Percentile(t.us, 0.99)}};
}

}  // namespace

int BenchTools(const BenchFlags& flags) {
  int calls = flags.runs > 0 ? flags.runs : 200'000;
  ToolRegistry registry;
  registry.Register("bench.noop", std::make_shared<FunctionTool>(
                                      [](const Json&, const ToolCallContext&) -> Result<Json> {
                                        return Json{{"ok", true}};
                                      }));
  CountingTimers timers;
  CountingObserver observer;
  policy::InvokerOptions options;
  options.tools = &registry;
  options.timers = &timers;
  options.observer = &observer;
  options.workspace_rate_limit = RateLimit{1e9, 1e9, 0};
  policy::ToolInvoker invoker(options);
  ToolDef cached = NoopDef(3600);
  // The miss path uses its own tool name, so its cache (every key new) and
  // the hit path's stay apart.
  ToolDef uncached = NoopDef(3600);
  uncached.name = "bench.noop_miss";
  registry.Register("bench.noop_miss", std::make_shared<FunctionTool>(
                                           [](const Json&, const ToolCallContext&) -> Result<Json> {
                                             return Json{{"ok", true}};
                                           }));

  // The tool alone, for reference: what a call costs with no chain at all.
  Timing direct;
  direct.us.reserve(calls);
  Tool* noop = registry.Find("bench.noop");
  for (int i = 0; i < calls; ++i) {
    Json args = {{"account_id", "A-" + std::to_string(i)}, {"days", 30}};
    auto start = SteadyClock::now();
    Result<Json> r = noop->Call(args, ToolCallContext{});
    direct.us.push_back(
        std::chrono::duration<double, std::micro>(SteadyClock::now() - start).count());
  }

  TimeCalls(invoker, cached, 1, [](int) { return std::string("A-1"); });  // warm the entry
  Timing hit = TimeCalls(invoker, cached, calls, [](int) { return std::string("A-1"); });
  Timing miss = TimeCalls(invoker, uncached, calls, [](int i) { return "A-" + std::to_string(i); });

  // Two threads through the miss path at once, on separate keys.
  const int threads = 2;
  std::atomic<int64_t> done_calls{0};
  auto wall_start = SteadyClock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      Timing part = TimeCalls(invoker, uncached, calls / threads, [t](int i) {
        return "T" + std::to_string(t) + "-" + std::to_string(i);
      });
      done_calls += static_cast<int64_t>(part.us.size()) - part.failures;
    });
  }
  for (std::thread& w : workers) w.join();
  double wall_s = std::chrono::duration<double>(SteadyClock::now() - wall_start).count();

  Json out = {{"benchmark", "tools"},
              {"tool_alone", Summary(direct)},
              {"cache_hit", Summary(hit)},
              {"miss", Summary(miss)},
              {"threads", threads},
              {"calls_per_s", double(done_calls.load()) / wall_s},
              {"audit_records", observer.records.load()},
              {"timers_armed", timers.armed.load()}};
  std::printf("%s\n", out.dump(2).c_str());
  return kExitOk;
}

}  // namespace keel
