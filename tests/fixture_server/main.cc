// keel_fixture_server: serves JSON fixtures on 127.0.0.1 (see fixture_server.h)
// for trying the sales pack's data tools offline:
//
//   keel_fixture_server tests/fixtures/http [port]
//   SALES_DATA_URL=http://127.0.0.1:<port> keel run lead_research ...
//
// Prints the port on the first line of stdout, then serves until killed.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "fixture_server.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FIXTURE_DIR [PORT]\n", argv[0]);
    return 2;
  }
  keel::testing::FixtureServer server(argv[1]);
  int port = server.Start(argc > 2 ? std::atoi(argv[2]) : 0);
  if (port < 0) {
    std::fprintf(stderr, "cannot bind 127.0.0.1\n");
    return 1;
  }
  std::printf("%d\n", port);
  std::fflush(stdout);
  while (true) pause();
}
