// FixtureServer: a small HTTP server on 127.0.0.1 that answers GET requests
// with JSON files from a folder, standing in for third-party data APIs
// (company news, funding history) in tests and offline demos.
//
//   GET /news?company=Cobalt%20Defense%20Inc
//     -> <root>/news/cobalt-defense-inc.json   (the first query value, slugged)
//     -> <root>/news/_default.json             (when there is no such file)
//     -> 404 {"error": "not_found", "message": ...}
//
// A file named _status_<code>.json in the folder makes every request to it
// answer with that status (how a test makes a source fail).
//
// Thread-safety: Start and Stop from one thread; requests are served on the
// server's own threads.
#ifndef KEEL_TESTS_FIXTURE_SERVER_FIXTURE_SERVER_H_
#define KEEL_TESTS_FIXTURE_SERVER_FIXTURE_SERVER_H_

#include <memory>
#include <string>
#include <string_view>
#include <thread>

namespace keel::testing {

class FixtureServer {
 public:
  explicit FixtureServer(std::string root);
  ~FixtureServer();  // stops the server

  // Binds 127.0.0.1:`port` (0: an ephemeral port) and serves in the
  // background. Returns the port, or -1 when it cannot bind.
  int Start(int port = 0);
  void Stop();

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  int port_ = -1;
};

// "Cobalt Defense, Inc." -> "cobalt-defense-inc".
std::string Slug(std::string_view text);

}  // namespace keel::testing

#endif  // KEEL_TESTS_FIXTURE_SERVER_FIXTURE_SERVER_H_
