// mcp_bench: tools/call throughput and latency of keel's McpClient against
// the real server-everything, over stdio and over Streamable HTTP, printing
// one JSON line per transport:
//
//   build/tests/mcp/mcp_bench [calls=2000] [in_flight=16]
//
// Run from the repository root after scripts/install-test-servers.sh. The
// HTTP server is started on port 0 with tests/mcp/loopback_listen.cjs
// preloaded (127.0.0.1 only) and stopped at the end.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <regex>
#include <string>
#include <vector>

#include "connectors/process_reactor.h"
#include "io/event_loop.h"
#include "io/http_client.h"
#include "mcp/mcp_client.h"
#include "mcp/mcp_server_config.h"

namespace keel {
namespace {

constexpr char kServer[] =
    ".tools/mcp/node_modules/@modelcontextprotocol/server-everything/dist/index.js";
constexpr char kPreload[] = "./tests/mcp/loopback_listen.cjs";

using SteadyClock = std::chrono::steady_clock;

// Keeps `in_flight` echo calls outstanding until `calls` have finished.
// Shared with its callbacks, which may still run after the last result.
struct Driver : std::enable_shared_from_this<Driver> {
  Driver(McpClient* c, int n) : client(c), calls(n) {}

  McpClient* client;
  int calls;
  std::atomic<int> started{0};
  std::mutex mu;
  std::vector<double> latencies_ms;  // (mu)
  int failures = 0;                  // (mu)
  std::promise<void> done;

  void Launch() {
    if (started.fetch_add(1) >= calls) return;
    SteadyClock::time_point start = SteadyClock::now();
    std::shared_ptr<Driver> self = shared_from_this();
    client->CallTool("echo", {{"message", "bench"}}, {}, [self, start](Result<Json> result) {
      Driver* d = self.get();
      double ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
      bool last;
      {
        std::lock_guard<std::mutex> lock(d->mu);
        d->latencies_ms.push_back(ms);
        if (!result.ok()) ++d->failures;
        last = static_cast<int>(d->latencies_ms.size()) == d->calls;
      }
      if (last) d->done.set_value();
      d->Launch();
    });
  }
};

double Percentile(std::vector<double> sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = std::min(sorted.size() - 1, static_cast<size_t>(p * (sorted.size() - 1) + 0.5));
  return sorted[i];
}

int Measure(const char* transport, McpClient& client, int calls, int in_flight) {
  Result<McpToolList> warm = client.ListToolsBlocking();  // connects
  if (!warm.ok()) {
    std::fprintf(stderr, "%s: %s\n", transport, warm.status().ToString().c_str());
    return 1;
  }
  auto shared = std::make_shared<Driver>(&client, calls);
  Driver& driver = *shared;
  std::future<void> finished = driver.done.get_future();
  SteadyClock::time_point start = SteadyClock::now();
  for (int i = 0; i < in_flight; ++i) driver.Launch();
  finished.wait();
  std::lock_guard<std::mutex> lock(driver.mu);
  double wall_s = std::chrono::duration<double>(SteadyClock::now() - start).count();
  std::sort(driver.latencies_ms.begin(), driver.latencies_ms.end());
  std::printf(
      "{\"transport\":\"%s\",\"calls\":%d,\"in_flight\":%d,\"failures\":%d,\"wall_s\":%.3f,"
      "\"calls_per_s\":%.0f,\"p50_ms\":%.2f,\"p95_ms\":%.2f,\"p99_ms\":%.2f}\n",
      transport, calls, in_flight, driver.failures, wall_s, calls / wall_s,
      Percentile(driver.latencies_ms, 0.50), Percentile(driver.latencies_ms, 0.95),
      Percentile(driver.latencies_ms, 0.99));
  return driver.failures == 0 ? 0 : 1;
}

// Starts server-everything in streamableHttp mode; returns its port, or 0.
int StartHttpServer(ProcessReactor* reactor, ProcessHandle* process) {
  auto state = std::make_shared<std::pair<std::mutex, std::string>>();
  auto cv = std::make_shared<std::condition_variable>();
  SpawnOptions spawn;
  spawn.argv = {"node", "-r", kPreload, kServer, "streamableHttp"};
  spawn.env = {{"PORT", "0"}};
  ProcessCallbacks callbacks;
  callbacks.on_stdout = [](std::string_view) { return true; };
  callbacks.on_stderr = [state, cv](std::string_view chunk) {
    std::lock_guard<std::mutex> lock(state->first);
    state->second.append(chunk);
    cv->notify_all();
  };
  Result<ProcessHandle> started = reactor->Spawn(spawn, std::move(callbacks));
  if (!started.ok()) return 0;
  *process = *started;
  static const std::regex kListening("keel-loopback-listening (\\d+)");
  std::smatch match;
  std::unique_lock<std::mutex> lock(state->first);
  if (!cv->wait_for(lock, std::chrono::seconds(30),
                    [&] { return std::regex_search(state->second, match, kListening); })) {
    return 0;
  }
  return std::stoi(match[1]);
}

int Main(int calls, int in_flight) {
  if (!std::filesystem::exists(kServer)) {
    std::fprintf(stderr,
                 "server-everything is not installed; run scripts/install-test-servers.sh\n");
    return 2;
  }
  ProcessReactor reactor;
  int rc = 0;
  {
    McpServerConfig config;
    config.name = "everything";
    config.command = {"node", kServer, "stdio"};
    auto client = McpClient::Create(StdioClientOptions(config, &reactor));
    rc |= Measure("stdio", *client, calls, in_flight);
    client->Close();
  }
  ProcessHandle server;
  int port = StartHttpServer(&reactor, &server);
  if (port == 0) {
    std::fprintf(stderr, "server-everything (streamableHttp) did not start\n");
    return 1;
  }
  EventLoop loop(Clock::Real());
  loop.Start();
  {
    HttpClient http(&loop);
    McpServerConfig config;
    config.name = "everything";
    config.url = "http://127.0.0.1:" + std::to_string(port) + "/mcp";
    auto client = McpClient::Create(HttpClientOptionsFor(config, &http, &loop, {"127.0.0.1"}));
    rc |= Measure("streamable_http", *client, calls, in_flight);
    std::printf("{\"http_connections_opened\":%lld}\n",
                static_cast<long long>(http.connections_opened()));
    client->Close();
    loop.Stop();
  }
  server.Signal(SIGINT);
  return rc;
}

}  // namespace
}  // namespace keel

int main(int argc, char** argv) {
  int calls = argc > 1 ? std::atoi(argv[1]) : 2000;
  int in_flight = argc > 2 ? std::atoi(argv[2]) : 16;
  if (calls <= 0 || in_flight <= 0) {
    std::fprintf(stderr, "usage: %s [calls] [in_flight]\n", argv[0]);
    return 2;
  }
  return keel::Main(calls, in_flight);
}
