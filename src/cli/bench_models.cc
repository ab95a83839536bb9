// keel bench models: renewal prep against a real HTTP model provider. The
// tiers point at keel_model_test_server on 127.0.0.1 (every answer 1 s late)
// through the `openai` provider, so every model call is a real request on
// the event loop. Two cases: 1,000 runs at once (wall vs one run's critical
// path) and 10,000 runs at once with the per-host connection cap at 1,000
// (wall vs model calls / 1,000 x 1 s). Plus keel's own cost per model call:
// building the request and parsing the answer, measured in a tight loop.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "cli/bench_harness.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "providers/chat_model_adapter.h"
#include "providers/openai/openai_chat_model.h"

namespace keel {
namespace fs = std::filesystem;
namespace {

constexpr int kServerDelayMs = 1000;
constexpr char kBenchKey[] = "bench-key";  // the test server accepts any key

// keel_model_test_server as a child process (it sits beside the keel binary).
class ServerProcess {
 public:
  ~ServerProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }

  Status Start() {
    fs::path binary = fs::read_symlink("/proc/self/exe").parent_path() / "keel_model_test_server";
    if (!fs::exists(binary)) return NotFound(binary.string() + " not found (build it)");
    int out[2];
    if (pipe(out) != 0) return Internal("pipe failed");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      std::string delay = std::to_string(kServerDelayMs);
      execl(binary.c_str(), binary.c_str(), "--delay-ms", delay.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    // "keel_model_test_server listening on http://127.0.0.1:PORT\n"
    std::string line;
    char c;
    while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
    close(out[0]);
    size_t colon = line.rfind(':');
    if (colon == std::string::npos) return Internal("the model test server did not start");
    base_url_ = "http://127.0.0.1:" + line.substr(colon + 1);
    return Status();
  }
  const std::string& base_url() const { return base_url_; }

 private:
  pid_t pid_ = -1;
  std::string base_url_;
};

// Thousands of sockets at once: lift the soft descriptor limit to the hard one.
void RaiseFileLimit() {
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

Result<std::unique_ptr<App>> OpenModelsApp(const BenchFlags& flags, const fs::path& dir,
                                           const std::string& base_url, int64_t max_connections) {
  AppOptions options;
  options.engine.claim = false;  // the harness resumes runs itself, right after each approval
  options.store_override = (dir / "keel.db").string();
  options.max_runs_in_flight = 20000;
  options.adjust_models = [&](ProjectConfig* config) {
    config->model_provider = "offline";
    for (const char* tier : {"small", "medium", "large"}) {
      config->tiers[tier] = {TierTarget{"openai", "gpt-bench"}};
    }
    ProviderSettings& openai = config->models.providers["openai"];
    openai.base_url = base_url + "/v1";
    openai.api_key = kBenchKey;
    openai.max_connections_per_host = max_connections;
    // No more calls out than the provider can serve: the rest wait in the
    // engine as closures, their requests not built yet.
    config->max_model_calls_in_flight = static_cast<int>(max_connections);
    openai.idle_timeout_ms = 0;  // a request queued behind the cap has no byte for a while
    openai.total_timeout_ms = 3'600'000;
    config->models.breaker.failures = 0;
  };
  fs::create_directories(dir);
  auto app = OpenApp(flags.common.project, options);
  if (app.ok()) (*app)->engine->Start();
  return app;
}

// Microseconds keel spends per call outside the network: the rendered
// request turned into the provider's JSON body and text, and a typical
// answer parsed back. Measured over many iterations on this thread.
double CallOverheadUs() {
  AgentDef agent;
  agent.name = "risk_classifier";
  agent.description = "Classifies renewal risk.";
  agent.output_schema = Json::parse(
      R"({"type": "object", "required": ["level", "reasons"], "properties": {
           "level": {"enum": ["low", "medium", "high"]},
           "reasons": {"type": "array", "items": {"type": "string"}}}})");
  ModelRequest request;
  request.agent = &agent;
  // A renewal-prep prompt is ~1.5 KB of instructions and account facts.
  for (int i = 0; request.prompt.size() < 1500; ++i) {
    request.prompt += "- Health score: " + std::to_string(37 * i % 100) + "/100; usage down " +
                      std::to_string(13 * i % 40) + "% over the quarter; " +
                      std::to_string(71 * i % 120) + " days to renewal, seats in use " +
                      std::to_string(29 * i % 100) + "%.\n";
  }
  ChatModelAdapter adapter(nullptr, {"gpt-bench"});
  const std::string answer = Json{
      {"id", "chatcmpl-1"},
      {"model", "gpt-bench"},
      {"choices",
       {{{"index", 0},
         {"finish_reason", "stop"},
         {"message",
          {{"role", "assistant"}, {"content", R"({"level":"low","reasons":["usage up 12%"]})"}}}}}},
      {"usage",
       {{"prompt_tokens", 420},
        {"completion_tokens",
         18}}}}.dump();
  constexpr int kIterations = 20000;
  size_t sink = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kIterations; ++i) {
    std::string body = OpenAiRequestBody(adapter.ToChatRequest(request)).dump();
    Json parsed = Json::parse(answer);
    Json output = Json::parse(parsed["choices"][0]["message"]["content"].get<std::string>());
    sink += body.size() + output.size();
  }
  double us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  return sink > 0 ? us / kIterations : 0;
}

