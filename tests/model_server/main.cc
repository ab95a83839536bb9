// keel_model_test_server: the OpenAI / Anthropic protocol test server as a
// process, for benchmarks and manual checks. Binds 127.0.0.1 only; prints
// its port and serves until SIGINT or SIGTERM.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>

#include "model_server.h"

int main(int argc, char** argv) {
  keel::ModelServerOptions options;
  CLI::App app{"OpenAI / Anthropic protocol test server on 127.0.0.1"};
  app.add_option("--port", options.port, "port to listen on (0: any)");
  app.add_option("--delay-ms", options.delay_ms, "latency added to every answer");
  app.add_option("--api-key", options.api_key, "the only key accepted (default: any)");
  CLI11_PARSE(app, argc, argv);

  // Block the stop signals before any thread starts, so only sigwait sees them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  keel::ModelTestServer server(options);
  auto port = server.Start();
  if (!port.ok()) {
    std::fprintf(stderr, "keel_model_test_server: %s\n", port.error().ToString().c_str());
    return 1;
  }
  std::printf("keel_model_test_server listening on http://127.0.0.1:%d\n", *port);
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop, &sig);
  server.Stop();
  return 0;
}