struct CaseResult {
  Json json;
  bool ok = false;
};

CaseResult RunCase(const BenchFlags& flags, const std::string& name, const std::string& base_url,
                   int runs, int64_t max_connections, double overhead_us) {
  fs::path dir =
      fs::temp_directory_path() / ("keel-bench-models-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(dir);
  auto app = OpenModelsApp(flags, dir, base_url, max_connections);
  if (!app.ok()) return {{{"case", name}, {"error", app.status().ToString()}}, false};
  BenchHarness harness(**app);
  // Every HTTP request of these runs is a model call (the workflow's tools are built in).
  const HttpClient& http = *(*app)->model_resources->http();
  int64_t before = http.requests_done();
  BatchResult one = harness.RunBatch(1);  // the critical path: one run alone
  int64_t calls_one = http.requests_done() - before;
  before = http.requests_done();
  BatchResult all = harness.RunBatch(runs);
  int64_t calls = http.requests_done() - before;
  double ideal = runs <= max_connections
                     ? one.wall_s
                     : static_cast<double>(calls) / max_connections * kServerDelayMs / 1000.0;
  Json out = {{"case", name},
              {"runs", runs},
              {"succeeded", all.succeeded},
              {"escalated", all.escalated},
              {"max_connections_per_host", max_connections},
              {"model_calls", calls},
              {"model_calls_one_run", calls_one},
              {"critical_path_s", one.wall_s},
              {"wall_s", all.wall_s},
              {"ideal_s", ideal},
              {"peak_rss_mb", PeakRssMb()},
              {"threads", ThreadCount()},
              {"connections_opened", (*app)->model_resources->connections_opened()},
              {"call_overhead_us", overhead_us}};
  app->reset();
  fs::remove_all(dir);
  return {out, all.succeeded + all.escalated == runs};
}

}  // namespace

int BenchModels(const BenchFlags& flags) {
  RaiseFileLimit();
  ServerProcess server;
  Status started = server.Start();
  if (!started.ok()) return ReportError(started);
  double overhead_us = CallOverheadUs();
  int few = flags.runs > 0 ? std::min(flags.runs, 1000) : 1000;
  int many = flags.runs > 0 ? flags.runs : 10000;
  bool ok = true;
  // 1,000 runs: enough connections for every parallel call, so the wall
  // time should stay near one run's critical path.
  CaseResult first = RunCase(flags, "1k_runs", server.base_url(), few, 4000, overhead_us);
  std::printf("%s\n", first.json.dump(2).c_str());
  std::fflush(stdout);
  ok = ok && first.ok;
  CaseResult second = RunCase(flags, "10k_runs_cap_1k", server.base_url(), many,
                              flags.concurrency > 0 ? flags.concurrency : 1000, overhead_us);
  std::printf("%s\n", second.json.dump(2).c_str());
  ok = ok && second.ok;
  return ok ? kExitOk : kExitRunFailed;
}

}  // namespace keel
